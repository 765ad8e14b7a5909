// The npm package's API, in Node: node --test tests/api.test.mjs
// (scripts/build.sh must have built wasm/pkg first).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as cp from '@careprompt/careprompt';
import { ROOT, examplePlans } from './support/paths.mjs';

const AS_OF = '2026-11-26';

// A small rule set written for these tests, so they do not depend on the
// built-in pack's wording.
const RULES = `rule T-01 {
  title "Virtual School involvement"
  theme "Education"
  kind practice
  severity high
  when child.looked_after and education.virtual_school.involved = false
  prompt "Consider involving the Virtual School."
  next "Ask the Virtual School head to join the next review."
}
`;

const FIRES = { plan_id: 'P-1', child: { looked_after: true }, education: { virtual_school: { involved: false } } };
const CLEAR = { plan_id: 'P-2', child: { looked_after: true }, education: { virtual_school: { involved: true } } };
const UNKNOWN = { plan_id: 'P-3', child: { looked_after: true } };

let rules;

before(async () => {
  await cp.init();
  const compiled = cp.compile([{ name: 'tests/t.cpr', text: RULES }]);
  assert.equal(compiled.ok, true, JSON.stringify(compiled));
  rules = compiled.rules;
});

test('the package loads through its exports and reports a version', () => {
  assert.equal(cp.isReady(), true);
  assert.match(cp.version(), /^\d+\.\d+\.\d+/);
});

test('init() is idempotent', async () => {
  await cp.init();
  await cp.init();
  assert.equal(cp.isReady(), true);
});

test('compile returns rules that check a plan given as a string', () => {
  const result = rules.check(JSON.stringify(FIRES), { asOf: AS_OF });
  assert.equal(result.ok, true);
  assert.equal(result.report.as_of, AS_OF);
  assert.equal(result.report.plan_id, 'P-1');
  assert.deepEqual(result.report.summary, { fires: 1, clear: 0, unknown: 0 });
  const [o] = result.report.outcomes;
  assert.equal(o.rule, 'T-01');
  assert.equal(o.outcome, 'fires');
  assert.equal(o.severity, 'high');
  assert.equal(o.prompt, 'Consider involving the Virtual School.');
  assert.deepEqual(o.next_steps, ['Ask the Virtual School head to join the next review.']);
  assert.ok(o.evidence.some((e) => e.path === 'education.virtual_school.involved' && e.value === false));
  assert.equal(JSON.parse(result.json).summary.fires, 1);
});

test('a plan as a Uint8Array, a Buffer, an ArrayBuffer or an object gives the same report', () => {
  const text = JSON.stringify(FIRES);
  const expected = rules.check(text, { asOf: AS_OF }).json;
  const bytes = new TextEncoder().encode(text);
  assert.equal(rules.check(bytes, { asOf: AS_OF }).json, expected);
  assert.equal(rules.check(Buffer.from(text), { asOf: AS_OF }).json, expected);
  assert.equal(rules.check(bytes.buffer, { asOf: AS_OF }).json, expected);
  assert.equal(rules.check(FIRES, { asOf: AS_OF }).json, expected);
  assert.equal(rules.check(text, AS_OF).json, expected, 'the date may be given as a string');
});

test('clear and unknown outcomes, with the missing fields', () => {
  assert.equal(rules.check(CLEAR, { asOf: AS_OF }).report.outcomes[0].outcome, 'clear');
  const unknown = rules.check(UNKNOWN, { asOf: AS_OF }).report.outcomes[0];
  assert.equal(unknown.outcome, 'unknown');
  assert.deepEqual(unknown.missing, ['education.virtual_school.involved']);
});

test('the evaluation date is required and validated, never taken from the clock', () => {
  for (const bad of [undefined, {}, { asOf: '' }, { asOf: '2026-02-30' }, { asOf: '26/11/2026' }, { asOf: 20261126 }]) {
    const result = rules.check(FIRES, bad);
    assert.equal(result.ok, false, `date ${JSON.stringify(bad)}`);
    assert.equal(result.error.kind, 'date');
    assert.match(result.error.help, /YYYY-MM-DD/);
  }
  const a = rules.check(FIRES, { asOf: '2020-01-01' }).report;
  assert.equal(a.as_of, '2020-01-01');
});

