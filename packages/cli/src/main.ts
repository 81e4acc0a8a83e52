#!/usr/bin/env node
// Entry point behind ./flux (which provides Node, pnpm and the system packages first).
import { CommanderError } from 'commander';
import { createContext } from './context.js';
import { createProgram } from './program.js';
import { FluxError } from './ui.js';

const ctx = createContext();
try {
  await createProgram(ctx).parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  if (err instanceof FluxError) {
    ctx.ui.error(err.message, err.hint);
    process.exit(1);
  }
  throw err;
}
