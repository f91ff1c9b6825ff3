/**
 * SMTP fault scripts (#16 item 1): `PUT|GET|DELETE /api/v1/mailboxes/{address}/faults` and
 * `PUT|GET|DELETE /api/v1/groups/{group}/faults`. The rules are checked in core (faults.ts), which
 * names the field it refused (`rules[1].reply`); here only the route shapes.
 */
import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../core/context.js';
import { clearGroupFaults, clearMailboxFaults, getGroupFaults, getMailboxFaults, MAX_FAULT_RULES, setGroupFaults, setMailboxFaults } from '../../core/faults.js';
import { presentFaultScript } from '../../presenters/fault.js';
import { authErrors, ref } from '../schemas.js';

const body = {
  type: 'object',
  required: ['rules'],
  description:
    'the whole script, replacing the previous one (use counts start again). A rule: `stage` (rcpt | data), exactly one of `reply` (a full 4xx/5xx SMTP reply), ' +
    '`delay_ms` (a tarpit before the real answer) or `disconnect: true`, and `times` (the next N matching attempts; absent = until deleted)',
  properties: { rules: { type: 'array', maxItems: MAX_FAULT_RULES, items: { type: 'object' } } },
} as const;

const addressParams = { type: 'object', required: ['address'], properties: { address: { type: 'string', maxLength: 254 } } } as const;
const groupParams = { type: 'object', required: ['group'], properties: { group: { type: 'string', minLength: 1, maxLength: 128 } } } as const;

export function faultRoutes(app: FastifyInstance, deps: CoreDeps): void {
  const tags = ['faults'];
  const mailboxPath = '/api/v1/mailboxes/:address/faults';
  app.put<{ Params: { address: string }; Body: unknown }>(
    mailboxPath,
    { schema: { summary: "Set a mailbox's SMTP fault script", tags, params: addressParams, body, response: { 200: ref('FaultScript'), ...authErrors } } },
    async (request) => {
      const { mailbox, rules } = await setMailboxFaults(deps, request.principal, request.params.address, request.body);
      return presentFaultScript({ address: mailbox.address }, rules);
    },
  );
  app.get<{ Params: { address: string } }>(
    mailboxPath,
    { schema: { summary: "A mailbox's SMTP fault script, with use counts", tags, params: addressParams, response: { 200: ref('FaultScript'), ...authErrors } } },
    async (request) => {
      const { mailbox, rules } = await getMailboxFaults(deps, request.principal, request.params.address);
      return presentFaultScript({ address: mailbox.address }, rules);
    },
  );
  app.delete<{ Params: { address: string } }>(
    mailboxPath,
    { schema: { summary: "Delete a mailbox's SMTP fault script", tags, params: addressParams, response: { 204: { type: 'null' }, ...authErrors } } },
    async (request, reply) => {
      await clearMailboxFaults(deps, request.principal, request.params.address);
      return reply.code(204).send();
    },
  );

  const groupPath = '/api/v1/groups/:group/faults';
  app.put<{ Params: { group: string }; Body: unknown }>(
    groupPath,
    {
      schema: {
        summary: "Set a run group's SMTP fault script (API key)",
        description: "Governs every mailbox of the key's owner carrying this group label, now or later, after each mailbox's own script; one use count for the whole group.",
        tags,
        params: groupParams,
        body,
        response: { 200: ref('FaultScript'), ...authErrors },
      },
    },
    async (request) => presentFaultScript({ group: request.params.group }, await setGroupFaults(deps, request.principal, request.params.group, request.body)),
  );
  app.get<{ Params: { group: string } }>(
    groupPath,
    { schema: { summary: "A run group's SMTP fault script, with use counts", tags, params: groupParams, response: { 200: ref('FaultScript'), ...authErrors } } },
    async (request) => presentFaultScript({ group: request.params.group }, await getGroupFaults(deps, request.principal, request.params.group)),
  );
  app.delete<{ Params: { group: string } }>(
    groupPath,
    { schema: { summary: "Delete a run group's SMTP fault script", tags, params: groupParams, response: { 204: { type: 'null' }, ...authErrors } } },
    async (request, reply) => {
      await clearGroupFaults(deps, request.principal, request.params.group);
      return reply.code(204).send();
    },
  );
}
