// The web inbox in a real browser (Debian's Chromium driven by playwright-core): one click to a
// mailbox, mail arriving live over SMTP without a reload, hostile HTML that must run nothing,
// remote images held back until asked for, an attachment downloaded byte for byte, API-key mode.
// Screenshots go to test-results/web/. A missing build fails; a missing browser is a loud NOT RUN
// (a failure in CI, where INBOXD_REQUIRE_BROWSER=1: test/support/browser.ts).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultWebDistDir, webRoutes } from '../../src/http/routes/web.js';
import { type Browser, describeBrowser, launchBrowser, SKIP_BROWSER } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = join(ROOT, 'test-results/web');

/** a local HTTP server standing in for "the internet": it counts every request by path. */
interface Counter {
  url: string;
  hits: string[];
  count(path: string): number;
  close(): Promise<void>;
}

// a 1×1 transparent PNG
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

async function startCounter(): Promise<Counter> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'image/png', 'access-control-allow-origin': '*' });
    res.end(PIXEL);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    count: (path) => hits.filter((h) => h.startsWith(path)).length,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** every trick we know for getting script to run out of an email, each one phoning home if it works. */
function hostileHtml(c: string): string {
  return `<!doctype html><html><head>
<meta http-equiv="refresh" content="0;url=${c}/refresh">
<base href="${c}/base/">
<link rel="stylesheet" href="${c}/stylesheet.css">
<style>@import url("${c}/import.css"); .x { color: #123; }</style>
</head>
<body onload="fetch('${c}/bodyonload')">
<h1 id="hello" style="color:#0a7">Hello from the hostile mail</h1>
<p>Your verification code is <b>482913</b>.</p>
<script>window.__pwned = 1; top.postMessage('pwned', '*'); parent.document.title = 'pwned'; fetch('${c}/script');</script>
<img src="x" onerror="window.__pwned = 1; parent.document.title = 'pwned'; fetch('${c}/onerror')">
<svg><script>fetch('${c}/svgscript')</script></svg>
<svg onload="fetch('${c}/svgonload')"><animate onbegin="fetch('${c}/animate')" attributeName="x" dur="1s"/></svg>
<a id="jslink" href="javascript:fetch('${c}/jslink');parent.document.title='pwned'">a javascript: link</a>
<a id="jslink2" href=" jAvAsCrIpT&colon;fetch('${c}/jslink2')">an obfuscated one</a>
<a id="outlink" href="https://example.com/welcome">a real link</a>
<iframe src="javascript:parent.parent.document.title='pwned'"></iframe>
<iframe srcdoc="<script>fetch('${c}/nested')</script>"></iframe>
<object data="${c}/object"></object><embed src="${c}/embed">
<form action="${c}/form" method="get"><input name="q" value="1"><button id="formbtn" type="submit">Submit</button></form>
<details open ontoggle="fetch('${c}/ontoggle')"><summary>details</summary></details>
<input autofocus onfocus="fetch('${c}/onfocus')">
<p><img id="tracker" src="${c}/pixel.png" alt="remote image" width="40" height="40"></p>
<div style="background-image:url(${c}/bg.png);width:40px;height:40px">bg</div>
</body></html>`;
}

let s: TestServer;
let counter: Counter;
let browser: Browser | undefined;
let page: Page;
const dialogs: string[] = [];

beforeAll(async () => {
  // the serving tests need the build even when the browser ones are left out
  if (!existsSync(join(defaultWebDistDir(), 'index.html'))) throw new Error(`web UI not built (${defaultWebDistDir()} has no index.html): run npm run build before these tests`);
  mkdirSync(SHOTS, { recursive: true });
  s = await startTestServer();
  counter = await startCounter();
  // the serving tests below need no browser; the Chromium ones are left out, loudly
  if (SKIP_BROWSER) return;
  browser = await launchBrowser({ acceptDownloads: true });
  page = browser.page;
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    // our own "delete this mailbox?" confirm is the only dialog the app opens
    void (d.type() === 'confirm' && d.message().startsWith('Delete ') ? d.accept() : d.dismiss());
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await counter?.close();
  await s?.close();
});

describe('web UI serving', () => {
  it('serves the app at / with a strict CSP and leaves the API 404s alone', async () => {
    const res = await fetch(s.url + '/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await res.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeTruthy();
    const js = await fetch(s.url + asset);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');
    // read to the end, or the keep-alive connection stays busy and holds the server's close
    await js.arrayBuffer();

    const api404 = await s.api('GET', '/api/v1/no-such-thing');
    expect(api404.status).toBe(404);
    expect(api404.body.error).toBe('not_found');
  });

  it('answers 503 with the fix when the UI was never built', async () => {
    const app = Fastify();
    webRoutes(app, { distDir: join(tmpdir(), 'inboxd-no-such-dist') });
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.json().message).toMatch(/web UI not built: run npm run build/);
    await app.close();
  });
});

