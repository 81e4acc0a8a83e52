import { AppError } from '@flux/shared';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import argon2 from 'argon2';

/** OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane. */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 10;
const zxcvbn = new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });

export const hashPassword = (password: string): Promise<string> => argon2.hash(password, ARGON2_OPTIONS);

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

// Verified against when the email is unknown, so a miss costs the same time as a wrong password.
let dummyHash: Promise<string> | undefined;
const dummy = () => (dummyHash ??= hashPassword('flux-dummy-password-for-timing'));
export async function burnPasswordCheck(password: string): Promise<void> {
  await verifyPassword(await dummy(), password);
}

/** Computes the dummy hash at boot, so even the first unknown-email login costs exactly one verify. */
export const warmUpPasswordChecks = (): Promise<unknown> => dummy();

/** Throws 400 `weak_password` (details.field = password) unless the password is long and not guessable. */
export function assertStrongPassword(password: string, userInputs: string[] = []): void {
  const weak = (reason: string, suggestions: string[] = []) =>
    new AppError('weak_password', 400, reason, { field: 'password', suggestions });
  if (password.length < MIN_PASSWORD_LENGTH) throw weak(`The password must be at least ${MIN_PASSWORD_LENGTH} characters long.`);
  if (password.length > 256) throw weak('The password must be at most 256 characters long.');
  const result = zxcvbn.check(password, userInputs);
  if (result.score < 3) {
    throw weak(result.feedback.warning ?? 'The password is too easy to guess.', result.feedback.suggestions);
  }
}
