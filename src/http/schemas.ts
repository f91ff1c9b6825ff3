/**
 * JSON Schemas of the public shapes (presenters/), used for response serialisation and the
 * OpenAPI document. A field missing here is dropped from responses, so these mirror presenters/.
 */

export const errorSchema = {
  type: 'object',
  description: 'every error: a stable code and a message',
  required: ['error', 'message'],
  properties: { error: { type: 'string' }, message: { type: 'string' } },
  additionalProperties: true,
} as const;

export const mailboxSchema = {
  type: 'object',
  required: ['address', 'domain', 'created_at', 'expires_at', 'expires_in', 'owner_type', 'group', 'last_seq', 'message_count'],
  properties: {
    address: { type: 'string' },
    domain: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
    expires_at: { type: 'string', format: 'date-time' },
    expires_in: { type: 'integer', description: 'seconds left at the time of the answer' },
    owner_type: { type: 'string', enum: ['anonymous', 'api', 'mcp'] },
    group: { type: ['string', 'null'] },
    last_seq: { type: 'integer', description: 'the highest seq given so far: wait with after_seq=last_seq to ignore older mail' },
    message_count: { type: 'integer' },
    session_token: { type: 'string', description: 'anonymous mailboxes only, on create: shown once' },
  },
} as const;

const code = {
  type: 'object',
  properties: { value: { type: 'string' }, source: { type: 'string', enum: ['subject', 'text', 'html'] }, context: { type: 'string' } },
} as const;

const summaryProperties = {
  id: { type: 'string' },
  seq: { type: 'integer' },
  from: { type: ['string', 'null'] },
  from_name: { type: ['string', 'null'] },
  to: { type: 'array', items: { type: 'string' } },
  cc: { type: 'array', items: { type: 'string' } },
  subject: { type: ['string', 'null'] },
  received_at: { type: 'string', format: 'date-time' },
  size: { type: 'integer' },
  is_read: { type: 'boolean' },
  tag: { type: ['string', 'null'], description: 'the +tag of the recipient address' },
  source: { type: 'string', enum: ['smtp', 'ses'] },
  has_attachments: { type: 'boolean' },
  codes: { type: 'array', items: code, description: 'verification codes, most likely first' },
  parse_error: { type: ['string', 'null'], description: 'set when the MIME could not be parsed; the raw source is kept' },
} as const;

export const messageSummarySchema = { type: 'object', required: ['id', 'seq'], properties: summaryProperties } as const;

export const messageSchema = {
  type: 'object',
  required: ['id', 'seq'],
  properties: {
    ...summaryProperties,
    message_id: { type: ['string', 'null'] },
    date: { type: ['string', 'null'] },
    envelope_from: { type: ['string', 'null'] },
    body_text: { type: ['string', 'null'] },
    body_html: { type: ['string', 'null'] },
    headers: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, value: { type: 'string' } } } },
    attachments: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          index: { type: 'integer' },
          filename: { type: ['string', 'null'] },
          content_type: { type: 'string' },
          size: { type: 'integer' },
          content_id: { type: ['string', 'null'] },
        },
      },
    },
    links: {
      type: 'array',
      items: { type: 'object', properties: { url: { type: 'string' }, text: { type: ['string', 'null'] }, source: { type: 'string', enum: ['text', 'html'] } } },
      description: 'links found in the message; Inboxd never requests them',
    },
    verdicts: { type: ['object', 'null'], additionalProperties: { type: 'string' } },
  },
} as const;

/** the error responses most authenticated routes can give. */
export const authErrors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 410: errorSchema, 503: errorSchema } as const;