test('bad plan JSON gives an error object with line and column, not a crash', () => {
  const result = rules.check('{\n  "plan_id": "x",\n  "child": {\n', { asOf: AS_OF });
  assert.equal(result.ok, false);
  assert.equal(result.error.kind, 'syntax');
  assert.equal(typeof result.error.message, 'string');
  assert.ok(result.error.line >= 3, JSON.stringify(result.error));
  const wrongType = rules.check('{"plan_id": 7}', { asOf: AS_OF });
  assert.equal(wrongType.ok, false);
  assert.equal(wrongType.error.kind, 'schema');
  assert.equal(wrongType.error.line, 1);
  for (const junk of ['', '   ', 'null', '[]', '"plan"', '{"child": [1,2,3]}', '\u0000\u0001', '{'.repeat(5000)]) {
    const r = rules.check(junk, { asOf: AS_OF });
    assert.equal(r.ok, false, `input ${JSON.stringify(junk.slice(0, 20))}`);
    assert.equal(typeof r.error.message, 'string');
  }
  const invalidUtf8 = rules.check(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), { asOf: AS_OF });
  assert.equal(invalidUtf8.ok, false);
  // The engine still works after all that.
  assert.equal(rules.check(FIRES, { asOf: AS_OF }).ok, true);
});

test('plan errors do not echo plan values', () => {
  const secret = 'Jane-Secret-Surname';
  const pack = cp.builtin();
  for (const child of [{ date_of_birth: secret }, { looked_after: secret }, { legal_status: secret }]) {
    const r = pack.check(JSON.stringify({ plan_id: 'x', child }), { asOf: AS_OF });
    assert.equal(r.ok, false, JSON.stringify(child));
    assert.equal(r.error.kind, 'schema');
    assert.ok(!r.json.includes(secret), r.json);
  }
  pack.free();
});

test('an object that cannot be stringified is an argument error', () => {
  const cyclic = { child: {} };
  cyclic.child.self = cyclic;
  const r = rules.check(cyclic, { asOf: AS_OF });
  assert.equal(r.ok, false);
  assert.equal(r.error.kind, 'argument');
  assert.equal(rules.check(42, { asOf: AS_OF }).error.kind, 'argument');
});

test('checkMany takes a JSON array, NDJSON, bytes or an array of plans', () => {
  const plans = [FIRES, CLEAR, UNKNOWN];
  const expect = (results) => {
    assert.deepEqual(results.map((r) => r.ok), [true, true, true]);
    assert.deepEqual(results.map((r) => r.report.outcomes[0].outcome), ['fires', 'clear', 'unknown']);
    assert.deepEqual(results.map((r) => r.index), [0, 1, 2]);
  };
  const array = rules.checkMany(JSON.stringify(plans), { asOf: AS_OF });
  assert.equal(array.ok, true);
  expect(array.results);
  const ndjson = plans.map((p) => JSON.stringify(p)).join('\n') + '\n';
  const nd = rules.checkMany(ndjson, { asOf: AS_OF });
  expect(nd.results);
  assert.deepEqual(nd.results.map((r) => r.line), [1, 2, 3]);
  expect(rules.checkMany(new TextEncoder().encode(ndjson), { asOf: AS_OF, format: 'ndjson' }).results);
  expect(rules.checkMany(plans, { asOf: AS_OF }).results);
  // Each report in a batch is the same as checking the plan on its own.
  assert.deepEqual(array.results[0].report, rules.check(FIRES, { asOf: AS_OF }).report);
});

test('checkMany reports bad lines per plan and a bad batch as a whole', () => {
  const mixed = rules.checkMany(`${JSON.stringify(FIRES)}\n\n{"plan_id": \n${JSON.stringify(CLEAR)}\n`, { asOf: AS_OF });
  assert.equal(mixed.ok, true);
  assert.deepEqual(mixed.results.map((r) => [r.line, r.ok]), [[1, true], [3, false], [4, true]]);
  assert.equal(mixed.results[1].error.kind, 'syntax');
  const bad = rules.checkMany('[{"plan_id": "a"}, ', { asOf: AS_OF, format: 'array' });
  assert.equal(bad.ok, false);
  assert.equal(bad.error.kind, 'syntax');
  const badDate = rules.checkMany('[]', { asOf: 'tomorrow' });
  assert.equal(badDate.ok, false);
  assert.equal(badDate.error.kind, 'date');
  const badFormat = rules.checkMany('[]', { asOf: AS_OF, format: 'csv' });
  assert.equal(badFormat.ok, false);
  assert.equal(badFormat.error.kind, 'argument');
  assert.deepEqual(rules.checkMany('[]', { asOf: AS_OF }), { ok: true, results: [] });
});

test('compile errors come back as data with file, line, column and help', () => {
  const text = 'rule T-02 {\n  title "x"\n  theme "Education"\n  kind practice\n  severity high\n  when chld.looked_after\n  prompt "p"\n}\n';
  const result = cp.compile([{ name: 'policy/broken.cpr', text }]);
  assert.equal(result.ok, false);
  assert.ok(result.diagnostics.length >= 1);
  const d = result.diagnostics[0];
  assert.equal(d.severity, 'error');
  assert.equal(d.file, 'policy/broken.cpr');
  assert.equal(d.line, 6);
  assert.equal(d.column, 8);
  assert.equal(d.code, 'unknown-field');
  assert.match(d.message, /chld/);
  assert.match(d.help, /child/);
  assert.ok(d.end_line >= d.line && d.end_column > 0);
  assert.ok(!('rules' in result));
});

