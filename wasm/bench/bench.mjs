// Node benchmark: the careprompt WebAssembly package end to end (plan text
// or bytes in; outcomes, the report object or the report JSON out) next to
// native careprompt timed in the same run, and two JavaScript JSONLogic engines (json-logic-js, the reference
// implementation, and json-logic-engine, which compiles rules to
// functions) on the JSONLogic form of the pack's subset of rules.
//
// Inputs come from target/bench/node-fixtures.json (written by the
// careprompt-bench `gen-cohort` binary); the native side is the
// careprompt-bench `bench-loop` binary. Run through scripts/bench.sh, or:
//
//   node wasm/bench/bench.mjs [ROOT]      (ROOT: the repository, default ../..)
//
// Writes ROOT/target/bench/node.json and prints a table.

import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import jsonLogic from 'json-logic-js';
import { LogicEngine } from 'json-logic-engine';
import { init, builtin, compile } from '../pkg/node.js';
import * as raw from '../pkg/gen/careprompt_wasm.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(process.argv[2] ?? path.join(here, '..', '..'));
const benchDir = path.join(root, 'target', 'bench');
const fixtures = JSON.parse(readFileSync(path.join(benchDir, 'node-fixtures.json'), 'utf8'));
const asOf = fixtures.as_of;
const TARGET_MS = Number(process.env.CAREPROMPT_NODE_BENCH_MS ?? 1500);

/** Median time per call (microseconds) of `fn(i)` over rotating inputs. */
function time(fn, n) {
  // Warm up (JIT, caches), then time batches and keep their median.
  let i = 0;
  const warm = performance.now();
  while (performance.now() - warm < TARGET_MS / 4) fn(i++ % n);
  const batches = [];
  const start = performance.now();
  let batch = 1;
  while (performance.now() - start < TARGET_MS) {
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < batch; k++) fn(i++ % n);
    const dt = Number(process.hrtime.bigint() - t0) / 1e3 / batch;
    batches.push(dt);
    if (dt * batch < 2000) batch *= 2; // batches of at least ~2 ms
  }
  batches.sort((a, b) => a - b);
  return batches[Math.floor(batches.length / 2)];
}

await init();
const rules = builtin();
// The package on the same 24 rules as the JavaScript engines (the pack's
// own text for them, cut out of the pack by careprompt-bench).
let subset = null;
if (fixtures.subset_sources) {
  const compiledSubset = compile(fixtures.subset_sources);
  if (!compiledSubset.ok) throw new Error(`the subset does not compile: ${JSON.stringify(compiledSubset.diagnostics)}`);
  subset = compiledSubset.rules;
}
// The raw bindings under the package API (same module instance): report JSON
// text out, without the API's JSON.parse of it.
const compiled = raw.compileBuiltin();
const handle = compiled.takeRules();
compiled.free();

const results = { node: process.version, wasm: {}, native: {}, jsonlogic: {}, checks: {} };
const enc = new TextEncoder();

// Correctness first: the WASM package gives the native outcomes for every
// plan, and both JSONLogic engines give careprompt's fires / does not fire.
const engine = new LogicEngine();
const built = fixtures.jsonlogic.map((r) => engine.build(r.logic));
let mismatches = { wasm: 0, 'json-logic-js': 0, 'json-logic-engine': 0 };
let checked = 0;
for (const [label, plans] of Object.entries(fixtures.plans)) {
  plans.forEach((text, p) => {
    const r = rules.check(text, asOf);
    if (!r.ok) throw new Error(`wasm check failed on ${label}#${p}: ${r.json}`);
    const got = r.report.outcomes.map((o) => o.outcome);
    if (JSON.stringify(got) !== JSON.stringify(fixtures.expected_pack_outcomes[label][p])) mismatches.wasm++;
    if (JSON.stringify(r.outcomes) !== JSON.stringify(got)) mismatches.wasm++;
    const data = JSON.parse(text);
    const want = fixtures.expected_subset_fires[label][p];
    if (subset) {
      const fired = subset.check(text, asOf).outcomes.map((o) => o === 'fires');
      if (JSON.stringify(fired) !== JSON.stringify(want)) mismatches.wasm++;
    }
    fixtures.jsonlogic.forEach((rule, k) => {
      if ((jsonLogic.apply(rule.logic, data) === true) !== want[k]) mismatches['json-logic-js']++;
      if ((built[k](data) === true) !== want[k]) mismatches['json-logic-engine']++;
    });
    checked++;
  });
}
results.checks = { plans: checked, mismatches };
console.log(`correctness: ${checked} plans; mismatches ${JSON.stringify(mismatches)}`);
if (Object.values(mismatches).some((m) => m > 0)) {
  console.error('an engine disagrees with careprompt: not timing anything');
  process.exit(1);
}

