/**
 * The scale store: PostgreSQL through a pg Pool, shared by any number of Inboxd nodes. Same
 * semantics as `store/sqlite` (the reference); what SQLite gets from its single writer, this
 * store gets from row locks and advisory locks inside each transaction:
 * - seq and quota: the recipient mailboxes are locked (FOR UPDATE, in id order so two
 *   multi-recipient deliveries cannot deadlock) before their counters move;
 * - an owner's mailbox cap: `pg_advisory_xact_lock(owner)` serialises one owner's creations;
 * - expiry: `FOR UPDATE SKIP LOCKED` lets concurrent sweepers each take disjoint mailboxes.
 *
 * Every session runs with synchronous_commit=on (DESIGN rule 6: "250" means on disk). Deliveries
 * are written in batches (group commit, `batch.ts`): those that arrive while earlier batches are
 * being written share the next transaction, two round trips for the lot (the insert and its COMMIT are pipelined).
 * Not for: SQL of the embedded store (see `store/sqlite`), row mapping (`rows.ts`).
 */
import pg from 'pg';
import { DomainError, isDomainError } from '../../core/errors.js';
import { newMessageEvent } from '../../core/events.js';
import { newId } from '../../core/ids.js';
import type { AttemptOutcome, ClaimedDelivery, NewOutboxEvent, Webhook, WebhookAttempt, WebhookChanges } from '../../core/webhooks/types.js';
import type { ApiKey, DeliveryAttempt, FaultRule, FaultScope, FaultStage, Mailbox, Message, MessageSummary, OwnerType, Plan, StoredFaultRule, User } from '../../core/types.js';
import { readMigrations } from '../migrations.js';
import type {
  CreateMailboxRules,
  InsertedMessage,
  ListMessagesQuery,
  NewMailbox,
  NewMessage,
  PurgeResult,
  RecipientMailbox,
  SearchPage,
  SearchScope,
  Store,
} from '../../core/store.js';
import { LAST_USED_GRANULARITY_MS } from '../../core/store.js';
import { BatchWriter, type JobOutcome } from './batch.js';
import { ReadBatcher } from './read-batch.js';
import { compilePostgresSearch } from './search.js';
import type { SearchQuery } from '../../core/search-query.js';
import { isConnectionError, isRetryable, sqlState, storageError } from './errors.js';
import { FAULT_RULES_LEFT, faultJson, faultScopeWhere, type Row, SUMMARY_COLUMNS, toApiKey, toDelivery, toFaultRule, toMailbox, toMessage, toPlan, toSummary, toUser } from '../rows.js';
import { text } from './rows.js';
import { EARLIER_UNTRIED, toClaimed, toWebhook, toWebhookAttempt } from '../webhook-rows.js';

export interface PostgresStoreOptions {
  url: string;
  /** connections in this node's pool; runExclusive holds one while its work uses others. */
  poolSize: number;
  /** a schema to work in (created when missing); default: the server's search_path. */
  schema?: string;
  /** how long to wait for a connection before answering storage_unavailable. */
  connectTimeoutMs?: number;
  /** a statement with no answer after this long fails and its connection is dropped. */
  queryTimeoutMs?: number;
  /** shown in pg_stat_activity, so an operator can tell Inboxd's sessions apart. */
  applicationName?: string;
  /** told about errors on idle connections (the pool drops them and reconnects on demand). */
  onIdleError?: (err: Error) => void;
}

/** first keys of the two-key advisory locks, so Inboxd's locks never collide with each other. */
const LOCK_MIGRATE = 0x1b0c0001;
const LOCK_OWNER = 0x1b0c0002;
const LOCK_EXCLUSIVE = 0x1b0c0003;

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const TX_ATTEMPTS = 3;
const MIGRATION_TIMEOUT_MS = 600_000;
/** group commit of deliveries (batch.ts): a few batches at once, each bounded in rows and bytes. */
const BATCH_LIMITS = { inFlight: 4, jobs: 64, bytes: 16 * 1024 * 1024 };

const MESSAGE_COLUMNS =
  'id, mailbox_id, seq, received_at, from_json, to_json, cc_json, subject, message_id_header, date_header, ' +
  'size, body_text, body_html, headers_json, attachments_json, codes_json, links_json, tag, source, envelope_from, verdicts_json, parse_error';

/** the row values of one message copy; the JSON of a content shared by several copies is built once. */
function messageValues(id: string, seq: number, m: NewMessage, json: Map<object, string[]>): unknown[] {
  const k = m.content;
  let j = json.get(k);
  if (!j) {
    j = [k.from ? JSON.stringify(k.from) : '', JSON.stringify(k.to), JSON.stringify(k.cc), JSON.stringify(k.headers), JSON.stringify(k.attachments), JSON.stringify(k.codes), JSON.stringify(k.links)];
    json.set(k, j);
  }
  return [
    id, m.mailboxId, seq, m.receivedAt, k.from ? j[0] : null, j[1], j[2], text(k.subject), text(k.messageIdHeader), text(k.date), m.size,
    text(k.bodyText), text(k.bodyHtml), j[3], j[4], j[5], j[6], text(m.tag), m.source, text(m.envelopeFrom), m.verdicts ? JSON.stringify(m.verdicts) : null, text(k.parseError),
  ];
}

/**
 * One statement for a whole batch: the mailboxes' counters, every message row and every raw
 * source (sent as binary parameters), and each message's search document (migration 0006: its
 * tsvector, computed by the server from the row just inserted). Data-modifying CTEs all run, and
 * the foreign keys to messages are checked at the end of the statement, when the messages are there.
 */