test('syntax errors point at the line and column', () => {
  const result = cp.compile('rule X {\n  title "x"\n  when child.looked_after and\n}\n');
  assert.equal(result.ok, false);
  const d = result.diagnostics[0];
  assert.equal(d.code, 'syntax');
  assert.equal(d.file, 'rules.cpr');
  assert.equal(d.line, 4);
  assert.equal(d.column, 1);
});

test('bad compile input is data too', () => {
  for (const input of ['', [], [{ name: 'a.cpr', text: '' }], [{ name: 'a.cpr', text: '\u0000' }], [{ name: 1, text: 2 }]]) {
    const result = cp.compile(input);
    assert.equal(typeof result.ok, 'boolean');
    if (!result.ok) assert.ok(Array.isArray(result.diagnostics));
    else result.rules.free();
  }
});

test('formatRules formats, and reports syntax errors as diagnostics', () => {
  const messy = 'rule   T-01 {title "x" theme "E"\n kind practice severity high when child.looked_after prompt "p"}';
  const formatted = cp.formatRules(messy, 'messy.cpr');
  assert.equal(formatted.ok, true);
  assert.match(formatted.text, /^rule T-01 \{\n/);
  assert.equal(cp.formatRules(formatted.text).text, formatted.text, 'formatting is stable');
  const bad = cp.formatRules('rule {', 'bad.cpr');
  assert.equal(bad.ok, false);
  assert.equal(bad.diagnostics[0].file, 'bad.cpr');
  assert.equal(bad.diagnostics[0].line, 1);
});

test('the case-plan JSON Schema', () => {
  const schema = cp.casePlanSchema();
  assert.equal(typeof schema, 'object');
  assert.ok(schema.properties.child, 'the schema describes the child');
  assert.ok(schema.required.includes('child'));
  assert.equal(JSON.stringify(JSON.parse(cp.casePlanSchemaText())), JSON.stringify(schema));
});

test('the built-in pack: sources, compiled rules and its tests', async () => {
  const sources = cp.builtinSources();
  assert.ok(sources.length > 1);
  for (const s of sources) {
    assert.match(s.name, /\.cpr$/);
    const onDisk = await readFile(join(ROOT, 'crates', 'careprompt', 'pack', s.name), 'utf8');
    assert.equal(s.text, onDisk, `${s.name} is the file in crates/careprompt/pack/`);
  }
  const pack = cp.builtin();
  const list = pack.list();
  assert.ok(list.length > 10);
  for (const r of list) {
    assert.match(r.id, /^[A-Za-z0-9._-]+$/);
    assert.ok(['high', 'medium', 'low', 'info'].includes(r.severity));
  }
  const compiled = cp.compile(sources);
  assert.equal(compiled.ok, true);
  assert.deepEqual(compiled.rules.list(), list);
  compiled.rules.free();

  const { tests, fixtures } = cp.builtinTests();
  assert.ok(tests.length > 0 && tests.every((t) => t.name.endsWith('.toml')));
  const run = pack.runTests(tests, fixtures);
  assert.ok(run.report, JSON.stringify(run.error));
  assert.equal(run.report.files.length, tests.length);
  assert.equal(run.report.passed + run.report.failed, run.report.files.reduce((n, f) => n + f.cases.length, 0) + run.report.files.filter((f) => f.error).length);
  assert.equal(run.ok, run.report.failed === 0);
  pack.free();
});

test('rule tests: passing, failing and broken test files', () => {
  const plan = JSON.stringify(FIRES);
  const good = `as_of = 2026-11-26\nbase = "fixtures/base.json"\n\n[[case]]\nname = "fires"\n[case.expect]\n"T-01" = "fires"\n`;
  const failing = `as_of = 2026-11-26\nbase = "fixtures/base.json"\n\n[[case]]\nname = "wrongly expects clear"\n[case.expect]\n"T-01" = "clear"\n`;
  const fixtures = [{ name: 'tests/fixtures/base.json', text: plan }];
  const pass = rules.runTests([{ name: 'tests/good.test.toml', text: good }], fixtures);
  assert.equal(pass.ok, true, JSON.stringify(pass.report));
  assert.equal(pass.report.passed, 1);
  const fail = rules.runTests([{ name: 'tests/failing.test.toml', text: failing }], fixtures);
  assert.equal(fail.ok, false);
  assert.equal(fail.report.failed, 1);
  const f = fail.report.files[0].cases[0].failures[0];
  assert.deepEqual([f.rule, f.expected, f.actual], ['T-01', 'clear', 'fires']);
  const broken = rules.runTests({ name: 'tests/broken.test.toml', text: 'this is = = not toml' });
  assert.equal(broken.ok, false);
  assert.ok(broken.report.files[0].error, JSON.stringify(broken.report));
  assert.equal(broken.report.files[0].error.line, 1);
  const missingFixture = rules.runTests([{ name: 'tests/good.test.toml', text: good }]);
  assert.equal(missingFixture.ok, false);
});

test('every example plan checks without error on the evaluation date', async () => {
  const pack = cp.builtin();
  const plans = await examplePlans();
  for (const file of plans) {
    const result = pack.check(await readFile(file), { asOf: AS_OF });
    assert.equal(result.ok, true, `${file}: ${result.json}`);
  }
  pack.free();
});

/** Each example plan, and each with one of its top-level fields left out (unknown outcomes). */
async function planVariants() {
  const out = [];
  for (const file of await examplePlans()) {
    const plan = JSON.parse(await readFile(file, 'utf8'));
    out.push(plan);
    for (const key of Object.keys(plan)) {
      const less = { ...plan };
      delete less[key];
      out.push(less);
    }
    out.push({ ...plan, field_no_schema_has: 1 });
  }
  return out;
}

test('the fast path: outcomes and the report built from the rules\' words are the full report\'s', async () => {
  const pack = cp.builtin();
  let fires = 0;
  let unknown = 0;
  let warned = 0;
  for (const plan of await planVariants()) {
    const result = pack.check(JSON.stringify(plan), AS_OF);
    if (!result.ok) continue;
    const full = JSON.parse(result.json);
    // Key for key and in the same order as the report's JSON.
    assert.equal(JSON.stringify(result.report), JSON.stringify(full));
    assert.deepEqual(result.outcomes, full.outcomes.map((o) => o.outcome));
    fires += full.summary.fires;
    unknown += full.summary.unknown;
    warned += full.warnings ? 1 : 0;
  }
  assert.ok(fires > 0 && unknown > 0 && warned > 0, `${fires} ${unknown} ${warned}`);
  pack.free();
});

test('each report is its own object: changing one leaves the next untouched', () => {
  const first = rules.check(FIRES, AS_OF).report;
  first.outcomes[0].next_steps.push('changed');
  first.pack.overrides.push({ name: 'x' });
  const again = rules.check(FIRES, AS_OF).report;
  assert.deepEqual(again.outcomes[0].next_steps, ['Ask the Virtual School head to join the next review.']);
  assert.deepEqual(again.pack.overrides, []);
});

test('a buffer reused after check leaves the result as it was', () => {
  const bytes = new TextEncoder().encode(JSON.stringify(FIRES));
  const result = rules.check(bytes, AS_OF);
  bytes.fill(32);
  assert.equal(result.json, rules.check(FIRES, AS_OF).json);
  assert.equal(result.report.outcomes[0].outcome, 'fires');
});

test('freed rules refuse to work instead of crashing', () => {
  const compiled = cp.compile(RULES);
  const r = compiled.rules;
  r.free();
  r.free();
  assert.throws(() => r.check(FIRES, { asOf: AS_OF }), /freed/);
  const other = cp.compile(RULES).rules;
  const result = other.check(FIRES, AS_OF);
  other.free();
  assert.equal(result.outcomes[0], 'fires', 'the outcomes need nothing more from the engine');
  assert.throws(() => result.report, /freed/, 'the report is made by the engine when read: read it before free()');
  assert.throws(() => result.json, /freed/, 'so is the JSON');
  const kept = cp.compile(RULES).rules;
  const read = kept.check(FIRES, AS_OF);
  const { report, json } = read;
  kept.free();
  assert.equal(report.outcomes[0].outcome, 'fires', 'read before free(), they stay');
  assert.equal(JSON.parse(json).outcomes[0].outcome, 'fires');
});

test('the package files: types, both entries, and no network code', async () => {
  const pkgDir = join(ROOT, 'wasm', 'pkg');
  const pkg = JSON.parse(await readFile(join(pkgDir, 'package.json'), 'utf8'));
  assert.equal(pkg.name, '@careprompt/careprompt');
  assert.equal(pkg.version, cp.version());
  for (const f of pkg.files) await readFile(join(pkgDir, f));
  for (const f of ['api.js', 'careprompt.js', 'node.js']) {
    const text = await readFile(join(pkgDir, f), 'utf8');
    assert.ok(!/https?:\/\//.test(text.replace(/\/\/.*$/gm, '')), `${f} names no remote URL`);
    assert.ok(!/XMLHttpRequest|sendBeacon|WebSocket/.test(text), `${f} has no network calls`);
  }
  const entries = await readdir(join(pkgDir, 'gen'));
  assert.ok(entries.includes('careprompt_wasm_bg.wasm'));
});
