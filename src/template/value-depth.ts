import { formatPath, type TemplateProblem } from './source.js';

/**
 * Objects and arrays inside one another in a value a run is given from outside: its input, a skipped node's
 * output, an approval's data, a JSON answer to an `http` node. Real data stays far below; far deeper values
 * overflow the call stack of the code that serializes them (a run started with an input 4,000 levels deep never
 * made progress), so they are refused where they come in.
 */
export const maxValueDepth = 256;

/**
 * The problem with `value` when it nests deeper than {@link maxValueDepth}, at the path of the first value too
 * deep below `root`; undefined otherwise. It walks with an explicit stack, so the depth it checks cannot
 * overflow it.
 */
export function depthProblem(value: unknown, root: string): TemplateProblem | undefined {
  const stack: Array<{ value: unknown; path: Array<string | number> }> = [{ value, path: [root] }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (path.length > maxValueDepth) return { path: formatPath(path), message: `nests deeper than ${maxValueDepth} levels` };
    const entries = Array.isArray(current) ? current.map((item, i) => [i, item] as const) : Object.entries(current);
    for (const [key, item] of entries) stack.push({ value: item, path: [...path, key] });
  }
  return undefined;
}
