// Known mutation-XSS payloads against the web UI's HTML view, in a real browser (#14 item 9): each
// one is markup that a sanitiser sees as harmless but that becomes an element with an event
// handler when its output is parsed again (namespace confusion in <svg>/<math>, <style> and
// comments that read differently in another namespace, <noscript> and <template> parsing).
// DOMPurify runs in front of the hand-written cleaner; the sandbox and the frame's CSP stay
// behind both. Every payload phones home if it ever runs; none may, and no on* attribute may
// survive into the frame's document.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Browser, describeBrowser, launchBrowser, SKIP_BROWSER } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/harness.js';

/** the payloads: each, if it ever runs, requests `${c}/<name>` and marks the parent page. */
function payloads(c: string): Record<string, string> {
  const run = (name: string) => `fetch('${c}/${name}');parent.document.title='pwned'`;
  return {
    'svg-style': `<svg><style><img src=x onerror="${run('svg-style')}"></style></svg>`,
    'svg-p-style': `<svg></p><style><a id="</style><img src=1 onerror=${run('svg-p-style')}>">`,
    'svg-style-title': `<svg><p><style><g title="</style><img src=x onerror=${run('svg-style-title')}>">`,
    'math-mglyph': `<math><mtext><table><mglyph><style><img src=x onerror="${run('math-mglyph')}">`,
    'math-mglyph-comment': `<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;/mglyph&gt;&lt;img&Tab;src=1&Tab;onerror=${run('math-mglyph-comment')}&gt;">`,
    'form-math': `<form><math><mtext></form><form><mglyph><style></math><img src onerror=${run('form-math')}>`,
    'math-mi-style': `<math><mi><style><img src=x onerror="${run('math-mi-style')}"></style></mi></math>`,
    noscript: `<noscript><p title="</noscript><img src=x onerror=${run('noscript')}>"></noscript>`,
    template: `<template><img src=x onerror="${run('template')}"></template><template><style></template><img src=x onerror=${run('template-style')}>`,
    'svg-foreignobject': `<svg><foreignObject><iframe srcdoc="<img src=x onerror=${run('fo')}>"></iframe></foreignObject></svg>`,
    'math-annotation': `<math><annotation-xml encoding="text/html"><style><img src=x onerror=${run('annotation')}></style></annotation-xml></math>`,
    'svg-animate-href': `<svg><a><animate attributeName="href" values="javascript:${run('animate-href')}"/><text y="20">click</text></a></svg>`,
  };
}

let s: TestServer;
let browser: Browser;
const hits: string[] = [];
let home: Server;
let homeUrl = '';

beforeAll(async () => {
  if (SKIP_BROWSER) return;
  home = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.end();
  });
  await new Promise<void>((r) => home.listen(0, '127.0.0.1', r));
  homeUrl = `http://127.0.0.1:${(home.address() as AddressInfo).port}`;
  s = await startTestServer();
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
  if (home) await new Promise((r) => home.close(r));
});

describeBrowser('the HTML view against mXSS payloads', () => {
  it('runs none of them and keeps no event-handler attribute', { timeout: 60_000 }, async () => {
    const { page } = browser;
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(s.url + '/');
    await page.getByRole('button', { name: 'Create a mailbox' }).click();
    const address = (await page.locator('#addr-h').textContent())!.trim();
    await page.locator('.live[data-state="live"]').waitFor();
    const body = Object.entries(payloads(homeUrl))
      .map(([name, html]) => `<section data-payload="${name}"><h2>${name}</h2>${html}</section>`)
      .join('\n');
    await s.send({ to: address, subject: 'mXSS payloads', html: `<html><body><p id="marker">payloads follow</p>${body}</body></html>` });
    await page.locator('.msg a', { hasText: 'mXSS payloads' }).click();
    const frame = page.frameLocator('iframe.mail-frame');
    await frame.locator('#marker').waitFor();
    // the payloads get their chance: clicks on whatever is clickable, then time to fire
    await frame.locator('text=click').first().click({ timeout: 2000 }).catch(() => undefined);
    await page.waitForTimeout(1000);

    // looked at from inside the frame's parsed document (the test's evaluation is not sandboxed)
    const handlers = await frame.locator('#marker').evaluate((el) =>
      Array.from(el.ownerDocument.querySelectorAll('*'))
        .filter((e) => Array.from(e.attributes).some((a) => a.name.toLowerCase().startsWith('on') || /^\s*javascript:/i.test(a.value)))
        .map((e) => `${e.closest('[data-payload]')?.getAttribute('data-payload') ?? '?'}: ${e.outerHTML.slice(0, 120)}`),
    );
    expect(handlers).toEqual([]);
    expect(await frame.locator('script, iframe, noscript, template').count()).toBe(0);
    expect(hits).toEqual([]);
    expect(await page.title()).not.toContain('pwned');
    expect(dialogs).toEqual([]);
    // the harmless part of the mail is still shown
    expect(await frame.locator('#marker').textContent()).toBe('payloads follow');
  });
});
