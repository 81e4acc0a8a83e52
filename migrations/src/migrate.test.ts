import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, schemas } from './migrate.js';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/flux_test';

describe('migrate', () => {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  afterAll(() => sql.end());

  it('records every schema and is a no-op the second time, also when two runners race', async () => {
    await Promise.all([migrate(url), migrate(url)]);
    expect(await migrate(url)).toEqual([]);
    for (const schema of schemas) {
      const [row] =
        await sql`select count(*)::int as n from information_schema.tables where table_schema = ${schema} and table_name = 'schema_migrations'`;
      expect(row?.n).toBe(1);
    }
  });

  it('creates a missing database when asked', async () => {
    const name = `flux_mig_${process.pid}_${Date.now()}`;
    const target = new URL(url);
    target.pathname = `/${name}`;
    try {
      await migrate(target.toString(), { createDatabase: true });
      const [row] = await sql`select 1 as found from pg_database where datname = ${name}`;
      expect(row?.found).toBe(1);
    } finally {
      await sql.unsafe(`drop database if exists ${name} with (force)`);
    }
  });
});
