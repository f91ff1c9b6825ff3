/**
 * The CLI's token file: where `inboxd create` keeps each anonymous mailbox's session token so
 * later commands on that address find it. Local state of the client commands only; the server
 * never reads it.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export interface TokenEntry {
  token: string;
  expires_at: string;
  url: string;
}

/** INBOXD_TOKEN_FILE, else $XDG_CONFIG_HOME (or ~/.config)/inboxd/tokens.json. */
export function tokenFilePath(): string {
  if (process.env.INBOXD_TOKEN_FILE) return process.env.INBOXD_TOKEN_FILE;
  const config = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(config, 'inboxd', 'tokens.json');
}

/**
 * address → session token of the anonymous mailboxes created here. Read on demand and written
 * whole (temp file + rename, mode 0600); expired entries are dropped on every write.
 */
export class TokenFile {
  constructor(private readonly path: string) {}

  get(address: string): string | undefined {
    return this.load()[address.toLowerCase()]?.token;
  }

  entries(): [string, TokenEntry][] {
    return Object.entries(this.load());
  }

  /** @returns the path written, or undefined when it could not be (a warning is printed). */
  set(address: string, entry: TokenEntry): string | undefined {
    const all = this.load();
    all[address.toLowerCase()] = entry;
    return this.save(all);
  }

  delete(address: string): void {
    const all = this.load();
    if (!(address.toLowerCase() in all)) return;
    delete all[address.toLowerCase()];
    this.save(all);
  }

  private load(): Record<string, TokenEntry> {
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as { tokens?: Record<string, TokenEntry> };
      return parsed.tokens && typeof parsed.tokens === 'object' ? parsed.tokens : {};
    } catch {
      return {};
    }
  }

  private save(all: Record<string, TokenEntry>): string | undefined {
    const now = Date.now();
    const live = Object.fromEntries(Object.entries(all).filter(([, e]) => !(Date.parse(e.expires_at) < now)));
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      const tmp = `${this.path}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ version: 1, tokens: live }, null, 2) + '\n', { mode: 0o600 });
      chmodSync(tmp, 0o600);
      renameSync(tmp, this.path);
      return this.path;
    } catch (err) {
      process.stderr.write(`inboxd: could not write the token file ${this.path}: ${(err as Error).message}\n`);
      return undefined;
    }
  }
}
