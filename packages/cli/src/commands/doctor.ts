import type { Command } from 'commander';
import { type Context, withProduction } from '../context.js';
import { runChecks } from '../doctor/checks.js';

/** Runs every check; prints ok / warn / fail with the fix (or JSON); false when any failed. */
export async function doctor(ctx: Context, options: { json?: boolean } = {}): Promise<boolean> {
  const results = await runChecks(ctx);
  const healthy = results.every((r) => r.level !== 'fail');
  if (options.json) ctx.ui.line(JSON.stringify({ ok: healthy, checks: results }, null, 2));
  else {
    for (const r of results) ctx.ui.check(r.level, r.name, r.detail, r.fix);
    const count = (level: string) => results.filter((r) => r.level === level).length;
    ctx.ui.line(`doctor: ${count('ok')} ok, ${count('warn')} warnings, ${count('fail')} failed`);
  }
  return healthy;
}

export function register(program: Command, ctx: Context): void {
  program
    .command('doctor')
    .description('check the machine and the checkout: every problem with its fix (exit 1 on a failure)')
    .option('--json', 'machine-readable output')
    .option('--production', 'check as for ./flux up --production (secrets, Redis memory)')
    .action(async (options: { json?: boolean; production?: boolean }) => {
      if (!(await doctor(options.production ? withProduction(ctx) : ctx, options))) process.exitCode = 1;
    });
}
