// Where things are, for the tests.
import { readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WASM = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ROOT = resolve(WASM, '..');
export const WWW = join(WASM, 'www');
export const EXTENSION = join(WASM, 'extension');

async function walk(dir, keep) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p, keep)));
    else if (keep(p)) out.push(p);
  }
  return out;
}

/** Every example plan (examples/plans/**\/*.json), sorted. */
export function examplePlans() {
  return walk(join(ROOT, 'examples', 'plans'), (p) => p.endsWith('.json'));
}

/** Whether `p` is inside a local pack (a folder under rules/ holding pack.toml). */
function inLocalPack(p) {
  const rules = join(ROOT, 'rules');
  for (let d = dirname(p); d.startsWith(rules) && d !== rules; d = dirname(d)) {
    if (existsSync(join(d, 'pack.toml'))) return true;
  }
  return false;
}

/** Every rule test file under rules/ (*.toml), sorted; local packs (tested with their manifest) left out. */
export function ruleTestFiles() {
  return walk(join(ROOT, 'rules'), (p) => p.endsWith('.toml') && !inLocalPack(p));
}

/** Every file under a rules/ pack's tests/ folder (tests and fixtures), sorted; local packs left out. */
export function ruleTestTree() {
  return walk(join(ROOT, 'rules'), (p) => /[\\/]tests[\\/]/.test(p) && !inLocalPack(p));
}
