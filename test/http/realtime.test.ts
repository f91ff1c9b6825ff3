// WebSocket: since=<seq> replay with no gap and no duplicate, pings, the Origin allow-list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectWs, startTestServer, type TestServer } from '../support/harness.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ ws_ping_interval: 1, allowed_origins: 'https://app.example' });
});
afterAll(async () => {
  await s.close();
});

const seqs = (events: { event: string; seq?: number }[]) => events.filter((e) => e.event === 'new_message').map((e) => e.seq);

describe('WebSocket events', () => {
  it('replays what a client missed while disconnected, then streams live, with no gap and no duplicate', async () => {
    const { address, token } = await s.anonymousMailbox();
    const first = await s.ws(`/ws/inbox/${address}?token=${token}`);
    await s.send({ to: address, subject: 'm1', text: 'x' });
    const e1 = await first.next((e) => e.event === 'new_message');
    expect(e1.seq).toBe(1);
    first.close();
    await first.closed;

    // two messages arrive while nobody listens
    await s.send({ to: address, subject: 'm2', text: 'x' });
    await s.send({ to: address, subject: 'm3', text: 'x' });

    const again = await s.ws(`/ws/inbox/${address}?token=${token}&since=${e1.seq}`);
    const got = [await again.next((e) => e.event === 'new_message'), await again.next((e) => e.event === 'new_message')];
    expect(got.map((e) => [e.seq, e.subject])).toEqual([[2, 'm2'], [3, 'm3']]);
    // live messages sent while the replay may still be running are neither lost nor doubled
    await Promise.all([4, 5, 6].map((n) => s.send({ to: address, subject: `m${n}`, text: 'x' })));
    for (let i = 0; i < 3; i++) await again.next((e) => e.event === 'new_message' && e.seq >= 4);
    await new Promise((r) => setTimeout(r, 100));
    const all = [...got, ...again.events];
    expect(seqs(all).filter((q) => q !== undefined && q >= 4)).toEqual([]);
    again.close();

    const full = await s.ws(`/ws/inbox/${address}?token=${token}&since=0`);
    for (let i = 1; i <= 6; i++) expect((await full.next((e) => e.event === 'new_message')).seq).toBe(i);
    full.close();
  });

  it('sends a ping event on the configured interval', async () => {
    const { address, token } = await s.anonymousMailbox();
    const ws = await s.ws(`/ws/inbox/${address}?token=${token}`);
    expect(await ws.next((e) => e.event === 'ping', 3_000)).toEqual({ event: 'ping' });
    ws.close();
  });

  it('refuses the upgrade from an Origin that is not allowed, and accepts a listed one', async () => {
    const { address, token } = await s.anonymousMailbox();
    const url = `${s.url.replace('http', 'ws')}/ws/inbox/${address}?token=${token}`;
    await expect(connectWs(url, { headers: { origin: 'https://evil.example' } })).rejects.toThrow(/403/);
    const ok = await connectWs(url, { headers: { origin: 'https://app.example' } });
    await s.send({ to: address, subject: 'origin ok', text: 'x' });
    expect((await ok.next((e) => e.event === 'new_message')).subject).toBe('origin ok');
    ok.close();
  });

  it('refuses a bad since with 1008', async () => {
    const { address, token } = await s.anonymousMailbox();
    const ws = await s.ws(`/ws/inbox/${address}?token=${token}&since=-4`);
    expect((await ws.closed).code).toBe(1008);
  });
});
