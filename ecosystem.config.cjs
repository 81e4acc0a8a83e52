// PM2 process file for FluxStudio, driven by ./flux (PM2_HOME=.flux/pm2, the project's own pm2).
// The services, their ports and scripts come from the one registry (@flux/shared/registry);
// FLUX_<SERVICE>_INSTANCES runs several instances on consecutive ports and the rendered nginx
// upstreams follow. ./flux builds packages/shared before it starts PM2.
const path = require('node:path');
const { serviceRegistry, servicePort, serviceInstances } = require('./packages/shared/dist/registry.js');

/**
 * The PM2 apps of one copy of the services. `./flux up` runs the checkout itself (names `auth`, …);
 * `./flux deploy` runs a release directory beside the one serving, so its names carry the release
 * (`auth@<release>`), its cwd is the release and its ports come from `settings` (the spare slot).
 * `env` is what the processes get; `settings` is where `<NAME>_PORT` and `FLUX_<NAME>_INSTANCES` are read.
 */
function serviceApps({ root, env, settings = env, suffix = '', logs }) {
  return serviceRegistry.map((service) => ({
    name: `${service.name}${suffix}`,
    cwd: root,
    script: service.script,
    interpreter: process.env.FLUX_NODE || 'node',
    node_args: ['--enable-source-maps', ...(service.nodeArgs ?? [])].join(' '),
    exec_mode: 'fork',
    instances: serviceInstances(service, settings),
    increment_var: 'PORT',
    env: { ...env, NODE_ENV: env.NODE_ENV || 'development', PORT: String(servicePort(service, settings)) },
    // The service calls process.send('ready') once it listens; SIGTERM drains for up to 10 s.
    wait_ready: true,
    listen_timeout: 20_000,
    kill_timeout: 15_000,
    autorestart: true,
    exp_backoff_restart_delay: 200,
    max_restarts: 50,
    min_uptime: 5_000,
    out_file: path.join(logs, `${service.name}${suffix}.out.log`),
    error_file: path.join(logs, `${service.name}${suffix}.err.log`),
    merge_logs: true,
    time: false,
  }));
}

// `pm2 startOrReload` keeps only what an app's `env` names, so ./flux lists the settings it passes
// to the services (database and Redis URLs, production secrets …) in FLUX_SERVICE_ENV_KEYS.
const passed = Object.fromEntries(
  (process.env.FLUX_SERVICE_ENV_KEYS || '')
    .split(',')
    .filter((key) => key && process.env[key] !== undefined)
    .map((key) => [key, process.env[key]]),
);
module.exports = {
  apps: serviceApps({
    root: __dirname,
    env: { ...passed, NODE_ENV: process.env.NODE_ENV || 'development' },
    settings: process.env,
    logs: path.join(__dirname, '.flux/logs'),
  }),
  serviceApps,
};
