// Inboxd in a container for a Node test suite (testcontainers): a generic container from the
// image, ready when /health answers; a mailbox over REST, mail in over SMTP, the code read back.
//   INBOXD_IMAGE   the image (default inboxd:0.1.0: `docker build -t inboxd:0.1.0 .` in the repository)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import nodemailer from 'nodemailer';
import { GenericContainer, Wait } from 'testcontainers';

let container;
let api;
before(async () => {
  container = await new GenericContainer(process.env.INBOXD_IMAGE ?? 'inboxd:0.1.0')
    .withExposedPorts(8025, 2525)
    .withWaitStrategy(Wait.forHttp('/health', 8025).forStatusCode(200))
    .start();
  api = `http://${container.getHost()}:${container.getMappedPort(8025)}`;
});
after(() => container?.stop());

test('a mailbox receives mail and its code is read', async () => {
  const created = await (await fetch(`${api}/api/v1/mailboxes?ttl_minutes=10`, { method: 'POST' })).json();
  const smtp = nodemailer.createTransport({ host: container.getHost(), port: container.getMappedPort(2525) });
  await smtp.sendMail({ from: 'shop@example.com', to: created.address, subject: 'Your code', text: 'Your code is 482913.' });

  const headers = { 'X-Session-Token': created.session_token };
  const wait = await fetch(`${api}/api/v1/mailboxes/${created.address}/messages/wait?subject=Your%20code&timeout=30`, { headers });
  assert.equal(wait.status, 200);
  const message = await wait.json();
  assert.equal(message.codes[0].value, '482913');
});
