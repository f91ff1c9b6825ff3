import { describe, expect, it } from 'vitest';
import { allowedUrl } from './fetch-allowed.js';
import { AWS_SNS_HOST } from './settings.js';

describe('allowedUrl with the AWS allow-list', () => {
  const policy = { hostPattern: AWS_SNS_HOST };
  it('allows https to sns.<region>.amazonaws.com on the default port', () => {
    expect(allowedUrl('https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem', policy)?.host).toBe('sns.eu-west-1.amazonaws.com');
    expect(allowedUrl('https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t', policy)).not.toBeNull();
  });

  it('refuses look-alikes, other schemes, ports and credentials', () => {
    for (const url of [
      'http://sns.us-east-1.amazonaws.com/x.pem',
      'https://sns.us-east-1.amazonaws.com:8443/x.pem',
      'https://sns.us-east-1.amazonaws.com.evil.example/x.pem',
      'https://evil.example/sns.us-east-1.amazonaws.com/x.pem',
      'https://sns.us-east-1.amazonaws.com@evil.example/x.pem',
      'https://user:pw@sns.us-east-1.amazonaws.com/x.pem',
      'https://s3.us-east-1.amazonaws.com/x.pem',
      'https://127.0.0.1/x.pem',
      'file:///etc/passwd',
      'not a url',
      42,
    ]) {
      expect(allowedUrl(url, policy), String(url)).toBeNull();
    }
  });
});