for (const [label, plans] of Object.entries(fixtures.plans)) {
  const bytes = plans.map((t) => enc.encode(t));
  const parsed = plans.map((t) => JSON.parse(t));
  results.wasm[label] = {
    // check() and each rule's outcome read: the package's fast path (the
    // report object and its JSON are made only when read).
    'api-check-string': time((i) => rules.check(plans[i], asOf).outcomes, plans.length),
    'api-check-bytes': time((i) => rules.check(bytes[i], asOf).outcomes, plans.length),
    // check() and the whole report object read (built from the rules' words).
    'api-report-string': time((i) => rules.check(plans[i], asOf).report, plans.length),
    // check() and the report's JSON text read (made again by the engine).
    'api-json-string': time((i) => rules.check(plans[i], asOf).json, plans.length),
    // The 24-rule subset, as the JavaScript engines run it.
    ...(subset ? { 'api-subset-string': time((i) => subset.check(plans[i], asOf).outcomes, plans.length) } : {}),
    'raw-compact-string': time((i) => handle.checkCompactText(plans[i], asOf), plans.length),
    'raw-check-string': time((i) => {
      const o = handle.checkText(plans[i], asOf);
      const j = o.json;
      o.free();
      return j;
    }, plans.length),
    'raw-check-bytes': time((i) => {
      const o = handle.checkBytes(bytes[i], asOf);
      const j = o.json;
      o.free();
      return j;
    }, plans.length),
    'JSON.parse': time((i) => JSON.parse(plans[i]), plans.length),
  };
  results.jsonlogic[label] = {
    'json-logic-js eval': time((i) => fixtures.jsonlogic.map((r) => jsonLogic.apply(r.logic, parsed[i]) === true), plans.length),
    'json-logic-engine eval': time((i) => built.map((f) => f(parsed[i]) === true), plans.length),
    'json-logic-js e2e': time((i) => {
      const d = JSON.parse(plans[i]);
      return fixtures.jsonlogic.map((r) => jsonLogic.apply(r.logic, d) === true);
    }, plans.length),
    'json-logic-engine e2e': time((i) => {
      const d = JSON.parse(plans[i]);
      return built.map((f) => f(d) === true);
    }, plans.length),
  };
}
handle.free();
rules.free();
if (subset) subset.free();

// Native, in the same run: report JSON out, as the WASM raw call gives it.
const native = [path.join(root, 'target', 'release', 'bench-loop'), path.join(root, 'target', 'release', 'bench-loop.exe')].find(existsSync);
if (native) {
  for (const [label, size] of [['2KB', 2000], ['5KB', 5000], ['10KB', 10000]]) {
    results.native[label] = {};
    // outcomes: what check().outcomes gives; report-json: what check().json gives.
    for (const op of ['outcomes', 'report-json']) {
      const out = execFileSync(native, [op, String(size), '0', String(TARGET_MS)], { encoding: 'utf8' });
      results.native[label][op] = JSON.parse(out).us_per_call;
    }
  }
} else {
  console.error('no target/release/bench-loop: build it with cargo build --release -p careprompt-bench');
}

writeFileSync(path.join(benchDir, 'node.json'), JSON.stringify(results, null, 2) + '\n');
for (const label of Object.keys(results.wasm)) {
  const n = results.native[label] ?? {};
  const row = { ...results.wasm[label], ...results.jsonlogic[label], 'native outcomes': n.outcomes, 'native report-json': n['report-json'] };
  console.log(label, Object.entries(row).map(([k, v]) => `${k} ${v?.toFixed(2)} µs`).join(' | '));
}
