import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { projectRoot } from '../config.js';

const searchAttributeType = z.enum(['Text', 'Keyword', 'Int', 'Double', 'Bool', 'Datetime', 'KeywordList']);

/** The shape of `temporal-dev.yml`. */
export const devServerSettingsSchema = z.object({
  cli: z.object({ version: z.string().regex(/^\d+\.\d+\.\d+$/) }),
  namespace: z.string().min(1),
  ip: z.string().min(1),
  port: z.number().int().positive(),
  uiPort: z.number().int().positive(),
  dbFile: z.string().min(1),
  sqlitePragmas: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
  searchAttributes: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), searchAttributeType).default({}),
  dynamicConfig: z.record(z.string(), z.unknown()).default({}),
});

/** Settings of the local Temporal dev server, as written in `temporal-dev.yml`. */
export type DevServerSettings = z.infer<typeof devServerSettingsSchema>;

/** Reads and checks `temporal-dev.yml` (or another file of the same shape). */
export function readDevServerSettings(file = path.join(projectRoot, 'temporal-dev.yml')): DevServerSettings {
  const parsed = devServerSettingsSchema.safeParse(parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new TypeError(`${file} is not valid: ${where}`);
  }
  return parsed.data;
}
