import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('service start-up', () => {
  it.each(['auth', 'messaging', 'collab'])('%s refuses to start in production without secrets, naming them', (service) => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, NODE_ENV: 'production', DATABASE_URL: process.env.DATABASE_URL };
    const result = spawnSync(process.execPath, [`${root}services/${service}/dist/server.js`], { env, encoding: 'utf8', timeout: 20_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('SERVICE_TOKEN_SECRET is required in production');
    expect(result.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it('lists every invalid setting at once and exits 1', () => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, PORT: 'eighty', LOG_LEVEL: 'chatty', REDIS_URL: 'http://nope' };
    const result = spawnSync(process.execPath, [`${root}services/messaging/dist/server.js`], { env, encoding: 'utf8', timeout: 20_000 });
    expect(result.status).toBe(1);
    for (const name of ['PORT', 'LOG_LEVEL', 'REDIS_URL']) expect(result.stderr).toContain(name);
  });
});
