import { useState } from 'react';
import { ApiError } from '../api/errors.js';

/** An API call from a button: `run` resolves true when it worked; otherwise `error` says why, in words from the envelope. */
export function useAction() {
  const [error, setError] = useState<string | null>(null);
  const run = async (action: () => Promise<unknown>): Promise<boolean> => {
    setError(null);
    try {
      await action();
      return true;
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'That did not work.');
      return false;
    }
  };
  return { error, run };
}
