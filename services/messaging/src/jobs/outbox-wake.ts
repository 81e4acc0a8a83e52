/**
 * Messaging's outbox inserts do not NOTIFY (migration 0007): a commit that wrote notification jobs
 * calls the returned function, which wakes this instance's relay `delayMs` later, once for every
 * commit in between — one relay batch for many messages instead of one per message, and no
 * notify lock in each message's commit. The relay drains every instance's rows (the relays take
 * turns); its poll stays behind this in case an instance died before its wake.
 */
export function coalescedWake(wake: () => void, delayMs: number): () => void {
  let timer: NodeJS.Timeout | undefined;
  return () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      wake();
    }, delayMs);
    timer.unref();
  };
}