describeBrowser('web inbox in Chromium', () => {
  let address = '';
  const attachment = randomBytes(4096);

  it('creates a mailbox with one click, and a message appears live without a reload', async () => {
    await page.goto(s.url + '/');
    await page.getByRole('heading', { name: 'A mailbox in one click' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'home.png') });

    await page.getByRole('button', { name: 'Create a mailbox' }).click();
    const heading = page.locator('#addr-h');
    await heading.waitFor();
    address = (await heading.textContent())!.trim();
    expect(address).toMatch(/@inboxd\.test$/);
    expect(page.url()).toContain(`#/m/${encodeURIComponent(address)}`);
    await page.locator('.live[data-state="live"]').waitFor();
    await expect.poll(() => page.locator('.ttl-value').textContent()).toMatch(/\d/);

    // a marker that a reload would wipe
    await page.evaluate(() => ((globalThis as unknown as { __noReload: number }).__noReload = 1));
    await s.send({
      to: address,
      from: 'Hostile Sender <attacker@example.com>',
      subject: 'Your code and a surprise',
      text: 'Your verification code is 482913.\nSee https://example.com/welcome',
      html: hostileHtml(counter.url),
      attachments: [{ filename: 'report.bin', content: attachment, contentType: 'application/octet-stream' }],
    });
    const row = page.locator('.msg', { hasText: 'Your code and a surprise' });
    await row.waitFor({ timeout: 10_000 });
    expect(await row.getAttribute('class')).toContain('unread');
    expect(await page.evaluate(() => (globalThis as unknown as { __noReload?: number }).__noReload)).toBe(1);
    await expect.poll(() => row.locator('.chip.code').textContent()).toBe('482913');
    await page.screenshot({ path: join(SHOTS, 'inbox.png') });
  });

  it('shows the message and runs none of its script; remote images wait for consent', async () => {
    await page.locator('.msg a', { hasText: 'Your code and a surprise' }).click();
    await page.getByRole('heading', { name: 'Your code and a surprise' }).waitFor();
    await expect.poll(() => page.locator('.msg.current').getAttribute('class')).not.toContain('unread');
    await expect.poll(() => page.locator('.code-value').first().textContent()).toBe('482913');
    await expect.poll(() => page.locator('.meta').textContent()).toContain('attacker@example.com');

    const iframe = page.locator('iframe.mail-frame');
    await iframe.waitFor();
    const sandbox = (await iframe.getAttribute('sandbox')) ?? '';
    expect(sandbox).not.toContain('allow-scripts');
    expect(sandbox).not.toContain('allow-same-origin');
    const srcdoc = (await iframe.getAttribute('srcdoc')) ?? '';
    expect(srcdoc).toMatch(/^<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:;/);

    const frame = page.frameLocator('iframe.mail-frame');
    await frame.locator('#hello').waitFor();
    await page.locator('.toast:not(.show)').waitFor({ state: 'attached' });
    await page.screenshot({ path: join(SHOTS, 'message.png'), fullPage: true });
    expect(await frame.locator('#outlink').getAttribute('target')).toBe('_blank');
    expect(await frame.locator('#outlink').getAttribute('rel')).toBe('noopener noreferrer');
    // the payloads get their chance: clicks on the javascript: links and the form
    await frame.locator('#jslink').click();
    await frame.locator('#jslink2').click();
    await frame.locator('#formbtn').click();
    await page.waitForTimeout(1500);

    expect(counter.hits.filter((h) => h !== '/pixel.png' && h !== '/bg.png')).toEqual([]);
    expect(counter.count('/pixel.png')).toBe(0);
    expect(counter.count('/bg.png')).toBe(0);
    expect(await page.title()).not.toContain('pwned');
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    // looked at from inside the frame too (the test's own evaluation is not subject to the sandbox)
    expect(await frame.locator('#hello').evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await frame.locator('script, iframe, object, embed, meta[http-equiv="refresh"], base, [onerror], [onload], [onclick]').count()).toBe(0);
    expect(dialogs).toEqual([]);
    // the frame is still the message, not navigated by a refresh, a form or a link
    expect(await frame.locator('#hello').textContent()).toBe('Hello from the hostile mail');
    await expect.poll(() => page.locator('.remote-bar').textContent()).toMatch(/Remote content blocked \(\d+ items?\)/);

    await page.getByRole('button', { name: 'Load remote content' }).click();
    await expect.poll(() => counter.count('/pixel.png'), { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(() => counter.count('/bg.png'), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.waitForTimeout(500);
    // consent let images through, still nothing else
    expect(counter.hits.filter((h) => h !== '/pixel.png' && h !== '/bg.png')).toEqual([]);
    expect(await page.title()).not.toContain('pwned');
    expect(dialogs).toEqual([]);
  });

  it('downloads an attachment byte for byte, and shows text, headers and raw source', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download report.bin' }).click()]);
    expect(download.suggestedFilename()).toBe('report.bin');
    const path = await download.path();
    expect(Buffer.compare(readFileSync(path), attachment)).toBe(0);

    await page.getByRole('tab', { name: 'Text' }).click();
    await expect.poll(() => page.locator('pre.body-text').textContent()).toContain('Your verification code is 482913.');
    expect(await page.locator('pre.body-text a').getAttribute('rel')).toBe('noopener noreferrer');
    // keyboard: arrows move between tabs
    await page.getByRole('tab', { name: 'Text' }).press('ArrowRight');
    await expect.poll(() => page.getByRole('tab', { name: 'Headers' }).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => page.locator('table.headers').textContent()).toContain('Your code and a surprise');
    await page.getByRole('tab', { name: 'Raw' }).click();
    await expect.poll(() => page.locator('pre.raw').textContent()).toContain('Subject: Your code and a surprise');
  });

  it('fits a phone without sideways scrolling, and follows the dark theme', async () => {
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('tab', { name: 'HTML' }).click();
    expect(await overflow()).toBeLessThanOrEqual(0);
    const light = await background();
    // screenshots are kept in test-results/web/ for a person to look at; the assertions decide
    await page.screenshot({ path: join(SHOTS, 'message-phone.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.locator('a.back').click();
    await page.locator('.msg').first().waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    const dark = await background();
    expect(dark).not.toBe(light);
    // the dark background is dark: the sum of its RGB channels is below half of white's
    const [r, g, b] = (dark.match(/\d+/g) ?? []).map(Number);
    expect((r ?? 255) + (g ?? 255) + (b ?? 255)).toBeLessThan(383);
    await page.screenshot({ path: join(SHOTS, 'inbox-phone-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('keeps the mailbox across a reload, extends it, deletes a message, then the mailbox', async () => {
    await page.reload();
    await page.locator('.msg', { hasText: 'Your code and a surprise' }).waitFor();
    await page.selectOption('#extend-ttl', { label: '1 day' });
    await page.getByRole('button', { name: 'Extend' }).click();
    await expect.poll(() => page.locator('.ttl-value').textContent()).toMatch(/^(1d|23h)/);

    await page.locator('.msg a').first().click();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByText('Waiting for mail…').waitFor();

    await page.goto(s.url + '/#/');
    await page.getByRole('link', { name: address }).waitFor();
    await page.getByRole('link', { name: address }).click();
    const token = await page.evaluate((a) => (JSON.parse((globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage.getItem('inboxd.mailboxes') ?? '[]') as { address: string; token: string }[]).find((m) => m.address === a)?.token, address);
    expect(token).toBeTruthy();
    await page.getByRole('button', { name: 'Delete mailbox' }).click();
    await page.getByRole('heading', { name: 'A mailbox in one click' }).waitFor();
    expect(await page.getByRole('link', { name: address }).count()).toBe(0);
    const gone = await s.api('GET', `/api/v1/mailboxes/${address}`, { token });
    expect([404, 410]).toContain(gone.status);
  });

  it('API-key mode lists the owner’s mailboxes and opens one', async () => {
    const { key } = await s.userWithKey('pro');
    const made = await s.api('POST', '/api/v1/mailboxes', { token: key, body: { local_part: `keyed-${Date.now()}` } });
    expect(made.status).toBe(201);
    await page.goto(s.url + '/#/');
    await page.getByLabel('Paste a key to see and manage its mailboxes').fill(key);
    await page.getByRole('button', { name: 'Use key' }).click();
    await page.getByRole('link', { name: made.body.address }).click();
    await page.locator('.live[data-state="live"]').waitFor();
    await s.send({ to: made.body.address, subject: 'For the key holder', text: 'hi' });
    await page.locator('.msg', { hasText: 'For the key holder' }).waitFor();
    expect(dialogs.filter((d) => !d.startsWith('confirm: Delete '))).toEqual([]);
  });
});
