/**
 * The embedded store: one SQLite file through better-sqlite3, WAL, synchronous=FULL by default
 * (DESIGN rule 6: "250" means on disk). Concurrent deliveries that arrive in the same event-loop
 * turn share one transaction (group commit, `group-commit.ts`), so N messages pay one fsync,
 * while each recipient's rules are still checked on its own inside that transaction.
 *
 * better-sqlite3 is synchronous; every method is async only to honour the Store port.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { DomainError, isDomainError } from '../../core/errors.js';
import { newMessageEvent } from '../../core/events.js';
import { newId } from '../../core/ids.js';
import type { AttemptOutcome, ClaimedDelivery, NewOutboxEvent, Webhook, WebhookAttempt, WebhookChanges } from '../../core/webhooks/types.js';
import type { ApiKey, DeliveryAttempt, FaultRule, FaultScope, FaultStage, Mailbox, Message, MessageSummary, OwnerType, Plan, StoredFaultRule, User } from '../../core/types.js';
import { readMigrations } from '../migrations.js';
import { Checkpointer } from './checkpointer.js';
import { GroupCommit, type JobOutcome } from './group-commit.js';
import { compileSqliteSearch } from './search.js';
import { type IndexRow, indexRow, writeIndexRows } from './search-index.js';
import type { SearchQuery } from '../../core/search-query.js';
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
import { EARLIER_UNTRIED, MATCHING_WEBHOOKS_WHERE, toClaimed, toWebhook, toWebhookAttempt } from '../webhook-rows.js';
import { FAULT_RULES_LEFT, faultJson, faultScopeWhere, type Row, SUMMARY_COLUMNS, toApiKey, toDelivery, toFaultRule, toMailbox, toMessage, toPlan, toSummary, toUser } from '../rows.js';

export interface SqliteStoreOptions {
  /** file path, or ':memory:' */
  file: string;
  synchronous: 'full' | 'normal';
  /** how long a writer waits for a lock before the store answers storage_unavailable. */
  busyTimeoutMs?: number;
  /** WAL pages past which the store checkpoints on its own connection (checkpointer.ts MAX_WAL_FRAMES; tests only). */
  maxWalFrames?: number;
}

/** how long one attempt of the insert path waits for the write lock, and how long between attempts. */
const LOCK_ATTEMPT_MS = 25;
const LOCK_RETRY_MS = 25;

