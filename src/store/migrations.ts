/**
 * Reads the numbered migration files of one dialect (`migrations/<dialect>/NNNN_verb_object.sql`).
 * Both dialects carry the same numbers; each store applies its own in order, once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function readMigrations(dialect: 'sqlite' | 'postgres'): Migration[] {
  const dir = fileURLToPath(new URL(`./migrations/${dialect}/`, import.meta.url));
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 4)), name: f.slice(5, -4), sql: readFileSync(dir + f, 'utf8') }));
}
