// The Store contract against PostgreSQL (INBOXD_TEST_DATABASE_URL), in a schema of its own that is
// dropped afterwards; plus what only a shared database has: many nodes migrating at once.
import { expect, it } from 'vitest';
import { createPostgresStore } from '../../src/store/postgres/store.js';
import { describeScale, useFreshSchema } from '../support/scale-env.js';
import { describeStoreContract } from './store.contract.js';

describeScale('INBOXD_TEST_DATABASE_URL', 'PostgreSQL store', (urls) => {
  const url = urls.INBOXD_TEST_DATABASE_URL;
  const schema = useFreshSchema(url);
  describeStoreContract('postgres', () => createPostgresStore({ url, poolSize: 10, schema }));

  const raceSchema = useFreshSchema(url);
  it('applies each migration once when several nodes start together', async () => {
    const nodes = await Promise.all(Array.from({ length: 5 }, () => createPostgresStore({ url, poolSize: 2, schema: raceSchema })));
    try {
      await Promise.all(nodes.map((s) => s.migrate()));
      expect((await nodes[0]!.listPlans()).map((p) => p.name)).toEqual(['free', 'pro']);
      const other = nodes[1]!;
      // the same schema is seen by every node
      const user = await other.createUser({ email: 'race@example.com', plan: 'free' });
      expect(await nodes[4]!.getUser(user.id)).toEqual(user);
    } finally {
      await Promise.all(nodes.map((s) => s.close()));
    }
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(createPostgresStore({ url, poolSize: 2, schema: 'x"; DROP TABLE plans; --' })).rejects.toThrow(/invalid PostgreSQL schema name/);
  });
});
