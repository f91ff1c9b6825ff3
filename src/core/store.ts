/**
 * The Store port: every persistent operation Inboxd performs, async, with no driver type in
 * sight. Implementations: `store/sqlite` (embedded default) and `store/postgres` (scale pair).
 * Driver failures are translated to `DomainError('storage_unavailable')` inside the
 * implementation, so `core/` and the edges never see driver errors.
 *
 * Times are milliseconds since the epoch. Rules that must hold under concurrency (quota checks,
 * seq allocation, address uniqueness) are enforced here, inside one transaction, not by the caller.
 */
import type {
  ApiKey,
  DeliveryAttempt,
  FaultRule,
  FaultScope,
  FaultStage,
  Mailbox,
  Message,
  MessageContent,
  MessageSource,
  MessageSummary,
  OwnerType,
  Plan,
  StoredFaultRule,
  User,
} from './types.js';
import type { SearchQuery } from './search-query.js';
import type { WebhookStore } from './webhooks/types.js';

/** how fresh an API key's last_used_at is kept: at most one write per key per minute. */
export const LAST_USED_GRANULARITY_MS = 60_000;

export interface NewMailbox {
  address: string;
  domain: string;
  ownerType: OwnerType;
  ownerId: string;
  tokenHash: string | null;
  plan: string;
  group: string | null;
  expiresAt: number;
}

export interface CreateMailboxRules {
  now: number;
  /** -1 = unlimited: active (unexpired, undeleted) mailboxes the owner may hold. */
  maxMailboxes: number;
  /** an address whose mailbox ended less than this long ago is not given to another owner. */
  quarantineMs: number;
}

/** one recipient's copy of a message, inserted with the others in one transaction. */
export interface NewMessage {
  mailboxId: string;
  tag: string | null;
  receivedAt: number;
  size: number;
  source: MessageSource;
  envelopeFrom: string | null;
  verdicts: Record<string, string> | null;
  content: MessageContent;
  /** the raw bytes, shared by every recipient of one message. */
  raw: Buffer;
  /** -1 = unlimited; checked against the mailbox's current count inside the transaction. */
  maxMessages: number;
  now: number;
}

export interface InsertedMessage {
  id: string;
  mailboxId: string;
  seq: number;
  /** webhook outbox rows written with it (one per enabled endpoint that matches its mailbox). */
  webhooks: number;
}

/** a recipient's mailbox with what judging it needs, read together (`Store.getRecipientMailbox`). */
export interface RecipientMailbox {
  mailbox: Mailbox;
  /** the mailbox's plan; null when it is missing. */
  plan: Plan | null;
  /**
   * true when a fault rule with uses left governs the mailbox (its own script or its group's, at
   * either stage): only then is a rule taken (a write) at RCPT and at DATA.
   */
  faults: boolean;
}

export interface ListMessagesQuery {
  afterSeq?: number;
  /** newest first (default) or oldest first. */
  order?: 'desc' | 'asc';
  limit: number;
  /** rows to skip first (paging with limit). */
  offset?: number | undefined;
  unread?: boolean;
  /** sender address or name contains (case-insensitive) */
  from?: string | undefined;
  /** subject contains (case-insensitive) */
  subject?: string | undefined;
}

/**
 * the mailboxes a search reaches: an owner's (of these owner types), or one mailbox (a session
 * token). Only live ones: active, not deleted, `expires_at > now`.
 */
export type SearchScope = { ownerId: string; ownerTypes: OwnerType[] } | { mailboxId: string };

export interface SearchPage {
  limit: number;
  offset: number;
}

export interface PurgeResult {
  /** messages whose content was removed because their mailbox ended more than `retention` ago. */
  messages: number;
  /** mailbox rows removed because their quarantine ended. */
  mailboxes: number;
}

export interface Store extends WebhookStore {
  /** brings the schema up to date and seeds the default plans. */
  migrate(): Promise<void>;
  /** names of the migrations the database has not had yet (`NNNN_name`); all of them on an empty database. */
  pendingMigrations(): Promise<string[]>;
  /** throws storage_unavailable when the database cannot answer. */
  ping(): Promise<void>;
  /**
   * the database's own time (ms since the epoch): one clock every node of a cluster agrees on,
   * which the sweeper decides expiry by (PostgreSQL: the server's clock; SQLite: this machine's).
   * @throws DomainError storage_unavailable
   */
  now(): Promise<number>;
  /**
   * takes the write path once, without waiting for a lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: a
   * round trip): /health's commits check asks it whether deliveries can commit again.
   * @throws DomainError storage_unavailable
   */
  probeCommit?(): Promise<void>;
  close(): Promise<void>;

  getPlan(name: string): Promise<Plan | null>;
  listPlans(): Promise<Plan[]>;
  /** throws already_exists when a plan of that name exists. */
  createPlan(plan: Plan): Promise<Plan>;
  /** throws not_found. */
  updatePlan(name: string, changes: Partial<Omit<Plan, 'name'>>): Promise<Plan>;

  createUser(input: { email: string; plan: string }): Promise<User>;
  getUserByEmail(email: string): Promise<User | null>;
  getUser(id: string): Promise<User | null>;
  listUsers(): Promise<User[]>;

