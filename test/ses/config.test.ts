// The SES settings at start-up: production names the topics it trusts and refuses the settings
// that let tests stand in for AWS's certificate hosts.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { TOPIC } from './fake-aws.js';

function problems(env: Record<string, string>): string {
  try {
    loadConfig({ env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  return '';
}

describe('SES settings', () => {
  it('refuses to start in production without INBOXD_SES_TOPIC_ARNS, naming the variable', () => {
    expect(problems({ INBOXD_ENV: 'production' })).toMatch(/INBOXD_SES_TOPIC_ARNS \(--ses-topic-arns\): required when INBOXD_ENV=production/);
  });

  it('starts in production with topics, and a node without the api role needs none', () => {
    expect(loadConfig({ env: { INBOXD_ENV: 'production', INBOXD_SES_TOPIC_ARNS: `${TOPIC}, ${TOPIC}-2` } }).ses_topic_arns).toEqual([TOPIC, `${TOPIC}-2`]);
    expect(loadConfig({ env: { INBOXD_ENV: 'production', INBOXD_ROLES: 'sweeper' } }).ses_topic_arns).toEqual([]);
  });

  it('refuses the test-only certificate settings in production', () => {
    const msg = problems({ INBOXD_ENV: 'production', INBOXD_SES_TOPIC_ARNS: TOPIC, INBOXD_SES_CERT_HOST_PATTERN: '^127\\.0\\.0\\.1:\\d+$', INBOXD_SES_CERT_CA_FILE: '/tmp/ca.pem' });
    expect(msg).toMatch(/INBOXD_SES_CERT_HOST_PATTERN \(--ses-cert-host-pattern\): test mode only, refused when INBOXD_ENV=production/);
    expect(msg).toMatch(/INBOXD_SES_CERT_CA_FILE/);
  });

  it('checks the shape of topic ARNs and of the host pattern', () => {
    expect(problems({ INBOXD_SES_TOPIC_ARNS: 'inboxd-inbound' })).toMatch(/INBOXD_SES_TOPIC_ARNS.*an SNS topic ARN/);
    expect(problems({ INBOXD_SES_CERT_HOST_PATTERN: '([' })).toMatch(/INBOXD_SES_CERT_HOST_PATTERN.*a valid regular expression/);
  });

  it('pins the webhook defaults: a one-hour replay window, a 5 s total fetch deadline, no S3 bucket (S3 mail refused)', () => {
    for (const env of ['development', 'production'] as const) {
      const c = loadConfig({ env: { INBOXD_ENV: env, INBOXD_SES_TOPIC_ARNS: TOPIC } });
      expect([c.ses_max_age, c.ses_fetch_timeout, c.ses_s3_bucket, c.ses_s3_key_prefix]).toEqual([3600, 5000, undefined, '']);
    }
    expect(problems({ INBOXD_SES_FETCH_TIMEOUT: '600000' })).toMatch(/INBOXD_SES_FETCH_TIMEOUT/);
    expect(problems({ INBOXD_SES_S3_BUCKET: 'Not_A_Bucket' })).toMatch(/INBOXD_SES_S3_BUCKET.*an S3 bucket name/);
  });
});
