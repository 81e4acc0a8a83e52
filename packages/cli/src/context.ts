import { type FluxEnv, readEnv } from './env.js';
import { type Paths, paths } from './paths.js';
import { createUi, type Ui } from './ui.js';

/** What every command receives: where things are, the settings, and the terminal. */
export interface Context {
  paths: Paths;
  env: FluxEnv;
  ui: Ui;
}

export function createContext(
  options: { root?: string; env?: Record<string, string | undefined>; ui?: Ui; production?: boolean } = {},
): Context {
  const p = paths(options.root);
  return { paths: p, env: readEnv(options.env ?? process.env, p.state, { production: options.production }), ui: options.ui ?? createUi() };
}

/** The same context with production switched on (`--production`). */
export const withProduction = (ctx: Context): Context => ({
  ...ctx,
  env: readEnv({ ...ctx.env.raw, NODE_ENV: 'production' }, ctx.paths.state, { production: true }),
});
