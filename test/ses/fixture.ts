/**
 * One SES webhook test setup, shared by the webhook test files: a real Inboxd in test mode, the
 * fake AWS side of fake-aws.ts (HTTPS "SNS" host trusted through the test-only CA setting, S3,
 * a counting SSRF target) and the small clients the tests use to post and read back.
 */
import { expect } from 'vitest';
import type { SettingKey } from '../../src/config/schema.js';
import { startTestServer, type TestServer } from '../support/harness.js';
import { CERT_PATH, type Counting, countingServer, fakeS3, fakeSnsHost, type KeyAndCert, selfSigned, signedSnsMessage, type SnsFields, TOPIC, tempDir } from './fake-aws.js';

/** the bucket and key prefix the fixture's server allows S3 reads from. */
export const BUCKET = 'inboxd-mail';
export const KEY_PREFIX = 'inbound/';

export interface SesFixture {
  s: TestServer;
  signing: KeyAndCert;
  sns: Counting;
  ssrf: Counting;
  s3: Awaited<ReturnType<typeof fakeS3>>;
  certUrl: string;
  post(body: unknown, headers?: Record<string, string>, opts?: { method?: string }): Promise<{ status: number; body: any; headers: Headers }>;
  /** a Notification signed like SNS signs it, with the fixture's certificate. */
  notification(message: string, over?: Partial<SnsFields>, algorithm?: 'sha1' | 'sha256'): Record<string, string>;
  /** a SubscriptionConfirmation for `subscribeUrl`, signed. */
  confirmation(subscribeUrl: string, over?: Partial<SnsFields>): Record<string, string>;
  messages(box: { address: string; token: string }): Promise<any[]>;
  close(): Promise<void>;
}

export async function startSesFixture(overrides: Partial<Record<SettingKey, unknown>> = {}): Promise<SesFixture> {
  const tmp = tempDir();
  const signing = selfSigned(tmp.dir, 'sns-signing');
  const tls = selfSigned(tmp.dir, 'sns-host');
  const sns = await fakeSnsHost(tls, signing.cert);
  const ssrf = await countingServer();
  const s3 = await fakeS3();
  const certUrl = `${sns.url}${CERT_PATH}`;
  // the SDK's default credential chain reads these; IMDS stays off so nothing leaves the machine
  process.env.AWS_ACCESS_KEY_ID = 'AKIDTEST';
  process.env.AWS_SECRET_ACCESS_KEY = 'secret-test';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  const s = await startTestServer({
    env: 'test',
    ses_topic_arns: TOPIC,
    ses_cert_host_pattern: '^127\\.0\\.0\\.1:\\d+$',
    ses_cert_ca_file: tls.certFile,
    ses_s3_endpoint: s3.url,
    ses_s3_region: 'us-east-1',
    ses_s3_bucket: BUCKET,
    ses_s3_key_prefix: KEY_PREFIX,
    ...overrides,
  });

  return {
    s,
    signing,
    sns,
    ssrf,
    s3,
    certUrl,
    async post(body, headers = {}, opts = {}) {
      const res = await fetch(`${s.url}/api/v1/ses/inbound`, {
        method: opts.method ?? 'POST',
        headers: { 'content-type': 'text/plain; charset=UTF-8', ...headers },
        body: opts.method === 'GET' || opts.method === 'HEAD' ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
    },
    notification(message, over = {}, algorithm) {
      return signedSnsMessage(signing.key, { Type: 'Notification', Message: message, Subject: 'Amazon SES Email Receipt Notification', SigningCertURL: certUrl, ...over }, algorithm);
    },
    confirmation(subscribeUrl, over = {}) {
      return signedSnsMessage(signing.key, {
        Type: 'SubscriptionConfirmation',
        Message: `You have chosen to subscribe to the topic ${TOPIC}.`,
        SubscribeURL: subscribeUrl,
        SigningCertURL: certUrl,
        ...over,
      });
    },
    async messages(box) {
      const res = await s.api('GET', `/api/v1/mailboxes/${box.address}/messages`, { headers: { 'x-session-token': box.token } });
      expect(res.status).toBe(200);
      return res.body as any[];
    },
    async close() {
      await s.close();
      await Promise.all([sns.close(), ssrf.close(), s3.close()]);
      tmp.remove();
    },
  };
}
