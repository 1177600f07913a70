import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');

describe('docs/testing.md', () => {
  it('shows the user function and its test exactly as they run in this suite', () => {
    const doc = read('../../docs/testing.md');
    for (const file of ['./assign-high.ts', './assign-high.test.ts']) {
      expect(doc).toContain('```ts\n' + read(file).trimEnd() + '\n```');
    }
  });
});
