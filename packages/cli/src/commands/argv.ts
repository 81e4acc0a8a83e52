import type { Command } from 'commander';
import type { Context } from '../context.js';

/**
 * The plain context of argv-style commands (they parse their own arguments with node:util
 * parseArgs and are tested by calling them with this and reading what they printed).
 */
export interface ArgvContext {
  /** the repository root (state lives in `<root>/.flux`) */
  root: string;
  env: NodeJS.ProcessEnv;
  /** stdout: results and progress */
  out: (line: string) => void;
  /** stderr: `flux: …` errors and, with --json, progress */
  err: (line: string) => void;
}

export const argvContext = (ctx: Context): ArgvContext => ({
  root: ctx.paths.root,
  env: { ...ctx.env.raw, PM2_HOME: ctx.paths.pm2Home },
  out: (line) => ctx.ui.line(line),
  err: (line) => process.stderr.write(`${line}\n`),
});

export interface ArgvCommand {
  name: string;
  /** one line for ./flux --help */
  summary: string;
  /** the full usage text, printed by ./flux <name> --help */
  usage: string;
  /** parses its own argv; resolves with the exit code */
  run: (argv: string[], ctx: ArgvContext) => Promise<number>;
}

/** Registers a command that takes its raw arguments (every option and argument passes through). */
export function registerArgv(program: Command, ctx: Context, command: ArgvCommand): void {
  program
    .command(command.name)
    .description(command.summary)
    .argument('[args...]')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (args: string[]) => {
      if (args.includes('--help') || args.includes('-h')) {
        ctx.ui.line(command.usage);
        return;
      }
      process.exitCode = await command.run(args, argvContext(ctx));
    });
}
