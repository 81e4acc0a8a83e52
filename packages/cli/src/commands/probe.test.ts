import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../../../../test/e2e/stack.js';
import type { ProbeReport } from '../ops/probe.js';
import { probeCommand } from './probe.js';

/** `./flux probe` against real services behind a real nginx. */
describe('flux probe', () => {
  let stack: Stack;
  let dir: string;
  let file: string;

  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await probeCommand([...argv, '--url', stack.url, '--file', file], {
      root: dir,
      env: {},
      out: (line) => out.push(line),
      err: (line) => err.push(line),
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  beforeAll(async () => {
    stack = await startStack();
    dir = mkdtempSync(join(tmpdir(), 'flux-probe-'));
    file = join(dir, 'probe.json');
  });
  afterAll(async () => {
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('sets up its accounts once, then passes every step through nginx', async () => {
    const first = await run();
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toContain('setting them up');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(file, 'utf8')).targets[stack.url];
    expect(saved.a.password).toBeTruthy();

    const second = await run('--json');
    expect(second.code).toBe(0);
    const report = JSON.parse(second.out) as ProbeReport;
    expect(report.ok).toBe(true);
    expect(report.steps.map((s) => s.name)).toEqual([
      'health',
      'sign-in',
      'socket.io connect',
      'message send → receive',
      'collab sync',
      'collab edit → seen',
    ]);
    expect(report.steps.every((s) => s.ok && s.ms >= 0)).toBe(true);
    // The same accounts were used (no second setup).
    expect(JSON.parse(readFileSync(file, 'utf8')).targets[stack.url].a.id).toBe(saved.a.id);
    // The probe message really went through: B's conversation holds it.
    const login = await fetch(`${stack.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: saved.b.email, password: saved.b.password }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const messages = await fetch(`${stack.url}/api/conversations/${saved.conversationId}/messages`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    const page = (await messages.json()) as { items: { content: string; authorId: string }[] };
    expect(page.items.filter((m) => m.content.startsWith('flux probe') && m.authorId === saved.a.id)).toHaveLength(2);
  });

  it('signs in as the same device every run: its flux_device cookie is kept in the probe file, so no new_device event', async () => {
    expect((await run()).code).toBe(0);
    const saved = JSON.parse(readFileSync(file, 'utf8')).targets[stack.url];
    expect(saved.a.device).toMatch(/^[\w-]{20,100}$/);
    const newDeviceEvents = async () => {
      const login = await fetch(`${stack.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: `flux_device=${saved.a.device}` },
        body: JSON.stringify({ email: saved.a.email, password: saved.a.password }),
      });
      const { accessToken } = (await login.json()) as { accessToken: string };
      const events = await fetch(`${stack.url}/api/auth/security-events?type=new_device`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      const page = (await events.json()) as { items: { type: string }[] };
      return page.items.filter((e) => e.type === 'new_device').length;
    };
    const before = await newDeviceEvents();
    expect((await run()).code).toBe(0);
    expect((await run()).code).toBe(0);
    expect(await newDeviceEvents()).toBe(before);
    expect(JSON.parse(readFileSync(file, 'utf8')).targets[stack.url].a.device).toBe(saved.a.device);
  });

  it('says which step failed and exits 1 when messaging is down', async () => {
    await stack.stopService('messaging');
    try {
      const result = await run('--timeout', '3000');
      expect(result.code).toBe(1);
      expect(result.out).toMatch(/FAIL\s+health/);
      expect(result.err).toContain('/api/messages/health answered 50');
      expect(result.out).toMatch(/skip\s+message send/);
    } finally {
      await stack.startService('messaging');
    }
    expect((await run()).code).toBe(0);
  });

  it('tells the operator to run --setup when the accounts are unknown to the server', async () => {
    const content = JSON.parse(readFileSync(file, 'utf8'));
    content.targets[stack.url].a.password = 'not-the-password-anymore';
    writeFileSync(file, JSON.stringify(content));
    const result = await run('--json');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.out) as ProbeReport;
    expect(report.steps.find((s) => s.name === 'sign-in')?.error).toContain('./flux probe --setup');
    expect((await run('--setup')).code).toBe(0);
    expect((await run()).code).toBe(0);
  });

  it('lets the process exit by itself when it is done (cron must not pile up probes)', async () => {
    // A real process: sockets, providers or intervals left open would keep it alive.
    const command = fileURLToPath(new URL('./probe.ts', import.meta.url));
    const script = `import { probeCommand } from ${JSON.stringify(command)};
      process.exitCode = await probeCommand(['--url', ${JSON.stringify(stack.url)}, '--file', ${JSON.stringify(file)}, '--json'],
        { root: '.', env: {}, out: (l) => console.log(l), err: (l) => console.error(l) });`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const limit = setTimeout(() => child.kill('SIGKILL'), 25_000);
    const code = await exit;
    clearTimeout(limit);
    expect(child.signalCode, 'the probe process did not exit by itself').toBeNull();
    expect(code).toBe(0);
    expect((JSON.parse(output.trim().split('\n').at(-1)!) as ProbeReport).ok).toBe(true);
  });
});
