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
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  log.info({ signal, shutdown_timeout_s: config.shutdown_timeout }, 'shutting down');
  // a second signal means "now": the operator does not want to wait for the drain
  const again = () => {
    log.warn({}, 'second signal: exiting without finishing the drain');
    process.exit(1);
  };
  process.once('SIGINT', again);
  process.once('SIGTERM', again);
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    inboxd.close().then(() => 'closed' as const),
    new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), config.shutdown_timeout * 1000))),
  ]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    log.error({ shutdown_timeout_s: config.shutdown_timeout }, 'the drain did not finish within INBOXD_SHUTDOWN_TIMEOUT; exiting anyway');
    // whatever still holds the event loop open must not keep the process alive
    process.exit(1);
  }
  log.info({}, 'stopped');
  return 0;
}

export async function printConfig(argv: string[]): Promise<number> {
  const { config } = configFromProcess(argv.filter((a) => a !== '--print-config'));
  process.stdout.write(JSON.stringify(redactConfig(config), null, 2) + '\n');
  return 0;
}
