/**
 * Unit tests for code and link extraction and the HTML-to-text rendering they read from.
 */
import { describe, expect, it } from 'vitest';
import { extractAll, extractCodes, extractLinks, htmlToText, MAX_CODES, MAX_LINKS, MAX_SCAN_CHARS } from './index.js';

const codes = (input: { subject?: string | null; text?: string | null; html?: string | null }) =>
  extractCodes({ subject: input.subject ?? null, text: input.text ?? null, htmlText: input.html ? htmlToText(input.html) : null });
const values = (input: Parameters<typeof codes>[0]) => codes(input).map((c) => c.value);

describe('extractCodes', () => {
  it('finds a code in the subject', () => {
    const found = codes({ subject: '482913 is your verification code' });
    expect(found).toEqual([
      { value: '482913', source: 'subject', context: '482913 is your verification code' },
    ]);
  });

  it('finds a code in an HTML table cell, reading the rendered text', () => {
    const html = `<html><head><style>td { color: #112233; font-size: 2400px }</style></head><body>
      <table><tr><td>Your verification code</td><td><strong>730155</strong></td></tr></table></body></html>`;
    const found = codes({ html });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ value: '730155', source: 'html' });
    expect(found[0]!.context).toContain('Your verification code 730155');
  });

  it('finds an upper-case alphanumeric OTP but not ordinary words or units', () => {
    const text = 'Your one-time passcode is A7K9QZ. Download the 25MB MP4 in 1080P. THANKS AGAIN';
    expect(values({ text })).toEqual(['A7K9QZ']);
  });

  it('finds mixed-case alphanumeric codes near a keyword', () => {
    expect(values({ text: 'Your verification code is vM8xw' })).toEqual(['vM8xw']);
    expect(values({ subject: 'Login code: Ab12Cd' })).toEqual(['Ab12Cd']);
    expect(values({ html: '<p>Use this one-time code:</p><p><b>q7TzK2</b></p>' })).toEqual(['q7TzK2']);
  });

  it('does not take mixed-case words, names with a number or ids in URLs as codes', () => {
    const text = [
      'Your verification code arrives shortly. Thanks for using iPhone15 and Node20 with WiFi6.',
      'Verify at https://app.example/verify/vM8xw or https://app.example/c?code=Ab12Cd.',
      'Confirm your email, McDonald. Code sent from support@Ab12Cd.example.',
      'Token: IPv6 then eBay then JavaScript',
    ].join('\n');
    expect(values({ subject: 'Verify your account', text })).toEqual([]);
  });

  it('does not take years, phone numbers, prices or URL parts as codes', () => {
    const text = [
      'Thanks for your order of 2025-11-25 totalling $1234.50.',
      'Call 0800 123 4567 or +1 (555) 123-4567.',
      'Track it at https://shop.example/orders/88812345?code=554433',
      'Write to 99887766@shop.example. © 2026 Shop Inc, colour #AB12CD',
    ].join('\n');
    expect(codes({ subject: 'Your order', text })).toEqual([]);
  });

  it('accepts a year-shaped number right next to a keyword', () => {
    expect(values({ text: 'Your PIN: 2026' })).toEqual(['2026']);
  });

  it('drops numbers far from any keyword, unless a single 6-digit number is all there is', () => {
    expect(values({ text: 'Order 5566 shipped. Reference 7788.' })).toEqual([]);
    expect(values({ text: 'Enter 551234 on the page you came from.' })).toEqual(['551234']);
  });

  it('ranks the candidate nearest a keyword first', () => {
    const text = 'Account 88123456 was used to sign in. Your security code is 319204. Ticket 77001234 (not a code).';
    const found = values({ text });
    expect(found[0]).toBe('319204');
    expect(found).toContain('88123456');
  });

  it('joins a split six-digit code and recognises non-English keywords', () => {
    expect(values({ text: 'Ihr Bestätigungscode lautet 123 456.' })).toEqual(['123456']);
    expect(values({ text: 'Tu código de verificación: 908172' })).toEqual(['908172']);
    expect(values({ text: '認証コード：445566' })).toEqual(['445566']);
  });

  it('keeps one entry per (value, source), and an html code only when the text part lacks it', () => {
    const found = codes({
      subject: 'Code 112233',
      text: 'Your code is 112233. Again: code 112233.',
      html: '<p>Your code is 112233</p><p>Backup code 665544</p>',
    });
    expect(found.map((c) => `${c.source}:${c.value}`).sort()).toEqual(['html:665544', 'subject:112233', 'text:112233']);
  });

  it('caps the number of codes', () => {
    const text = Array.from({ length: 100 }, (_, i) => `code ${100000 + i * 7}`).join('. ');
    expect(codes({ text })).toHaveLength(MAX_CODES);
  });

  it('finishes on hostile input with bounded output', () => {
    const hostile = `${'1234,'.repeat(200_000)}${'a1'.repeat(100_000)}${'<div>'.repeat(50_000)}`;
    expect(codes({ text: hostile, html: hostile }).length).toBeLessThanOrEqual(MAX_CODES);
  });
});

