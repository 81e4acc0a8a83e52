import { parseArgs } from 'node:util';
import type { Command } from 'commander';
import postgres from 'postgres';
import type { Context } from '../context.js';
import { databaseUrlOf, redact } from '../ops/command.js';
import { type ArgvContext, registerArgv } from './argv.js';

export const adminUsage = `usage: ./flux admin grant <email>
       ./flux admin revoke <email>
       ./flux admin list
  Platform admins (the admin console at /admin, the /api/admin routes) in DATABASE_URL. The first
  account of a fresh install becomes one by itself; grant makes any existing account one, revoke
  takes it back. Each change is written to the account's security events.`;

type Sql = postgres.Sql;

/** Sets the flag of the account with this email (case-insensitive); false when there is none. */
async function setAdmin(sql: Sql, email: string, admin: boolean): Promise<{ id: string; name: string } | undefined> {
  return sql.begin(async (tx) => {
    const [user] = await tx<{ id: string; name: string }[]>`
      update auth.users set is_admin = ${admin}, updated_at = now() where lower(email) = lower(${email}) returning id, name`;
    if (user && admin)
      await tx`insert into auth.security_events (type, user_id, metadata) values ('platform_admin_granted', ${user.id}, ${sql.json({ by: 'cli' })})`;
    return user;
  });
}

export async function adminCommand(argv: string[], ctx: ArgvContext): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true });
  const [action, email, ...rest] = positionals;
  const needsEmail = action === 'grant' || action === 'revoke';
  if (!(needsEmail || action === 'list') || (needsEmail && !email) || rest.length > 0 || (action === 'list' && email)) {
    ctx.err(adminUsage);
    return 2;
  }
  const url = databaseUrlOf(ctx.env);
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    if (action === 'list') {
      const admins = await sql<{ email: string; name: string }[]>`select email, name from auth.users where is_admin order by created_at`;
      if (admins.length === 0) ctx.out('no platform admins yet: ./flux admin grant <email>');
      for (const admin of admins) ctx.out(`${admin.email}  ${admin.name}`);
      return 0;
    }
    const user = await setAdmin(sql, email ?? '', action === 'grant');
    if (!user) {
      ctx.err(`flux: no account with the email ${email} in ${redact(url)} (it must sign up first)`);
      return 1;
    }
    ctx.out(
      action === 'grant' ? `${email} (${user.name}) is now a platform admin` : `${email} (${user.name}) is no longer a platform admin`,
    );
    return 0;
  } finally {
    await sql.end();
  }
}

export const register = (program: Command, ctx: Context) =>
  registerArgv(program, ctx, { name: 'admin', summary: 'grant or revoke platform admins', usage: adminUsage, run: adminCommand });
