export * from './core.js';
export * from './db.js';
export * from './errors.js';
export * from './events.js';
export * from './health.js';
export * from './metrics.js';
export * from './redis.js';
export * from './service-tokens.js';
