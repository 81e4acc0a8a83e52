import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('auth config', () => {
  it('refuses production without its secrets and SMTP, naming each', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /SERVICE_KEY_AUTH[\s\S]*JWT_PRIVATE_KEY[\s\S]*COOKIE_SECRET[\s\S]*SMTP_URL/,
    );
  });

  it('refuses a production COOKIE_SECRET under 32 random bytes', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', COOKIE_SECRET: 'correct-horse-battery' })).toThrow(
      /COOKIE_SECRET must be at least 32 random bytes/,
    );
  });

  it('uses the contract defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 7 * 86_400,
      sessionMaxAgeSeconds: 30 * 86_400,
      refreshGraceSeconds: 10,
      loginFailuresPerAccountIp: 5,
      lockoutSeconds: 900,
      accountFailuresPerHour: 100,
      credentialRequestsPerIpPerMinute: 30,
      devOutbox: true,
      oauthProviders: [],
    });
  });

  it('reads OAuth providers and lists incomplete ones', () => {
    const config = loadConfig({
      OAUTH_PROVIDERS: 'google, Acme',
      OAUTH_GOOGLE_CLIENT_ID: 'g',
      OAUTH_GOOGLE_CLIENT_SECRET: 'gs',
      OAUTH_ACME_ISSUER: 'https://id.acme.test',
      OAUTH_ACME_CLIENT_ID: 'a',
      OAUTH_ACME_CLIENT_SECRET: 'as',
    });
    expect(config.oauthProviders).toEqual([
      { name: 'google', issuer: 'https://accounts.google.com', clientId: 'g', clientSecret: 'gs' },
      { name: 'acme', issuer: 'https://id.acme.test', clientId: 'a', clientSecret: 'as' },
    ]);
    expect(() => loadConfig({ OAUTH_PROVIDERS: 'acme' })).toThrow(/OAUTH_ACME_CLIENT_ID[\s\S]*OAUTH_ACME_ISSUER/);
  });
});
