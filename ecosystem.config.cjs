// PM2 process file for FluxStudio, driven by ./flux (PM2_HOME=.flux/pm2, the project's own pm2).
// The services, their ports and scripts come from the one registry (@flux/shared/registry);
// FLUX_<SERVICE>_INSTANCES runs several instances on consecutive ports and the rendered nginx
// upstreams follow. ./flux builds packages/shared before it starts PM2.
const path = require('node:path');
const { serviceRegistry, servicePort, serviceInstances } = require('./packages/shared/dist/registry.js');

const root = __dirname;
// `pm2 startOrReload` keeps only what an app's `env` names, so ./flux lists the settings it passes
// to the services (database and Redis URLs, production secrets …) in FLUX_SERVICE_ENV_KEYS.
const passed = Object.fromEntries(
  (process.env.FLUX_SERVICE_ENV_KEYS || '')
    .split(',')
    .filter((key) => key && process.env[key] !== undefined)
    .map((key) => [key, process.env[key]]),
);
const logs = path.join(root, '.flux/logs');

module.exports = {
  apps: serviceRegistry.map((service) => ({
    name: service.name,
    cwd: root,
    script: service.script,
    interpreter: process.env.FLUX_NODE || 'node',
    node_args: '--enable-source-maps',
    exec_mode: 'fork',
    instances: serviceInstances(service, process.env),
    increment_var: 'PORT',
    env: { ...passed, NODE_ENV: process.env.NODE_ENV || 'development', PORT: String(servicePort(service, process.env)) },
    // The service calls process.send('ready') once it listens; SIGTERM drains for up to 10 s.
    wait_ready: true,
    listen_timeout: 20_000,
    kill_timeout: 15_000,
    autorestart: true,
    exp_backoff_restart_delay: 200,
    max_restarts: 50,
    min_uptime: 5_000,
    out_file: path.join(logs, `${service.name}.out.log`),
    error_file: path.join(logs, `${service.name}.err.log`),
    merge_logs: true,
    time: false,
  })),
};
