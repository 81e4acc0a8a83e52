import { EnvReader, readBaseConfig, type BaseConfig } from '@flux/server-kit';

export interface Config extends BaseConfig {
  /** Largest WebSocket frame accepted; bigger ones close the connection with 1009. */
  maxMessageBytes: number;
  /** Largest document (bytes loaded plus every update received since; measured for real before refusing); an update past it closes with 4413. */
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
  /** Bytes of pending structs and deletes (waiting for structs the document lacks) an update may leave; beyond, 4422. */
  maxPendingBytes: number;
  /** Awareness client ids one connection may hold (a stock client has one; two covers a reconnect's overlap). */
  maxAwarenessIdsPerConnection: number;
  /** Awareness states one room holds; a new id beyond is dropped. */
  maxAwarenessStatesPerRoom: number;
  /** Largest awareness state (its JSON); above, 4431. */
  maxAwarenessStateBytes: number;
  /** Sync step 1 and query-awareness messages (each answered with the whole document or every cursor) per minute and burst per connection; beyond, 4529. */
  syncRequestsPerMinute: number;
  syncRequestBurst: number;
  /** Open collab connections per user in this instance; beyond, 4429. */
  maxConnectionsPerUser: number;
  /** Rooms loaded in this instance; one more unloads the least recently used idle room (after a flush), or is refused when every room is held. */
  maxRooms: number;
  /** Versions one document keeps; creating one more answers 409. */
  maxVersionsPerDocument: number;
  /** Documents one user creates a minute; beyond, 429. */
  documentCreatesPerMinute: number;
  /** Comments and replies a user may post per minute (resolve/delete are not counted). */
  commentWritesPerMinute: number;
  /** Versions one user creates a minute; beyond, 429. */
  versionCreatesPerMinute: number;
  /** Restores of one document a minute; beyond, 429. */
  restoresPerMinute: number;
  /** Days a deleted document stays restorable in its project's trash before the purge job deletes it. */
  trashDays: number;
  /** How often the purge job runs. */
  trashPurgeEverySeconds: number;
  /** Run the purge job's worker in this process (on by default; off for API-only instances). */
  trashPurgeWorker: boolean;
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
    maxPendingBytes: reader.int('COLLAB_MAX_PENDING_BYTES', 64 * 1024, { min: 0 }),
    maxAwarenessIdsPerConnection: reader.int('COLLAB_MAX_AWARENESS_IDS_PER_CONNECTION', 2, { min: 1 }),
    maxAwarenessStatesPerRoom: reader.int('COLLAB_MAX_AWARENESS_STATES_PER_ROOM', 256, { min: 1 }),
    maxAwarenessStateBytes: reader.int('COLLAB_MAX_AWARENESS_STATE_BYTES', 4096, { min: 256 }),
    syncRequestsPerMinute: reader.int('COLLAB_SYNC_REQUESTS_PER_MINUTE', 30, { min: 1 }),
    syncRequestBurst: reader.int('COLLAB_SYNC_REQUEST_BURST', 10, { min: 1 }),
    maxConnectionsPerUser: reader.int('COLLAB_MAX_CONNECTIONS_PER_USER', 20, { min: 1 }),
    maxRooms: reader.int('COLLAB_MAX_ROOMS', 2000, { min: 1 }),
    maxVersionsPerDocument: reader.int('COLLAB_MAX_VERSIONS_PER_DOCUMENT', 100, { min: 1 }),
    documentCreatesPerMinute: reader.int('COLLAB_DOCUMENT_CREATES_PER_MINUTE', 30, { min: 1 }),
    commentWritesPerMinute: reader.int('COLLAB_COMMENT_WRITES_PER_MINUTE', 60, { min: 1 }),
    versionCreatesPerMinute: reader.int('COLLAB_VERSION_CREATES_PER_MINUTE', 20, { min: 1 }),
    restoresPerMinute: reader.int('COLLAB_RESTORES_PER_MINUTE', 10, { min: 1 }),
    trashDays: reader.int('COLLAB_TRASH_DAYS', 30, { min: 0 }),
    trashPurgeEverySeconds: reader.int('COLLAB_TRASH_PURGE_EVERY_SECONDS', 3600, { min: 1 }),
    trashPurgeWorker: reader.bool('COLLAB_TRASH_PURGE_WORKER', true),
  };
  reader.done();
  return config;
}
