// Native vs WebAssembly: the CLI and the npm package must give the same
// report, byte for byte, for every example plan and every rule test file.
//
// The CLI is CAREPROMPT_CLI if set, else target/release/careprompt, else
// target/debug/careprompt (scripts/test.sh builds it first).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import * as cp from '@careprompt/careprompt';
import { ROOT, examplePlans, ruleTestFiles, ruleTestTree } from './support/paths.mjs';

const run = promisify(execFile);
const AS_OF = '2026-11-26';

function findCli() {
  const candidates = [process.env.CAREPROMPT_CLI, join(ROOT, 'target', 'release', 'careprompt'), join(ROOT, 'target', 'debug', 'careprompt')];
  return candidates.find((c) => c && existsSync(c));
}

const CLI = findCli();
const rel = (p) => relative(ROOT, p).split(sep).join('/');

/** Runs the CLI from the repository root; exit codes 0 and 1 (findings) both give output. */
async function cli(...args) {
  try {
    const { stdout } = await run(CLI, args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' });
    return stdout;
  } catch (e) {
    if (e.code === 1) return e.stdout;
    throw new Error(`careprompt ${args.join(' ')} exited ${e.code}: ${e.stderr}`);
  }
}

let rules;
before(async () => {
  await cp.init();
  rules = cp.builtin();
});

test('the native CLI is there to compare with', () => {
  assert.ok(CLI, 'build the CLI first (cargo build --release -p careprompt-cli) or set CAREPROMPT_CLI');
});

test('the engine versions match', { skip: !CLI && 'no CLI' }, async () => {
  const out = await cli('--version');
  assert.match(out, new RegExp(`\\b${cp.version().replace(/\./g, '\\.')}\\b`));
});

test('every example plan: CLI --format json and wasm give identical bytes', { skip: !CLI && 'no CLI' }, async (t) => {
  const plans = await examplePlans();
  assert.ok(plans.length > 0, 'there are example plans in examples/plans');
  for (const file of plans) {
    await t.test(rel(file), async () => {
      const native = await cli('check', '--format', 'json', '--as-of', AS_OF, rel(file));
      const result = rules.check(await readFile(file), { asOf: AS_OF });
      assert.equal(result.ok, true, result.json);
      // The CLI ends its output with a newline; the report itself is identical.
      assert.equal(result.json + '\n', native);
      // The report object the package builds from the rules' words and the
      // engine's compact result is the CLI's report, key for key, in order.
      assert.equal(JSON.stringify(result.report), JSON.stringify(JSON.parse(native)));
      assert.deepEqual(result.outcomes, JSON.parse(native).outcomes.map((o) => o.outcome));
    });
  }
});

test('example plans on other dates give identical bytes too', { skip: !CLI && 'no CLI' }, async () => {
  const plans = await examplePlans();
  for (const asOf of ['2024-02-29', '2030-01-01']) {
    for (const file of plans.slice(0, 3)) {
      const native = await cli('check', '--format', 'json', '--as-of', asOf, rel(file));
      const result = rules.check(await readFile(file), { asOf });
      assert.equal(result.json + '\n', native, `${rel(file)} as of ${asOf}`);
      assert.equal(JSON.stringify(result.report), JSON.stringify(JSON.parse(native)), `${rel(file)} as of ${asOf}`);
    }
  }
});

test('every rule test file: CLI test --format json and wasm runTests give identical bytes', { skip: !CLI && 'no CLI' }, async (t) => {
  const testFiles = await ruleTestFiles();
  assert.ok(testFiles.length > 0, 'there are rule test files under crates/careprompt/pack/');
  // Fixtures are read by path, resolved against the test file, as the CLI does.
  const fixtures = await Promise.all(
    (await ruleTestTree()).filter((p) => !p.endsWith('.toml')).map(async (p) => ({ name: rel(p), text: await readFile(p, 'utf8') })),
  );
  const sources = await Promise.all(testFiles.map(async (p) => ({ name: rel(p), text: await readFile(p, 'utf8') })));
  for (const source of sources) {
    await t.test(source.name, async () => {
      const native = await cli('test', '--format', 'json', source.name);
      const result = rules.runTests([source], fixtures);
      assert.ok(result.report, JSON.stringify(result.error));
      assert.equal(result.json + '\n', native);
    });
  }
  await t.test('all test files in one run', async () => {
    const native = await cli('test', '--format', 'json', ...sources.map((s) => s.name));
    const result = rules.runTests(sources, fixtures);
    assert.equal(result.json + '\n', native);
  });
});
