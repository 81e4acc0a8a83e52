import type { Command } from 'commander';
import { parseArgs } from 'node:util';
import type { Context } from '../context.js';
import type { OpsContext } from '../ops/command.js';
import { listReleases, readState } from '../ops/releases.js';
import { registerArgv } from './argv.js';

export const releasesUsage = `usage: ./flux releases [--json]
  The releases in .flux/releases (newest last): which one serves (*), which served before (the
  one ./flux rollback returns to), and the last deploy events.`;

export async function releasesCommand(argv: string[], ctx: OpsContext): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } }, strict: true });
  const state = readState(ctx.root);
  const releases = listReleases(ctx.root).map(({ dir: _dir, ...r }) => ({
    ...r,
    current: r.id === state.current,
    previous: r.id === state.previous,
  }));
  if (values.json) {
    ctx.out(JSON.stringify({ current: state.current, previous: state.previous, releases, history: state.history }));
    return 0;
  }
  if (releases.length === 0) {
    ctx.out('no releases yet: ./flux deploy [ref] builds the first one (./flux up serves the checkout itself)');
    return 0;
  }
  for (const r of releases) {
    const mark = r.current ? '*' : r.previous ? '<' : ' ';
    ctx.out(`${mark} ${r.id}  ${r.ref.padEnd(20)} ${r.commit.slice(0, 12)}  ${r.createdAt}`);
  }
  ctx.out('  (* serving, < previous: ./flux rollback returns to it)');
  const recent = state.history.slice(-5);
  if (recent.length > 0) ctx.out('recent:');
  for (const e of recent) ctx.out(`  ${e.at}  ${e.event.padEnd(11)} ${e.release}${e.reason ? `  ${e.reason}` : ''}`);
  return 0;
}

export const register = (program: Command, ctx: Context) =>
  registerArgv(program, ctx, { name: 'releases', summary: 'list the deployed releases', usage: releasesUsage, run: releasesCommand });
