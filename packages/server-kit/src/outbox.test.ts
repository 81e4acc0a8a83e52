import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { EventMap } from '@flux/shared';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/support/eventually.js';
import { createDatabase } from './db.js';
import { createOutbox, type OutboxEvent, OutboxRelay, type OutboxSink } from './outbox.js';
import { DurableEvents } from './streams.js';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/flux_test';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const log = pino({ level: 'silent' });

type Durable = Pick<EventMap, 'membership.changed' | 'sessions.revoked'>;
const revocation = (userId: string): Durable['sessions.revoked'] => ({
  userId,
  sessionIds: [randomUUID()],
  reason: 'logout',
  until: new Date(Date.now() + 60_000).toISOString(),
});

/** The real outbox DDL (auth's migration) in a schema of its own, so no service's relay reads it. */
async function createSchema({ sql: client }: ReturnType<typeof createDatabase>, schema: string) {
  const ddl = readFileSync(new URL('../../../migrations/sql/auth/0002_outbox.sql', import.meta.url), 'utf8')
    .replaceAll('auth.', `${schema}.`)
    .replaceAll('auth_outbox', `${schema}_outbox`);
  await client.unsafe(`create schema ${schema}; ${ddl}`).simple();
}

describe('transactional outbox and its relay', () => {
  const schema = `outbox_test_${randomUUID().slice(0, 8)}`;
  const prefix = `${process.env.REDIS_PREFIX ?? 'flux-test:'}outbox-${randomUUID().slice(0, 8)}:`;
  const database = createDatabase(databaseUrl, 10);
  const redis = new Redis(redisUrl);
  const outbox = createOutbox<Durable>(schema);
  const opened: Array<{ close?: () => Promise<void>; stop?: () => Promise<void> }> = [];

  const streams = () => {
    const bus = new DurableEvents(redis, { redisUrl, prefix, log, retryAfterMs: 200 });
    opened.push(bus);
    return bus;
  };
  const relay = (sink: OutboxSink<Durable>, db = database) => {
    const made = new OutboxRelay<Durable>({ db: db.db, sql: db.sql, schema, sink, log, pollMs: 200 });
    opened.push(made);
    return made;
  };
  const pending = async () =>
    Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(`${schema}.outbox`)}`.execute(database.db)).rows[0]?.n);

  beforeAll(async () => {
    await createSchema(database, schema);
  });
  // Each test's relays and readers end with it, so none of them takes the next test's events.
  afterEach(async () => {
    for (const item of opened.splice(0).reverse()) await (item.stop ?? item.close)?.call(item);
  });
  afterAll(async () => {
    await sql.raw(`drop schema ${schema} cascade`).execute(database.db);
    await database.db.destroy();
    await redis.quit();
  });

  it('writes nothing when the transaction rolls back', async () => {
    await database.db
      .transaction()
      .execute(async (trx) => {
        await outbox.add(trx, 'sessions.revoked', revocation(randomUUID()));
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect(await pending()).toBe(0);
  });

  it('delivers an event committed while no relay ran once one starts, exactly once to an idempotent consumer', async () => {
    const bus = streams();
    const handled: string[] = [];
    await bus.consume('sessions.revoked', 'kit-test', (event) => {
      handled.push(event.payload.userId);
    });
    const userId = randomUUID();
    await database.db.transaction().execute((trx) => outbox.add(trx, 'sessions.revoked', revocation(userId)));
    expect(await pending()).toBe(1);

    await relay((events) => bus.append(events)).start();
    await eventually(() => handled.includes(userId), { what: 'the consumer handled the event' });
    await eventually(async () => (await pending()) === 0, { what: 'the outbox is empty' });
    expect(handled.filter((id) => id === userId)).toHaveLength(1);
  });

  it('a relay that dies after handing on a batch, before its commit, relays it again; the consumer handles it once', async () => {
    const bus = streams();
    const handled: string[] = [];
    await bus.consume('sessions.revoked', 'kit-test-crash', (event) => {
      handled.push(event.id);
    });
    // The first relay appends to the stream, then its transaction never commits (as when the
    // process dies there): the rows stay, and it stops before trying again.
    let appended: () => void = () => {};
    const appendedOnce = new Promise<void>((resolve) => {
      appended = resolve;
    });
    const doomed = relay(async (events) => {
      await bus.append(events);
      appended();
      throw new Error('died before commit');
    });
    const eventId = await database.db.transaction().execute((trx) => outbox.add(trx, 'sessions.revoked', revocation(randomUUID())));
    await doomed.start();
    await appendedOnce;
    await doomed.stop();
    expect(await pending()).toBe(1);

    await relay((events) => bus.append(events)).start();
    await eventually(async () => (await pending()) === 0, { what: 'the second relay emptied the outbox' });
    const entries = (await redis.xrange(`${prefix}stream:sessions.revoked`, '-', '+')).filter(([, fields]) => fields.includes(eventId));
    expect(entries).toHaveLength(2);
    // Both deliveries reach the group and are acknowledged; the handler ran for one of them.
    await eventually(
      async () => Number(((await redis.xpending(`${prefix}stream:sessions.revoked`, 'kit-test-crash')) as [number])[0]) === 0,
      {
        what: 'both deliveries acknowledged',
      },
    );
    expect(handled.filter((id) => id === eventId)).toHaveLength(1);
  });

  it('several relays on one outbox hand each event on once, in the order written', async () => {
    const seen: OutboxEvent<Durable>[] = [];
    const relays = [1, 2, 3].map(() =>
      relay(async (events) => {
        seen.push(...events);
      }),
    );
    const ids: string[] = [];
    for (let i = 0; i < 60; i++)
      ids.push(await database.db.transaction().execute((trx) => outbox.add(trx, 'sessions.revoked', revocation(randomUUID()))));
    await Promise.all(relays.map((r) => r.start()));
    await eventually(async () => (await pending()) === 0, { what: 'the outbox is empty' });
    expect(seen.map((event) => event.id)).toEqual(ids);
  });

  it('a relay moves only the rows of its own deployment (another REDIS_PREFIX on the same database leaves them)', async () => {
    const mine = createOutbox<Durable>(schema, 'deployment-a:');
    const seen: string[] = [];
    const other = new OutboxRelay<Durable>({
      db: database.db,
      sql: database.sql,
      schema,
      deployment: 'deployment-b:',
      log,
      sink: async (events) => {
        seen.push(...events.map((event) => event.id));
      },
    });
    opened.push(other);
    const id = await database.db.transaction().execute((trx) => mine.add(trx, 'sessions.revoked', revocation(randomUUID())));
    expect(await other.drain()).toBe(0);
    expect(await pending()).toBe(1);
    const own = new OutboxRelay<Durable>({
      db: database.db,
      sql: database.sql,
      schema,
      deployment: 'deployment-a:',
      log,
      sink: async (events) => {
        seen.push(...events.map((event) => event.id));
      },
    });
    opened.push(own);
    expect(await own.drain()).toBe(1);
    expect(seen).toEqual([id]);
  });

  it('a consumer group whose stream vanished (Redis restarted empty) is re-created and gets the events appended after', async () => {
    const bus = streams();
    const handled: string[] = [];
    await bus.consume('sessions.revoked', 'kit-test-vanished', (event) => {
      handled.push(event.id);
    });
    await redis.del(`${prefix}stream:sessions.revoked`);
    const event = { id: randomUUID(), name: 'sessions.revoked' as const, payload: revocation(randomUUID()), createdAt: new Date() };
    await bus.append([event]);
    await eventually(() => handled.includes(event.id), { what: 'the event reached the re-created group' });
  });

  it('a follower in every instance sees each event; a consumer group shares them between its instances', async () => {
    const [a, b] = [streams(), streams()];
    const followedA: string[] = [];
    const followedB: string[] = [];
    const consumed: string[] = [];
    await a.follow('membership.changed', (event) => {
      followedA.push(event.id);
    });
    await b.follow('membership.changed', (event) => {
      followedB.push(event.id);
    });
    for (const bus of [a, b]) {
      await bus.consume('membership.changed', 'kit-test-group', (event) => {
        consumed.push(event.id);
      });
    }
    const events = Array.from({ length: 10 }, () => ({
      id: randomUUID(),
      name: 'membership.changed' as const,
      payload: { organizationId: randomUUID(), userId: randomUUID(), role: null },
      createdAt: new Date(),
    }));
    await a.append(events);
    const ids = events.map((event) => event.id);
    await eventually(() => followedA.length === 10 && followedB.length === 10 && consumed.length === 10, { what: 'every event seen' });
    expect(followedA).toEqual(ids);
    expect(followedB).toEqual(ids);
    expect([...consumed].sort()).toEqual([...ids].sort());
  });
});
