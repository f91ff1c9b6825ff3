/**
 * Process entry: `inboxd <command>`. Parses argv, loads the one config, dispatches. Server
 * commands import their modules lazily so `inboxd --help` stays instant.
 */
import { commandHelp, mainHelp, version, wantsHelp } from './cli/help.js';
import { ConfigError } from './config/load.js';
import { StartupError } from './startup.js';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v' || command === '-V' || command === 'version') {
    process.stdout.write(`inboxd ${version()}\n`);
    return 0;
  }
  // help is answered here, before any command runs: asking for it never touches a store
  let help: string | undefined;
  if (command === 'help') help = (rest[0] ? await commandHelp(rest[0]) : undefined) ?? (await mainHelp());
  else if (command !== undefined && wantsHelp(rest)) help = await commandHelp(command);
  if (help !== undefined) {
    process.stdout.write(help + '\n');
    return 0;
  }
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
    case 'search':
    case 'keys':
    case 'webhooks':
    case 'export':
    case 'faults':
      return (await import('./cli/client.js')).client(command, rest);
    case 'mcp':
      return (await import('./cli/mcp.js')).mcp(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write((await mainHelp()) + '\n');
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`inboxd: unknown command ${JSON.stringify(command)}\n\n${await mainHelp()}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== -1) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError || err instanceof StartupError) process.stderr.write(`inboxd: ${err.message}\n`);
    else process.stderr.write(`inboxd: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
