import type { Command } from 'commander';
import { parseArgs } from 'node:util';
import type { Context } from '../context.js';
import type { OpsContext } from '../ops/command.js';
import { deploy, rollback } from '../ops/deploy.js';
import { registerArgv } from './argv.js';

export const deployUsage = `usage: ./flux deploy [REF] [--json]
  Deploys a commit (default HEAD) without downtime: builds it in .flux/releases/<time>-<sha>, runs
  doctor on it, takes a backup, migrates (expand only: the serving release keeps running on the
  new schema), starts it beside the serving release on the spare ports, checks health and the probe
  against it through a private nginx, switches nginx with a reload, probes through nginx, then stops
  the old release. Any failure rolls back by itself (nginx back, new processes stopped), says which
  step failed and why, and exits 1. packages/cli/DEPLOY.md has the details.
  --json              the result (steps with timings, failure, rollback time) as JSON on stdout
  --no-direct-probe   skip the probe before the switch (for testing the rollback after the switch)`;

export const rollbackUsage = `usage: ./flux rollback [--json]
  Goes back to the previous release (./flux releases marks it <): starts it beside the serving one,
  proves it, switches nginx, probes, stops the serving one. Migrations are not reverted (they are
  expand-only); the backup taken by the deploy is the last resort (./flux restore).`;

const print = (ctx: OpsContext, json: boolean, result: object) => {
  if (json) ctx.out(JSON.stringify(result));
};

export async function deployCommand(argv: string[], ctx: OpsContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean', default: false }, 'no-direct-probe': { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 1) {
    ctx.err(deployUsage);
    return 2;
  }
  // With --json, stdout holds only the result; progress goes to stderr.
  const ops = values.json ? { ...ctx, out: ctx.err } : ctx;
  const result = await deploy(ops, { ref: positionals[0], directProbe: !values['no-direct-probe'] });
  print(ctx, values.json, result);
  return result.ok ? 0 : 1;
}

export async function rollbackCommand(argv: string[], ctx: OpsContext): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } }, strict: true });
  const ops = values.json ? { ...ctx, out: ctx.err } : ctx;
  const result = await rollback(ops);
  print(ctx, values.json, result);
  return result.ok ? 0 : 1;
}

export function register(program: Command, ctx: Context): void {
  registerArgv(program, ctx, {
    name: 'deploy',
    summary: 'deploy a commit beside the serving release, switch without downtime, roll back by itself on failure',
    usage: deployUsage,
    run: deployCommand,
  });
  registerArgv(program, ctx, {
    name: 'rollback',
    summary: 'go back to the previous release',
    usage: rollbackUsage,
    run: rollbackCommand,
  });
}
