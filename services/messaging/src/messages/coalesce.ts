/**
 * Shares reads between concurrent callers without ever answering one from a read that started
 * before it asked: a caller joins the run of its key that has not started yet, or starts one when
 * none is running. So each answer is as fresh as a read of its own (it sees everything committed
 * before the caller asked), and a key is read at most twice per round trip however many ask.
 */
export class Coalescer<T> {
  private readonly running = new Map<string, Promise<T>>();
  private readonly waiting = new Map<string, Promise<T>>();

  run(key: string, read: () => Promise<T>): Promise<T> {
    const waiting = this.waiting.get(key);
    if (waiting) return waiting;
    const running = this.running.get(key);
    if (!running) return this.start(key, read);
    // Starts once the running read settles, however it settles.
    const next = running.then(
      () => this.startWaiting(key, read),
      () => this.startWaiting(key, read),
    );
    this.waiting.set(key, next);
    return next;
  }

  private startWaiting(key: string, read: () => Promise<T>): Promise<T> {
    this.waiting.delete(key);
    return this.start(key, read);
  }

  private start(key: string, read: () => Promise<T>): Promise<T> {
    const started = read();
    this.running.set(key, started);
    const done = () => {
      if (this.running.get(key) === started) this.running.delete(key);
    };
    started.then(done, done);
    return started;
  }
}
