import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));
const files = (folder: string): Array<[string, string]> =>
  readdirSync(dir(folder))
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => [f, readFileSync(`${dir(folder)}/${f}`, 'utf8')]);

/** The templates shipped in templates/, as [file name, text]. */
export const shipped = files('../../templates/');
/** The valid corpus: every node type and every accepted shape, as [file name, text]. */
export const corpus = files('./corpus/valid/');
