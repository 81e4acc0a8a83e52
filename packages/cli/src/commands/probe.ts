import type { Command } from 'commander';
import type { Context } from '../context.js';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { registerArgv } from './argv.js';
import type { OpsContext } from '../ops/command.js';
import { formatStep, isReady, loadProbeTarget, runProbe, SetupPendingError, saveProbeTarget, setupProbe } from '../ops/probe.js';

export const probeUsage = `usage: ./flux probe [--url URL] [--json] [--timeout MS] [--file PATH]
       ./flux probe --setup [--email-a EMAIL --email-b EMAIL] [--invite-token TOKEN]
  End-to-end check through nginx: health, sign-in of two probe accounts, a Socket.IO message
  from A received by B, a collab edit by A seen by B. Exit 0 when every step passed, 1 otherwise.`;

/** `./flux probe`: exit code 0 when every step passed, 1 otherwise (for cron and monitoring). */
export async function probeCommand(argv: string[], ctx: OpsContext): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      json: { type: 'boolean', default: false },
      setup: { type: 'boolean', default: false },
      timeout: { type: 'string', default: '10000' },
      file: { type: 'string' },
      'email-a': { type: 'string' },
      'email-b': { type: 'string' },
      'invite-token': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    ctx.out(probeUsage);
    return 0;
  }
  const url = (values.url ?? ctx.env.PUBLIC_URL ?? `http://127.0.0.1:${ctx.env.FLUX_HTTP_PORT ?? 8080}`).replace(/\/+$/, '');
  const file = values.file ?? ctx.env.FLUX_PROBE_FILE ?? join(ctx.root, '.flux/probe.json');
  const timeoutMs = Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100) {
    ctx.err('flux probe: --timeout is in milliseconds (at least 100)');
    return 2;
  }
  // With --json, stdout holds only the report; progress goes to stderr.
  const progress = values.json ? ctx.err : ctx.out;

  let target = loadProbeTarget(file, url);
  if (values.setup || !isReady(target)) {
    if (!values.setup) progress(`no probe accounts for ${url} in ${file} yet: setting them up (once)`);
    try {
      target = await setupProbe(url, {
        file,
        emailA: values['email-a'],
        emailB: values['email-b'],
        inviteToken: values['invite-token'],
        log: (line) => progress(`    ${line}`),
      });
    } catch (err) {
      const why = err instanceof SetupPendingError ? err.message : `probe setup failed: ${(err as Error).message}`;
      if (values.json) ctx.out(JSON.stringify({ ok: false, url, error: why }));
      ctx.err(`flux probe: ${why}`);
      return 1;
    }
    if (values.setup) return 0;
  }
  if (!isReady(target)) return 1; // unreachable: setup either returns a ready target or throws

  if (!values.json) ctx.out(`probe ${url}`);
  const report = await runProbe(url, target, {
    timeoutMs,
    onStep: values.json ? undefined : (step) => ctx.out(formatStep(step)),
    onDevices: (known) => saveProbeTarget(file, url, known),
  });
  if (values.json) {
    ctx.out(JSON.stringify(report));
  } else if (report.ok) {
    ctx.out(`probe ok in ${report.totalMs} ms`);
  } else {
    const failed = report.steps.find((s) => !s.ok && !s.skipped);
    ctx.err(`flux probe: failed at "${failed?.name}": ${failed?.error}`);
  }
  return report.ok ? 0 : 1;
}

export const register = (program: Command, ctx: Context) =>
  registerArgv(program, ctx, {
    name: 'probe',
    summary: 'end-to-end check through nginx: sign-in, a Socket.IO message, a collab edit (exit code for cron)',
    usage: probeUsage,
    run: probeCommand,
  });
