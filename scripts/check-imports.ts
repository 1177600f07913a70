/**
 * Checks the import graph of `src/` against the layers of the design (shared/design.md, "Layers"):
 * no import loop anywhere (type-only imports included), no import from a lower layer to a higher
 * one, and no SDK module importing the test kit or the command line. Also checks that no string
 * in code outside `apis/` and `testing/` holds a wire path or an OData word: the wire stays in
 * `apis/`. Exits 1 listing each breach.
 *
 * Run: `npm run check:imports` (`npm run typecheck` runs it after tsc).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

/**
 * Layers, top down: a module may import its own layer or a lower one (a higher number). The
 * separate entries (`testing/`, `sim/`, `cli/`, `redis/`) sit above the SDK and may import any of it.
 */
const LAYERS: readonly (readonly [RegExp, number, string])[] = [
  [/^(testing|sim|cli|redis)\//, -1, 'separate entry'],
  [/^index\.ts$/, 0, 'index'],
  [/^(client|env)\.ts$/, 1, 'client'],
  [/^resources\//, 2, 'resources'],
  [/^apis\//, 3, 'apis'],
  [/^(models|transport|auth|stores)\/|^(pagination|kql)\.ts$/, 4, 'models/transport/auth'],
  [/^(errors|types|clouds|checks|causes|sleep|version)\.ts$/, 5, 'errors/types/utilities'],
];

function layerOf(file: string): { rank: number; name: string } {
  for (const [pattern, rank, name] of LAYERS) if (pattern.test(file)) return { rank, name };
  throw new Error(`${file} is in no layer: add it to LAYERS in scripts/check-imports.ts`);
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The `src/`-relative files a module imports (static, dynamic and type-only). */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => relative(src, resolve(dirname(file), name.replace(/\.js$/, '.ts'))));
}

const files = walk(src).map((f) => relative(src, f));
const graph = new Map(files.map((f) => [f, importsOf(join(src, f))]));
const problems: string[] = [];

for (const [file, imports] of graph) {
  const from = layerOf(file);
  for (const target of imports) {
    if (!graph.has(target)) {
      problems.push(`${file} imports ${target}, which does not exist`);
      continue;
    }
    const to = layerOf(target);
    if (from.rank >= 0 && to.rank < 0) problems.push(`${file} (${from.name}) imports the separate entry ${target}`);
    else if (from.rank >= 0 && to.rank < from.rank) problems.push(`${file} (${from.name}) imports upward: ${target} (${to.name})`);
    if (file.startsWith('testing/') && /^(sim|cli)\//.test(target)) problems.push(`${file}: the test kit imports the command line (${target})`);
    // The command line is a client of the public package: the SDK only through index.ts.
    if (file.startsWith('cli/') && !/^(index\.ts$|cli\/|sim\/)/.test(target)) problems.push(`${file}: the command line imports ${target}, not the public entry (index.ts)`);
  }
}

// Cycles: a depth-first search that reports each back edge's loop once.
const state = new Map<string, 'open' | 'done'>();
const stack: string[] = [];
const seen = new Set<string>();
function visit(file: string): void {
  state.set(file, 'open');
  stack.push(file);
  for (const target of graph.get(file) ?? []) {
    if (!graph.has(target)) continue;
    if (state.get(target) === 'open') {
      const loop = [...stack.slice(stack.indexOf(target)), target];
      const key = [...loop].sort().join();
      if (!seen.has(key)) {
        seen.add(key);
        problems.push(`import loop: ${loop.join(' -> ')}`);
      }
    } else if (!state.has(target)) visit(target);
  }
  stack.pop();
  state.set(file, 'done');
}
for (const file of files) if (!state.has(file)) visit(file);

// Wire words in string literals (comments may name them: they document the wire for users).
const WIRE = /\/api\/|\/v1\.0\/|\/security\/|\$(?:top|skip|filter|expand|orderby|select|count)\b|@odata|alerts_v2|runHuntingQuery|\/advancedhunting\b/i;
for (const file of files) {
  if (/^(apis|testing)\//.test(file)) continue;
  const source = ts.createSourceFile(file, readFileSync(join(src, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const visitNode = (node: ts.Node): void => {
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) && WIRE.test(node.text)) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart());
      problems.push(`${file}:${line + 1} holds a wire path or OData word outside apis/: ${JSON.stringify(node.text.slice(0, 80))}`);
    }
    ts.forEachChild(node, visitNode);
  };
  visitNode(source);
}

if (problems.length) {
  console.error(`check-imports: ${problems.length} problem(s) in src/:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`check-imports: ${files.length} modules, ${[...graph.values()].reduce((n, i) => n + i.length, 0)} imports; no loop, no upward import, no wire word outside apis/.`);
