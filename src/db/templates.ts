import { createHash } from 'node:crypto';
import { and, asc, desc, eq, gt, isNull } from 'drizzle-orm';
import { defaultMaxParallel, type Template } from '../template/model.js';
import type { Db } from './client.js';
import { templatesTable, templateVersionsTable, type TemplateRow, type TemplateVersionRow } from './schema.js';

/** A stored template version with its definition typed. */
export type StoredTemplateVersion = Omit<TemplateVersionRow, 'definition'> & { definition: Template };

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A template as its behaviour has it: node fields written out with their default value (`needs: []`,
 * `onError: fail`) and `maxParallel: 10` left out, as if they had not been written. (Config defaults are filled in
 * by validation, so a config reads the same either way already.)
 */
function withoutDefaults(template: Template): Template {
  const { maxParallel, ...rest } = template;
  const nodes = template.nodes.map(({ needs, onError, ...node }) => ({
    ...node,
    ...(needs && needs.length > 0 ? { needs } : {}),
    ...(onError && onError !== 'fail' ? { onError } : {}),
  }));
  return { ...rest, ...(maxParallel !== undefined && maxParallel !== defaultMaxParallel ? { maxParallel } : {}), nodes };
}

/**
 * A stable hash of a definition: key order and formatting of the upload do not change it, nor defaults written
 * out ({@link withoutDefaults}).
 */
export function definitionHash(template: Template): string {
  return createHash('sha256').update(canonicalJson(withoutDefaults(template))).digest('hex');
}

/**
 * Stores a template: the next version when the definition changed, the latest one when it did not. Uploading an
 * archived template's id again restores it. Runs in one transaction, so concurrent uploads never share a number.
 */
export async function saveTemplate(db: Db, template: Template): Promise<{ version: StoredTemplateVersion; created: boolean }> {
  const hash = definitionHash(template);
  return db.transaction(async (tx) => {
    // Create the row first (version 0 = none yet), so that the lock below also serialises first uploads.
    await tx.insert(templatesTable).values({ id: template.id, name: template.name, latestVersion: 0 }).onConflictDoNothing();
    const [current] = await tx.select().from(templatesTable).where(eq(templatesTable.id, template.id)).for('update');
    if (current && current.latestVersion > 0) {
      const [latest] = await tx.select().from(templateVersionsTable)
        .where(and(eq(templateVersionsTable.templateId, template.id), eq(templateVersionsTable.version, current.latestVersion)));
      if (latest && latest.hash === hash) {
        if (current.archivedAt) await tx.update(templatesTable).set({ archivedAt: null, updatedAt: new Date() }).where(eq(templatesTable.id, template.id));
        return { version: latest as StoredTemplateVersion, created: false };
      }
    }
    const version = (current?.latestVersion ?? 0) + 1;
    const meta = { name: template.name, description: template.description ?? null, latestVersion: version, updatedAt: new Date(), archivedAt: null };
    await tx.update(templatesTable).set(meta).where(eq(templatesTable.id, template.id));
    const [row] = await tx.insert(templateVersionsTable).values({ templateId: template.id, version, definition: template, hash }).returning();
    return { version: row as StoredTemplateVersion, created: true };
  });
}

/** A template's row, archived or not. */
export async function getTemplate(db: Db, id: string): Promise<TemplateRow | undefined> {
  const [row] = await db.select().from(templatesTable).where(eq(templatesTable.id, id)).limit(1);
  return row;
}

/** One version of a template; the latest when `version` is omitted. */
export async function getTemplateVersion(db: Db, id: string, version?: number): Promise<StoredTemplateVersion | undefined> {
  const query = db.select().from(templateVersionsTable).where(
    version === undefined ? eq(templateVersionsTable.templateId, id) : and(eq(templateVersionsTable.templateId, id), eq(templateVersionsTable.version, version)),
  );
  const [row] = await query.orderBy(desc(templateVersionsTable.version)).limit(1);
  return row as StoredTemplateVersion | undefined;
}

/** Every version of a template, oldest first. */
export async function listTemplateVersions(db: Db, id: string): Promise<StoredTemplateVersion[]> {
  const rows = await db.select().from(templateVersionsTable).where(eq(templateVersionsTable.templateId, id)).orderBy(asc(templateVersionsTable.version));
  return rows as StoredTemplateVersion[];
}

/** A page of templates ordered by id, after `cursor` (the last id of the previous page). */
export async function listTemplates(db: Db, options: { cursor?: string; limit: number; includeArchived?: boolean }): Promise<TemplateRow[]> {
  const where = [];
  if (options.cursor) where.push(gt(templatesTable.id, options.cursor));
  if (!options.includeArchived) where.push(isNull(templatesTable.archivedAt));
  return db.select().from(templatesTable).where(and(...where)).orderBy(asc(templatesTable.id)).limit(options.limit);
}

/** Archives a template: no new runs; its versions and runs are kept. Returns false when it does not exist. */
export async function archiveTemplate(db: Db, id: string): Promise<boolean> {
  const rows = await db.update(templatesTable).set({ archivedAt: new Date(), updatedAt: new Date() }).where(eq(templatesTable.id, id)).returning();
  return rows.length > 0;
}
