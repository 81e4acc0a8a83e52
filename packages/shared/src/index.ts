export * from './constants.js';
export * from './common.js';
export * from './errors.js';
export * from './health.js';
export * from './identity.js';
export * from './auth.js';
export * from './messaging.js';
export * from './collab.js';