  createApiKey(input: { userId: string; name: string; keyHash: string; prefix: string }): Promise<ApiKey>;
  /** the active key with that hash and its active user, or null; records last use. */
  findApiKey(keyHash: string, now: number): Promise<{ key: ApiKey; user: User } | null>;
  listApiKeys(userId: string): Promise<ApiKey[]>;
  /**
   * marks the key revoked (findApiKey stops finding it at once); `userId` limits it to that
   * owner's keys. The key as it is now (also when it was already revoked), or null when there is
   * no such key (for that owner).
   */
  revokeApiKey(id: string, userId?: string): Promise<ApiKey | null>;
  /** true while the key and its user are both active (streams re-check the key that opened them). */
  apiKeyActive(id: string): Promise<boolean>;

  /**
   * creates a mailbox, atomically checking the owner's active-mailbox cap and the address's
   * availability (address_taken when live or quarantined for another owner; quota_exceeded).
   */
  createMailbox(input: NewMailbox, rules: CreateMailboxRules): Promise<Mailbox>;
  getMailbox(address: string): Promise<Mailbox | null>;
  /**
   * the mailbox at `address`, its plan and whether a fault script may answer for it, in one read:
   * what RCPT needs, in one round trip on the scale store instead of three.
   */
  getRecipientMailbox(address: string): Promise<RecipientMailbox | null>;
  getMailboxById(id: string): Promise<Mailbox | null>;
  /** the mailbox a session token belongs to (by the token's SHA-256), whatever its state. */
  getMailboxByTokenHash(tokenHash: string): Promise<Mailbox | null>;
  /** the owner's live mailboxes (active and unexpired at `now`), newest first. */
  listMailboxes(owner: { ownerType: OwnerType[]; ownerId: string }, now: number, group?: string): Promise<Mailbox[]>;
  setMailboxExpiry(id: string, expiresAt: number): Promise<Mailbox>;
  /** soft-deletes: the mailbox stops receiving and reading at once; content is purged later. */
  deleteMailbox(id: string, now: number): Promise<void>;

  /**
   * inserts one copy per recipient in one transaction, allocating each mailbox's next seq, and a
   * webhook outbox row for every enabled endpoint of the mailbox's owner that matches it (#15).
   * All or nothing: throws mailbox_not_found/mailbox_expired/quota_exceeded when any recipient
   * can no longer take it. Resolves only after the commit is durable.
   */
  insertMessages(messages: NewMessage[]): Promise<InsertedMessage[]>;
  listMessages(mailboxId: string, query: ListMessagesQuery): Promise<MessageSummary[]>;
  getMessage(mailboxId: string, messageId: string): Promise<Message | null>;
  markRead(mailboxId: string, messageId: string): Promise<void>;
  /** true when it existed. */
  deleteMessage(mailboxId: string, messageId: string): Promise<Message | null>;
  getRawSource(mailboxId: string, messageId: string): Promise<Buffer | null>;
  /**
   * the messages of the live mailboxes in `scope` that match every term of `query`, newest first
   * (received_at, then id), through the store's full-text index. Each store compiles the AST.
   */
  searchMessages(scope: SearchScope, query: SearchQuery, page: SearchPage, now: number): Promise<MessageSummary[]>;

  /** appends attempts to the delivery timeline (best effort: callers never fail a delivery on it). */
  recordDeliveries(attempts: DeliveryAttempt[]): Promise<void>;
  /** the address's most recent attempts, newest first. */
  listDeliveries(address: string, limit: number): Promise<DeliveryAttempt[]>;

  /** replaces the scope's fault script (counters from zero); an empty list deletes it. */
  setFaultRules(scope: FaultScope, rules: FaultRule[], now: number): Promise<StoredFaultRule[]>;
  /** the scope's fault script, in order. */
  listFaultRules(scope: FaultScope): Promise<StoredFaultRule[]>;
  /**
   * consumes one use of the first rule of `stage` that has uses left, searching the scopes in
   * order (each script in its own order), and returns it as it stands after the use; null when
   * none applies. Atomic: concurrent callers on any node never spend more than `times` uses.
   * @param withDelays false: delay rules are skipped (and not spent).
   */
  takeFaultRule(scopes: FaultScope[], stage: FaultStage, withDelays: boolean): Promise<StoredFaultRule | null>;

  /** marks every active mailbox whose expires_at <= now inactive and returns them. */
  expireMailboxes(now: number, limit: number): Promise<Mailbox[]>;
  purge(now: number, retentionMs: number, quarantineMs: number): Promise<PurgeResult>;
  /** drops timeline entries older than `maxAgeMs`, and all but the newest `keepPerAddress` of each address. */
  pruneDeliveries(now: number, maxAgeMs: number, keepPerAddress: number): Promise<number>;

  /**
   * optional: runs `fn` while this node holds the cluster-wide lock `name`, or resolves null at
   * once when another node holds it (PostgreSQL advisory lock: one sweeper per tick among many).
   * Stores with a single writer (SQLite) omit it; callers then just run `fn`.
   */
  runExclusive?<T>(name: string, fn: () => Promise<T>): Promise<T | null>;
}
