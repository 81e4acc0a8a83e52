import type { Writable } from 'node:stream';

/**
 * An error the operator can act on: `message` says what went wrong, `hint` what to do next.
 * main.ts prints it as `flux: <message>` (+ the hint) and exits 1; anything else is a bug.
 */
export class FluxError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'FluxError';
  }
}

export const fail = (message: string, hint?: string): never => {
  throw new FluxError(message, hint);
};

export type CheckLevel = 'ok' | 'warn' | 'fail';

/** The one place that writes to the terminal, so every command speaks the same way. */
export interface Ui {
  /** `==> text`: a step that starts now */
  step(text: string): void;
  /** indented, dim: detail under a step */
  note(text: string): void;
  /** plain line on stdout (command output meant for reading or piping) */
  line(text: string): void;
  /** `  ok    name  detail` and friends: one result of a check */
  check(level: CheckLevel, name: string, detail: string, fix?: string): void;
  /** `flux: message` on stderr, then the hint */
  error(message: string, hint?: string): void;
}

export function createUi(out: Writable = process.stdout, err: Writable = process.stderr): Ui {
  const tty = 'isTTY' in out && Boolean(out.isTTY) && !process.env.NO_COLOR;
  const paint = (code: string, text: string) => (tty ? `\x1b[${code}m${text}\x1b[0m` : text);
  const colour: Record<CheckLevel, string> = { ok: '32', warn: '33', fail: '31' };
  return {
    step: (text) => out.write(`${paint('1', '==>')} ${text}\n`),
    note: (text) => out.write(`    ${paint('2', text)}\n`),
    line: (text) => out.write(`${text}\n`),
    check: (level, name, detail, fix) => {
      out.write(`  ${paint(colour[level], level.padEnd(4))}  ${name.padEnd(26)} ${detail}\n`);
      if (fix && level !== 'ok') out.write(`        ${paint('2', `fix: ${fix}`)}\n`);
    },
    error: (message, hint) => err.write(`flux: ${message}${hint ? `\n      ${hint}` : ''}\n`),
  };
}

/** Hides the password of a connection URL for printing. */
export const redact = (url: string) => url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
