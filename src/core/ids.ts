/**
 * Row ids: time-sortable and unique without coordination between nodes, so ids sort by arrival
 * and any node can mint them. Not secrets (those are in tokens.ts).
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * random bytes drawn in blocks: one randomBytes call per 256 ids instead of one per id (a system
 * call each; several ids are minted per delivered message).
 */
const BLOCK = 4096;
let block = Buffer.alloc(0);
let used = BLOCK;

/** a time-sortable unique id: 48-bit millisecond time + 80 random bits, as 26 Crockford base32 chars (ULID layout). */
export function newId(now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  if (used + 16 > BLOCK) {
    block = randomBytes(BLOCK);
    used = 0;
  }
  let rand = '';
  for (let i = used; i < used + 16; i++) rand += ALPHABET[block[i]! % 32];
  used += 16;
  return time + rand;
}
