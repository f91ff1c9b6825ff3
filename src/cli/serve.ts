/**
 * `inboxd serve`: start the configured roles and run until SIGINT/SIGTERM, then shut down in order.
 */
import { redactConfig } from '../config/load.js';
import { startInboxd } from '../roles.js';
import { configFromProcess } from './env-config.js';

export async function serve(argv: string[]): Promise<number> {
  const { config, rest } = configFromProcess(argv);
  if (rest.includes('--print-config')) return printConfig(argv);
  if (rest.length > 0) {
    process.stderr.write(`inboxd serve: unknown option ${rest[0]}\n`);
    return 2;
  }
  const inboxd = await startInboxd(config);
  const log = inboxd.core.log;
  log.info(
    {
      http: inboxd.http?.url ?? null,
      smtp: inboxd.smtp ? `${config.smtp_host}:${inboxd.smtp.port}` : null,
      roles: config.roles,
      store: config.database_url ? 'postgres' : 'sqlite',
      domains: config.domains,
    },
    'inboxd ready',
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await inboxd.close();
  return 0;
}

export async function printConfig(argv: string[]): Promise<number> {
  const { config } = configFromProcess(argv.filter((a) => a !== '--print-config'));
  process.stdout.write(JSON.stringify(redactConfig(config), null, 2) + '\n');
  return 0;
}
