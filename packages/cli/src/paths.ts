import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file is packages/cli/{src,dist}/paths.*. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface Paths {
  root: string;
  /** git-ignored working state: logs, pm2, nginx, records of what flux started */
  state: string;
  logs: string;
  pm2Home: string;
  nginxPrefix: string;
  /** one JSON file per thing `./flux up` started (read by `./flux down`) */
  started: string;
  infra: string;
}

export function paths(root = repoRoot): Paths {
  const state = join(root, '.flux');
  return {
    root,
    state,
    logs: join(state, 'logs'),
    pm2Home: join(state, 'pm2'),
    nginxPrefix: join(state, 'nginx'),
    started: join(state, 'started'),
    infra: join(root, 'infra'),
  };
}
