/** Ends the reading at the offset where the text broke. */
class Broken extends Error {
  constructor(readonly offset: number) {
    super(`not JSON from offset ${offset}`);
  }
}

/**
 * Where text stops being JSON: the offset of the first character that cannot continue it (`text.length` when it
 * ends too soon), or undefined when it is JSON. `JSON.parse` says where only for some mistakes: for a comma before
 * a closing bracket it names the token and not the place, so the place is found here, by reading the text as
 * JSON's grammar does. Undefined too when the text nests too deep to read this way.
 */
export function jsonBreak(text: string): number | undefined {
  let at = 0;
  const space = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at]!)) at++;
  };
  const fail = (): never => {
    throw new Broken(at);
  };
  const literal = (word: string) => {
    for (const ch of word) {
      if (text[at] !== ch) fail();
      at++;
    }
  };
  const string = () => {
    at++;
    for (;;) {
      if (at >= text.length) fail();
      const ch = text[at]!;
      if (ch === '"') {
        at++;
        return;
      }
      if (ch < ' ') fail();
      if (ch === '\\') {
        at++;
        if (text[at] === 'u') {
          at++;
          for (let i = 0; i < 4; i++, at++) if (!/[0-9a-fA-F]/.test(text[at] ?? '')) fail();
        } else if (at < text.length && '"\\/bfnrt'.includes(text[at]!)) at++;
        else fail();
      } else at++;
    }
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at));
    if (!match) fail();
    at += match![0].length;
  };
  // A list of `item`s between brackets, the opening one at `at`, separated by commas.
  const sequence = (close: string, item: () => void): void => {
    at++;
    space();
    if (text[at] === close) return void at++;
    for (;;) {
      item();
      space();
      if (text[at] === ',') at++;
      else if (text[at] === close) return void at++;
      else fail();
    }
  };
  const member = (): void => {
    space();
    if (text[at] !== '"') fail();
    string();
    space();
    if (text[at] !== ':') fail();
    at++;
    value();
  };
  const value = (): void => {
    space();
    const ch = text[at];
    if (ch === '{') return sequence('}', member);
    if (ch === '[') return sequence(']', value);
    if (ch === '"') return string();
    if (ch === 't') return literal('true');
    if (ch === 'f') return literal('false');
    if (ch === 'n') return literal('null');
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return number();
    fail();
  };
  try {
    value();
    space();
    return at < text.length ? at : undefined;
  } catch (err) {
    // Nesting deeper than the stack reads (a megabyte of `[`) is not placed.
    return err instanceof Broken ? Math.min(err.offset, text.length) : undefined;
  }
}
