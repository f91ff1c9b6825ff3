/**
 * Stand-ins for the AWS side of the SES webhook, all on 127.0.0.1 and offline: a self-signed
 * "SNS" certificate (made with the openssl command line) served over local HTTPS with a
 * SubscribeURL endpoint, a plain HTTP server that counts requests (an SSRF target that must never
 * be reached), a tiny S3 GetObject server, and an SNS signer that builds the string-to-sign on its
 * own (from the AWS documentation, not from src/) so a mistake in src/ cannot agree with itself.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TOPIC = 'arn:aws:sns:us-east-1:123456789012:inboxd-inbound';
/** where the fake host serves its signing certificate: the shape AWS uses, which the webhook requires. */
export const CERT_PATH = '/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem';
/** a certificate path that answers with a redirect to CERT_PATH. */
export const REDIRECT_CERT_PATH = '/SimpleNotificationService-0d1e2d1ec7.pem';
/** a certificate path whose answer trickles one byte at a time and never ends. */
export const TRICKLE_CERT_PATH = '/SimpleNotificationService-7e1c71e.pem';

export interface KeyAndCert {
  key: string;
  cert: string;
  certFile: string;
}

/** a self-signed RSA certificate for 127.0.0.1, made by openssl. */
export function selfSigned(dir: string, name: string): KeyAndCert {
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.pem`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2',
    '-keyout', keyFile, '-out', certFile, '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1',
  ], { stdio: 'pipe' });
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}

export interface Counting {
  url: string;
  /** every request seen, as "METHOD path?query". */
  requests: string[];
  close(): Promise<void>;
}

/** answers 200 and then sends one byte every 50 ms until the client gives up: a host that holds a request open. */
function trickle(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  const timer = setInterval(() => res.write('-'), 50);
  res.on('close', () => clearInterval(timer));
}

function listen(server: Server, scheme: string, requests: string[]): Promise<Counting> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `${scheme}://127.0.0.1:${port}`,
        requests,
        close: () =>
          new Promise<void>((res) => {
            server.closeAllConnections?.();
            server.close(() => res());
          }),
      });
    });
  });
}

/** a plain HTTP server that answers 200 to anything and counts what reached it. */
export function countingServer(): Promise<Counting> {
  const requests: string[] = [];
  const server = createHttpServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.end('ok');
  });
  return listen(server, 'http', requests);
}

