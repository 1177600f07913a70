/**
 * Code only some programs need stays out of what `import('m365-defender')` loads: in the ESM build
 * (esbuild with `splitting`, as tsup builds dist/index.js), the entry and the chunks it imports
 * statically carry no Graph-only text, no Defender for Endpoint text and none of the stream body
 * reader; each of them is in a chunk loaded by `import()` on first use. esbuild keeps every
 * top-level `z.object(…)` of a module once any export of it is imported, so one stray static
 * import carries a whole wire API into the entry: this is the check that catches it.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'm365d-lazy-chunks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Text found only in each lazily loaded part (paths and wire field names, not comments: the build drops those). */
const LAZY_ONLY = {
  graph: ['/v1.0/security', 'alerts_v2'],
  mde: ['machineactions', 'computerDnsName', 'indicatorValue', 'unrestrictCodeExecution'],
  streamReader: ['no data arrived'],
};

/** The files `file` loads, following static `import … from` / `export … from` only, not `import()`. */
function staticClosure(file: string): string[] {
  const seen = new Set<string>();
  const queue = [file];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (seen.has(next)) continue;
    seen.add(next);
    const source = readFileSync(join(dir, next), 'utf8');
    for (const match of source.matchAll(/(?:\bfrom\s*|\bimport\s*)["']\.\/([^"']+)["']/g)) queue.push(match[1]!);
  }
  return [...seen];
}

describe('the ESM entry', () => {
  it('and its static chunks carry no Graph-only, Defender for Endpoint or stream-reader code; lazy chunks do', async () => {
    await build({
      entryPoints: { index: join(import.meta.dirname, '../src/index.ts') },
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      packages: 'external',
      outdir: dir,
      // As tsup.config.ts builds the entry (whitespace minifying also drops the comments).
      minifyWhitespace: true,
      minifySyntax: true,
      logLevel: 'silent',
    });
    const entry = staticClosure('index.js');
    const loaded = entry.map((file) => readFileSync(join(dir, file), 'utf8')).join('\n');
    const all = readdirSync(dir).filter((file) => file.endsWith('.js')).map((file) => readFileSync(join(dir, file), 'utf8')).join('\n');
    for (const [part, words] of Object.entries(LAZY_ONLY)) {
      for (const word of words) {
        // The word is in the build (so the check looks for something real), but not in what import loads.
        expect(all, `${part}: ${word} in the build`).toContain(word);
        expect(loaded, `${part}: ${word} in index.js or a chunk it imports statically (${entry.join(', ')})`).not.toContain(word);
      }
    }
  });
});