function insertStatement(rows: { id: string; seq: number; m: NewMessage }[], boxes: Map<string, { seq: number; added: number }>, outbox: NewOutboxEvent[]): pg.QueryConfig {
  const values: unknown[] = [];
  const param = (v: unknown): string => {
    values.push(v);
    return `$${values.length}`;
  };
  const bumps = [...boxes].filter(([, b]) => b.added > 0).map(([id, b]) => `(${param(id)}::text, ${param(b.seq)}::bigint, ${param(b.added)}::bigint)`);
  const json = new Map<object, string[]>();
  const messages = rows.map((r) => `(${messageValues(r.id, r.seq, r.m, json).map(param).join(', ')})`);
  const raws = rows.map((r) => `(${param(r.id)}, ${param(r.m.raw)})`);
  // the webhook outbox rows (#15) commit with their messages; the endpoints they point at were
  // read FOR SHARE in this transaction, so a concurrent DELETE of one waits for this commit
  const hooks = outbox.map(
    (e) => `(${param(e.id)}, ${param(e.webhookId)}, 'new_message', ${param(e.mailboxId)}, ${param(e.messageId)}, ${param(e.seq)}::bigint, ${param(e.eventJson)}, ${param(e.createdAt)}::bigint, ${param(e.createdAt)}::bigint)`,
  );
  const outboxCte =
    hooks.length > 0
      ? `outbox AS (INSERT INTO webhook_outbox (id, webhook_id, event_type, mailbox_id, message_id, seq, event_json, created_at, next_at) VALUES ${hooks.join(', ')}), `
      : '';
  return {
    text:
      `WITH counters AS (UPDATE mailboxes b SET last_seq = v.last_seq, message_count = b.message_count + v.added ` +
      `FROM (VALUES ${bumps.join(', ')}) AS v(id, last_seq, added) WHERE b.id = v.id), ` +
      outboxCte +
      `rows AS (INSERT INTO messages (${MESSAGE_COLUMNS}) VALUES ${messages.join(', ')} RETURNING id, mailbox_id, received_at, subject, body_text, from_json, to_json, cc_json), ` +
      `search AS (INSERT INTO message_search (message_id, mailbox_id, owner_id, received_at, doc) ` +
      `SELECT r.id, r.mailbox_id, b.owner_id, r.received_at, search_doc(r.subject, r.body_text, r.from_json, r.to_json, r.cc_json, search_scope(r.mailbox_id, b.owner_id)) ` +
      `FROM rows r JOIN mailboxes b ON b.id = r.mailbox_id) ` +
      `INSERT INTO raw_sources (message_id, bytes) VALUES ${raws.join(', ')}`,
    values,
  };
}

