import type { FastifyBaseLogger } from 'fastify';

/** Work done after answering (so timing reveals nothing); drained before the pools close. */
export class BackgroundTasks {
  private readonly running = new Set<Promise<void>>();
  constructor(private readonly log: FastifyBaseLogger) {}

  run(name: string, task: () => Promise<void>): void {
    const promise = task()
      .catch((err: unknown) => this.log.error({ err, task: name }, 'background task failed'))
      .finally(() => this.running.delete(promise));
    this.running.add(promise);
  }

  async drain(): Promise<void> {
    await Promise.all([...this.running]);
  }
}
