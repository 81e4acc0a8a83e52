import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { up } from '../../packages/cli/src/commands/up.js';
import { createContext } from '../../packages/cli/src/context.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('service start-up', () => {
  it.each(['auth', 'messaging', 'collab'])('%s refuses to start in production without secrets, naming them', (service) => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, NODE_ENV: 'production', DATABASE_URL: process.env.DATABASE_URL };
    const result = spawnSync(process.execPath, [`${root}services/${service}/dist/server.js`], { env, encoding: 'utf8', timeout: 20_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`SERVICE_KEY_${service.toUpperCase()} is required in production`);
    expect(result.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it('lists every invalid setting at once and exits 1', () => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, PORT: 'eighty', LOG_LEVEL: 'chatty', REDIS_URL: 'http://nope' };
    const result = spawnSync(process.execPath, [`${root}services/messaging/dist/server.js`], { env, encoding: 'utf8', timeout: 20_000 });
    expect(result.status).toBe(1);
    for (const name of ['PORT', 'LOG_LEVEL', 'REDIS_URL']) expect(result.stderr).toContain(name);
  });
});

describe('./flux up refuses unsafe set-ups before it starts anything', () => {
  it('development never listens on a public address', async () => {
    const ctx = createContext({ env: { FLUX_HTTP_ADDRESS: '0.0.0.0' } });
    await expect(up(ctx)).rejects.toMatchObject({
      message: expect.stringContaining('loopback'),
      hint: expect.stringContaining('--production'),
    });
  });

  it('production needs the secrets file from ./flux secrets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flux-up-'));
    try {
      const ctx = createContext({ env: { FLUX_PRODUCTION_SECRETS_FILE: join(dir, 'production.env'), FLUX_HTTP_ADDRESS: '0.0.0.0' } });
      await expect(up(ctx, { production: true })).rejects.toMatchObject({ hint: 'run ./flux secrets once to generate them' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
