/**
 * `inboxd/testing`: a real Inboxd inside the test process, for Node test suites that need no
 * Docker and no server started by hand.
 *
 * @example
 * import { startInboxd } from 'inboxd/testing';
 * const inboxd = await startInboxd();          // embedded pair, temp data dir, free ports
 * const mailbox = await inboxd.client.createMailbox();
 * // point the app's SMTP settings at inboxd.smtp.host / inboxd.smtp.port, then:
 * const message = await mailbox.waitForMessage({ subject: 'Verify' });
 * await inboxd.stop();
 *
 * What it starts is the same code `inboxd serve` runs (HTTP, SMTP, sweeper), on the embedded pair
 * (a SQLite file in a fresh temporary folder, the in-process bus), with development's friendly
 * defaults: catch-all for any address at any domain (owned by `client`'s key), SMTP AUTH accepting
 * anything. Nothing is read from the environment: two suites on one machine never share a server
 * by accident.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inboxd as InboxdClient } from '@inboxd/sdk';
import { loadConfig } from '../config/load.js';
import type { SettingKey } from '../config/schema.js';
import { hashSecret, newApiKey } from '../core/tokens.js';
import { startInboxd as startRoles } from '../roles.js';

export interface StartInboxdOptions {
  /**
   * settings by their config names, as `inboxd serve` takes them (`docs/config.md`), e.g.
   * `{ domains: ['example.test'], catch_all: 'off' }`. Ports, the data folder and the log level
   * have test defaults; anything given here wins.
   */
  settings?: Partial<Record<SettingKey, unknown>>;
}

export interface TestInboxd {
  /** the HTTP base URL (`http://127.0.0.1:<port>`): REST, WebSocket, SSE, the web UI, `/mcp`. */
  url: string;
  /** where the application under test sends mail (plain SMTP, AUTH optional). */
  smtp: { host: string; port: number };
  /** the temporary folder holding the SQLite file; removed by `stop()`. */
  dataDir: string;
  /** the default receiving domain (the first of `domains`). */
  domain: string;
  /** an API key owning the mailboxes `client` creates (a user on an unlimited plan). */
  apiKey: string;
  /** the SDK, with `apiKey`: `client.createMailbox()`, `mailbox.waitForMessage()`, … */
  client: InboxdClient;
  /** closes the server and removes its data folder; safe to call twice. */
  stop(): Promise<void>;
}

const TESTING_PLAN = 'testing';
const TESTING_USER = 'testing@inboxd.invalid';

export async function startInboxd(options: StartInboxdOptions = {}): Promise<TestInboxd> {
  const dataDir = mkdtempSync(join(tmpdir(), 'inboxd-testing-'));
  let server: Awaited<ReturnType<typeof startRoles>>;
  try {
    const config = loadConfig({
      overrides: {
        env: 'development',
        catch_all: 'any',
        // the key `client` carries owns caught mail too, so tests read it like their own mailboxes
        catch_all_owner: TESTING_USER,
        smtp_auth: 'any',
        http_host: '127.0.0.1',
        smtp_host: '127.0.0.1',
        http_port: 0,
        smtp_port: 0,
        data_dir: dataDir,
        log_level: 'warn',
        parse_workers: 1,
        ...options.settings,
      },
    });
    server = await startRoles(config);
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  if (!server.http || !server.smtp) {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error('startInboxd needs the api and smtp roles (settings.roles)');
  }

  // one owner with no caps, so a suite may create as many mailboxes as it likes
  const store = server.core.store;
  await store
    .createPlan({ name: TESTING_PLAN, maxMailboxes: -1, maxMessagesPerMailbox: -1, defaultTtlMinutes: 60, maxTtlMinutes: 43_200, maxMessageBytes: server.config.smtp_max_message_bytes })
    .catch(() => undefined); // already there when the caller gave a database that has it
  const user = (await store.getUserByEmail(TESTING_USER)) ?? (await store.createUser({ email: TESTING_USER, plan: TESTING_PLAN }));
  const { key, prefix } = newApiKey();
  await store.createApiKey({ userId: user.id, name: 'inboxd/testing', keyHash: hashSecret(key), prefix });

  const url = server.http.url;
  let stopped: Promise<void> | null = null;
  return {
    url,
    smtp: { host: ['0.0.0.0', '::'].includes(server.config.smtp_host) ? '127.0.0.1' : server.config.smtp_host, port: server.smtp.port },
    dataDir,
    domain: server.config.domains[0]!,
    apiKey: key,
    client: new InboxdClient({ baseUrl: url, apiKey: key }),
    stop() {
      stopped ??= server.close().finally(() => rmSync(dataDir, { recursive: true, force: true }));
      return stopped;
    },
  };
}
