import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serviceRegistry } from '@flux/shared/registry';
import { afterAll, describe, expect, it } from 'vitest';
import { renderNginxConfig, testNginxConfig, upstreamsFromEnv, writeNginxConfig } from './nginx.js';

const nginx = process.env.NGINX_BIN ?? '/usr/sbin/nginx';
const dir = mkdtempSync(join(tmpdir(), 'flux-nginx-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('nginx rendering from the registry', () => {
  it('sends every registered route and websocket path to its service, with one upstream server per instance', () => {
    const upstreams = upstreamsFromEnv({ FLUX_MESSAGING_INSTANCES: '2', MESSAGING_PORT: '5004' });
    expect(upstreams.messaging).toEqual(['127.0.0.1:5004', '127.0.0.1:5005']);
    const text = renderNginxConfig({ prefix: join(dir, 'plain'), port: 18080, upstreams });
    for (const service of serviceRegistry) {
      for (const route of service.routes)
        expect(text).toMatch(new RegExp(`location \\^~ ${route.prefix} \\{[^}]*proxy_pass http://${service.name};`));
      for (const path of service.websockets) expect(text).toContain(`location ^~ ${path} {\n      proxy_pass http://${service.name};`);
    }
    expect(text).toContain('server 127.0.0.1:5005 max_fails=0;');
    expect(text).toContain('hash $collab_document consistent;');
    // websocket-only Socket.IO: the least busy instance, no stickiness by address
    expect(text).toMatch(/upstream messaging \{\s*least_conn;/);
    expect(text).toContain('listen 127.0.0.1:18080;');
    expect(text).not.toContain('/api/auth/dev/');
  });

  it('refuses development routes in production', () => {
    const text = renderNginxConfig({ prefix: join(dir, 'prod'), port: 18080, upstreams: upstreamsFromEnv({}), production: true });
    expect(text).toMatch(/location \^~ \/api\/auth\/dev\/ \{\s*default_type application\/json;\s*return 404/);
  });

  it('renders a TLS server on a configurable address that nginx -t accepts (self-signed certificate)', async () => {
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=flux.test'],
      {
        stdio: 'ignore',
      },
    );
    const prefix = join(dir, 'tls');
    const conf = writeNginxConfig({
      prefix,
      port: 18443,
      address: '0.0.0.0',
      tls: { cert, key },
      production: true,
      upstreams: upstreamsFromEnv({}),
    });
    const text = renderNginxConfig({ prefix, port: 18443, address: '0.0.0.0', tls: { cert, key }, upstreams: upstreamsFromEnv({}) });
    expect(text).toContain('listen 0.0.0.0:18443 ssl http2;');
    expect(text).toContain(`ssl_certificate ${cert};`);
    expect(await testNginxConfig(nginx, prefix, conf)).toEqual({ ok: true, output: '' });
  });

  it('plain config passes nginx -t; a broken certificate path is reported by nginx', async () => {
    const prefix = join(dir, 'check');
    const conf = writeNginxConfig({ prefix, port: 18081, upstreams: upstreamsFromEnv({}) });
    expect((await testNginxConfig(nginx, prefix, conf)).ok).toBe(true);
    const broken = writeNginxConfig({
      prefix,
      port: 18081,
      tls: { cert: '/missing.pem', key: '/missing.key' },
      upstreams: upstreamsFromEnv({}),
    });
    const result = await testNginxConfig(nginx, prefix, broken);
    expect(result.ok).toBe(false);
    expect(result.output).toContain('/missing.pem');
  });
});
