import { EnvReader, readBaseConfig, type BaseConfig } from '@flux/server-kit';

export interface Config extends BaseConfig {
  /** Largest WebSocket frame accepted; bigger ones close the connection with 1009. */
  maxMessageBytes: number;
  /** Largest document (bytes of accepted updates since load); an update past it closes with 4413. */
  maxDocumentBytes: number;
  /** Sustained update messages per second and burst per connection; beyond, close with 4529. */
  updatesPerSecond: number;
  updateBurst: number;
  /** How often pending updates are written to PostgreSQL (the contract bounds durability at 1 s). */
  flushIntervalMs: number;
  /** How long an empty room stays loaded, so a quick reconnect does not reload it. */
  roomUnloadDelayMs: number;
  /** How long a project access answer from auth is trusted (membership events invalidate it sooner). */
  accessCacheMs: number;
  /** Logged updates since the last snapshot that trigger a background compaction. */
  compactionThreshold: number;
  /** Quiet time before `document.updated` is published for a burst of edits. */
  documentEventDebounceMs: number;
  /** WebSocket ping interval; a connection that missed a pong by the next ping is dropped. */
  pingIntervalMs: number;
  /** How often instances holding the same room compare state over the relay, repairing lost messages. */
  relaySyncIntervalMs: number;
  /** Run the compaction worker in this process (on by default; off for API-only instances). */
  compactionWorker: boolean;
}

/** The only reader of process.env in this service. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const reader = new EnvReader(env);
  const config: Config = {
    ...readBaseConfig(reader, 'collab'),
    maxMessageBytes: reader.int('COLLAB_MAX_MESSAGE_BYTES', 1024 * 1024, { min: 1024 }),
    maxDocumentBytes: reader.int('COLLAB_MAX_DOCUMENT_BYTES', 16 * 1024 * 1024, { min: 1024 }),
    updatesPerSecond: reader.int('COLLAB_UPDATES_PER_SECOND', 100, { min: 1 }),
    updateBurst: reader.int('COLLAB_UPDATE_BURST', 300, { min: 1 }),
    flushIntervalMs: reader.int('COLLAB_FLUSH_INTERVAL_MS', 200, { min: 10, max: 900 }),
    roomUnloadDelayMs: reader.int('COLLAB_ROOM_UNLOAD_DELAY_MS', 10_000, { min: 0 }),
    accessCacheMs: reader.int('COLLAB_ACCESS_CACHE_MS', 30_000, { min: 0 }),
    compactionThreshold: reader.int('COLLAB_COMPACTION_THRESHOLD', 200, { min: 1 }),
    documentEventDebounceMs: reader.int('COLLAB_DOCUMENT_EVENT_DEBOUNCE_MS', 2000, { min: 0 }),
    pingIntervalMs: reader.int('COLLAB_PING_INTERVAL_MS', 20_000, { min: 100 }),
    relaySyncIntervalMs: reader.int('COLLAB_RELAY_SYNC_INTERVAL_MS', 15_000, { min: 100 }),
    compactionWorker: reader.bool('COLLAB_COMPACTION_WORKER', true),
  };
  reader.done();
  return config;
}
