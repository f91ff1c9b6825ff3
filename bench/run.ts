/**
 * `npm run bench -- <name> [options]`: runs one benchmark (or `all`), prints its table and writes
 * bench/results/<name>.json. Build first (`npm run build`): the server under test runs from dist/
 * as its own process on core 0; this load client pins itself to core 1. See bench/RESULTS.md.
 */
import { pinClient } from './lib.js';

const benches: Record<string, () => Promise<(argv: string[]) => Promise<void>>> = {
  ingest: async () => (await import('./ingest.js')).ingest,
  latency: async () => (await import('./latency.js')).latency,
  fanout: async () => (await import('./fanout.js')).fanout,
  growth: async () => (await import('./growth.js')).growth,
  connection: async () => (await import('./connection.js')).connection,
  cpu: async () => (await import('./cpu.js')).cpu,
  memory: async () => (await import('./memory.js')).memory,
  check: async () => (await import('./check.js')).check,
  webhooks: async () => (await import('./webhooks.js')).webhooks,
};

const [name, ...argv] = process.argv.slice(2);
// `all` runs the measuring benches; `check` (which repeats some of them) is run by name
if (!name || (name !== 'all' && !benches[name])) {
  console.error(`usage: npm run bench -- <${[...Object.keys(benches), 'all'].join('|')}> [--option value]`);
  process.exit(2);
}
// --server-cpus 0,1: servers under test may use both cores (the client stays on core 1)
const cpusAt = argv.indexOf('--server-cpus');
if (cpusAt >= 0 && argv[cpusAt + 1]) process.env.BENCH_SERVER_CPUS = argv[cpusAt + 1];
console.log(pinClient());
for (const n of name === 'all' ? Object.keys(benches).filter((b) => b !== 'check') : [name]) {
  console.log(`\n=== ${n} ===`);
  await (await benches[n]!())(argv);
}
process.exit(0);
