/**
 * `@flux/shared/constants`: the contract's plain values — error codes, collab close codes,
 * roles, event names — and `isErrorBody`, with no TypeBox, so the web's bundle can import
 * them without the schema code. Every import from here is either a value defined here or
 * `import type` (erased at build).
 */
import type { ErrorBody } from './errors.js';
import type { ClientToServerEvents, ServerToClientEvents } from './messaging.js';

// --- error codes (contract §3): snake_case, stable; `ErrorCode` is closed so clients can switch on it ---

/** Codes any service can answer with. */
export const CommonErrorCodes = [
  'validation_error',
  'invalid_json',
  'bad_request',
  'unauthorized',
  'invalid_token',
  'forbidden',
  'not_found',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'internal_error',
  'service_unavailable',
] as const;
export type CommonErrorCode = (typeof CommonErrorCodes)[number];

/** Codes specific to auth (contract §4). */
export const AuthErrorCodes = [
  'email_taken',
  'weak_password',
  'invalid_credentials',
  'mfa_required',
  'invalid_otp',
  'refresh_token_reused',
  'invalid_refresh_token',
  'csrf_failed',
  'invalid_email_token',
  'last_owner',
  'slug_taken',
  'already_member',
  'mfa_already_enabled',
  'mfa_not_set_up',
  'mfa_not_enabled',
  // A sensitive change (MFA, password, email) needs POST /api/auth/reauth within the last 5 minutes.
  'reauth_required',
  // OAuth failures arrive as `/signin?error=<code>` after the provider's redirect.
  'oauth_state_mismatch',
  'oauth_denied',
  'oauth_failed',
  'oauth_email_unverified',
  // workspace/admin: a platform admin disabled the account; deleting an organization needs its name typed
  'account_disabled',
  'confirmation_mismatch',
] as const;
export type AuthErrorCode = (typeof AuthErrorCodes)[number];

/** Codes specific to messaging (contract §5). */
export const MessagingErrorCodes = [
  'message_too_long',
  'client_id_reused',
  'quota_exceeded',
  'invalid_member',
  'upload_incomplete',
  // A direct or group conversation only joins people who share an organization with the caller.
  'no_shared_organization',
  // A message carries at most MAX_REACTIONS_PER_MESSAGE distinct emoji.
  'too_many_reactions',
] as const;
export type MessagingErrorCode = (typeof MessagingErrorCodes)[number];

/** Made by the web client itself when no answer arrived at all; no server sends it. */
export const ClientErrorCodes = ['network_error'] as const;
export type ClientErrorCode = (typeof ClientErrorCodes)[number];

export const ErrorCodes = [...CommonErrorCodes, ...AuthErrorCodes, ...MessagingErrorCodes, ...ClientErrorCodes] as const;
export type ErrorCode = CommonErrorCode | AuthErrorCode | MessagingErrorCode | ClientErrorCode;

const knownCodes: ReadonlySet<string> = new Set(ErrorCodes);
/** Narrows a code read off the wire (a newer server may send one this build does not know). */
export const isErrorCode = (value: unknown): value is ErrorCode => typeof value === 'string' && knownCodes.has(value);

/** True for the contract's error envelope `{error: {code, message, details?}}`. */
export function isErrorBody(value: unknown): value is ErrorBody {
  const error = (value as ErrorBody | null)?.error;
  return typeof error?.code === 'string' && typeof error.message === 'string';
}

// --- collaboration ---

/**
 * Close codes of `/collab/<documentId>`. The stock y-websocket client stops reconnecting on
 * 4400–4499 (a decision retrying cannot fix) and retries with backoff on anything else.
 */
export const CollabCloseCodes = {
  /** The server is shutting down or restarting; reconnect. */
  serviceRestart: 1012,
  /** A frame above the message size limit (set by the WebSocket layer). */
  messageTooBig: 1009,
  /** The room could not be loaded, or auth was unreachable; reconnect. */
  internalError: 1011,
  /** The client read too slowly and its send buffer overflowed; reconnect and resync. */
  tryAgainLater: 1013,
  /** A frame that is not a valid y-websocket message. */
  malformedMessage: 4400,
  /** Missing, invalid or expired access token. */
  unauthorized: 4401,
  /** Unknown (or deleted) document, not a member of its project, or removed from it. */
  forbidden: 4403,
  /** The update would make the document larger than the size limit. */
  documentTooLarge: 4413,
  /** The update left more pending structs or deletes (ones whose dependencies the document lacks) than the bound; they were dropped. */
  incompleteUpdate: 4422,
  /** This user already has the most connections one instance accepts; close another tab first. */
  tooManyConnections: 4429,
  /** An awareness message with too many entries or a state above the size limit. */
  awarenessTooLarge: 4431,
  /** Too many updates per second; the client may reconnect (and resync) after a backoff. */
  rateLimited: 4529,
} as const;
export type CollabCloseCode = (typeof CollabCloseCodes)[keyof typeof CollabCloseCodes];

