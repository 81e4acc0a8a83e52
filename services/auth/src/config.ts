import { EnvReader, readBaseConfig, type BaseConfig } from '@flux/server-kit';
import { type RegisteredService, serviceAddresses, serviceRegistry } from '@flux/shared/registry';
import { Services } from '@flux/shared';

export interface OidcProviderConfig {
  /** The `:provider` path segment, e.g. `google`, `github`, `acme`. */
  name: string;
  /** An OIDC issuer URL (discovery) — google and any generic issuer. */
  issuer?: string;
  clientId: string;
  clientSecret: string;
}

export interface AuthConfig extends BaseConfig {
  /** Ed25519 PKCS8 PEM that signs access tokens. */
  jwtPrivateKey: string;
  /** Public keys (PEM, separated by blank lines or `||`) of retired signing keys, still published until their tokens expire. */
  jwtPreviousPublicKeys: string[];
  cookieSecret: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  sessionMaxAgeSeconds: number;
  refreshGraceSeconds: number;
  loginFailuresPerAccountIp: number;
  lockoutSeconds: number;
  accountFailuresPerHour: number;
  credentialRequestsPerIpPerMinute: number;
  /** Wrong TOTP codes per account (all IPs) within `lockoutSeconds` before codes are refused. */
  totpFailuresPerAccount: number;
  /** Requests a minute from one signed-in session to auth before it counts as a burst (security event). */
  requestBurstPerMinute: number;
  /** How long an invitation link works; a re-invite or resend starts it again. */
  invitationTtlSeconds: number;
  /** Invitation mails (invites and resends) one person may send per hour. */
  invitationsPerHour: number;
  organizationsPerHour: number;
  projectsPerHour: number;
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Serve GET /api/auth/dev/outbox (never in production). */
  devOutbox: boolean;
  securityEventRetentionDays: number;
  purgeEverySeconds: number;
  /** Run the BullMQ maintenance scheduler and worker in this process. */
  jobs: boolean;
  oauthProviders: OidcProviderConfig[];
  /** Every instance (`host:port`) of each service, from the registry with `<NAME>_PORT` and `FLUX_<NAME>_INSTANCES`: the admin status probes them. */
  statusTargets: Record<RegisteredService, string[]>;
  /** people: how long a deleted account can still be recovered by signing in before its data is erased. */
  deletionGraceSeconds: number;
  /** people: messaging and collab, asked over `/internal/*` for a data export. */
  messagingUrl: string;
  collabUrl: string;
}

export type Config = AuthConfig;

function readProviders(reader: EnvReader): OidcProviderConfig[] {
  const names = reader
    .str('OAUTH_PROVIDERS', '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  return names.map((name) => {
    const key = name.toUpperCase().replaceAll(/[^A-Z0-9]/g, '_');
    const issuer = reader.optional(`OAUTH_${key}_ISSUER`) ?? (name === 'google' ? 'https://accounts.google.com' : undefined);
    const clientId = reader.optional(`OAUTH_${key}_CLIENT_ID`);
    const clientSecret = reader.optional(`OAUTH_${key}_CLIENT_SECRET`);
    if (!clientId || !clientSecret)
      reader.problems.push(`OAUTH_${key}_CLIENT_ID and OAUTH_${key}_CLIENT_SECRET are required for OAuth provider ${name}`);
    if (!issuer && name !== 'github') reader.problems.push(`OAUTH_${key}_ISSUER is required for OAuth provider ${name}`);
    return { name, issuer, clientId: clientId ?? '', clientSecret: clientSecret ?? '' };
  });
}

/** The only reader of process.env in this service. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const reader = new EnvReader(env);
  const base = readBaseConfig(reader, 'auth');
  const config: Config = {
    ...base,
    jwtPrivateKey: reader.ed25519PrivateKey('JWT_PRIVATE_KEY'),
    jwtPreviousPublicKeys: reader
      .str('JWT_PREVIOUS_PUBLIC_KEYS', '')
      .replaceAll('\\n', '\n')
      .split(/\|\||\n\s*\n/)
      .map((pem) => pem.trim())
      .filter(Boolean),
    cookieSecret: reader.strongSecret('COOKIE_SECRET'),
    accessTokenTtlSeconds: reader.int('AUTH_ACCESS_TOKEN_TTL_SECONDS', 900, { min: 10, max: 3600 }),
    refreshTokenTtlSeconds: reader.int('AUTH_REFRESH_TOKEN_TTL_SECONDS', 7 * 86_400, { min: 60, max: 30 * 86_400 }),
    sessionMaxAgeSeconds: reader.int('AUTH_SESSION_MAX_AGE_SECONDS', 30 * 86_400, { min: 60, max: 30 * 86_400 }),
    refreshGraceSeconds: reader.int('AUTH_REFRESH_GRACE_SECONDS', 10, { min: 0, max: 120 }),
    loginFailuresPerAccountIp: reader.int('AUTH_LOGIN_FAILURES_PER_ACCOUNT_IP', 5, { min: 1 }),
    lockoutSeconds: reader.int('AUTH_LOCKOUT_SECONDS', 900, { min: 1 }),
    accountFailuresPerHour: reader.int('AUTH_ACCOUNT_FAILURES_PER_HOUR', 100, { min: 1 }),
    credentialRequestsPerIpPerMinute: reader.int('AUTH_CREDENTIAL_REQUESTS_PER_IP_PER_MINUTE', 30, { min: 1 }),
    totpFailuresPerAccount: reader.int('AUTH_TOTP_FAILURES_PER_ACCOUNT', 10, { min: 1 }),
    requestBurstPerMinute: reader.int('AUTH_REQUEST_BURST_PER_MINUTE', 300, { min: 1 }),
    invitationTtlSeconds: reader.int('AUTH_INVITATION_TTL_SECONDS', 7 * 86_400, { min: 60, max: 30 * 86_400 }),
    invitationsPerHour: reader.int('AUTH_INVITATIONS_PER_HOUR', 100, { min: 1 }),
    organizationsPerHour: reader.int('AUTH_ORGANIZATIONS_PER_HOUR', 20, { min: 1 }),
    projectsPerHour: reader.int('AUTH_PROJECTS_PER_HOUR', 100, { min: 1 }),
    smtpUrl: reader.optional('SMTP_URL'),
    mailFrom: reader.str('MAIL_FROM', 'FluxStudio <no-reply@flux.local>'),
    devOutbox: !base.production && !reader.optional('SMTP_URL'),
    securityEventRetentionDays: reader.int('AUTH_SECURITY_EVENT_RETENTION_DAYS', 90, { min: 1 }),
    purgeEverySeconds: reader.int('AUTH_PURGE_EVERY_SECONDS', 3600, { min: 1 }),
    jobs: reader.bool('AUTH_JOBS', true),
    oauthProviders: readProviders(reader),
    statusTargets: Object.fromEntries(serviceRegistry.map((s) => [s.name, serviceAddresses(s, env)])) as Record<
      RegisteredService,
      string[]
    >,
    deletionGraceSeconds: reader.int('AUTH_ACCOUNT_DELETION_GRACE_SECONDS', 30 * 86_400, { min: 0 }),
    messagingUrl: reader.url('MESSAGING_URL', `http://127.0.0.1:${Services.messaging}`, ['http:', 'https:']),
    collabUrl: reader.url('COLLAB_URL', `http://127.0.0.1:${Services.collab}`, ['http:', 'https:']),
  };
  if (config.production && !config.smtpUrl)
    reader.problems.push('SMTP_URL is required in production (verification and password-reset mail)');
  reader.done();
  return config;
}