/** "sns.<region>.amazonaws.com": serves the signing certificate at CERT_PATH and confirms at /confirm (/trickle never finishes). */
export function fakeSnsHost(tls: KeyAndCert, signingCert: string): Promise<Counting> {
  const requests: string[] = [];
  const server = createHttpsServer({ key: tls.key, cert: tls.cert }, (req: IncomingMessage, res: ServerResponse) => {
    requests.push(`${req.method} ${req.url}`);
    const path = (req.url ?? '').split('?')[0];
    if (path === CERT_PATH) res.end(signingCert);
    else if (path === '/confirm') res.end('<ConfirmSubscriptionResponse/>');
    else if (path === TRICKLE_CERT_PATH || path === '/trickle') trickle(res);
    else if (path === REDIRECT_CERT_PATH) {
      res.writeHead(302, { location: CERT_PATH });
      res.end();
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  return listen(server, 'https', requests);
}

/** enough of S3 GetObject (path-style) for the SDK: objects by "bucket/key"; `failing` keys answer 500, `trickling` ones never finish. */
export function fakeS3(): Promise<Counting & { objects: Map<string, Buffer>; failing: Set<string>; trickling: Set<string> }> {
  const requests: string[] = [];
  const objects = new Map<string, Buffer>();
  const failing = new Set<string>();
  const trickling = new Set<string>();
  const server = createHttpServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const path = decodeURIComponent((req.url ?? '').split('?')[0]!.slice(1));
    if (failing.has(path)) {
      res.writeHead(500, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>try again</Message></Error>');
      return;
    }
    if (trickling.has(path)) {
      trickle(res);
      return;
    }
    const body = objects.get(path);
    if (req.method !== 'GET' || !body) {
      res.writeHead(404, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>no such key</Message></Error>');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length, etag: '"fake"' });
    res.end(body);
  });
  return listen(server, 'http', requests).then((c) => ({ ...c, objects, failing, trickling }));
}

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'inboxd-ses-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface SnsFields {
  Type: 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
  Message: string;
  MessageId?: string;
  TopicArn?: string;
  Subject?: string;
  Timestamp?: string;
  SubscribeURL?: string;
  Token?: string;
  SigningCertURL: string;
  SignatureVersion?: string;
}

/**
 * an SNS message signed with `key`, as SNS would post it. `algorithm` defaults to the one the
 * SignatureVersion names (1 = SHA1, 2 = SHA256); tests pass another to forge a mismatch.
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
 */
export function signedSnsMessage(key: string, fields: SnsFields, algorithm?: 'sha1' | 'sha256'): Record<string, string> {
  const m: Record<string, string> = {
    Type: fields.Type,
    MessageId: fields.MessageId ?? randomUUID(),
    TopicArn: fields.TopicArn ?? TOPIC,
    Message: fields.Message,
    Timestamp: fields.Timestamp ?? new Date().toISOString(),
    SignatureVersion: fields.SignatureVersion ?? '1',
    SigningCertURL: fields.SigningCertURL,
  };
  if (fields.Subject !== undefined) m.Subject = fields.Subject;
  if (fields.Type !== 'Notification') {
    m.SubscribeURL = fields.SubscribeURL ?? '';
    m.Token = fields.Token ?? 'token-' + randomUUID();
  } else {
    m.UnsubscribeURL = 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe';
  }
  const order =
    fields.Type === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  const text = order.filter((k) => m[k] !== undefined).map((k) => `${k}\n${m[k]}\n`).join('');
  const alg = algorithm ?? (m.SignatureVersion === '2' ? 'sha256' : 'sha1');
  m.Signature = sign(alg, Buffer.from(text, 'utf8'), key).toString('base64');
  return m;
}

/** the JSON SES publishes for a received message (an SNS action inlines the content; an S3 action names the object). */
export function sesNotification(opts: {
  recipients: string[];
  raw?: Buffer;
  encoding?: 'BASE64' | 'UTF8';
  s3?: { bucket: string; key: string };
  virus?: string;
  spam?: string;
  messageId?: string;
}): string {
  const verdict = (status: string) => ({ status });
  const messageId = opts.messageId ?? randomUUID().replace(/-/g, '');
  const action = opts.s3
    ? { type: 'S3', topicArn: TOPIC, bucketName: opts.s3.bucket, objectKeyPrefix: 'inbound/', objectKey: opts.s3.key }
    : { type: 'SNS', topicArn: TOPIC, encoding: opts.encoding ?? 'BASE64' };
  const body: Record<string, unknown> = {
    notificationType: 'Received',
    mail: { timestamp: new Date().toISOString(), source: 'sender@example.com', messageId, destination: opts.recipients, headersTruncated: false, headers: [], commonHeaders: {} },
    receipt: {
      timestamp: new Date().toISOString(),
      processingTimeMillis: 12,
      recipients: opts.recipients,
      spamVerdict: verdict(opts.spam ?? 'PASS'),
      virusVerdict: verdict(opts.virus ?? 'PASS'),
      spfVerdict: verdict('PASS'),
      dkimVerdict: verdict('GRAY'),
      dmarcVerdict: verdict('PASS'),
      action,
    },
  };
  if (!opts.s3 && opts.raw) body.content = (opts.encoding ?? 'BASE64') === 'BASE64' ? opts.raw.toString('base64') : opts.raw.toString('utf8');
  return JSON.stringify(body);
}

export function rawMail(to: string, subject: string, body = 'Your code is 482913.'): Buffer {
  return Buffer.from(`From: Shop <shop@example.com>\r\nTo: ${to}\r\nSubject: ${subject}\r\nMessage-ID: <${randomUUID()}@example.com>\r\n\r\n${body}\r\n`);
}
