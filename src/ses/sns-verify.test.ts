import { describe, expect, it } from 'vitest';
import { isDomainError } from '../core/errors.js';
import { parseSnsMessage, stringToSign } from './sns-verify.js';

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
