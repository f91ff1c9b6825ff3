// Images are pinned (#17 item 3): every image the compose file and the CI workflow's services run
// names an exact version, never a moving major tag or `latest`; Inboxd's own is the package version.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const images = (yaml: string) => [...yaml.matchAll(/^\s+image:\s*(\S+)\s*$/gm)].map((m) => m[1]!);
const pinned = /^[a-z0-9./-]+:\d+\.\d+(\.\d+)?(-[a-z0-9.]+)?$/;

describe('pinned images', () => {
  it('deploy/compose.yml pins every image, and Inboxd to the package version', () => {
    const found = images(read('deploy/compose.yml'));
    expect(found.length).toBe(3);
    for (const image of found) expect(image, image).toMatch(pinned);
    const { version } = JSON.parse(read('package.json')) as { version: string };
    expect(found).toContain(`inboxd:${version}`);
  });

  it('the CI workflow pins its service images', () => {
    const found = images(read('.github/workflows/ci.yml'));
    expect(found.length).toBeGreaterThanOrEqual(2);
    for (const image of found) expect(image, image).toMatch(pinned);
  });
});
