import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvReader, readBaseConfig, type BaseConfig } from '@flux/server-kit';
import { MAX_MESSAGE_LENGTH } from '@flux/shared';

export interface Config extends BaseConfig {
  /** Local folder of the file storage. */
  filesDir: string;
  maxFileSize: number;
  /** Total bytes one user may have uploaded. */
  userQuotaBytes: number;
  maxMessageLength: number;
  /** Messages one user may send per window, across instances (Redis). */
  messageRateLimit: number;
  messageRateWindowSeconds: number;
  /** Events one socket may send per 10 s (any kind); more get a `rate_limited` ack. */
  socketEventLimit: number;
  /** At most one `typing: true` relay per socket and conversation in this interval. */
  typingThrottleMs: number;
  /** How long a socket's presence lives in Redis without a heartbeat (an instance that died). */
  presenceTtlSeconds: number;
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
    messageRateLimit: reader.int('MESSAGE_RATE_LIMIT', 60, { min: 1 }),
    messageRateWindowSeconds: reader.int('MESSAGE_RATE_WINDOW_SECONDS', 10, { min: 1, max: 3600 }),
    socketEventLimit: reader.int('SOCKET_EVENT_LIMIT', 300, { min: 1 }),
    typingThrottleMs: reader.int('TYPING_THROTTLE_MS', 1000, { min: 0, max: 60_000 }),
    presenceTtlSeconds: reader.int('PRESENCE_TTL_SECONDS', 60, { min: 5, max: 3600 }),
  };
  reader.done();
  return config;
}
