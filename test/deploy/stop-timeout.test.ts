// The deployment's stop timeout covers serve's drain (#14 item 7): Docker Compose's
// stop_grace_period and ECS's stopTimeout stay above INBOXD_SHUTDOWN_TIMEOUT's default, and the
// image stops with SIGTERM (the signal serve drains on). Checked from the files, as deployed.
import { readFileSync } from 'node:fs';
import { parse } from '@cdktf/hcl2json';
import { describe, expect, it } from 'vitest';
import { settings } from '../../src/config/schema.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const drainSeconds = settings.shutdown_timeout.parse(undefined);
/** room for the process to exit after the drain (worker threads, the last log lines). */
const MARGIN = 5;

describe('stop timeouts cover the drain', () => {
  it('the image stops with SIGTERM', () => {
    expect(read('Dockerfile')).toMatch(/^STOPSIGNAL SIGTERM$/m);
  });

  it('compose waits longer than the drain before SIGKILL', () => {
    const grace = /^\s+stop_grace_period:\s*(\d+)s$/m.exec(read('deploy/compose.yml'));
    expect(grace, 'deploy/compose.yml sets stop_grace_period for inboxd').toBeTruthy();
    expect(Number(grace![1])).toBeGreaterThanOrEqual(drainSeconds + MARGIN);
  });

  it('every ECS task definition waits longer than the drain before SIGKILL', async () => {
    const tf = (await parse('main.tf', read('deploy/terraform/modules/ecs/main.tf'))) as { resource: { aws_ecs_task_definition: Record<string, [{ container_definitions: string }]> } };
    const tasks = Object.entries(tf.resource.aws_ecs_task_definition);
    expect(tasks.length).toBeGreaterThan(0);
    for (const [name, [task]] of tasks) {
      const stop = /stopTimeout\s*=\s*(\d+)/.exec(task.container_definitions);
      expect(stop, `${name} sets stopTimeout`).toBeTruthy();
      expect(Number(stop![1]), name).toBeGreaterThanOrEqual(drainSeconds + MARGIN);
      // Fargate's ceiling
      expect(Number(stop![1]), name).toBeLessThanOrEqual(120);
    }
  });
});
