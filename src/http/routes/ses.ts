/**
 * POST /api/v1/ses/inbound: the AWS SES → SNS webhook. SNS posts a signed JSON envelope as
 * text/plain; this route checks the topic, verifies the signature (ses/sns-verify.ts), confirms a
 * subscription only to an allow-listed host, and hands a notification to ses/inbound.ts, which
 * calls the one delivery core. Answers are chosen for SNS's retry rule (it retries 5xx and network
 * failures, never 4xx): storage_unavailable (also: a fetch past its deadline) → 503; a bad
 * signature, a message older than ses_max_age or an S3 object outside the allow-list → 403;
 * malformed → 400; over the body limit → 413; a refusal that a retry cannot change (unknown or
 * expired mailbox, virus, spam when refused) → 200 with nothing stored. Replays (same MessageId, SES message id or
 * subscription Token) are answered `duplicate` without doing the work again.
 */
import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../core/context.js';
import type { Delivery } from '../../core/delivery.js';
import { DomainError } from '../../core/errors.js';
import { createDedupe } from '../../ses/dedupe.js';
import { FetchError, allowedUrl, fetchAllowed, type UrlPolicy } from '../../ses/fetch-allowed.js';
import { deliverSesNotification, parseSesNotification } from '../../ses/inbound.js';
import { createS3Reader, type S3Reader } from '../../ses/s3.js';
import type { SesSettings } from '../../ses/settings.js';
import { createSnsVerifier, parseSnsMessage } from '../../ses/sns-verify.js';
import { errorSchema, ref } from '../schemas.js';

/** SNS messages are at most 256 KB; SES inlines at most 150 KB of mail (base64: 200 KB). */
const BODY_LIMIT = 1_048_576;

export interface SesRouteDeps {
  core: CoreDeps;
  delivery: Delivery;
  settings: SesSettings;
  /** the S3 boundary; built from settings when not given. */
  s3?: S3Reader;
}