/** creates the store, and its schema when `schema` is given and missing. */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const store = new PostgresStore(options);
  if (options.schema !== undefined) {
    try {
      await store.ensureSchema();
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  return store;
}

export class PostgresStore implements Store {
  private readonly pool: pg.Pool;
  private readonly schema: string | undefined;
  private closed = false;
  private readonly inserts = new BatchWriter<NewMessage[], InsertedMessage[]>((jobs) => this.writeInserts(jobs), BATCH_LIMITS);
  private readonly recipientReads = new ReadBatcher<RecipientMailbox | null>((addresses) => this.readRecipients(addresses), null);

  constructor(options: PostgresStoreOptions) {
    if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
      throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(options.schema)}: letters, digits and _ only`);
    }
    this.schema = options.schema;
    // session settings go in the startup packet, so every pooled connection has them before its
    // first statement, without an extra round trip
    const settings = ['-c synchronous_commit=on'];
    if (options.schema !== undefined) settings.push(`-c search_path=${options.schema}`);
    const fromUrl = safeUrl(options.url)?.searchParams.get('options');
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize,
      options: [fromUrl, ...settings].filter(Boolean).join(' '),
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      query_timeout: options.queryTimeoutMs ?? 30_000,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      application_name: options.applicationName ?? 'inboxd',
      // queries issued together leave together: a delivery batch's insert and its COMMIT share
      // one round trip (writeInserts); queries awaited one by one behave as without it
      pipeline: true,
    });
    // an idle connection that breaks (server restart, network) is dropped by the pool; without a
    // listener the 'error' event would crash the process
    this.pool.on('error', (err) => options.onIdleError?.(err));
    // the pool listens only to idle clients: a checked-out one (a transaction between statements,
    // the runExclusive lock holder) whose socket dies would emit an unhandled 'error' and crash
    // the process. Its next statement fails instead, and we release it as broken.
    this.pool.on('connect', (client) => client.on('error', () => undefined));
  }

  /** CREATE SCHEMA IF NOT EXISTS, tolerating a concurrent creator. */
  async ensureSchema(): Promise<void> {
    if (this.schema === undefined) return;
    try {
      await this.pool.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
    } catch (err) {
      // two nodes creating it at once: the loser sees a unique violation on pg_namespace
      if (sqlState(err) !== '23505' && sqlState(err) !== '42P06') throw storageError(err);
    }
  }

  // ── plumbing ─────────────────────────────────────────────────────────────────────────────────

  private async query(sql: string, params: unknown[] = []): Promise<Row[]> {
    try {
      return (await this.pool.query(sql, params)).rows as Row[];
    } catch (err) {
      throw storageError(err);
    }
  }

  private async connect(): Promise<pg.PoolClient> {
    if (this.closed) throw new DomainError('storage_unavailable', 'storage unavailable: the store is closed');
    try {
      return await this.pool.connect();
    } catch (err) {
      throw storageError(err);
    }
  }

  /**
   * runs `fn` in one transaction (READ COMMITTED; the locks `fn` takes do the serialising).
   * Deadlocks and serialisation failures are retried (`fn` runs again from the start); a connection that failed is destroyed
   * rather than returned to the pool.
   */
  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>, opts: { opensItself?: boolean; commitsItself?: boolean } = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.connect();
      let broken: Error | undefined;
      try {
        // opensItself: `fn` sends BEGIN with its first statement (one round trip fewer)
        if (!opts.opensItself) await client.query('BEGIN');
        const out = await fn(client);
        // commitsItself: `fn` sent COMMIT with its last statement, and threw if it did not commit
        if (!opts.commitsItself) await client.query('COMMIT');
        return out;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = err instanceof Error ? err : new Error(String(err));
        }
        if (isConnectionError(err)) broken ??= err as Error;
        if (attempt < TX_ATTEMPTS && isRetryable(err)) continue;
        throw storageError(err);
      } finally {
        client.release(broken);
      }
    }
  }

  async migrate(): Promise<void> {
    const client = await this.connect();
    const key = this.schema ?? 'public';
    let broken: Error | undefined;
    try {
      // a session lock: N nodes starting together apply each migration once, the others wait
      await client.query(slow('SELECT pg_advisory_lock($1, hashtext($2))', [LOCK_MIGRATE, key]));
      try {
        await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
        const done = new Set((await client.query('SELECT version FROM schema_migrations')).rows.map((r: Row) => Number(r.version)));
        for (const m of readMigrations('postgres')) {
          if (done.has(m.version)) continue;
          await client.query('BEGIN');
          try {
            await client.query(slow(m.sql));
            await client.query('INSERT INTO schema_migrations VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
            await client.query('COMMIT');
          } catch (err) {
            await client.query('ROLLBACK').catch(() => undefined);
            throw err;
          }
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_MIGRATE, key]);
      }
    } catch (err) {
      // dropping the session also drops a lock we could not release
      broken = err instanceof Error ? err : new Error(String(err));
      throw storageError(err);
    } finally {
      client.release(broken);
    }
  }

  async pendingMigrations(): Promise<string[]> {
    try {
      const exists = await this.pool.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS ok");
      const done = new Set(
        (exists.rows[0] as Row).ok ? (await this.pool.query('SELECT version FROM schema_migrations')).rows.map((r: Row) => Number(r.version)) : [],
      );
      return readMigrations('postgres')
        .filter((m) => !done.has(m.version))
        .map((m) => `${String(m.version).padStart(4, '0')}_${m.name}`);
    } catch (err) {
      throw storageError(err);
    }
  }

  /**
   * runs `fn` while holding a cluster-wide advisory lock named `name`, or returns null at once
   * when another session holds it (one sweeper per tick among many nodes). The lock is a
   * session lock on a connection held for the duration; `fn` itself uses other connections.
   * If that connection dies, PostgreSQL releases the lock, so `fn` must be safe to overlap.
   */
  async runExclusive<T>(name: string, fn: () => Promise<T>): Promise<T | null> {
    const client = await this.connect();
    const key = `${this.schema ?? 'public'}:${name}`;
    let broken: Error | undefined;
    try {
      let got: boolean;
      try {
        const r = await client.query('SELECT pg_try_advisory_lock($1, hashtext($2)) AS got', [LOCK_EXCLUSIVE, key]);
        got = Boolean((r.rows[0] as Row).got);
      } catch (err) {
        broken = err as Error;
        throw storageError(err);
      }
      if (!got) return null;
      try {
        return await fn();
      } finally {
        try {
          await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_EXCLUSIVE, key]);
        } catch (err) {
          broken = err as Error;
        }
      }
    } finally {
      client.release(broken);
    }
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  async now(): Promise<number> {
    // clock_timestamp(), not now(): the time of this statement, not of a transaction's start
    const rows = await this.query('SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint AS now');
    return Number((rows[0] as Row).now);
  }

  async probeCommit(): Promise<void> {
    // taking a transaction id makes the statement commit a WAL record, so a stalled WAL flush
    // (full disk, a synchronous standby gone) shows here, where SELECT 1 would not
    await this.query('SELECT txid_current()');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  // ── plans, users, keys ───────────────────────────────────────────────────────────────────────

  async getPlan(name: string): Promise<Plan | null> {
    const [r] = await this.query('SELECT * FROM plans WHERE name = $1', [name]);
    return r ? toPlan(r) : null;
  }

  async listPlans(): Promise<Plan[]> {
    return (await this.query('SELECT * FROM plans ORDER BY name')).map(toPlan);
  }

  async createPlan(plan: Plan): Promise<Plan> {
    const rows = await this.query('INSERT INTO plans VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING RETURNING name', [
      plan.name,
      plan.maxMailboxes,
      plan.maxMessagesPerMailbox,
      plan.defaultTtlMinutes,
      plan.maxTtlMinutes,
      plan.maxMessageBytes,
    ]);
    if (rows.length === 0) throw new DomainError('already_exists', `plan ${plan.name} already exists`);
    return plan;
  }

  async updatePlan(name: string, changes: Partial<Omit<Plan, 'name'>>): Promise<Plan> {
    return this.tx(async (c) => {
      const [r] = (await c.query('SELECT * FROM plans WHERE name = $1 FOR UPDATE', [name])).rows as Row[];
      if (!r) throw new DomainError('not_found', `no plan named ${name}`);
      const p = { ...toPlan(r), ...changes };
      await c.query(
        'UPDATE plans SET max_mailboxes = $1, max_messages_per_mailbox = $2, default_ttl_minutes = $3, max_ttl_minutes = $4, max_message_bytes = $5 WHERE name = $6',
        [p.maxMailboxes, p.maxMessagesPerMailbox, p.defaultTtlMinutes, p.maxTtlMinutes, p.maxMessageBytes, name],
      );
      return p;
    });
  }

  async createUser(input: { email: string; plan: string }): Promise<User> {
    const user: User = { id: newId(), email: input.email, plan: input.plan, active: true, createdAt: Date.now() };
    return this.tx(async (c) => {
      if ((await c.query('SELECT 1 FROM plans WHERE name = $1', [input.plan])).rowCount === 0) {
        throw new DomainError('invalid_input', `no plan named ${input.plan}`);
      }
      const r = await c.query('INSERT INTO users (id, email, plan, active, created_at) VALUES ($1, $2, $3, TRUE, $4) ON CONFLICT (email) DO NOTHING', [
        user.id,
        user.email,
        user.plan,
        user.createdAt,
      ]);
      if (r.rowCount === 0) throw new DomainError('already_exists', `a user with email ${input.email} exists`);
      return user;
    });
  }

  async getUserByEmail(email: string): Promise<User | null> {
    const [r] = await this.query('SELECT * FROM users WHERE email = $1', [email]);
    return r ? toUser(r) : null;
  }

  async getUser(id: string): Promise<User | null> {
    const [r] = await this.query('SELECT * FROM users WHERE id = $1', [id]);
    return r ? toUser(r) : null;
  }

  async listUsers(): Promise<User[]> {
    return (await this.query('SELECT * FROM users ORDER BY created_at, id')).map(toUser);
  }

  async createApiKey(input: { userId: string; name: string; keyHash: string; prefix: string }): Promise<ApiKey> {
    const key: ApiKey = { id: newId(), userId: input.userId, prefix: input.prefix, name: input.name, createdAt: Date.now(), lastUsedAt: null, active: true };
    await this.query('INSERT INTO api_keys (id, user_id, key_hash, prefix, name, created_at, active) VALUES ($1, $2, $3, $4, $5, $6, TRUE)', [
      key.id,
      key.userId,
      input.keyHash,
      key.prefix,
      key.name,
      key.createdAt,
    ]);
    return key;
  }

  async findApiKey(keyHash: string, now: number): Promise<{ key: ApiKey; user: User } | null> {
    const [r] = await this.query(
      `SELECT k.*, u.email AS u_email, u.plan AS u_plan, u.active AS u_active, u.created_at AS u_created_at
       FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_hash = $1 AND k.active AND u.active`,
      [keyHash],
    );
    if (!r) return null;
    // last use is advisory (a lost update is harmless) and kept to the minute: a synchronous
    // commit on every authenticated request would cost more than the fact is worth
    if (r.last_used_at === null || Number(r.last_used_at) < now - LAST_USED_GRANULARITY_MS) {
      await this.query('UPDATE api_keys SET last_used_at = $1 WHERE id = $2', [now, r.id]);
    }
    return {
      key: toApiKey(r),
      user: toUser({ id: r.user_id, email: r.u_email, plan: r.u_plan, active: r.u_active, created_at: r.u_created_at }),
    };
  }

  async listApiKeys(userId: string): Promise<ApiKey[]> {
    return (await this.query('SELECT * FROM api_keys WHERE user_id = $1 ORDER BY created_at, id', [userId])).map(toApiKey);
  }

  async revokeApiKey(id: string, userId?: string): Promise<ApiKey | null> {
    const owner = userId === undefined ? '' : ' AND user_id = $2';
    const args = userId === undefined ? [id] : [id, userId];
    const [r] = await this.query(`UPDATE api_keys SET active = FALSE WHERE id = $1${owner} RETURNING *`, args);
    return r ? toApiKey(r) : null;
  }

  async apiKeyActive(id: string): Promise<boolean> {
    const rows = await this.query('SELECT 1 FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.id = $1 AND k.active AND u.active', [id]);
    return rows.length > 0;
  }

  // ── mailboxes ────────────────────────────────────────────────────────────────────────────────

  async createMailbox(input: NewMailbox, rules: CreateMailboxRules): Promise<Mailbox> {
    return this.tx(async (c) => {
      // one owner's creations run one at a time, so the count below cannot go stale
      await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_OWNER, input.ownerId]);
      const [old] = (await c.query('SELECT * FROM mailboxes WHERE address = $1 FOR UPDATE', [input.address])).rows as Row[];
      if (old) {
        const o = toMailbox(old);
        const live = o.active && o.expiresAt > rules.now;
        const endedAt = Number(old.ended_at ?? o.expiresAt);
        const sameOwner = o.ownerId === input.ownerId;
        if (live || (!sameOwner && rules.now < endedAt + rules.quarantineMs)) {
          throw new DomainError('address_taken', `${input.address} is not available`);
        }
        await c.query('DELETE FROM mailboxes WHERE id = $1', [o.id]);
      }
      if (rules.maxMailboxes >= 0) {
        const [{ n }] = (await c.query('SELECT count(*) AS n FROM mailboxes WHERE owner_id = $1 AND active AND expires_at > $2', [input.ownerId, rules.now]))
          .rows as [Row];
        if (Number(n) >= rules.maxMailboxes) {
          throw new DomainError('quota_exceeded', `limit of ${rules.maxMailboxes} active mailboxes reached`, { limit: rules.maxMailboxes });
        }
      }
      try {
        const { rows } = await c.query(
          `INSERT INTO mailboxes (id, address, domain, owner_type, owner_id, token_hash, plan, group_label, created_at, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
          [newId(rules.now), input.address, input.domain, input.ownerType, input.ownerId, input.tokenHash, input.plan, input.group, rules.now, input.expiresAt],
        );
        return toMailbox(rows[0] as Row);
      } catch (err) {
        // another owner created the same address between our read and our insert
        if (sqlState(err) === '23505') throw new DomainError('address_taken', `${input.address} is not available`);
        throw err;
      }
    });
  }

  async getMailbox(address: string): Promise<Mailbox | null> {
    const [r] = await this.query('SELECT * FROM mailboxes WHERE address = $1', [address]);
    return r ? toMailbox(r) : null;
  }

  getRecipientMailbox(address: string): Promise<RecipientMailbox | null> {
    return this.recipientReads.get(address);
  }

  /** RCPT's reads, coalesced (read-batch.ts): each mailbox, its plan (as JSON, so its columns cannot collide with the mailbox's) and whether a fault script may answer for it. */
  private async readRecipients(addresses: string[]): Promise<Map<string, RecipientMailbox>> {
    const rows = await this.query(
      `SELECT b.*, row_to_json(p) AS plan_row, ${FAULT_RULES_LEFT} AS faults FROM mailboxes b LEFT JOIN plans p ON p.name = b.plan WHERE b.address = ANY($1::text[])`,
      [addresses],
    );
    return new Map(rows.map((r) => [String(r.address), { mailbox: toMailbox(r), plan: r.plan_row ? toPlan(r.plan_row as Row) : null, faults: Boolean(r.faults) }]));
  }

  async getMailboxById(id: string): Promise<Mailbox | null> {
    const [r] = await this.query('SELECT * FROM mailboxes WHERE id = $1', [id]);
    return r ? toMailbox(r) : null;
  }

  async getMailboxByTokenHash(tokenHash: string): Promise<Mailbox | null> {
    const [r] = await this.query('SELECT * FROM mailboxes WHERE token_hash = $1', [tokenHash]);
    return r ? toMailbox(r) : null;
  }

  async listMailboxes(owner: { ownerType: OwnerType[]; ownerId: string }, now: number, group?: string): Promise<Mailbox[]> {
    const rows = await this.query(
      `SELECT * FROM mailboxes WHERE owner_id = $1 AND owner_type = ANY($2::text[]) AND active AND expires_at > $3
       ${group !== undefined ? 'AND group_label = $4' : ''} ORDER BY created_at DESC, id DESC`,
      [owner.ownerId, owner.ownerType, now, ...(group !== undefined ? [group] : [])],
    );
    return rows.map(toMailbox);
  }

  async setMailboxExpiry(id: string, expiresAt: number): Promise<Mailbox> {
    const [r] = await this.query('UPDATE mailboxes SET expires_at = $1 WHERE id = $2 RETURNING *', [expiresAt, id]);
    if (!r) throw new DomainError('mailbox_not_found', 'mailbox not found');
    return toMailbox(r);
  }

  async deleteMailbox(id: string, now: number): Promise<void> {
    await this.query('UPDATE mailboxes SET active = FALSE, deleted_at = $1, ended_at = $1 WHERE id = $2 AND deleted_at IS NULL', [now, id]);
  }

  // ── messages ─────────────────────────────────────────────────────────────────────────────────

  insertMessages(messages: NewMessage[]): Promise<InsertedMessage[]> {
    if (messages.length === 0) return Promise.resolve([]);
    return this.inserts.submit(messages, messages.reduce((n, m) => n + m.raw.length, 0));
  }

  /**
   * Writes a batch of deliveries in one transaction and two round trips: BEGIN with the lock
   * on every recipient mailbox (FOR UPDATE, in id order, so concurrent batches cannot deadlock),
   * then one statement that moves the counters and inserts every message and raw source,
   * pipelined with the COMMIT. Each delivery's rules (the mailbox live, its quota) are judged under the lock, in
   * arrival order; a delivery refused by them is left out of the write and fails on its own.
   */
  private writeInserts(jobs: NewMessage[][]): Promise<JobOutcome<InsertedMessage[]>[]> {
    return this.tx(async (c) => {
      const ids = [...new Set(jobs.flatMap((ms) => ms.map((m) => m.mailboxId)))].sort();
      // BEGIN travels with the lock in one simple-protocol round trip (our ids, escaped anyway)
      const idList = ids.map((id) => c.escapeLiteral(id)).join(', ');
      // the same round trip reads the enabled webhooks of the mailboxes' owners (#15)
      const results = (await c.query(
        `BEGIN; SELECT id, active, expires_at, message_count, last_seq, address, group_label FROM mailboxes WHERE id IN (${idList}) ORDER BY id FOR UPDATE; ` +
          `SELECT w.id, b.id AS mailbox_id FROM webhooks w JOIN mailboxes b ON b.owner_id = w.owner_id AND b.owner_type <> 'anonymous' ` +
          `WHERE b.id IN (${idList}) AND w.enabled AND (w.mailbox IS NULL OR w.mailbox = b.address) AND (w.group_label IS NULL OR w.group_label = b.group_label) ` +
          `AND (',' || w.events || ',') LIKE '%,new_message,%' ORDER BY w.id FOR SHARE OF w`,
      )) as unknown as pg.QueryResult[];
      const boxes = new Map(
        (results[1]!.rows as Row[]).map((r) => [
          String(r.id),
          { active: Boolean(r.active), expiresAt: Number(r.expires_at), count: Number(r.message_count), seq: Number(r.last_seq), added: 0, address: String(r.address) },
        ]),
      );
      const hooksOf = new Map<string, string[]>();
      for (const r of results[2]!.rows as Row[]) hooksOf.set(String(r.mailbox_id), [...(hooksOf.get(String(r.mailbox_id)) ?? []), String(r.id)]);
      const outbox: NewOutboxEvent[] = [];
      const outcomes: JobOutcome<InsertedMessage[]>[] = [];
      const rows: { id: string; seq: number; m: NewMessage }[] = [];
      for (const messages of jobs) {
        try {
          // judged on a copy, so a delivery refused half-way moves no counter
          const tentative = new Map<string, { count: number; seq: number }>();
          const out: InsertedMessage[] = [];
          for (const m of messages) {
            const mb = boxes.get(m.mailboxId);
            if (!mb || !mb.active) throw new DomainError('mailbox_not_found', 'mailbox not found');
            if (mb.expiresAt <= m.now) throw new DomainError('mailbox_expired', 'mailbox expired');
            const t = tentative.get(m.mailboxId) ?? { count: mb.count, seq: mb.seq };
            if (m.maxMessages >= 0 && t.count >= m.maxMessages) {
              throw new DomainError('quota_exceeded', `mailbox holds its limit of ${m.maxMessages} messages`, { limit: m.maxMessages });
            }
            t.count += 1;
            t.seq += 1;
            tentative.set(m.mailboxId, t);
            out.push({ id: newId(m.receivedAt), mailboxId: m.mailboxId, seq: t.seq, webhooks: hooksOf.get(m.mailboxId)?.length ?? 0 });
          }
          for (const [id, t] of tentative) {
            const mb = boxes.get(id)!;
            mb.added += t.count - mb.count;
            mb.count = t.count;
            mb.seq = t.seq;
          }
          out.forEach((o, i) => {
            const m = messages[i]!;
            rows.push({ id: o.id, seq: o.seq, m });
            const hooks = hooksOf.get(m.mailboxId) ?? [];
            if (hooks.length === 0) return;
            const event = JSON.stringify(newMessageEvent(boxes.get(m.mailboxId)!.address, { id: o.id, seq: o.seq, receivedAt: m.receivedAt, from: m.content.from, subject: m.content.subject }));
            for (const webhookId of hooks) {
              outbox.push({ id: `msg_${newId(m.now)}`, webhookId, eventType: 'new_message', mailboxId: m.mailboxId, messageId: o.id, seq: o.seq, eventJson: event, createdAt: m.now });
            }
          });
          outcomes.push({ ok: out });
        } catch (err) {
          if (!isDomainError(err)) throw err;
          outcomes.push({ err });
        }
      }
      if (rows.length > 0) {
        // pipelined (the pool's `pipeline`): the insert and its COMMIT leave together, one round
        // trip. When the insert fails, PostgreSQL answers that COMMIT with a ROLLBACK.
        const [insert, commit] = await Promise.allSettled([c.query(insertStatement(rows, boxes, outbox)), c.query('COMMIT')]);
        if (insert.status === 'rejected') throw insert.reason;
        if (commit.status === 'rejected') throw commit.reason;
        if (commit.value.command !== 'COMMIT') throw new Error(`the batch did not commit (${commit.value.command})`);
      } else await c.query('COMMIT');
      return outcomes;
    }, { opensItself: true, commitsItself: true });
  }

  async listMessages(mailboxId: string, q: ListMessagesQuery): Promise<MessageSummary[]> {
    const where = ['m.mailbox_id = $1'];
    const args: unknown[] = [mailboxId];
    if (q.afterSeq !== undefined) {
      args.push(q.afterSeq);
      where.push(`m.seq > $${args.length}`);
    }
    if (q.unread) where.push('NOT m.is_read');
    if (q.from) {
      args.push(q.from);
      where.push(`strpos(lower(m.from_json::text), lower($${args.length})) > 0`);
    }
    if (q.subject) {
      args.push(q.subject);
      where.push(`strpos(lower(m.subject), lower($${args.length})) > 0`);
    }
    args.push(q.limit, q.offset ?? 0);
    const rows = await this.query(
      `SELECT ${SUMMARY_COLUMNS} FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id
       WHERE ${where.join(' AND ')} ORDER BY m.seq ${q.order === 'asc' ? 'ASC' : 'DESC'} LIMIT $${args.length - 1} OFFSET $${args.length}`,
      args,
    );
    return rows.map(toSummary);
  }

  async searchMessages(scope: SearchScope, query: SearchQuery, page: SearchPage, now: number): Promise<MessageSummary[]> {
    const { where, messageWhere, args } = compilePostgresSearch(scope, query.terms, now);
    args.push(page.limit, page.offset);
    // the page is chosen on message_search (and messages only when the read state or attachments
    // are asked for), then only its rows are read whole
    const join = messageWhere.length > 0 ? 'JOIN messages m ON m.id = s.message_id' : '';
    const rows = await this.query(
      `SELECT ${SUMMARY_COLUMNS} FROM (
         SELECT s.message_id, s.received_at FROM message_search s ${join} WHERE ${[...where, ...messageWhere].join(' AND ')}
         ORDER BY s.received_at DESC, s.message_id DESC LIMIT $${args.length - 1} OFFSET $${args.length}
       ) hit JOIN messages m ON m.id = hit.message_id JOIN mailboxes b ON b.id = m.mailbox_id
       ORDER BY hit.received_at DESC, hit.message_id DESC`,
      args,
    );
    return rows.map(toSummary);
  }

  async getMessage(mailboxId: string, messageId: string): Promise<Message | null> {
    const [r] = await this.query('SELECT m.*, b.address FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE m.mailbox_id = $1 AND m.id = $2', [
      mailboxId,
      messageId,
    ]);
    return r ? toMessage(r) : null;
  }

  async markRead(mailboxId: string, messageId: string): Promise<void> {
    await this.query('UPDATE messages SET is_read = TRUE WHERE mailbox_id = $1 AND id = $2', [mailboxId, messageId]);
  }

  async deleteMessage(mailboxId: string, messageId: string): Promise<Message | null> {
    return this.tx(async (c) => {
      // DELETE … RETURNING: of two concurrent deletes only one gets the row, so the count moves once
      const { rows } = await c.query(
        `WITH gone AS (DELETE FROM messages WHERE mailbox_id = $1 AND id = $2 RETURNING *)
         SELECT gone.*, b.address FROM gone JOIN mailboxes b ON b.id = gone.mailbox_id`,
        [mailboxId, messageId],
      );
      const r = rows[0] as Row | undefined;
      if (!r) return null;
      await c.query('UPDATE mailboxes SET message_count = message_count - 1 WHERE id = $1', [mailboxId]);
      return toMessage(r);
    });
  }

  async getRawSource(mailboxId: string, messageId: string): Promise<Buffer | null> {
    const [r] = await this.query('SELECT r.bytes FROM raw_sources r JOIN messages m ON m.id = r.message_id WHERE m.mailbox_id = $1 AND m.id = $2', [
      mailboxId,
      messageId,
    ]);
    return r ? (r.bytes as Buffer) : null;
  }

  // ── delivery timeline ────────────────────────────────────────────────────────────────────────

  async recordDeliveries(attempts: DeliveryAttempt[]): Promise<void> {
    if (attempts.length === 0) return;
    // multi-row INSERTs in one transaction, chunked under PostgreSQL's 65,535 parameters
    const cols = 16;
    const chunk = 1000;
    await this.tx(async (c) => {
      for (let from = 0; from < attempts.length; from += chunk) {
        const part = attempts.slice(from, from + chunk);
        const values = part.map((_, i) => `(${Array.from({ length: cols }, (_, j) => `$${i * cols + j + 1}`).join(', ')})`).join(', ');
        const params = part.flatMap((a) => [
          a.id, a.address, a.at, a.outcome, text(a.reason), a.errorCode, a.smtpCode, text(a.enhancedCode), text(a.response), a.source, text(a.clientAddress), text(a.envelopeFrom), a.size, a.durationMs, a.messageId, faultJson(a),
        ]);
        await c.query(
          `INSERT INTO deliveries (id, address, at, outcome, reason, error_code, smtp_code, enhanced_code, response, source, client_address, envelope_from, size, duration_ms, message_id, fault_json) VALUES ${values}`,
          params,
        );
      }
    });
  }

  async listDeliveries(address: string, limit: number): Promise<DeliveryAttempt[]> {
    return (await this.query('SELECT * FROM deliveries WHERE address = $1 ORDER BY at DESC, id DESC LIMIT $2', [address, limit])).map(toDelivery);
  }

  async pruneDeliveries(now: number, maxAgeMs: number, keepPerAddress: number): Promise<number> {
    return this.tx(async (c) => {
      const old = (await c.query('DELETE FROM deliveries WHERE at < $1', [now - maxAgeMs])).rowCount ?? 0;
      const extra =
        (
          await c.query(
            `DELETE FROM deliveries WHERE id IN (
               SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY address ORDER BY at DESC, id DESC) AS rn FROM deliveries) ranked WHERE rn > $1)`,
            [keepPerAddress],
          )
        ).rowCount ?? 0;
      return old + extra;
    });
  }

  // ── webhooks ─────────────────────────────────────────────────────────────────────────────────

  async createWebhook(w: Webhook): Promise<Webhook> {
    await this.query(
      `INSERT INTO webhooks (id, owner_id, url, secret, events, mailbox, group_label, include_message, enabled, disabled_reason, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [w.id, w.ownerId, w.url, w.secret, w.events.join(','), w.mailbox, w.group, w.includeMessage, w.enabled, w.disabledReason, w.createdAt, w.updatedAt],
    );
    return w;
  }

  async listWebhooks(ownerId: string): Promise<Webhook[]> {
    return (await this.query('SELECT * FROM webhooks WHERE owner_id = $1 ORDER BY created_at, id', [ownerId])).map(toWebhook);
  }

  async getWebhook(id: string): Promise<Webhook | null> {
    const [r] = await this.query('SELECT * FROM webhooks WHERE id = $1', [id]);
    return r ? toWebhook(r) : null;
  }

  async updateWebhook(id: string, c: WebhookChanges, now: number): Promise<Webhook | null> {
    return this.tx(async (client) => {
      const r = (await client.query('SELECT * FROM webhooks WHERE id = $1 FOR UPDATE', [id])).rows[0] as Row | undefined;
      if (!r) return null;
      const w = { ...toWebhook(r), ...c, updatedAt: now };
      await client.query(
        'UPDATE webhooks SET url = $1, events = $2, mailbox = $3, group_label = $4, include_message = $5, enabled = $6, disabled_reason = $7, updated_at = $8 WHERE id = $9',
        [w.url, w.events.join(','), w.mailbox, w.group, w.includeMessage, w.enabled, w.disabledReason, now, id],
      );
      return w;
    });
  }

  async deleteWebhook(id: string): Promise<boolean> {
    return this.tx(async (c) => ((await c.query('DELETE FROM webhooks WHERE id = $1', [id])).rowCount ?? 0) > 0);
  }

  async enqueueWebhookEvents(events: NewOutboxEvent[], now: number): Promise<void> {
    if (events.length === 0) return;
    await this.tx(async (c) => {
      for (const e of events) {
        await c.query(
          `INSERT INTO webhook_outbox (id, webhook_id, event_type, mailbox_id, message_id, seq, event_json, created_at, next_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (webhook_id, message_id) DO UPDATE SET state = 'pending', attempts = 0, next_at = excluded.next_at, lease_until = 0, finished_at = NULL, event_json = excluded.event_json`,
          [e.id, e.webhookId, e.eventType, e.mailboxId, e.messageId, e.seq, e.eventJson, e.createdAt, now],
        );
      }
    });
  }

  async hasDueWebhookDeliveries(now: number): Promise<boolean> {
    const rows = await this.query(
      `SELECT 1 FROM webhook_outbox o JOIN webhooks w ON w.id = o.webhook_id WHERE o.state = 'pending' AND o.next_at <= $1 AND o.lease_until <= $1 AND w.enabled LIMIT 1`,
      [now],
    );
    return rows.length > 0;
  }

  async claimWebhookDeliveries(now: number, limit: number, leaseUntil: number, skipWebhooks: string[]): Promise<ClaimedDelivery[]> {
    // SKIP LOCKED: nodes claiming at the same time take disjoint rows; the lease then keeps a
    // row from every other node until it runs out (a node that died mid-send), so each event is
    // sent once per endpoint in the normal case and at least once after a crash
    const rows = await this.query(
      `WITH due AS (
         SELECT o.id FROM webhook_outbox o JOIN webhooks w ON w.id = o.webhook_id
         WHERE o.state = 'pending' AND o.next_at <= $1 AND o.lease_until <= $1 AND w.enabled AND NOT (o.webhook_id = ANY($4::text[]))
           AND NOT EXISTS (${EARLIER_UNTRIED})
         ORDER BY o.next_at, o.created_at, o.seq, o.id LIMIT $2 FOR UPDATE OF o SKIP LOCKED
       ), taken AS (
         UPDATE webhook_outbox o SET lease_until = $3 FROM due WHERE o.id = due.id RETURNING o.*
       )
       SELECT taken.*, w.url, w.secret, w.include_message, w.last_success_at FROM taken JOIN webhooks w ON w.id = taken.webhook_id`,
      [now, limit, leaseUntil, skipWebhooks],
    );
    return rows.map(toClaimed).sort((a, b) => a.createdAt - b.createdAt || (a.seq ?? 0) - (b.seq ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async finishWebhookAttempt(o: AttemptOutcome): Promise<void> {
    const a = o.attempt;
    await this.tx(async (c) => {
      await c.query(
        'INSERT INTO webhook_attempts (id, webhook_id, event_id, attempt, at, status_code, error, latency_ms, next_retry_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
        [a.id, a.webhookId, a.eventId, a.attempt, a.at, a.statusCode, a.error, a.latencyMs, a.nextRetryAt],
      );
      await c.query('UPDATE webhook_outbox SET state = $1, attempts = $2, next_at = $3, lease_until = 0, finished_at = $4 WHERE id = $5', [
        o.state,
        a.attempt,
        a.nextRetryAt ?? a.at,
        o.state === 'pending' ? null : a.at,
        a.eventId,
      ]);
      if (o.state === 'delivered') await c.query('UPDATE webhooks SET last_success_at = GREATEST(COALESCE(last_success_at, 0), $1) WHERE id = $2', [a.at, a.webhookId]);
      if (o.disable !== null) await c.query('UPDATE webhooks SET enabled = FALSE, disabled_reason = $1, updated_at = $2 WHERE id = $3', [o.disable, a.at, a.webhookId]);
    });
  }

  async listWebhookAttempts(webhookId: string, limit: number, offset: number): Promise<WebhookAttempt[]> {
    return (await this.query('SELECT * FROM webhook_attempts WHERE webhook_id = $1 ORDER BY at DESC, id DESC LIMIT $2 OFFSET $3', [webhookId, limit, offset])).map(
      toWebhookAttempt,
    );
  }

  async pruneWebhookAttempts(now: number, maxAgeMs: number): Promise<number> {
    return this.tx(async (c) => {
      const attempts = (await c.query('DELETE FROM webhook_attempts WHERE at < $1', [now - maxAgeMs])).rowCount ?? 0;
      const rows = (await c.query("DELETE FROM webhook_outbox WHERE state <> 'pending' AND finished_at < $1", [now - maxAgeMs])).rowCount ?? 0;
      return attempts + rows;
    });
  }

  // ── fault scripts ────────────────────────────────────────────────────────────────────────────

  async setFaultRules(scope: FaultScope, rules: FaultRule[], now: number): Promise<StoredFaultRule[]> {
    const where = faultScopeWhere(scope, (i) => `$${i}`);
    return this.tx(async (c) => {
      await c.query(`DELETE FROM fault_rules WHERE ${where.sql}`, where.params);
      for (const [i, r] of rules.entries()) {
        const a = r.action;
        await c.query(
          'INSERT INTO fault_rules (id, mailbox_id, owner_id, group_label, position, stage, reply, delay_ms, disconnect, times, used, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11)',
          [
            newId(now),
            scope.kind === 'mailbox' ? scope.mailboxId : null,
            scope.kind === 'group' ? scope.ownerId : null,
            scope.kind === 'group' ? scope.group : null,
            i,
            r.stage,
            a.kind === 'reply' ? a.reply : null,
            a.kind === 'delay' ? a.delayMs : null,
            a.kind === 'disconnect',
            r.times,
            now,
          ],
        );
      }
      return ((await c.query(`SELECT * FROM fault_rules WHERE ${where.sql} ORDER BY position`, where.params)).rows as Row[]).map(toFaultRule);
    });
  }

  async listFaultRules(scope: FaultScope): Promise<StoredFaultRule[]> {
    const where = faultScopeWhere(scope, (i) => `$${i}`);
    return (await this.query(`SELECT * FROM fault_rules WHERE ${where.sql} ORDER BY position`, where.params)).map(toFaultRule);
  }

  async takeFaultRule(scopes: FaultScope[], stage: FaultStage, withDelays: boolean): Promise<StoredFaultRule | null> {
    if (scopes.length === 0) return null;
    const params: unknown[] = [stage];
    const parts = scopes.map((scope, i) => {
      const w = faultScopeWhere(scope, (n) => `$${n}`, params.length);
      params.push(...w.params);
      return { sql: w.sql, rank: i };
    });
    // one statement, one round trip: FOR UPDATE makes a concurrent taker (any node) wait for the
    // row, re-check `used < times` and, when the rule is spent, move on to the next one
    const rows = await this.query(
      `WITH pick AS (
         SELECT id FROM fault_rules
          WHERE (${parts.map((p) => p.sql).join(' OR ')}) AND stage = $1 AND (times IS NULL OR used < times)${withDelays ? '' : ' AND delay_ms IS NULL'}
          ORDER BY CASE ${parts.map((p) => `WHEN ${p.sql} THEN ${p.rank}`).join(' ')} END, position
          LIMIT 1 FOR UPDATE
       )
       UPDATE fault_rules f SET used = f.used + 1 FROM pick WHERE f.id = pick.id RETURNING f.*`,
      params,
    );
    return rows[0] ? toFaultRule(rows[0]) : null;
  }

  // ── expiry ───────────────────────────────────────────────────────────────────────────────────

  async expireMailboxes(now: number, limit: number): Promise<Mailbox[]> {
    // SKIP LOCKED: concurrent sweepers take disjoint rows, and `AND m.active` makes a row that
    // another sweeper already ended count for nobody else, so each mailbox is returned once
    const rows = await this.query(
      `WITH due AS (
         SELECT id FROM mailboxes WHERE active AND expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED
       )
       UPDATE mailboxes m SET active = FALSE, ended_at = m.expires_at FROM due WHERE m.id = due.id AND m.active RETURNING m.*`,
      [now, limit],
    );
    return rows.map(toMailbox).sort((a, b) => a.expiresAt - b.expiresAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async purge(now: number, retentionMs: number, quarantineMs: number): Promise<PurgeResult> {
    return this.tx(async (c) => {
      const messages =
        (await c.query('DELETE FROM messages WHERE mailbox_id IN (SELECT id FROM mailboxes WHERE NOT active AND ended_at <= $1)', [now - retentionMs])).rowCount ?? 0;
      if (messages > 0) {
        await c.query('UPDATE mailboxes SET message_count = 0 WHERE NOT active AND ended_at <= $1 AND message_count > 0', [now - retentionMs]);
      }
      const mailboxes = (await c.query('DELETE FROM mailboxes WHERE NOT active AND ended_at <= $1', [now - quarantineMs])).rowCount ?? 0;
      return { messages, mailboxes };
    });
  }
}

/** a statement allowed to run longer than queryTimeoutMs (pg reads query_timeout per query; its types omit it). */
function slow(sql: string, values?: unknown[]): pg.QueryConfig {
  const q = { text: sql, values, query_timeout: MIGRATION_TIMEOUT_MS };
  return q;
}

function safeUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}
