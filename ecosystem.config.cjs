// PM2 process file for FluxStudio, driven by ./flux (PM2_HOME=.flux/pm2, the project's own pm2).
// FLUX_<SERVICE>_INSTANCES runs several instances of a service on consecutive ports;
// ./flux renders the nginx upstreams to match.
const path = require('node:path');

const root = __dirname;
const logs = path.join(root, '.flux/logs');
const services = { auth: 3001, messaging: 3004, collab: 4000 };

module.exports = {
  apps: Object.entries(services).map(([name, port]) => {
    const instances = Number(process.env[`FLUX_${name.toUpperCase()}_INSTANCES`] || 1);
    return {
      name,
      cwd: root,
      script: `services/${name}/dist/server.js`,
      interpreter: process.env.FLUX_NODE || 'node',
      node_args: '--enable-source-maps',
      exec_mode: 'fork',
      instances,
      increment_var: 'PORT',
      env: { NODE_ENV: process.env.NODE_ENV || 'development', PORT: String(Number(process.env[`${name.toUpperCase()}_PORT`] || port)) },
      // The service calls process.send('ready') once it listens; SIGTERM drains for up to 10 s.
      wait_ready: true,
      listen_timeout: 20_000,
      kill_timeout: 15_000,
      autorestart: true,
      exp_backoff_restart_delay: 200,
      max_restarts: 50,
      min_uptime: 5_000,
      out_file: path.join(logs, `${name}.out.log`),
      error_file: path.join(logs, `${name}.err.log`),
      merge_logs: true,
      time: false,
    };
  }),
};
