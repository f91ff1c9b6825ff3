/**
 * Amazon SNS message signatures: parse the JSON envelope SNS posts, rebuild the string it signed,
 * and verify the signature against the certificate at SigningCertURL, which is fetched only from
 * an allow-listed host (AWS's sns.<region>.amazonaws.com), at AWS's exact path, and cached. SignatureVersion 1 is
 * SHA1withRSA, 2 is SHA256withRSA; anything else is refused. What the message says is inbound.ts's
 * business, not this file's.
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
 */
import { createVerify, type KeyObject, X509Certificate } from 'node:crypto';
import { DomainError } from '../core/errors.js';
import { allowedUrl, FetchError, fetchAllowed, type UrlPolicy } from './fetch-allowed.js';

export type SnsMessageType = 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';

export interface SnsMessage {
  Type: SnsMessageType;
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: string;
  Signature: string;
  SigningCertURL: string;
  Subject?: string;
  SubscribeURL?: string;
  Token?: string;
  UnsubscribeURL?: string;
}

const TYPES: readonly string[] = ['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'];
const ALGORITHMS: Record<string, string> = { '1': 'RSA-SHA1', '2': 'RSA-SHA256' };
/** the fields each type signs, in the order SNS signs them (byte order of the names). */
const SIGNED_FIELDS: Record<SnsMessageType, readonly (keyof SnsMessage)[]> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};

/**
 * checks the shape of what SNS posted (a JSON string or an already parsed object).
 * @throws DomainError invalid_input
 */
export function parseSnsMessage(body: unknown): SnsMessage {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      throw new DomainError('invalid_input', 'the body is not JSON');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DomainError('invalid_input', 'the body is not an SNS message');
  const v = value as Record<string, unknown>;
  if (typeof v.Type !== 'string' || !TYPES.includes(v.Type)) throw new DomainError('invalid_input', 'unknown SNS message Type');
  const type = v.Type as SnsMessageType;
  const required = ['MessageId', 'TopicArn', 'Message', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL'];
  if (type !== 'Notification') required.push('SubscribeURL', 'Token');
  for (const key of required) {
    if (typeof v[key] !== 'string' || (v[key] as string).length === 0) throw new DomainError('invalid_input', `the SNS message has no ${key}`);
  }
  for (const key of ['Subject', 'UnsubscribeURL']) {
    if (v[key] !== undefined && v[key] !== null && typeof v[key] !== 'string') throw new DomainError('invalid_input', `the SNS message's ${key} is not a string`);
  }
  const out: Record<string, unknown> = {};
  for (const key of [...required, 'Type', 'Subject', 'UnsubscribeURL']) if (typeof v[key] === 'string') out[key] = v[key];
  return out as unknown as SnsMessage;
}

/** the exact text SNS signed: "Name\nvalue\n" for each signed field present, in order. */
export function stringToSign(m: SnsMessage): string {
  let s = '';
  for (const key of SIGNED_FIELDS[m.Type]) {
    const value = m[key];
    // Subject is signed only when the message has one
    if (value === undefined) continue;
    s += `${key}\n${value}\n`;
  }
  return s;
}

/** AWS's certificate file name: the only path a SigningCertURL may have. */
const CERT_PATH = /^\/SimpleNotificationService-[0-9a-fA-F]+\.pem$/;

/**
 * the certificate URL when it is exactly `https://<allowed host>/SimpleNotificationService-<hex>.pem`
 * as written: no query string, fragment, userinfo, port (unless the test-mode host pattern names
 * one) or anything the URL parser would rewrite (dot segments, case, escapes); else null.
 */
export function signingCertUrl(raw: unknown, policy: UrlPolicy): URL | null {
  const url = allowedUrl(raw, policy);
  // comparing with the parser's own serialisation refuses every spelling it would normalise
  if (!url || url.href !== raw || /[?#]/.test(raw as string)) return null;
  return CERT_PATH.test(url.pathname) ? url : null;
}

export interface SnsVerifier {
  /**
   * resolves when the message carries a valid signature from an allowed certificate host.
   * @throws DomainError invalid_signature | storage_unavailable (the certificate host could not be reached: worth a retry)
   */
  verify(m: SnsMessage): Promise<void>;
}

export interface SnsVerifierOptions {
  policy: UrlPolicy;
  /** certificates kept (they are few: one per region and rotation). */
  cacheSize?: number;
  now?: () => number;
}

export function createSnsVerifier(opts: SnsVerifierOptions): SnsVerifier {
  const cacheSize = opts.cacheSize ?? 32;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, Promise<{ key: KeyObject; notAfter: number }>>();

  function certificate(url: string) {
    let entry = cache.get(url);
    if (!entry) {
      entry = fetchAllowed(url, opts.policy, 64 * 1024).then((pem) => {
        const cert = new X509Certificate(pem);
        return { key: cert.publicKey, notAfter: Date.parse(cert.validTo) };
      });
      // a failed fetch is not remembered: the next message tries again
      entry.catch(() => cache.delete(url));
      cache.set(url, entry);
      if (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
    }
    return entry;
  }

  return {
    async verify(m) {
      const algorithm = ALGORITHMS[m.SignatureVersion];
      if (!algorithm) throw new DomainError('invalid_signature', `SignatureVersion ${m.SignatureVersion} is not supported`);
      const certUrl = signingCertUrl(m.SigningCertURL, opts.policy);
      if (!certUrl) throw new DomainError('invalid_signature', 'SigningCertURL is not an allowed SNS certificate URL');
      let cert;
      try {
        cert = await certificate(certUrl.href);
      } catch (err) {
        if (err instanceof FetchError && err.kind === 'unavailable') throw new DomainError('storage_unavailable', 'the SNS signing certificate could not be fetched; retry');
        throw new DomainError('invalid_signature', 'the SNS signing certificate could not be used');
      }
      if (!(cert.notAfter > now())) throw new DomainError('invalid_signature', 'the SNS signing certificate has expired');
      const ok = createVerify(algorithm).update(stringToSign(m), 'utf8').verify(cert.key, m.Signature, 'base64');
      if (!ok) throw new DomainError('invalid_signature', 'the SNS signature does not match');
    },
  };
}
