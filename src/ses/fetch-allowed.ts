/**
 * The only outbound requests the SES webhook makes: GETs of a signing certificate or a
 * SubscribeURL, and only to an allow-listed HTTPS host. URLs come from the request body, so this
 * is where server-side request forgery is stopped: https only, no credentials in the URL, the
 * host[:port] matched against the allow-list before any connection, redirects never followed,
 * a total deadline (a trickling host cannot hold a request) and a cap on the bytes read. Not for S3
 * (see s3.ts).
 */
import { request } from 'node:https';
import { rootCertificates } from 'node:tls';

export interface UrlPolicy {
  /** matched against `URL.host` (host[:port]); AWS's default allows port 443 only. */
  hostPattern: RegExp;
  /** an extra trusted CA (PEM), test mode only. */
  extraCa?: string | undefined;
  /** the total deadline of one fetch, from connect to the last byte (default 5 s). */
  timeoutMs?: number;
}

/** why a fetch failed: `refused` before any request, `unavailable` (network, 5xx: worth a retry) or `rejected` (the host answered no). */
export class FetchError extends Error {
  override readonly name = 'FetchError';
  constructor(
    readonly kind: 'refused' | 'unavailable' | 'rejected',
    message: string,
  ) {
    super(message);
  }
}

/** the parsed URL when the policy allows it, else null. Never makes a request. */
export function allowedUrl(raw: unknown, policy: UrlPolicy): URL | null {
  if (typeof raw !== 'string' || raw.length > 2048) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '') return null;
  return policy.hostPattern.test(url.host) ? url : null;
}

/**
 * GETs an allowed URL and returns the body of a 200 answer, all of it within `policy.timeoutMs`.
 * @throws FetchError refused (not allowed; nothing sent), unavailable (also: past the deadline), rejected.
 */
export function fetchAllowed(raw: string, policy: UrlPolicy, maxBytes: number): Promise<Buffer> {
  const url = allowedUrl(raw, policy);
  if (!url) return Promise.reject(new FetchError('refused', 'URL not on the allow-list'));
  const timeoutMs = policy.timeoutMs ?? 5_000;
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err: FetchError | null, body?: Buffer) => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(body!);
    };
    const req = request(
      url,
      {
        method: 'GET',
        // a fresh connection each time: these fetches are rare, and a pooled socket would outlive its CA option
        agent: false,
        ...(policy.extraCa ? { ca: [...rootCertificates, policy.extraCa] } : {}),
        headers: { 'user-agent': 'inboxd-ses-webhook', accept: '*/*' },
        timeout: timeoutMs,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status !== 200) {
          res.resume();
          // a 3xx is not followed: the Location is not on our allow-list's word
          finish(new FetchError(status >= 500 ? 'unavailable' : 'rejected', `${url.host} answered ${status}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) finish(new FetchError('rejected', `${url.host} sent more than ${maxBytes} bytes`));
          else chunks.push(chunk);
        });
        res.on('end', () => finish(null, Buffer.concat(chunks)));
        res.on('error', (err) => finish(new FetchError('unavailable', err.message)));
        res.on('close', () => finish(new FetchError('unavailable', `${url.host} closed the answer early`)));
      },
    );
    // a total deadline, not only an idle timeout: a host that trickles a byte at a time is never idle
    const deadline = setTimeout(() => finish(new FetchError('unavailable', `${url.host} did not answer in full within ${timeoutMs} ms`)), timeoutMs);
    req.on('timeout', () => finish(new FetchError('unavailable', `no answer from ${url.host} within ${timeoutMs} ms`)));
    req.on('error', (err) => finish(err instanceof FetchError ? err : new FetchError('unavailable', err.message)));
    req.end();
  });
}
