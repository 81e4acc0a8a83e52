// Start-up, health waiting and nginx rendering shared by the CLI and test/e2e/stack.ts.
export * from './health.js';
export * from './nginx.js';
export * from './ports.js';
export * from './processes.js';