describe('extractLinks', () => {
  const html = `<html><body>
    <img src="https://track.example/open.gif?u=1" width="1" height="1">
    <p>Click <a href="https://app.example/auth/magic?token=abc&amp;next=%2Fhome">Sign in to App</a> to continue.</p>
    <a href="https://app.example/auth/magic?token=abc&amp;next=%2Fhome">again</a>
    <footer><a href="https://app.example/unsubscribe?u=1">Unsubscribe</a> ·
      <a href="https://app.example/preferences">Email preferences</a>
      <a href="mailto:help@app.example">Help</a> <a href="javascript:alert(1)">x</a>
      <a href="data:text/html,hi">y</a> <a href="/relative">z</a>
      <a href="https://app.example/logo"><img src="https://cdn.example/logo.png" alt="App logo"></a>
      <div style="display: none"><a href="https://hidden.example/">hidden</a></div></footer>
  </body></html>`;

  it('finds the magic link among footer links, with anchor text, entities decoded', () => {
    const links = extractLinks({ text: null, html });
    expect(links).toEqual([
      { url: 'https://app.example/auth/magic?token=abc&next=%2Fhome', text: 'Sign in to App', source: 'html' },
      { url: 'https://app.example/unsubscribe?u=1', text: 'Unsubscribe', source: 'html' },
      { url: 'https://app.example/preferences', text: 'Email preferences', source: 'html' },
      { url: 'https://app.example/logo', text: 'App logo', source: 'html' },
    ]);
  });

  it('does not report image sources (tracking pixels) or non-web schemes', () => {
    const urls = extractLinks({ text: null, html }).map((l) => l.url);
    expect(urls.some((u) => u.includes('track.example') || u.includes('cdn.example'))).toBe(false);
    expect(urls.some((u) => /^(mailto|javascript|data):/.test(u))).toBe(false);
  });

  it('finds bare URLs in text, trimming sentence punctuation', () => {
    const text = 'Verify here: https://x.example/v?a=1&b=2. Docs (https://x.example/docs) and https://x.example/v?a=1&b=2!';
    expect(extractLinks({ text, html: null })).toEqual([
      { url: 'https://x.example/v?a=1&b=2', text: null, source: 'text' },
      { url: 'https://x.example/docs', text: null, source: 'text' },
    ]);
  });

  it('keeps the same URL once per source', () => {
    const links = extractLinks({ text: 'https://a.example/x', html: '<a href="https://a.example/x">A</a>' });
    expect(links.map((l) => l.source)).toEqual(['text', 'html']);
  });

  it('caps the number of links', () => {
    const text = Array.from({ length: 500 }, (_, i) => `https://a.example/${i}`).join(' ');
    expect(extractLinks({ text, html: null })).toHaveLength(MAX_LINKS);
  });
});

describe('htmlToText', () => {
  it('drops head, scripts, styles, comments and hidden elements, and decodes entities', () => {
    const html = `<!doctype html><html><head><title>Title</title><style>p{}</style></head>
      <body><script>var x = "<p>no</p>";</script><!-- comment -->
      <span style="display:none">pre</span><span hidden>h</span><span style="font-size:0px">z</span>
      <span style="visibility: hidden">v</span><p>Fish &amp; chips &lt;3 &euro;5 &#8212; caf&eacute; &#x1F600;</p>
      <p>Line<br>break</p><ul><li>one<li>two</ul></body></html>`;
    expect(htmlToText(html)).toBe('Fish & chips <3 €5 — café 😀\n\nLine\nbreak\n\n- one\n- two');
  });

  it('reads a head-less template whose head is never closed', () => {
    expect(htmlToText('<html><head><title>x</title><body><p>Hello</p>')).toBe('Hello');
  });

  it('collapses white space per line, keeps <pre> lines and unusual spaces inside a line', () => {
    // the rendering is built as it streams (no split and join of lines): these pin its edges
    expect(htmlToText('<p>a \u2003 </p><p>\u2003b\u3000c</p><div></div><div></div><div>d</div>')).toBe('a\n\nb\u3000c\n\nd');
    expect(htmlToText('<pre>  x\t\t y \r\n\n\n\n  z\f</pre> tail &nbsp;&nbsp; end<br>')).toBe('x y\n\nz\n\ntail end');
    expect(htmlToText('<ul><li>one  two<li> three </ul>x<br><br><br>y')).toBe('- one two\n- three\n\nx\n\ny');
    expect(htmlToText('<td>a</td><td>&#8195;b</td>\n\n<TR><td>c')).toBe('a \u2003b\nc');
    expect(htmlToText('<B>bold</B><I>x</I> <A HREF="https://a.example/" >A</A>')).toBe('boldx A');
  });

  it('stays linear on long runs of mixed white space inside a line', () => {
    // a gap of other spaces is kept until the next word; asking it about its last character
    // each time once made this quadratic
    const run = '\u2003 '.repeat(200_000);
    expect(htmlToText(`<p>a${run}b</p>`)).toBe(`a${run}b`);
  });

  it('keeps small but non-zero font sizes', () => {
    expect(htmlToText('<span style="font-size:0.9em">small</span> <span style="font-size: 0">gone</span>')).toBe('small');
  });
});

describe('extractAll', () => {
  it('gives what the three extractors give separately, from one walk of the HTML', () => {
    const html = `<html><body><p style="display:none">preheader 111111</p>
      <p>Your code is <b>482913</b>. <a href="https://app.example/verify?t=1&amp;u=2">Verify</a></p>
      <table><tr><td>Backup code</td><td>vM8xw</td></tr></table></body></html>`;
    const text = 'Code: 482913 https://app.example/plain';
    const all = extractAll({ subject: 'Your login code', text, html });
    expect(all.htmlText).toBe(htmlToText(html));
    expect(all.links).toEqual(extractLinks({ text, html }));
    expect(all.codes).toEqual(extractCodes({ subject: 'Your login code', text, htmlText: htmlToText(html) }));
    expect(all.codes.map((c) => c.value)).toEqual(['482913', 'vM8xw']);
  });

  it('renders the whole of an HTML body longer than the scan cap', () => {
    const html = `<p>${'x'.repeat(MAX_SCAN_CHARS)}</p><p><a href="https://late.example/">late</a> tail</p>`;
    const all = extractAll({ subject: null, text: null, html });
    expect(all.htmlText!.endsWith('late tail')).toBe(true);
    expect(all.links).toEqual([]);
  });
});
