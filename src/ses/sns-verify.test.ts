import { describe, expect, it } from 'vitest';
import { isDomainError } from '../core/errors.js';
import { AWS_SNS_HOST } from './settings.js';
import { parseSnsMessage, signingCertUrl, stringToSign } from './sns-verify.js';

const base = { MessageId: 'm-1', TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Message: 'hello', Timestamp: '2026-01-01T00:00:00.000Z', SignatureVersion: '1', Signature: 'c2ln', SigningCertURL: 'https://sns.us-east-1.amazonaws.com/x.pem' };

describe('stringToSign', () => {
  it('signs Subject only when the notification has one', () => {
    const without = parseSnsMessage(JSON.stringify({ ...base, Type: 'Notification' }));
    expect(stringToSign(without)).toBe('Message\nhello\nMessageId\nm-1\nTimestamp\n2026-01-01T00:00:00.000Z\nTopicArn\narn:aws:sns:us-east-1:123456789012:t\nType\nNotification\n');
    const withSubject = parseSnsMessage({ ...base, Type: 'Notification', Subject: 's' });
    expect(stringToSign(withSubject)).toContain('MessageId\nm-1\nSubject\ns\nTimestamp\n');
  });

  it('signs SubscribeURL and Token for confirmations', () => {
    const m = parseSnsMessage({ ...base, Type: 'SubscriptionConfirmation', SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?a', Token: 'tok', Subject: 'ignored' });
    expect(stringToSign(m)).toBe(
      'Message\nhello\nMessageId\nm-1\nSubscribeURL\nhttps://sns.us-east-1.amazonaws.com/?a\nTimestamp\n2026-01-01T00:00:00.000Z\nToken\ntok\nTopicArn\narn:aws:sns:us-east-1:123456789012:t\nType\nSubscriptionConfirmation\n',
    );
  });

  it('refuses envelopes that are not SNS messages', () => {
    for (const body of ['nope', '[]', JSON.stringify({ ...base, Type: 'Other' }), JSON.stringify({ ...base, Type: 'SubscriptionConfirmation' })]) {
      expect(() => parseSnsMessage(body)).toThrow();
      try {
        parseSnsMessage(body);
      } catch (err) {
        expect(isDomainError(err, 'invalid_input')).toBe(true);
      }
    }
  });
});

describe('signingCertUrl', () => {
  const policy = { hostPattern: AWS_SNS_HOST };
  const good = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem';

  it('takes exactly https://sns.<region>.amazonaws.com/SimpleNotificationService-<hex>.pem', () => {
    expect(signingCertUrl(good, policy)?.href).toBe(good);
  });

  it('refuses a query string, fragment, userinfo, port, another path, or a spelling the parser rewrites', () => {
    for (const url of [
      `${good}?x=1`,
      `${good}?`,
      `${good}#f`,
      'https://u@sns.eu-west-1.amazonaws.com/SimpleNotificationService-9c6465fa.pem',
      'https://sns.eu-west-1.amazonaws.com:443/SimpleNotificationService-9c6465fa.pem',
      'https://sns.eu-west-1.amazonaws.com:8443/SimpleNotificationService-9c6465fa.pem',
      'https://SNS.eu-west-1.amazonaws.com/SimpleNotificationService-9c6465fa.pem',
      'https://sns.eu-west-1.amazonaws.com/x/../SimpleNotificationService-9c6465fa.pem',
      'https://sns.eu-west-1.amazonaws.com/a/SimpleNotificationService-9c6465fa.pem',
      'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-xyz.pem',
      'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-.pem',
      'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-9c6465fa.pem.txt',
      'https://sns.eu-west-1.amazonaws.com/%53impleNotificationService-9c6465fa.pem',
      'https://sns.eu-west-1.amazonaws.com\\SimpleNotificationService-9c6465fa.pem',
      'https://sns.eu-west-1.amazonaws.com.evil.example/SimpleNotificationService-9c6465fa.pem',
      'http://sns.eu-west-1.amazonaws.com/SimpleNotificationService-9c6465fa.pem',
    ]) {
      expect(signingCertUrl(url, policy), url).toBeNull();
    }
  });
});
