import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { adminCommand } from './admin.js';

/** `./flux admin` against the test database (global-setup migrated it). */
describe('flux admin', () => {
  const env = { DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/flux_test' };
  const sql = postgres(env.DATABASE_URL, { max: 1, onnotice: () => {} });
  afterAll(() => sql.end());

  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await adminCommand(argv, { root: '/nonexistent', env, out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const account = async () => {
    const email = `operator-${randomUUID()}@test.flux.local`;
    const [row] = await sql<{ id: string }[]>`insert into auth.users (email, name) values (${email}, 'Olga Operator') returning id`;
    return { id: row!.id, email };
  };
  const isAdmin = async (id: string) => (await sql<{ is_admin: boolean }[]>`select is_admin from auth.users where id = ${id}`)[0]?.is_admin;

  it('grants the platform admin flag by email (any case), records it, lists it, and revokes it', async () => {
    const { id, email } = await account();
    const granted = await run('grant', email.toUpperCase());
    expect(granted).toMatchObject({ code: 0, out: `${email.toUpperCase()} (Olga Operator) is now a platform admin` });
    expect(await isAdmin(id)).toBe(true);
    const [event] = await sql<{ type: string; metadata: unknown }[]>`select type, metadata from auth.security_events where user_id = ${id}`;
    expect(event).toEqual({ type: 'platform_admin_granted', metadata: { by: 'cli' } });
    expect((await run('list')).out).toContain(`${email}  Olga Operator`);

    expect((await run('revoke', email)).code).toBe(0);
    expect(await isAdmin(id)).toBe(false);
    expect((await run('list')).out).not.toContain(email);
  });

  it('fails for an unknown email (exit 1) and prints the usage for anything else (exit 2)', async () => {
    const unknown = await run('grant', 'nobody-here@test.flux.local');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/no account with the email nobody-here@test\.flux\.local/);
    for (const argv of [[], ['grant'], ['promote', 'a@b.c'], ['grant', 'a@b.c', 'extra'], ['list', 'a@b.c']]) {
      const answer = await run(...argv);
      expect(answer.code, argv.join(' ')).toBe(2);
      expect(answer.err).toMatch(/^usage: \.\/flux admin grant <email>/);
    }
  });
});
