// A/B timing for a loaded machine: every variant is timed in turn, round
// after round, in one Node process, and each keeps its fastest 64-call
// batch (the minimum is what other work on the machine disturbs least;
// bench.mjs reports medians). Used for the third round of issue 18, when
// the machine's load average was 10-18.
//
//   node wasm/bench/interleaved.mjs [ROOT] [PACKAGE_DIR]
//
// ROOT/target/bench/node-fixtures.json as for bench.mjs; PACKAGE_DIR is a
// built package (default wasm/pkg), so two builds can be compared.
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { LogicEngine } from 'json-logic-engine';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(process.argv[2] ?? path.join(here, '..', '..'));
const pkg = path.resolve(process.argv[3] ?? path.join(here, '..', 'pkg'));
const { init, builtin, compile } = await import(pathToFileURL(path.join(pkg, 'node.js')).href);
const raw = await import(pathToFileURL(path.join(pkg, 'gen', 'careprompt_wasm.js')).href);
const fixtures = JSON.parse(readFileSync(path.join(root, 'target', 'bench', 'node-fixtures.json'), 'utf8'));
const asOf = fixtures.as_of;
await init();
const rules = builtin();
const subset = fixtures.subset_sources ? compile(fixtures.subset_sources).rules : null;
const compiled = raw.compileBuiltin();
const handle = compiled.takeRules();
compiled.free();
const engine = new LogicEngine();
const built = fixtures.jsonlogic.map((r) => engine.build(r.logic));
const enc = new TextEncoder();

function fastest(fn, n, rounds = 30) {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < 64; k++) fn(k % n);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e3 / 64);
  }
  return best;
}

const variants = {
  'check().outcomes': (p) => (i) => rules.check(p[i], asOf).outcomes,
  'check().outcomes, 24 rules': (p) => (subset ? (i) => subset.check(p[i], asOf).outcomes : null),
  'check().report': (p) => (i) => rules.check(p[i], asOf).report,
  'check().json': (p) => (i) => rules.check(p[i], asOf).json,
  'JSON.parse(checkText().json) (the old check())': (p) => (i) => {
    const o = handle.checkText(p[i], asOf);
    const r = JSON.parse(o.json);
    o.free();
    return r;
  },
  'checkText (report JSON)': (p) => (i) => {
    const o = handle.checkText(p[i], asOf);
    const j = o.json;
    o.free();
    return j;
  },
  checkOutcomesBytes: (p) => {
    const b = p.map((t) => enc.encode(t));
    return handle.checkOutcomesBytes ? (i) => handle.checkOutcomesBytes(b[i], asOf) : null;
  },
  'json-logic-engine e2e (24 rules)': (p) => (i) => {
    const d = JSON.parse(p[i]);
    return built.map((f) => f(d) === true);
  },
  'JSON.parse': (p) => (i) => JSON.parse(p[i]),
};
const out = {};
for (const label of ['2KB', '5KB', '10KB']) {
  const plans = fixtures.plans[label];
  const best = {};
  const fns = Object.entries(variants).map(([k, v]) => [k, v(plans)]).filter(([, f]) => f);
  for (let round = 0; round < 5; round++) {
    for (const [k, f] of fns) best[k] = Math.min(best[k] ?? Infinity, fastest(f, plans.length));
  }
  out[label] = best;
}
const keys = Object.keys(out['2KB'] ?? {});
console.log(`| µs, fastest batch | ${Object.keys(out).join(' | ')} |`);
console.log(`| --- |${Object.keys(out).map(() => ' --- |').join('')}`);
for (const k of keys) console.log(`| ${k} | ${Object.values(out).map((v) => v[k].toFixed(2)).join(' | ')} |`);
