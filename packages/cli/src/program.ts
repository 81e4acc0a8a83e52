import { Command } from 'commander';
import { commands } from './commands/index.js';
import type { Context } from './context.js';

/** The `flux` command line: every module in commands/index.ts registers itself here. */
export function createProgram(ctx: Context): Command {
  const program = new Command('flux')
    .usage('<command> [options]')
    .description('FluxStudio operations: ./flux <command> --help for details')
    .showHelpAfterError('(./flux --help lists the commands)')
    .configureOutput({ writeErr: (text) => process.stderr.write(text.replace(/^error: /, 'flux: ')) })
    .exitOverride();
  for (const command of commands) command.register(program, ctx);
  return program;
}
