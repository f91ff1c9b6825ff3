/**
 * The slice of config the SES webhook reads, derived once from the Config at start-up (the
 * test-only CA file is read here, so a bad path stops start-up rather than the first message).
 */
import { readFileSync } from 'node:fs';
import type { Config } from '../config/schema.js';

/** AWS's SNS hosts: where signing certificates and SubscribeURLs may point. Port 443 only. */
export const AWS_SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com$/;

export interface SesSettings {
  /** SNS topics whose messages are accepted; empty = every message is refused. */
  topicArns: readonly string[];
  /** what `URL.host` (host[:port]) of a certificate or subscribe URL must match. */
  certHostPattern: RegExp;
  /** an extra CA (PEM) for those fetches: test mode only. */
  extraCa: string | undefined;
  /** an SNS message older than this (by its Timestamp) is refused as a replay. */
  maxAgeMs: number;
  /** the total deadline of every outbound fetch (certificate, SubscribeURL, S3). */
  fetchTimeoutMs: number;
  s3: S3Settings;
  /** refuse mail whose SES spam verdict is FAIL. */
  refuseSpam: boolean;
}

export interface S3Settings {
  region: string | undefined;
  endpoint: string | undefined;
  /** the only bucket read; undefined = no S3 reads at all. */
  bucket: string | undefined;
  /** every key read starts with this. */
  keyPrefix: string;
}

export function sesSettings(config: Config): SesSettings {
  return {
    topicArns: config.ses_topic_arns,
    certHostPattern: config.ses_cert_host_pattern ? new RegExp(config.ses_cert_host_pattern) : AWS_SNS_HOST,
    extraCa: config.ses_cert_ca_file ? readFileSync(config.ses_cert_ca_file, 'utf8') : undefined,
    maxAgeMs: config.ses_max_age * 1000,
    fetchTimeoutMs: config.ses_fetch_timeout,
    refuseSpam: config.ses_refuse_spam,
    s3: { region: config.ses_s3_region, endpoint: config.ses_s3_endpoint, bucket: config.ses_s3_bucket, keyPrefix: config.ses_s3_key_prefix },
  };
}
