// A local pack bundle in the npm package: the same bundle gives the CLI's
// report byte for byte, and a bundle that does not match its hash is refused.
// node --test tests/bundle.test.mjs (after scripts/build.sh; needs the CLI,
// found as in parity.test.mjs).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as cp from '@careprompt/careprompt';
import { ROOT } from './support/paths.mjs';

const run = promisify(execFile);
const AS_OF = '2026-11-26';
const PACK = 'rules/examples/fictional-borough-local-pack';
const CLI = [process.env.CAREPROMPT_CLI, join(ROOT, 'target', 'release', 'careprompt'), join(ROOT, 'target', 'debug', 'careprompt')]
  .find((c) => c && existsSync(c));

let dir;
let bundle;
before(async () => {
  await cp.init();
  dir = mkdtempSync(join(tmpdir(), 'careprompt-bundle-'));
  const out = join(dir, 'fb.bundle.json');
  await run(CLI, ['pack', PACK, '--bundle', out], { cwd: ROOT });
  bundle = readFileSync(out, 'utf8');
});

test('a bundle gives the CLI report byte for byte', async () => {
  const plan = JSON.parse(readFileSync(join(ROOT, PACK, 'tests/fixtures/young-carer-base.json'), 'utf8'));
  plan.child.young_carer = true;
  const planPath = join(dir, 'plan.json');
  writeFileSync(planPath, JSON.stringify(plan));
  const compiled = cp.compileBundle(bundle, 'fb.bundle.json');
  assert.equal(compiled.ok, true, JSON.stringify(compiled));
  const result = compiled.rules.check(JSON.stringify(plan), { asOf: AS_OF });
  assert.equal(result.ok, true);
  assert.equal(result.report.pack.name, 'fictional-borough-local-pack');
  const { stdout } = await run(CLI, ['check', '--format', 'json', '--as-of', AS_OF, '--rules', join(dir, 'fb.bundle.json'), planPath], { cwd: ROOT }).catch((e) => e);
  assert.equal(result.json, stdout.trimEnd());
});

test('a tampered bundle is refused with its location', () => {
  const compiled = cp.compileBundle(bundle.replace('= 15', '= 25'), 'fb.bundle.json');
  assert.equal(compiled.ok, false);
  assert.equal(compiled.diagnostics[0].code, 'bundle-hash');
  assert.equal(compiled.diagnostics[0].file, 'fb.bundle.json');
});