/** SQLite's default wal_autocheckpoint, restored when the worker's checkpointer fails. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1000;

/** SQLITE_BUSY / SQLITE_LOCKED: another connection holds the lock. */
function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** wraps driver failures as storage_unavailable; domain errors pass through. */
function storageError(err: unknown): unknown {
  if (isDomainError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new DomainError('storage_unavailable', `storage unavailable: ${message}`);
}

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly inserts = new GroupCommit<NewMessage[], InsertedMessage[]>(
    (jobs) => {
      const outcomes = this.commitInserts(jobs);
      // the WAL takes each message's raw bytes and about as much again for its bodies and index
      this.checkpoints()?.committed(jobs.reduce((sum, job) => sum + job.reduce((n, m) => n + 2 * m.raw.length, 0), 0));
      return outcomes;
    },
    storageError,
    (err, oldestAt) => (!this.closing && isBusy(err) && Date.now() - oldestAt < this.busyTimeoutMs ? LOCK_RETRY_MS : null),
  );
  private readonly busyTimeoutMs: number;
  private closing = false;
  private readonly statements = new Map<string, Database.Statement>();
  /** WAL checkpoints in a worker thread (checkpointer.ts), started by the first insert; null once it failed. */
  private checkpointer: Checkpointer | null | undefined;

  constructor(private readonly options: SqliteStoreOptions) {
    if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
    this.busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    this.db = new Database(options.file, { timeout: this.busyTimeoutMs });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('foreign_keys = ON');
    // a purged message must not stay readable in the file's free pages (#14 item 9): deleted
    // content is overwritten with zeros; the purge then empties the WAL, which holds copies too
    this.db.pragma('secure_delete = ON');
  }

  /**
   * a prepared statement for `text`, compiled once and reused: preparing costs more than running
   * most of these statements (it was ~4% of the ingest profile, several times per message). The
   * texts are fixed or built from a handful of fragments, so the cache stays small.
   */
  private sql(text: string): Database.Statement {
    let stmt = this.statements.get(text);
    if (!stmt) {
      stmt = this.db.prepare(text);
      this.statements.set(text, stmt);
    }
    return stmt;
  }

  private run<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(storageError(err));
    }
  }

  async migrate(): Promise<void> {
    return this.run(() => {
      this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
      const done = new Set(this.sql('SELECT version FROM schema_migrations').all().map((r) => Number((r as Row).version)));
      for (const m of readMigrations('sqlite')) {
        if (done.has(m.version)) continue;
        this.db.transaction(() => {
          this.db.exec(m.sql);
          this.sql('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
        }).immediate();
      }
    });
  }

  async pendingMigrations(): Promise<string[]> {
    return this.run(() => {
      const table = this.sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
      const done = new Set(table ? this.sql('SELECT version FROM schema_migrations').all().map((r) => Number((r as Row).version)) : []);
      return readMigrations('sqlite')
        .filter((m) => !done.has(m.version))
        .map((m) => `${String(m.version).padStart(4, '0')}_${m.name}`);
    });
  }

  async ping(): Promise<void> {
    return this.run(() => void this.sql('SELECT 1').get());
  }

  async now(): Promise<number> {
    // the file lives on this machine: its clock is the only one a single SQLite writer shares
    return Date.now();
  }

  async probeCommit(): Promise<void> {
    return this.run(() => this.withLockWait(0, () => this.db.transaction(() => undefined).immediate()));
  }

  /**
   * runs `fn` with the driver waiting at most `ms` for a lock: its busy wait blocks the event
   * loop, so the insert path waits briefly here and retries from a timer (GroupCommit) instead.
   */
  private withLockWait<T>(ms: number, fn: () => T): T {
    // cached statements: db.pragma() compiles its text on every call, twice per group commit
    this.sql(`PRAGMA busy_timeout = ${ms}`).get();
    try {
      return fn();
    } finally {
      this.sql(`PRAGMA busy_timeout = ${this.busyTimeoutMs}`).get();
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.db.open) this.inserts.flush();
    await this.checkpointer?.close();
    if (this.db.open) this.db.close();
  }

  /** the worker's checkpointer, started on first use; none for ':memory:' (no WAL) or after it failed. */
  private checkpoints(): Checkpointer | null {
    if (this.checkpointer !== undefined || this.closing) return this.checkpointer ?? null;
    if (this.options.file === ':memory:') return (this.checkpointer = null);
    this.checkpointer = new Checkpointer({
      file: this.options.file,
      ...(this.options.maxWalFrames !== undefined ? { maxWalFrames: this.options.maxWalFrames } : {}),
      synchronous: this.options.synchronous === 'full' ? 'FULL' : 'NORMAL',
      // PASSIVE never waits: a reader in the way only leaves the rest for the next time
      catchUp: () => this.db.open && void this.sql('PRAGMA wal_checkpoint(PASSIVE)').get(),
      failed: () => {
        this.checkpointer = null;
        if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
      },
    });
    this.db.pragma('wal_autocheckpoint = 0');
    return this.checkpointer;
  }

  // ── plans, users, keys ───────────────────────────────────────────────────────────────────────

  async getPlan(name: string): Promise<Plan | null> {
    return this.run(() => {
      const r = this.sql('SELECT * FROM plans WHERE name = ?').get(name) as Row | undefined;
      return r ? toPlan(r) : null;
    });
  }

  async listPlans(): Promise<Plan[]> {
    return this.run(() => (this.sql('SELECT * FROM plans ORDER BY name').all() as Row[]).map(toPlan));
  }

  async createPlan(plan: Plan): Promise<Plan> {
    return this.run(() => {
      const exists = this.sql('SELECT 1 FROM plans WHERE name = ?').get(plan.name);
      if (exists) throw new DomainError('already_exists', `plan ${plan.name} already exists`);
      this.sql('INSERT INTO plans VALUES (?, ?, ?, ?, ?, ?)')
        .run(plan.name, plan.maxMailboxes, plan.maxMessagesPerMailbox, plan.defaultTtlMinutes, plan.maxTtlMinutes, plan.maxMessageBytes);
      return plan;
    });
  }

  async updatePlan(name: string, changes: Partial<Omit<Plan, 'name'>>): Promise<Plan> {
    return this.run(() => {
      const r = this.sql('SELECT * FROM plans WHERE name = ?').get(name) as Row | undefined;
      if (!r) throw new DomainError('not_found', `no plan named ${name}`);
      const p = { ...toPlan(r), ...changes };
      this.sql(
          'UPDATE plans SET max_mailboxes = ?, max_messages_per_mailbox = ?, default_ttl_minutes = ?, max_ttl_minutes = ?, max_message_bytes = ? WHERE name = ?',
        )
        .run(p.maxMailboxes, p.maxMessagesPerMailbox, p.defaultTtlMinutes, p.maxTtlMinutes, p.maxMessageBytes, name);
      return p;
    });
  }

  async createUser(input: { email: string; plan: string }): Promise<User> {
    return this.run(() => {
      if (!this.sql('SELECT 1 FROM plans WHERE name = ?').get(input.plan)) {
        throw new DomainError('invalid_input', `no plan named ${input.plan}`);
      }
      if (this.sql('SELECT 1 FROM users WHERE email = ?').get(input.email)) {
        throw new DomainError('already_exists', `a user with email ${input.email} exists`);
      }
      const user: User = { id: newId(), email: input.email, plan: input.plan, active: true, createdAt: Date.now() };
      this.sql('INSERT INTO users (id, email, plan, active, created_at) VALUES (?, ?, ?, 1, ?)').run(user.id, user.email, user.plan, user.createdAt);
      return user;
    });
  }

  async getUserByEmail(email: string): Promise<User | null> {
    return this.run(() => {
      const r = this.sql('SELECT * FROM users WHERE email = ?').get(email) as Row | undefined;
      return r ? toUser(r) : null;
    });
  }

  async getUser(id: string): Promise<User | null> {
    return this.run(() => {
      const r = this.sql('SELECT * FROM users WHERE id = ?').get(id) as Row | undefined;
      return r ? toUser(r) : null;
    });
  }

  async listUsers(): Promise<User[]> {
    return this.run(() => (this.sql('SELECT * FROM users ORDER BY created_at').all() as Row[]).map(toUser));
  }

  async createApiKey(input: { userId: string; name: string; keyHash: string; prefix: string }): Promise<ApiKey> {
    return this.run(() => {
      const key: ApiKey = { id: newId(), userId: input.userId, prefix: input.prefix, name: input.name, createdAt: Date.now(), lastUsedAt: null, active: true };
      this.sql('INSERT INTO api_keys (id, user_id, key_hash, prefix, name, created_at, active) VALUES (?, ?, ?, ?, ?, ?, 1)')
        .run(key.id, key.userId, input.keyHash, key.prefix, key.name, key.createdAt);
      return key;
    });
  }

  async findApiKey(keyHash: string, now: number): Promise<{ key: ApiKey; user: User } | null> {
    return this.run(() => {
      const r = this.sql(
          `SELECT k.*, u.email AS u_email, u.plan AS u_plan, u.active AS u_active, u.created_at AS u_created_at
           FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_hash = ? AND k.active = 1 AND u.active = 1`,
        )
        .get(keyHash) as Row | undefined;
      if (!r) return null;
      // last use is advisory (a lost update is harmless) and kept to the minute: a write, and so a
      // disk sync, on every authenticated request would cost more than the fact is worth
      if (r.last_used_at === null || Number(r.last_used_at) < now - LAST_USED_GRANULARITY_MS) {
        this.sql('UPDATE api_keys SET last_used_at = ? WHERE id = ?').run(now, r.id);
      }
      return {
        key: toApiKey(r),
        user: toUser({ id: r.user_id, email: r.u_email, plan: r.u_plan, active: r.u_active, created_at: r.u_created_at }),
      };
    });
  }

  async listApiKeys(userId: string): Promise<ApiKey[]> {
    return this.run(() => (this.sql('SELECT * FROM api_keys WHERE user_id = ? ORDER BY created_at').all(userId) as Row[]).map(toApiKey));
  }

  async revokeApiKey(id: string, userId?: string): Promise<ApiKey | null> {
    return this.run(() => {
      const owner = userId === undefined ? '' : ' AND user_id = ?';
      const args = userId === undefined ? [id] : [id, userId];
      this.sql(`UPDATE api_keys SET active = 0 WHERE id = ?${owner}`).run(...args);
      const r = this.sql(`SELECT * FROM api_keys WHERE id = ?${owner}`).get(...args) as Row | undefined;
      return r ? toApiKey(r) : null;
    });
  }

  async apiKeyActive(id: string): Promise<boolean> {
    return this.run(() => this.sql('SELECT 1 FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.id = ? AND k.active = 1 AND u.active = 1').get(id) !== undefined);
  }

  // ── mailboxes ────────────────────────────────────────────────────────────────────────────────

  async createMailbox(input: NewMailbox, rules: CreateMailboxRules): Promise<Mailbox> {
    return this.run(() =>
      this.db
        .transaction((): Mailbox => {
          const old = this.sql('SELECT * FROM mailboxes WHERE address = ?').get(input.address) as Row | undefined;
          if (old) {
            const o = toMailbox(old);
            const live = o.active && o.expiresAt > rules.now;
            const endedAt = Number(old.ended_at ?? o.expiresAt);
            const sameOwner = o.ownerId === input.ownerId;
            if (live || (!sameOwner && rules.now < endedAt + rules.quarantineMs)) {
              throw new DomainError('address_taken', `${input.address} is not available`);
            }
            this.sql('DELETE FROM mailboxes WHERE id = ?').run(o.id);
          }
          if (rules.maxMailboxes >= 0) {
            const { n } = this.sql('SELECT count(*) AS n FROM mailboxes WHERE owner_id = ? AND active = 1 AND expires_at > ?')
              .get(input.ownerId, rules.now) as { n: number };
            if (n >= rules.maxMailboxes) {
              throw new DomainError('quota_exceeded', `limit of ${rules.maxMailboxes} active mailboxes reached`, { limit: rules.maxMailboxes });
            }
          }
          const id = newId(rules.now);
          this.sql(
              `INSERT INTO mailboxes (id, address, domain, owner_type, owner_id, token_hash, plan, group_label, created_at, expires_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(id, input.address, input.domain, input.ownerType, input.ownerId, input.tokenHash, input.plan, input.group, rules.now, input.expiresAt);
          return toMailbox(this.sql('SELECT * FROM mailboxes WHERE id = ?').get(id) as Row);
        })
        .immediate(),
    );
  }

  async getMailbox(address: string): Promise<Mailbox | null> {
    return this.run(() => {
      const r = this.sql('SELECT * FROM mailboxes WHERE address = ?').get(address) as Row | undefined;
      return r ? toMailbox(r) : null;
    });
  }

  async getRecipientMailbox(address: string): Promise<RecipientMailbox | null> {
    return this.run(() => {
      const r = this.sql(`SELECT b.*, ${FAULT_RULES_LEFT} AS faults FROM mailboxes b WHERE b.address = ?`).get(address) as Row | undefined;
      if (!r) return null;
      const p = this.sql('SELECT * FROM plans WHERE name = ?').get(r.plan) as Row | undefined;
      return { mailbox: toMailbox(r), plan: p ? toPlan(p) : null, faults: Boolean(r.faults) };
    });
  }

  async getMailboxById(id: string): Promise<Mailbox | null> {
    return this.run(() => {
      const r = this.sql('SELECT * FROM mailboxes WHERE id = ?').get(id) as Row | undefined;
      return r ? toMailbox(r) : null;
    });
  }

  async getMailboxByTokenHash(tokenHash: string): Promise<Mailbox | null> {
    return this.run(() => {
      const r = this.sql('SELECT * FROM mailboxes WHERE token_hash = ?').get(tokenHash) as Row | undefined;
      return r ? toMailbox(r) : null;
    });
  }

  async listMailboxes(owner: { ownerType: OwnerType[]; ownerId: string }, now: number, group?: string): Promise<Mailbox[]> {
    return this.run(() => {
      const types = owner.ownerType.map(() => '?').join(',');
      const rows = this.sql(
          `SELECT * FROM mailboxes WHERE owner_id = ? AND owner_type IN (${types}) AND active = 1 AND expires_at > ?
           ${group !== undefined ? 'AND group_label = ?' : ''} ORDER BY created_at DESC, id DESC`,
        )
        .all(owner.ownerId, ...owner.ownerType, now, ...(group !== undefined ? [group] : [])) as Row[];
      return rows.map(toMailbox);
    });
  }

  async setMailboxExpiry(id: string, expiresAt: number): Promise<Mailbox> {
    return this.run(() => {
      this.sql('UPDATE mailboxes SET expires_at = ? WHERE id = ?').run(expiresAt, id);
      const r = this.sql('SELECT * FROM mailboxes WHERE id = ?').get(id) as Row | undefined;
      if (!r) throw new DomainError('mailbox_not_found', 'mailbox not found');
      return toMailbox(r);
    });
  }

  async deleteMailbox(id: string, now: number): Promise<void> {
    return this.run(() => {
      this.sql('UPDATE mailboxes SET active = 0, deleted_at = ?, ended_at = ? WHERE id = ? AND deleted_at IS NULL').run(now, now, id);
    });
  }

  // ── messages ─────────────────────────────────────────────────────────────────────────────────

  insertMessages(messages: NewMessage[]): Promise<InsertedMessage[]> {
    return this.inserts.submit(messages);
  }

  /**
   * one transaction for a group of inserts; each job all-or-nothing. A job of one message needs
   * no savepoint (its only refusal, in `insertOne`, comes before its first write); a job of
   * several gets one, so a later recipient's refusal undoes the earlier ones. The group's search
   * index rows are written last, in one statement (search-index.ts says why).
   */
  private commitInserts(jobs: NewMessage[][]): JobOutcome<InsertedMessage[]>[] {
    return this.withLockWait(Math.min(LOCK_ATTEMPT_MS, this.busyTimeoutMs), () => this.commitInsertsNow(jobs));
  }

  private commitInsertsNow(jobs: NewMessage[][]): JobOutcome<InsertedMessage[]>[] {
    const outcomes: JobOutcome<InsertedMessage[]>[] = [];
    const index: IndexRow[] = [];
    this.db
      .transaction(() => {
        for (const messages of jobs) {
          const rows: IndexRow[] = [];
          try {
            const insert = () => messages.map((m) => this.insertOne(m, rows));
            // a nested better-sqlite3 transaction is a SAVEPOINT: one job's refusal undoes only that job
            outcomes.push({ ok: messages.length === 1 ? insert() : this.db.transaction(insert)() });
            index.push(...rows);
          } catch (err) {
            if (!isDomainError(err)) throw err;
            outcomes.push({ err });
          }
        }
        writeIndexRows(index, (text) => this.sql(text));
      })
      .immediate();
    return outcomes;
  }

  /** the error a mailbox's row explains when the insert's guarded UPDATE matched nothing. */
  private refusal(m: NewMessage): DomainError {
    const mb = this.sql('SELECT active, expires_at, message_count FROM mailboxes WHERE id = ?').get(m.mailboxId) as Row | undefined;
    if (!mb || !mb.active) return new DomainError('mailbox_not_found', 'mailbox not found');
    if (Number(mb.expires_at) <= m.now) return new DomainError('mailbox_expired', 'mailbox expired');
    if (m.maxMessages >= 0 && Number(mb.message_count) >= m.maxMessages) {
      return new DomainError('quota_exceeded', `mailbox holds its limit of ${m.maxMessages} messages`, { limit: m.maxMessages });
    }
    // the row changed between the two statements: impossible inside the write transaction
    return new DomainError('storage_unavailable', 'mailbox row changed during the insert');
  }

  /** one message: checks and bumps its mailbox, writes the row, the raw bytes and the outbox; adds its index row to `index`. */
  private insertOne(m: NewMessage, index: IndexRow[]): InsertedMessage {
    // the checks and the seq bump in one statement: live, not expired, under the quota
    const mb = this.sql(
        `UPDATE mailboxes SET last_seq = last_seq + 1, message_count = message_count + 1
         WHERE id = ? AND active = 1 AND expires_at > ? AND (? < 0 OR message_count < ?)
         RETURNING last_seq, address, owner_type, owner_id, group_label`,
      )
      .get(m.mailboxId, m.now, m.maxMessages, m.maxMessages) as Row | undefined;
    if (!mb) throw this.refusal(m);
    const seq = Number(mb.last_seq);
    const id = newId(m.receivedAt);
    const c = m.content;
    const { lastInsertRowid } = this.sql(
        `INSERT INTO messages (id, mailbox_id, seq, received_at, from_json, to_json, cc_json, subject, message_id_header, date_header,
           size, body_text, body_html, headers_json, attachments_json, codes_json, links_json, tag, source, envelope_from, verdicts_json, parse_error)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id, m.mailboxId, seq, m.receivedAt, c.from ? JSON.stringify(c.from) : null, JSON.stringify(c.to), JSON.stringify(c.cc),
        c.subject, c.messageIdHeader, c.date, m.size, c.bodyText, c.bodyHtml, JSON.stringify(c.headers), JSON.stringify(c.attachments),
        JSON.stringify(c.codes), JSON.stringify(c.links), m.tag, m.source, m.envelopeFrom, m.verdicts ? JSON.stringify(m.verdicts) : null, c.parseError,
      );
    this.sql('INSERT INTO raw_sources (message_id, bytes) VALUES (?, ?)').run(id, m.raw);
    index.push(indexRow(lastInsertRowid, c, m.mailboxId, String(mb.owner_id)));
    const webhooks = mb.owner_type === 'anonymous' ? 0 : this.queueNewMessage(mb, { id, seq, m });
    return { id, mailboxId: m.mailboxId, seq, webhooks };
  }

  /** the outbox rows of a new message, in its transaction (#15: a 250 always has its webhook). */
  private queueNewMessage(mb: Row, inserted: { id: string; seq: number; m: NewMessage }): number {
    const hooks = this.sql(`SELECT id FROM webhooks WHERE ${MATCHING_WEBHOOKS_WHERE}`).all(mb.owner_id, mb.address, mb.group_label) as Row[];
    if (hooks.length === 0) return 0;
    const { m } = inserted;
    const event = JSON.stringify(newMessageEvent(String(mb.address), { id: inserted.id, seq: inserted.seq, receivedAt: m.receivedAt, from: m.content.from, subject: m.content.subject }));
    const insert = this.sql(
      `INSERT INTO webhook_outbox (id, webhook_id, event_type, mailbox_id, message_id, seq, event_json, created_at, next_at) VALUES (?, ?, 'new_message', ?, ?, ?, ?, ?, ?)`,
    );
    for (const h of hooks) insert.run(`msg_${newId(m.now)}`, h.id, m.mailboxId, inserted.id, inserted.seq, event, m.now, m.now);
    return hooks.length;
  }

  async listMessages(mailboxId: string, q: ListMessagesQuery): Promise<MessageSummary[]> {
    return this.run(() => {
      const where = ['m.mailbox_id = ?'];
      const args: unknown[] = [mailboxId];
      if (q.afterSeq !== undefined) {
        where.push('m.seq > ?');
        args.push(q.afterSeq);
      }
      if (q.unread) where.push('m.is_read = 0');
      if (q.from) {
        where.push('instr(lower(m.from_json), lower(?)) > 0');
        args.push(q.from);
      }
      if (q.subject) {
        where.push('instr(lower(m.subject), lower(?)) > 0');
        args.push(q.subject);
      }
      const rows = this.sql(
          `SELECT ${SUMMARY_COLUMNS} FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id
           WHERE ${where.join(' AND ')} ORDER BY m.seq ${q.order === 'asc' ? 'ASC' : 'DESC'} LIMIT ? OFFSET ?`,
        )
        .all(...args, q.limit, q.offset ?? 0) as Row[];
      return rows.map(toSummary);
    });
  }

  async getMessage(mailboxId: string, messageId: string): Promise<Message | null> {
    return this.run(() => {
      const r = this.sql('SELECT m.*, b.address FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE m.mailbox_id = ? AND m.id = ?')
        .get(mailboxId, messageId) as Row | undefined;
      return r ? toMessage(r) : null;
    });
  }

  async markRead(mailboxId: string, messageId: string): Promise<void> {
    return this.run(() => void this.sql('UPDATE messages SET is_read = 1 WHERE mailbox_id = ? AND id = ?').run(mailboxId, messageId));
  }

  async deleteMessage(mailboxId: string, messageId: string): Promise<Message | null> {
    return this.run(() =>
      this.db.transaction(() => {
        const r = this.sql('SELECT m.*, b.address FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE m.mailbox_id = ? AND m.id = ?')
          .get(mailboxId, messageId) as Row | undefined;
        if (!r) return null;
        this.sql('DELETE FROM messages WHERE id = ?').run(messageId);
        this.sql('UPDATE mailboxes SET message_count = message_count - 1 WHERE id = ?').run(mailboxId);
        return toMessage(r);
      })(),
    );
  }

  async getRawSource(mailboxId: string, messageId: string): Promise<Buffer | null> {
    return this.run(() => {
      const r = this.sql('SELECT r.bytes FROM raw_sources r JOIN messages m ON m.id = r.message_id WHERE m.mailbox_id = ? AND m.id = ?')
        .get(mailboxId, messageId) as { bytes: Buffer } | undefined;
      return r ? r.bytes : null;
    });
  }

  async searchMessages(scope: SearchScope, query: SearchQuery, page: SearchPage, now: number): Promise<MessageSummary[]> {
    return this.run(() => {
      const { match, where, args } = compileSqliteSearch(scope, query.terms, now);
      // the FTS table drives, newest first (rowid = insertion order = arrival): a page of a
      // common word is read without visiting its older matches
      const rows = this.sql(
          `SELECT ${SUMMARY_COLUMNS} FROM messages_fts f JOIN messages m ON m.rowid = f.rowid JOIN mailboxes b ON b.id = m.mailbox_id
           WHERE messages_fts MATCH ? AND ${where.join(' AND ')} ORDER BY f.rowid DESC LIMIT ? OFFSET ?`,
        )
        .all(match, ...args, page.limit, page.offset) as Row[];
      return rows.map(toSummary);
    });
  }

  // ── delivery timeline ──────────────────────────────────────────────────────────────────────

  async recordDeliveries(attempts: DeliveryAttempt[]): Promise<void> {
    if (attempts.length === 0) return;
    return this.run(() => {
      const insert = this.sql(
        `INSERT INTO deliveries (id, address, at, outcome, reason, error_code, smtp_code, enhanced_code, response, source, client_address, envelope_from, size, duration_ms, message_id, fault_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      this.db.transaction(() => {
        for (const a of attempts) {
          insert.run(a.id, a.address, a.at, a.outcome, a.reason, a.errorCode, a.smtpCode, a.enhancedCode, a.response, a.source, a.clientAddress, a.envelopeFrom, a.size, a.durationMs, a.messageId, faultJson(a));
        }
      })();
    });
  }

  async listDeliveries(address: string, limit: number): Promise<DeliveryAttempt[]> {
    return this.run(() =>
      (this.sql('SELECT * FROM deliveries WHERE address = ? ORDER BY at DESC, id DESC LIMIT ?').all(address, limit) as Row[]).map(toDelivery),
    );
  }

  async pruneDeliveries(now: number, maxAgeMs: number, keepPerAddress: number): Promise<number> {
    return this.run(() =>
      this.db.transaction(() => {
        const old = this.sql('DELETE FROM deliveries WHERE at < ?').run(now - maxAgeMs).changes;
        const extra = this.sql(
            `DELETE FROM deliveries WHERE id IN (
               SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY address ORDER BY at DESC, id DESC) AS rn FROM deliveries) WHERE rn > ?)`,
          )
          .run(keepPerAddress).changes;
        return old + extra;
      })(),
    );
  }

  // ── webhooks ─────────────────────────────────────────────────────────────────────────────────

  async createWebhook(w: Webhook): Promise<Webhook> {
    return this.run(() => {
      this.sql(
          `INSERT INTO webhooks (id, owner_id, url, secret, events, mailbox, group_label, include_message, enabled, disabled_reason, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(w.id, w.ownerId, w.url, w.secret, w.events.join(','), w.mailbox, w.group, w.includeMessage ? 1 : 0, w.enabled ? 1 : 0, w.disabledReason, w.createdAt, w.updatedAt);
      return w;
    });
  }

  async listWebhooks(ownerId: string): Promise<Webhook[]> {
    return this.run(() => (this.sql('SELECT * FROM webhooks WHERE owner_id = ? ORDER BY created_at, id').all(ownerId) as Row[]).map(toWebhook));
  }

  async getWebhook(id: string): Promise<Webhook | null> {
    return this.run(() => {
      const r = this.sql('SELECT * FROM webhooks WHERE id = ?').get(id) as Row | undefined;
      return r ? toWebhook(r) : null;
    });
  }

  async updateWebhook(id: string, c: WebhookChanges, now: number): Promise<Webhook | null> {
    return this.run(() => {
      const r = this.sql('SELECT * FROM webhooks WHERE id = ?').get(id) as Row | undefined;
      if (!r) return null;
      const w = { ...toWebhook(r), ...c, updatedAt: now };
      this.sql(
          `UPDATE webhooks SET url = ?, events = ?, mailbox = ?, group_label = ?, include_message = ?, enabled = ?, disabled_reason = ?, updated_at = ? WHERE id = ?`,
        )
        .run(w.url, w.events.join(','), w.mailbox, w.group, w.includeMessage ? 1 : 0, w.enabled ? 1 : 0, w.disabledReason, now, id);
      return w;
    });
  }

  async deleteWebhook(id: string): Promise<boolean> {
    return this.run(() => this.sql('DELETE FROM webhooks WHERE id = ?').run(id).changes > 0);
  }

  async enqueueWebhookEvents(events: NewOutboxEvent[], now: number): Promise<void> {
    return this.run(() => {
      const upsert = this.sql(
        `INSERT INTO webhook_outbox (id, webhook_id, event_type, mailbox_id, message_id, seq, event_json, created_at, next_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (webhook_id, message_id) DO UPDATE SET state = 'pending', attempts = 0, next_at = excluded.next_at, lease_until = 0, finished_at = NULL, event_json = excluded.event_json`,
      );
      this.db.transaction(() => {
        for (const e of events) upsert.run(e.id, e.webhookId, e.eventType, e.mailboxId, e.messageId, e.seq, e.eventJson, e.createdAt, now);
      })();
    });
  }

  async hasDueWebhookDeliveries(now: number): Promise<boolean> {
    return this.run(
      () =>
        this.sql(
          `SELECT 1 FROM webhook_outbox o JOIN webhooks w ON w.id = o.webhook_id WHERE o.state = 'pending' AND o.next_at <= ? AND o.lease_until <= ? AND w.enabled LIMIT 1`,
        ).get(now, now) !== undefined,
    );
  }

  async claimWebhookDeliveries(now: number, limit: number, leaseUntil: number, skipWebhooks: string[]): Promise<ClaimedDelivery[]> {
    return this.run(() =>
      this.db
        .transaction(() => {
          const skip = skipWebhooks.length > 0 ? `AND o.webhook_id NOT IN (${skipWebhooks.map(() => '?').join(', ')})` : '';
          const rows = this.db
            .prepare(
              `SELECT o.*, w.url, w.secret, w.include_message, w.last_success_at FROM webhook_outbox o JOIN webhooks w ON w.id = o.webhook_id
               WHERE o.state = 'pending' AND o.next_at <= ? AND o.lease_until <= ? AND w.enabled ${skip}
                 AND NOT EXISTS (${EARLIER_UNTRIED})
               ORDER BY o.next_at, o.created_at, o.seq, o.id LIMIT ?`,
            )
            .all(now, now, ...skipWebhooks, limit) as Row[];
          const take = this.sql('UPDATE webhook_outbox SET lease_until = ? WHERE id = ?');
          for (const r of rows) take.run(leaseUntil, r.id);
          return rows.map((r) => toClaimed({ ...r, lease_until: leaseUntil }));
        })
        .immediate(),
    );
  }

  async finishWebhookAttempt(o: AttemptOutcome): Promise<void> {
    return this.run(() =>
      this.db.transaction(() => {
        const a = o.attempt;
        this.sql(
            `INSERT INTO webhook_attempts (id, webhook_id, event_id, attempt, at, status_code, error, latency_ms, next_retry_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(a.id, a.webhookId, a.eventId, a.attempt, a.at, a.statusCode, a.error, a.latencyMs, a.nextRetryAt);
        this.sql(`UPDATE webhook_outbox SET state = ?, attempts = ?, next_at = ?, lease_until = 0, finished_at = ? WHERE id = ?`).run(
          o.state,
          a.attempt,
          a.nextRetryAt ?? a.at,
          o.state === 'pending' ? null : a.at,
          a.eventId,
        );
        if (o.state === 'delivered') this.sql('UPDATE webhooks SET last_success_at = ? WHERE id = ?').run(a.at, a.webhookId);
        if (o.disable !== null) this.sql('UPDATE webhooks SET enabled = 0, disabled_reason = ?, updated_at = ? WHERE id = ?').run(o.disable, a.at, a.webhookId);
      })(),
    );
  }

  async listWebhookAttempts(webhookId: string, limit: number, offset: number): Promise<WebhookAttempt[]> {
    return this.run(() =>
      (this.sql('SELECT * FROM webhook_attempts WHERE webhook_id = ? ORDER BY at DESC, id DESC LIMIT ? OFFSET ?').all(webhookId, limit, offset) as Row[]).map(toWebhookAttempt),
    );
  }

  async pruneWebhookAttempts(now: number, maxAgeMs: number): Promise<number> {
    return this.run(() =>
      this.db.transaction(() => {
        const attempts = this.sql('DELETE FROM webhook_attempts WHERE at < ?').run(now - maxAgeMs).changes;
        const rows = this.sql("DELETE FROM webhook_outbox WHERE state <> 'pending' AND finished_at < ?").run(now - maxAgeMs).changes;
        return attempts + rows;
      })(),
    );
  }

  // ── fault scripts ────────────────────────────────────────────────────────────────────────────

  async setFaultRules(scope: FaultScope, rules: FaultRule[], now: number): Promise<StoredFaultRule[]> {
    return this.run(() => {
      const where = faultScopeWhere(scope, () => '?');
      const insert = this.sql(
        'INSERT INTO fault_rules (id, mailbox_id, owner_id, group_label, position, stage, reply, delay_ms, disconnect, times, used, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)',
      );
      this.db
        .transaction(() => {
          this.sql(`DELETE FROM fault_rules WHERE ${where.sql}`).run(...where.params);
          rules.forEach((r, i) => {
            const a = r.action;
            insert.run(
              newId(now),
              scope.kind === 'mailbox' ? scope.mailboxId : null,
              scope.kind === 'group' ? scope.ownerId : null,
              scope.kind === 'group' ? scope.group : null,
              i,
              r.stage,
              a.kind === 'reply' ? a.reply : null,
              a.kind === 'delay' ? a.delayMs : null,
              a.kind === 'disconnect' ? 1 : 0,
              r.times,
              now,
            );
          });
        })
        .immediate();
      return (this.sql(`SELECT * FROM fault_rules WHERE ${where.sql} ORDER BY position`).all(...where.params) as Row[]).map(toFaultRule);
    });
  }

  async listFaultRules(scope: FaultScope): Promise<StoredFaultRule[]> {
    const where = faultScopeWhere(scope, () => '?');
    return this.run(() => (this.sql(`SELECT * FROM fault_rules WHERE ${where.sql} ORDER BY position`).all(...where.params) as Row[]).map(toFaultRule));
  }

  async takeFaultRule(scopes: FaultScope[], stage: FaultStage, withDelays: boolean): Promise<StoredFaultRule | null> {
    return this.run(() => {
      for (const scope of scopes) {
        const where = faultScopeWhere(scope, () => '?');
        // a read first: almost every delivery has no script, and a read needs no write lock, so
        // RCPT and DATA never wait on (or for) another writer just to learn there is nothing to do
        const pick = this.sql(
          `SELECT id FROM fault_rules WHERE ${where.sql} AND stage = ? AND (times IS NULL OR used < times)${withDelays ? '' : ' AND delay_ms IS NULL'}
           ORDER BY position LIMIT 1`,
        );
        for (let candidate = pick.get(...where.params, stage) as Row | undefined; candidate; candidate = pick.get(...where.params, stage) as Row | undefined) {
          // the use re-checks `used < times`, so a taker in another process cannot overspend it
          const row = this.sql('UPDATE fault_rules SET used = used + 1 WHERE id = ? AND (times IS NULL OR used < times) RETURNING *').get(candidate.id) as Row | undefined;
          if (row) return toFaultRule(row);
        }
      }
      return null;
    });
  }

  // ── expiry ───────────────────────────────────────────────────────────────────────────────────

  async expireMailboxes(now: number, limit: number): Promise<Mailbox[]> {
    return this.run(() =>
      this.db
        .transaction(() => {
          const rows = this.sql('SELECT * FROM mailboxes WHERE active = 1 AND expires_at <= ? ORDER BY expires_at LIMIT ?')
            .all(now, limit) as Row[];
          const end = this.sql('UPDATE mailboxes SET active = 0, ended_at = expires_at WHERE id = ? AND active = 1');
          return rows.filter((r) => end.run(r.id).changes === 1).map((r) => ({ ...toMailbox(r), active: false }));
        })
        .immediate(),
    );
  }

  async purge(now: number, retentionMs: number, quarantineMs: number): Promise<PurgeResult> {
    const purged = await this.run(() =>
      this.db
        .transaction(() => {
          const messages = this.sql('DELETE FROM messages WHERE mailbox_id IN (SELECT id FROM mailboxes WHERE active = 0 AND ended_at <= ?)')
            .run(now - retentionMs).changes;
          if (messages > 0) {
            this.sql('UPDATE mailboxes SET message_count = 0 WHERE active = 0 AND ended_at <= ? AND message_count > 0').run(now - retentionMs);
          }
          const mailboxes = this.sql('DELETE FROM mailboxes WHERE active = 0 AND ended_at <= ?').run(now - quarantineMs).changes;
          return { messages, mailboxes };
        })
        .immediate(),
    );
    // old frames of the WAL still hold the deleted pages as they were; a reader holding a
    // snapshot may keep some for now, and the next purge tries again. The worker's checkpoint
    // is let finish first: a TRUNCATE that finds it running does nothing.
    if (purged.messages > 0) {
      const truncate = () => this.run(() => void this.sql('PRAGMA wal_checkpoint(TRUNCATE)').get());
      const ckpt = this.checkpointer;
      await (ckpt ? ckpt.whileIdle(truncate) : truncate());
    }
    return purged;
  }
}
