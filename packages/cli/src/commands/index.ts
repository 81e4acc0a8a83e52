import type { Command } from 'commander';
import type { Context } from '../context.js';
import * as admin from './admin.js';
import * as backup from './backup.js';
import * as bench from './bench.js';
import * as deploy from './deploy.js';
import * as dev from './dev.js';
import * as doctor from './doctor.js';
import * as down from './down.js';
import * as logs from './logs.js';
import * as migrate from './migrate.js';
import * as probe from './probe.js';
import * as releases from './releases.js';
import * as restart from './restart.js';
import * as restore from './restore.js';
import * as secrets from './secrets.js';
import * as status from './status.js';
import * as test from './test.js';
import * as up from './up.js';

/** A command module: its work is an exported function; `register` wires it into the program. */
export interface CommandModule {
  register(program: Command, ctx: Context): void;
}

/** Help lists commands in this order. */
export const commands: CommandModule[] = [
  up,
  down,
  status,
  logs,
  restart,
  test,
  bench,
  dev,
  migrate,
  doctor,
  secrets,
  probe,
  backup,
  restore,
  deploy,
  releases,
  admin,
];
