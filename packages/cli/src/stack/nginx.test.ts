import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { serviceRegistry } from '@flux/shared/registry';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../paths.js';
import { hardFileLimit, nginxLimitsFromEnv, renderNginxConfig, testNginxConfig, upstreamsFromEnv, writeNginxConfig } from './nginx.js';

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
      for (const path of service.websockets)
        expect(text).toMatch(
          new RegExp(`location \\^~ ${path} \\{[^}]*limit_req zone=flux_upgrade [^}]*proxy_pass http://${service.name};`),
        );
    }
    expect(text).toContain('server 127.0.0.1:5005 max_fails=0;');
    expect(text).toContain('hash $collab_document consistent;');
    // websocket-only Socket.IO: the least busy instance, no stickiness by address
    expect(text).toMatch(/upstream messaging \{\s*least_conn;/);
    expect(text).toContain('listen 127.0.0.1:18080;');
    expect(text).not.toContain('/api/auth/dev/');
  });

  it('passes the client address and request id on WebSocket upgrades too (a location with its own proxy headers inherits none)', () => {
    const text = renderNginxConfig({ prefix: join(dir, 'headers'), port: 18080, upstreams: upstreamsFromEnv({}) });
    for (const path of serviceRegistry.flatMap((s) => s.websockets)) {
      const block = text.slice(text.indexOf(`location ^~ ${path} {`));
      expect(block.slice(0, block.indexOf('}'))).toMatch(/include \S+\/proxy-headers\.conf;\s*proxy_set_header Upgrade/);
    }
    expect(readFileSync(join(repoRoot, 'infra/nginx/proxy-headers.conf'), 'utf8')).toContain(
      'proxy_set_header X-Forwarded-For $remote_addr;',
    );
  });

  it('sizes workers by the file limit: each worker may open as many files as the host allows, and FLUX_NGINX_WORKERS* override', () => {
    const hard = hardFileLimit();
    const text = renderNginxConfig({ prefix: join(dir, 'workers'), port: 18080, upstreams: upstreamsFromEnv({}) });
    expect(text).toContain(`worker_processes ${Math.max(4, availableParallelism())};`);
    if (hard !== undefined) {
      const connections = Math.min(32_768, hard - 256);
      expect(text).toContain(`worker_connections ${connections};`);
      expect(text).toContain(`worker_rlimit_nofile ${Math.min(hard, connections + 256)};`);
    }
    const limits = nginxLimitsFromEnv({ FLUX_NGINX_WORKERS: '3', FLUX_NGINX_WORKER_CONNECTIONS: '1000' });
    const set = renderNginxConfig({ prefix: join(dir, 'workers'), port: 18080, upstreams: upstreamsFromEnv({}), limits });
    expect(set).toContain('worker_processes 3;');
    expect(set).toContain('worker_connections 1000;');
    expect(set).toContain('worker_rlimit_nofile 1256;');
    expect(() => nginxLimitsFromEnv({ FLUX_NGINX_WORKERS: '65' })).toThrow(/FLUX_NGINX_WORKERS must be an integer from 1 to 64/);
  });

  it('limits the credential paths and the upgrade paths per address with the FLUX_NGINX_* settings, answering 429 with Retry-After', async () => {
    const limits = nginxLimitsFromEnv({ FLUX_NGINX_AUTH_RATE: '30', FLUX_NGINX_AUTH_BURST: '7', FLUX_NGINX_UPGRADE_CONNECTIONS: '9' });
    const prefix = join(dir, 'limits');
    const options = { prefix, port: 18080, upstreams: upstreamsFromEnv({}), limits };
    expect(await testNginxConfig(nginx, prefix, writeNginxConfig(options))).toEqual({ ok: true, output: '' });
    const text = renderNginxConfig(options);
    expect(text).toContain('limit_req_zone $binary_remote_addr zone=flux_auth:10m rate=30r/m;');
    for (const path of [
      '/api/auth/login',
      '/api/auth/signup',
      '/api/auth/password',
      '/api/auth/refresh',
      '/api/auth/mfa',
      '/api/auth/reauth',
    ])
      expect(text).toMatch(
        new RegExp(`location \\^~ ${path} \\{\\s*limit_req zone=flux_auth burst=7 nodelay;\\s*limit_conn flux_auth_conn 50;`),
      );
    expect(text).toContain('limit_conn flux_upgrade_conn 9;');
    expect(text).toContain('add_header Retry-After 2 always;');
    expect(() => nginxLimitsFromEnv({ FLUX_NGINX_UPGRADE_RATE: '0' })).toThrow(/FLUX_NGINX_UPGRADE_RATE must be an integer from 1/);
    expect(() => nginxLimitsFromEnv({ FLUX_NGINX_AUTH_CONNECTIONS: '65536' })).toThrow(
      /FLUX_NGINX_AUTH_CONNECTIONS must be an integer from 1 to 65535/,
    );
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
