import * as oidc from 'openid-client';
import type { Config, OidcProviderConfig } from '../config.js';

/** What a provider tells us about the person who signed in. */
export interface ExternalIdentity {
  subject: string;
  email: string | undefined;
  emailVerified: boolean;
  name: string | undefined;
}

const GITHUB: oidc.ServerMetadata = {
  issuer: 'https://github.com',
  authorization_endpoint: 'https://github.com/login/oauth/authorize',
  token_endpoint: 'https://github.com/login/oauth/access_token',
};

/** Lazily discovered (and cached) openid-client configurations, one per configured provider. */
export class OAuthProviders {
  private readonly configurations = new Map<string, Promise<oidc.Configuration>>();

  constructor(private readonly config: Config) {}

  list(): OidcProviderConfig[] {
    return this.config.oauthProviders;
  }

  find(name: string): OidcProviderConfig | undefined {
    return this.config.oauthProviders.find((p) => p.name === name);
  }

  redirectUri(provider: OidcProviderConfig): string {
    return `${this.config.publicUrl.replace(/\/$/, '')}/api/auth/oauth/${provider.name}/callback`;
  }

  isOidc(provider: OidcProviderConfig): boolean {
    return provider.issuer !== undefined;
  }

  configuration(provider: OidcProviderConfig): Promise<oidc.Configuration> {
    let configuration = this.configurations.get(provider.name);
    if (!configuration) {
      configuration = this.discover(provider);
      // A failed discovery is retried on the next sign-in instead of being cached.
      configuration.catch(() => this.configurations.delete(provider.name));
      this.configurations.set(provider.name, configuration);
    }
    return configuration;
  }

  private async discover(provider: OidcProviderConfig): Promise<oidc.Configuration> {
    if (!provider.issuer) return new oidc.Configuration(GITHUB, provider.clientId, provider.clientSecret);
    const issuer = new URL(provider.issuer);
    // Plain-http issuers exist only on developer machines and in tests.
    const insecure = issuer.protocol === 'http:' && !this.config.production;
    return oidc.discovery(
      issuer,
      provider.clientId,
      provider.clientSecret,
      undefined,
      insecure ? { execute: [oidc.allowInsecureRequests] } : undefined,
    );
  }

  /** Exchanges the code (PKCE, state, nonce checked by openid-client) and returns the identity. */
  async identify(
    provider: OidcProviderConfig,
    callbackUrl: URL,
    checks: { verifier: string; state: string; nonce: string },
  ): Promise<ExternalIdentity> {
    const configuration = await this.configuration(provider);
    if (this.isOidc(provider)) {
      const tokens = await oidc.authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: checks.verifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
      // idTokenExpected makes openid-client refuse a response without an ID token, so claims are there.
      const claims = tokens.claims();
      if (!claims) throw new Error('the provider sent no ID token');
      return {
        subject: claims.sub,
        email: typeof claims.email === 'string' ? claims.email : undefined,
        emailVerified: claims.email_verified === true,
        name: typeof claims.name === 'string' ? claims.name : undefined,
      };
    }
    // GitHub speaks plain OAuth 2: the identity and verified emails come from its API.
    const tokens = await oidc.authorizationCodeGrant(configuration, callbackUrl, {
      pkceCodeVerifier: checks.verifier,
      expectedState: checks.state,
    });
    const headers = new Headers({ accept: 'application/vnd.github+json' });
    const user = (await (
      await oidc.fetchProtectedResource(
        configuration,
        tokens.access_token,
        new URL('https://api.github.com/user'),
        'GET',
        undefined,
        headers,
      )
    ).json()) as {
      id: number;
      name?: string;
      login: string;
    };
    const emails = (await (
      await oidc.fetchProtectedResource(
        configuration,
        tokens.access_token,
        new URL('https://api.github.com/user/emails'),
        'GET',
        undefined,
        headers,
      )
    ).json()) as Array<{
      email: string;
      primary: boolean;
      verified: boolean;
    }>;
    const primary = emails.find((e) => e.primary && e.verified) ?? emails.find((e) => e.verified);
    return { subject: String(user.id), email: primary?.email, emailVerified: !!primary, name: user.name ?? user.login };
  }
}
