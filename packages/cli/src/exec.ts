import { spawn, type StdioOptions } from 'node:child_process';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** 'inherit' shows the output live; 'pipe' (default) captures it */
  stdio?: 'inherit' | 'pipe' | 'ignore';
  input?: string;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program with an argument array (never through a shell) and resolves with its exit code
 * and captured output; callers decide what a non-zero code means. A missing program is code 127.
 */
export function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const mode = options.stdio ?? 'pipe';
  const stdio: StdioOptions = [options.input === undefined ? 'ignore' : 'pipe', mode, mode];
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env ?? process.env, stdio });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    child.on('error', (err) => resolve({ code: 127, stdout, stderr: stderr + err.message }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
}

export const isRoot = () => process.getuid?.() === 0;