export function sesRoutes(deps: SesRouteDeps) {
  const { core, settings } = deps;
  const log = core.log.child({ component: 'ses' });
  const policy: UrlPolicy = { hostPattern: settings.certHostPattern, extraCa: settings.extraCa, timeoutMs: settings.fetchTimeoutMs };
  const verifier = createSnsVerifier({ policy, now: () => core.clock.now() });
  // as long as a message is young enough to be accepted, a replay of it is caught here
  const dedupe = createDedupe({ ttlMs: settings.maxAgeMs, maxEntries: 100_000, now: () => core.clock.now() });
  const s3 = deps.s3 ?? createS3Reader({ ...settings.s3, timeoutMs: settings.fetchTimeoutMs });
  const inbound = { delivery: deps.delivery, s3, maxMessageBytes: core.settings.maxMessageBytes, refuseSpam: settings.refuseSpam };

  return async function sesPlugin(app: FastifyInstance): Promise<void> {
    // SNS sends JSON as `text/plain; charset=UTF-8`; kept as a string here and parsed by
    // parseSnsMessage, in this plugin's scope only
    app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_request, body, done) => done(null, body));

    app.post(
      '/api/v1/ses/inbound',
      {
        bodyLimit: BODY_LIMIT,
        schema: {
          summary: 'AWS SES inbound mail, as an SNS HTTPS subscription (signature-verified)',
          description: 'SNS posts Notification, SubscriptionConfirmation and UnsubscribeConfirmation messages here. 5xx means "retry"; 4xx means a retry cannot help.',
          tags: ['ses'],
          security: [],
          consumes: ['text/plain', 'application/json'],
          response: { 200: ref('SesOutcome'), 400: errorSchema, 403: errorSchema, 413: errorSchema, 503: errorSchema },
        },
      },
      async (request) => {
        const startedAt = core.clock.now();
        const msg = parseSnsMessage(request.body);
        const declared = request.headers['x-amz-sns-message-type'];
        if (declared !== undefined && declared !== msg.Type) throw new DomainError('invalid_input', 'x-amz-sns-message-type does not match the message Type');
        if (!settings.topicArns.includes(msg.TopicArn)) {
          log.warn({ topic: msg.TopicArn, type: msg.Type }, 'SNS message from a topic not in ses_topic_arns');
          throw new DomainError('forbidden', 'this SNS topic is not accepted here');
        }
        const sent = Date.parse(msg.Timestamp);
        if (Number.isNaN(sent)) throw new DomainError('invalid_input', 'the SNS Timestamp is not a date');
        // a signature never expires, so the Timestamp bounds how long a captured message can be replayed
        if (Math.abs(startedAt - sent) > settings.maxAgeMs) {
          log.warn({ topic: msg.TopicArn, type: msg.Type, timestamp: msg.Timestamp }, 'SNS message too old (or from the future); refused as a replay');
          throw new DomainError('forbidden', `the SNS message is too old to be accepted (over ${settings.maxAgeMs / 1000} s; a replay?)`);
        }
        // refused before the signature is even checked: nothing is fetched for a URL we would never follow
        if (msg.Type === 'SubscriptionConfirmation' && !allowedUrl(msg.SubscribeURL, policy)) {
          log.warn({ topic: msg.TopicArn }, 'SubscribeURL not on the allow-list; not requested');
          throw new DomainError('forbidden', 'SubscribeURL is not an allowed SNS URL');
        }
        await verifier.verify(msg);

        if (msg.Type === 'SubscriptionConfirmation') {
          // a replayed confirmation must not make us request the URL again (one Token or URL, one request)
          const keys = [`sns:${msg.MessageId}`, `token:${msg.Token}`, `url:${msg.SubscribeURL}`];
          const { duplicate } = await dedupe.run(keys, () => confirm(msg.SubscribeURL!));
          if (duplicate) return { status: 'duplicate', stored: [], refused: [] };
          log.info({ topic: msg.TopicArn }, 'SNS subscription confirmed');
          return { status: 'confirmed', stored: [], refused: [] };
        }
        if (msg.Type === 'UnsubscribeConfirmation') {
          // never re-subscribe on our own: someone with access to the topic chose this
          log.warn({ topic: msg.TopicArn }, 'SNS subscription ended: no more SES mail arrives from this topic');
          return { status: 'unsubscribed', stored: [], refused: [] };
        }

        const notification = parseSesNotification(msg.Message);
        const keys = [`sns:${msg.MessageId}`, `ses:${notification.mail.messageId}`];
        const { duplicate, result } = await dedupe.run(keys, () => deliverSesNotification(inbound, notification, startedAt));
        if (duplicate || !result) {
          log.info({ snsMessageId: msg.MessageId, sesMessageId: notification.mail.messageId }, 'duplicate SNS message; already delivered');
          return { status: 'duplicate', stored: [], refused: [] };
        }
        if (result.refused.length > 0) log.info({ sesMessageId: notification.mail.messageId, refused: result.refused }, 'SES recipients refused');
        return result;
      },
    );

    // SNS only ever POSTs; anything else is a client mistake worth naming, not a 404
    app.route({
      method: ['GET', 'PUT', 'PATCH', 'DELETE'],
      url: '/api/v1/ses/inbound',
      schema: { hide: true },
      handler: async (_request, reply) => {
        reply.header('allow', 'POST');
        throw new DomainError('method_not_allowed', 'POST only: this is the SNS webhook');
      },
    });
  };

  async function confirm(subscribeUrl: string): Promise<void> {
    try {
      await fetchAllowed(subscribeUrl, policy, 64 * 1024);
    } catch (err) {
      if (err instanceof FetchError && err.kind === 'rejected') throw new DomainError('invalid_input', `the subscription could not be confirmed: ${err.message}`);
      throw new DomainError('storage_unavailable', 'the subscription could not be confirmed; retry');
    }
  }
}
