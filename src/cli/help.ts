/**
 * What `inboxd --help`, `inboxd <command> --help` and `inboxd --version` print. main.ts answers
 * these before any command runs, so asking for help never opens a store or applies a migration.
 * The settings part of `serve --help` is generated from the config schema, like docs/config.md.
 */
import { readFileSync } from 'node:fs';
import { envName, flagName, settings } from '../config/schema.js';

const SERVER_FLAGS = '  every server setting is also a flag and an INBOXD_* variable: see `inboxd serve --help`';

const ADMIN = `  inboxd admin plans list | plans create|update --name P [--max-mailboxes N] [--max-messages-per-mailbox N]
               [--default-ttl-minutes N] [--max-ttl-minutes N] [--max-message-bytes N]   (-1 = unlimited)
  inboxd admin users create --email E [--plan P] | users list
  inboxd admin keys create --user E [--name N] | keys list --user E | keys revoke --id ID
  --json prints JSON for scripts`;

export const MCP_USAGE = `usage: INBOXD_URL=http://127.0.0.1:8025 INBOXD_API_KEY=ibx_… inboxd mcp [--url URL]
An MCP server on stdio: tools create_mailbox, list_mailboxes, get_messages, read_message,
delete_mailbox, wait_for_message, and inbox:// resources. The key comes only from the
environment, never from a flag (flags end up in process lists and shell history).`;

/** the main help; the client part comes from cli/client.ts, which may import only the SDK. */
const mainHelpText = (client: string) => `inboxd — programmable temporary email

usage:
  inboxd serve [--roles api,smtp,sweeper] [--http-port N] [--smtp-port N] [...]   run the server (inboxd serve --help lists every flag)
  inboxd migrate                                                                   apply schema migrations
${ADMIN}
  inboxd config                                                                    print the effective config
  inboxd mcp                                                                       MCP server on stdio for an AI agent (INBOXD_URL, INBOXD_API_KEY)
  inboxd --version                                                                 print the version

client (against INBOXD_URL; INBOXD_API_KEY or a mailbox's session token):
${client}

Every setting is an INBOXD_* variable and a flag (inboxd serve --help, docs/config.md).
inboxd COMMAND --help shows one command's help and changes nothing.`;

function defaultOf(schema: { safeParse(v: unknown): { success: boolean; data?: unknown } }): string | undefined {
  const r = schema.safeParse(undefined);
  if (!r.success || r.data === undefined) return undefined;
  if (Array.isArray(r.data)) return r.data.length === 0 ? undefined : r.data.join(',');
  return String(r.data);
}

/** every setting as `--flag VALUE (INBOXD_VAR, default X)  description`, from the schema. */
export function settingsHelp(): string {
  return Object.entries(settings)
    .map(([key, schema]) => {
      const def = defaultOf(schema);
      return `  ${flagName(key)} VALUE\n      ${envName(key)}${def === undefined ? '' : `, default ${def}`}: ${schema.description ?? ''}`;
    })
    .join('\n');
}

const COMMAND_HELP: Record<string, () => string> = {
  serve: () => `usage: inboxd serve [--print-config] [flags]

Runs the roles in --roles (api: HTTP, WebSocket, SSE, /mcp and the web UI; smtp; sweeper) until
SIGTERM or SIGINT, then drains and stops. Precedence: default < INBOXD_* variable < flag.

  --print-config
      print the effective config (secrets redacted) and exit
  --help, -h
      print this help and exit

settings:
${settingsHelp()}`,
  migrate: () => `usage: inboxd migrate [flags]

Brings the database schema (the SQLite file in --data-dir, or --database-url) up to date and exits.

${SERVER_FLAGS}`,
  admin: () => `usage:
${ADMIN}
${SERVER_FLAGS}`,
  config: () => `usage: inboxd config [flags]

Prints the effective config (defaults < INBOXD_* variables < flags), secrets redacted, and exits.

${SERVER_FLAGS}`,
  mcp: () => MCP_USAGE,
};

const CLIENT_COMMANDS = new Set(['create', 'wait', 'read', 'ls', 'rm', 'search', 'keys', 'webhooks', 'export', 'faults']);

const clientHelp = async () => (await import('./client.js')).CLIENT_HELP;

/** the main help (`inboxd --help`). */
export async function mainHelp(): Promise<string> {
  return mainHelpText(await clientHelp());
}

/** the help of one command, or undefined when there is no such command. */
export async function commandHelp(command: string): Promise<string | undefined> {
  if (CLIENT_COMMANDS.has(command)) return `usage:\n${await clientHelp()}`;
  return COMMAND_HELP[command]?.();
}

/** true when argv asks for help (before a `--` that ends the options). */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

/** the version in package.json (one folder up from both src/ and dist/). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
