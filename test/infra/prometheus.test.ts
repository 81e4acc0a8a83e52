import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serviceRegistry } from '@flux/shared/registry';
import { describe, expect, it } from 'vitest';
import { renderScrapeConfig } from '../../infra/prometheus/scrape-config.js';

const dir = fileURLToPath(new URL('../../infra/prometheus/', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));
// Debian's `prometheus` package provides promtool (apt-get install prometheus).
const promtool = (...args: string[]) => execFileSync(process.env.PROMTOOL ?? 'promtool', args, { cwd: dir, encoding: 'utf8' });

describe('infra/prometheus', () => {
  it('scrapes every service of the registry on both deploy slots, as rendered from the registry', () => {
    const committed = readFileSync(`${dir}/prometheus.yml`, 'utf8');
    expect(committed).toBe(renderScrapeConfig({}));
    for (const service of serviceRegistry) {
      expect(committed).toContain(`job_name: flux-${service.name}`);
      expect(committed).toContain(`'127.0.0.1:${service.port}'`);
      expect(committed).toContain(`'127.0.0.1:${service.port + 10_000}'`);
    }
  });

  it('is a valid Prometheus config whose alert rules promtool accepts', () => {
    expect(promtool('check', 'config', 'prometheus.yml')).toContain('SUCCESS');
    expect(promtool('check', 'rules', 'alerts.yml')).toContain('SUCCESS: 12 rules found');
  });

  it('fires each alert on the series that should trigger it and not on the idle deploy slot (promtool test rules)', () => {
    expect(promtool('test', 'rules', 'alerts.test.yml')).toContain('SUCCESS');
  });

  it('alerts only on metrics the services emit', () => {
    const rules = readFileSync(`${dir}/alerts.yml`, 'utf8');
    const sources = [
      'packages/server-kit/src/metrics.ts',
      'packages/server-kit/src/queues.ts',
      'packages/server-kit/src/socket-metrics.ts',
      'packages/server-kit/src/plugins/outbox.ts',
      'packages/server-kit/src/plugins/health.ts',
      'services/collab/src/plugins/update-writer.ts',
    ]
      .map((file) => readFileSync(`${root}/${file}`, 'utf8'))
      .join('\n');
    const used = new Set([...rules.matchAll(/\b((?:http|bullmq|socketio|collab|outbox|flux)_[a-z_]+?)(?:_bucket)?\b/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual([
      'bullmq_queue_jobs',
      'bullmq_queue_oldest_waiting_seconds',
      'collab_persistence_lag_seconds',
      'flux_dependency_up',
      'http_request_duration_seconds',
      'http_requests_total',
      'outbox_events_pending',
      'outbox_oldest_event_seconds',
      'socketio_events_total',
    ]);
    for (const name of used) expect(sources).toContain(`'${name}'`);
  });
});