/** The Yjs roots of a collab document (rich text, see services/collab/README.md). */
export const CollabRoots = {
  /** Y.XmlFragment holding the rich text (Tiptap's Collaboration `field`, ProseMirror nodes). */
  content: 'default',
  /** Y.Text of documents written before rich text: migrated into `content` once, when its room loads. */
  legacyText: 'content',
  /** Y.Map the server changes (key `rev`) whenever the document's comments change: clients refetch them. */
  commentsSignal: 'comments',
} as const;

// --- roles ---

/** Roles inside an organization; a project inherits its organization's roles. */
export const Roles = ['owner', 'admin', 'member', 'guest'] as const;
export type Role = (typeof Roles)[number];

export const canWrite = (role: Role): boolean => role !== 'guest';
export const canManageMembers = (role: Role): boolean => role === 'owner' || role === 'admin';

// --- security events (auth, contract §4) ---

/** Every type auth writes to its security log; the account page filters by these. */
export const SecurityEventTypes = [
  'signup',
  'login_succeeded',
  'login_failed',
  'login_locked',
  'mfa_failed',
  'mfa_locked',
  'reauthenticated',
  'refresh',
  'refresh_token_reused',
  'logout',
  'logout_all',
  'session_revoked',
  'password_reset_requested',
  'password_reset',
  'password_changed',
  'email_verified',
  'email_change_requested',
  'email_changed',
  'mfa_setup',
  'mfa_enabled',
  'mfa_disabled',
  'mfa_recovery_code_used',
  'oauth_login',
  'oauth_linked',
  'rate_limited',
  'csrf_failed',
  'anomaly_many_accounts_from_ip',
  'anomaly_rapid_refresh',
  'anomaly_request_burst',
  'new_device',
  // people: deletion of one's account (and its cancellation by signing in), a data export
  'account_deletion_requested',
  'account_deletion_cancelled',
  'data_exported',
  // workspace/admin: platform admins' actions on accounts, and organization deletion
  'account_disabled',
  'account_enabled',
  'signed_out_by_admin',
  'platform_admin_granted',
  'organization_deleted',
] as const;
export type SecurityEventType = (typeof SecurityEventTypes)[number];

// --- events between services (Redis pub/sub) ---

/**
 * Events that cross Redis pub/sub between services. The channel is
 * `${REDIS_PREFIX}events:${name}`; the message is the JSON payload.
 */
export interface EventMap {
  'user.created': { userId: string; email: string; name: string };
  'user.updated': { userId: string; email: string; name: string };
  /** A user's role in an organization changed; `role: null` means removed. */
  'membership.changed': { organizationId: string; userId: string; role: Role | null };
  'document.updated': { documentId: string; projectId: string; updatedBy: string[]; at: string };
  /** A document was deleted (moved to its project's trash, restorable; the purge later is not announced): every collab instance closes its room (4403). */
  'document.deleted': { documentId: string; projectId: string };
  /** Sessions ended (logout, logout-all, session revoke, password reset, refresh-token reuse): refuse their access tokens now. */
  'sessions.revoked': {
    userId: string;
    sessionIds: string[];
    reason: string;
    /** When the last access token of these sessions expires (ISO 8601): no need to remember them after. */
    until: string;
  };
  /** people: an account's personal data was erased (its deletion's grace ended); copies of its name elsewhere become "Deleted user". */
  'user.erased': { userId: string };
}
export type EventName = keyof EventMap;
export const EventNames = [
  'user.created',
  'user.updated',
  'membership.changed',
  'document.updated',
  'sessions.revoked',
  'document.deleted',
  'user.erased',
] as const satisfies readonly EventName[];
/**
 * Events that must not be lost: written to the producer's outbox in the transaction of the change
 * and relayed at least once to a Redis stream (`${REDIS_PREFIX}stream:${name}`), never pub/sub.
 */
export const DurableEventNames = [
  'membership.changed',
  'sessions.revoked',
  'document.deleted',
  'user.erased',
] as const satisfies readonly EventName[];
export type DurableEventName = (typeof DurableEventNames)[number];
/** Events that only fan out over pub/sub (what they carry can be re-derived). */
export type FanoutEventName = Exclude<EventName, DurableEventName>;
export const eventStream = (prefix: string, name: DurableEventName): string => `${prefix}stream:${name}`;
export const eventChannel = (prefix: string, name: EventName): string => `${prefix}events:${name}`;

// --- Socket.IO events (messaging, contract §5) ---

// Records keyed by the event maps: adding an event to a map without listing it here fails to compile.
const serverToClient = {
  'message:new': true,
  'message:updated': true,
  'message:deleted': true,
  'reaction:updated': true,
  typing: true,
  presence: true,
  read: true,
  'notification:new': true,
  'conversation:new': true,
  'conversation:removed': true,
  'session:revoked': true,
  'conversation:updated': true,
  'message:pinned': true,
  'message:unpinned': true,
} as const satisfies Record<keyof ServerToClientEvents, true>;
const clientToServer = { 'message:send': true, typing: true, 'message:read': true, sync: true } as const satisfies Record<
  keyof ClientToServerEvents,
  true
>;

/** Every server → client event (e.g. for the web to subscribe to each). */
export const ServerToClientEventNames = Object.keys(serverToClient) as (keyof ServerToClientEvents)[];
/** Every client → server event. */
export const ClientToServerEventNames = Object.keys(clientToServer) as (keyof ClientToServerEvents)[];
