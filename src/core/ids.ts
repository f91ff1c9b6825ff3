/**
 * Row ids: time-sortable and unique without coordination between nodes, so ids sort by arrival
 * and any node can mint them. Not secrets (those are in tokens.ts).
 */
import { randomBytes } from 'node:crypto';

/** a time-sortable unique id: 48-bit millisecond time + 80 random bits, as 26 Crockford base32 chars (ULID layout). */
export function newId(now: number = Date.now()): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = alphabet[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let rand = '';
  for (let i = 0; i < 16; i++) rand += alphabet[bytes[i]! % 32];
  return time + rand;
}
