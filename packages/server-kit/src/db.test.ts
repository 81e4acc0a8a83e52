import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase, isUniqueViolation, isUuid, toIso } from './db.js';

describe('db helpers', () => {
  const { sql, db } = createDatabase(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/flux_test', 2);
  afterAll(() => db.destroy());

  it('isUuid accepts canonical UUIDs only', () => {
    expect(isUuid(crypto.randomUUID())).toBe(true);
    expect(isUuid('0196F3A2-7B1C-7D2E-8F00-0123456789AB')).toBe(true);
    expect(isUuid('0196f3a2-7b1c-7d2e-8f00-0123456789a')).toBe(false);
    expect(isUuid(`${crypto.randomUUID()} `)).toBe(false);
    expect(isUuid('1 or 1=1')).toBe(false);
    expect(isUuid(42)).toBe(false);
  });

  it('isUniqueViolation recognises PostgreSQL 23505, by constraint when named', async () => {
    const error = await sql
      .begin(async (trx) => {
        await trx`create temp table kit_unique (k text constraint kit_unique_k unique) on commit drop`;
        await trx`insert into kit_unique values ('a')`;
        await trx`insert into kit_unique values ('a')`;
      })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(isUniqueViolation(error)).toBe(true);
    expect(isUniqueViolation(error, 'kit_unique_k')).toBe(true);
    expect(isUniqueViolation(error, 'another_constraint')).toBe(false);

    const divisionByZero = await sql`select 1 / 0`.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(divisionByZero).toBeDefined();
    expect(isUniqueViolation(divisionByZero)).toBe(false);
    expect(isUniqueViolation(undefined)).toBe(false);
  });

  it('toIso formats Dates and timestamp strings, and keeps null', async () => {
    const [row] =
      (await sql`select '2025-03-04 05:06:07.089+00'::timestamptz as at, '2025-03-04 05:06:07.089+00'::text as text`) as unknown as [
        { at: Date; text: string },
      ];
    expect(toIso(row.at)).toBe('2025-03-04T05:06:07.089Z');
    expect(toIso(row.text)).toBe('2025-03-04T05:06:07.089Z');
    expect(toIso(null)).toBeNull();
  });
});
