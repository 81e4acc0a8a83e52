import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvReader, readBaseConfig, type BaseConfig } from '@flux/server-kit';
import { MAX_MESSAGE_LENGTH, Services } from '@flux/shared';

export interface Config extends BaseConfig {
  /** Local folder of the file storage. */
  filesDir: string;
  maxFileSize: number;
  /** Total bytes one user may have uploaded. */
  userQuotaBytes: number;
  maxMessageLength: number;
  /** The most messages one insert statement takes when sends wait for one (group commit; 1: one statement per message). */
  messageBatchMax: number;
  /** Messages one user may send per window, across instances (Redis). */
  messageRateLimit: number;
  messageRateWindowSeconds: number;
  /** Reactions one user may add or remove per window, across instances. */
  reactionRateLimit: number;
  reactionRateWindowSeconds: number;
  /** Distinct emoji one message may carry; a new one beyond it is refused (409 `too_many_reactions`). */
  maxReactionsPerMessage: number;
  /** Message edits one user may make per window, across instances. */
  editRateLimit: number;
  editRateWindowSeconds: number;
  /** Conversations one user may create per window, across instances. */
  conversationRateLimit: number;
  conversationRateWindowSeconds: number;
  /** `sync` calls one user may make per window, across instances. */
  syncRateLimit: number;
  syncRateWindowSeconds: number;
  /** The most points of a budget an instance takes from Redis at once (1: Redis counts every request). */
  rateLimitLeaseMax: number;
  /** Bytes of messages one `sync` answer carries before it stops with `hasMore: true`. */
  syncMaxBytes: number;
  /** Open sockets per user and per client address on one instance; more are refused (`too_many_connections`). */
  maxSocketsPerUser: number;
  maxSocketsPerIp: number;
  /** Events one socket may send per 10 s (any kind); more get a `rate_limited` ack. */
  socketEventLimit: number;
  /** At most one `typing: true` relay per socket and conversation in this interval. */
  typingThrottleMs: number;
  /** How long a socket's presence lives in Redis without a heartbeat (an instance that died). */
  presenceTtlSeconds: number;
  /** How long auth's project access answers are trusted (membership.changed drops them sooner). */
  projectAccessCacheMs: number;
  /** How long a member's row is trusted by the send and read checks on an instance that heard of no change (0: not cached). */
  membershipCacheMs: number;
  /** people: how often the email digest job runs (the digest covers what arrived since the last one). */
  digestEverySeconds: number;
  /** people: run the digest scheduler and worker in this process. */
  digestJobs: boolean;
  /** richtext: collab, asked whether a user may attach an image to a document or see its images. */
  collabUrl: string;
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const MB = 1024 * 1024;

/** The only reader of process.env in this service. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const reader = new EnvReader(env);
  const base = readBaseConfig(reader, 'messaging');
  const filesDir = reader.str('FILES_DIR', '.flux/files');
  const config: Config = {
    ...base,
    filesDir: isAbsolute(filesDir) ? filesDir : resolve(repoRoot, filesDir),
    maxFileSize: reader.int('MAX_FILE_SIZE', 50 * MB, { min: 1 }),
    userQuotaBytes: reader.int('USER_QUOTA_BYTES', 1024 * MB, { min: 1 }),
    maxMessageLength: reader.int('MAX_MESSAGE_LENGTH', MAX_MESSAGE_LENGTH, { min: 1, max: 100_000 }),
    messageBatchMax: reader.int('MESSAGE_BATCH_MAX', 100, { min: 1, max: 1000 }),
    messageRateLimit: reader.int('MESSAGE_RATE_LIMIT', 60, { min: 1 }),
    messageRateWindowSeconds: reader.int('MESSAGE_RATE_WINDOW_SECONDS', 10, { min: 1, max: 3600 }),
    reactionRateLimit: reader.int('REACTION_RATE_LIMIT', 30, { min: 1 }),
    reactionRateWindowSeconds: reader.int('REACTION_RATE_WINDOW_SECONDS', 10, { min: 1, max: 3600 }),
    maxReactionsPerMessage: reader.int('MAX_REACTIONS_PER_MESSAGE', 50, { min: 1, max: 1000 }),
    editRateLimit: reader.int('EDIT_RATE_LIMIT', 30, { min: 1 }),
    editRateWindowSeconds: reader.int('EDIT_RATE_WINDOW_SECONDS', 60, { min: 1, max: 3600 }),
    conversationRateLimit: reader.int('CONVERSATION_RATE_LIMIT', 30, { min: 1 }),
    conversationRateWindowSeconds: reader.int('CONVERSATION_RATE_WINDOW_SECONDS', 600, { min: 1, max: 86_400 }),
    syncRateLimit: reader.int('SYNC_RATE_LIMIT', 60, { min: 1 }),
    syncRateWindowSeconds: reader.int('SYNC_RATE_WINDOW_SECONDS', 60, { min: 1, max: 3600 }),
    rateLimitLeaseMax: reader.int('RATE_LIMIT_LEASE_MAX', 100, { min: 1, max: 10_000 }),
    syncMaxBytes: reader.int('SYNC_MAX_BYTES', 1 * MB, { min: 1024 }),
    maxSocketsPerUser: reader.int('MAX_SOCKETS_PER_USER', 20, { min: 1 }),
    maxSocketsPerIp: reader.int('MAX_SOCKETS_PER_IP', 200, { min: 1 }),
    socketEventLimit: reader.int('SOCKET_EVENT_LIMIT', 300, { min: 1 }),
    typingThrottleMs: reader.int('TYPING_THROTTLE_MS', 1000, { min: 0, max: 60_000 }),
    presenceTtlSeconds: reader.int('PRESENCE_TTL_SECONDS', 60, { min: 5, max: 3600 }),
    projectAccessCacheMs: reader.int('PROJECT_ACCESS_CACHE_MS', 30_000, { min: 0, max: 30_000 }),
    membershipCacheMs: reader.int('MEMBERSHIP_CACHE_MS', 30_000, { min: 0, max: 30_000 }),
    digestEverySeconds: reader.int('MESSAGING_DIGEST_EVERY_SECONDS', 86_400, { min: 1 }),
    digestJobs: reader.bool('MESSAGING_DIGEST_JOBS', true),
    collabUrl: reader.url('COLLAB_URL', `http://127.0.0.1:${Services.collab}`, ['http:', 'https:']),
  };
  reader.done();
  return config;
}
