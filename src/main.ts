/**
 * Process entry: `inboxd <command>`. Parses argv, loads the one config, dispatches. Server
 * commands import their modules lazily so `inboxd --help` stays instant.
 */
import { ConfigError } from './config/load.js';

const HELP = `inboxd — programmable temporary email

usage:
  inboxd serve [--roles api,smtp,sweeper] [--http-port N] [--smtp-port N] [...]   run the server
  inboxd migrate                                                                   apply schema migrations
  inboxd admin plans list | plans create|update --name P [--max-mailboxes N] [--max-messages-per-mailbox N]
               [--default-ttl-minutes N] [--max-ttl-minutes N] [--max-message-bytes N]   (-1 = unlimited)
  inboxd admin users create --email E [--plan P] | users list
  inboxd admin keys create --user E [--name N] | keys list --user E
  inboxd config                                                                    print the effective config
  inboxd mcp                                                                        MCP server on stdio for an AI agent (INBOXD_URL, INBOXD_API_KEY)

client (against INBOXD_URL; INBOXD_API_KEY or a mailbox's session token):
  inboxd create [--ttl MIN] [--local-part X] [--domain D] [--group G]              create a mailbox; prints its address
  inboxd wait ADDRESS [--from S] [--subject S] [--body S] [--pattern RE2] [--timeout SEC] [--code | --link]
  inboxd read ADDRESS [ID | --latest] [--raw]    inboxd ls [ADDRESS]    inboxd rm ADDRESS [ID] | rm --group G

Every setting is an INBOXD_* variable and a flag (see docs/config.md); add --json to admin commands for scripts.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return (await import('./cli/serve.js')).serve(rest);
    case 'migrate':
      return (await import('./cli/migrate.js')).migrate(rest);
    case 'admin':
      return (await import('./cli/admin.js')).admin(rest);
    case 'config':
      return (await import('./cli/serve.js')).printConfig(rest);
    case 'create':
    case 'wait':
    case 'read':
    case 'ls':
    case 'rm':
      return (await import('./cli/client.js')).client(command, rest);
    case 'mcp':
      return (await import('./cli/mcp.js')).mcp(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP + '\n');
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`inboxd: unknown command ${JSON.stringify(command)}\n\n${HELP}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== -1) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError) process.stderr.write(`inboxd: ${err.message}\n`);
    else process.stderr.write(`inboxd: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
