// The rules playground in real Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { startServer } from './support/serve.mjs';
import { launch, foreignRequests } from './support/browser.mjs';
import { WWW, examplePlans } from './support/paths.mjs';
import { cp, expectedReport, pack_ } from './support/engine.mjs';

const AS_OF = '2026-11-26';
let server;
let browser;
let page;
let original;
const errors = [];

before(async () => {
  await pack_(); // loads the engine in Node too
  server = await startServer({ root: WWW });
  browser = await launch();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${server.url}/playground.html`);
  await page.waitForSelector('body[data-ready="true"][data-compiled="ok"]', { timeout: 30_000 });
  await page.fill('#as-of', AS_OF);
  await page.dispatchEvent('#as-of', 'change');
  original = await page.inputValue('#source');
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Types `text` into the editor (as a user's edit) and waits for the recompile. */
async function edit(text) {
  const generation = Number(await page.getAttribute('body', 'data-generation'));
  await page.fill('#source', text);
  await page.waitForFunction((g) => Number(document.body.dataset.generation) > g, generation);
}

test('starts with the built-in pack, which compiles', async () => {
  const names = await page.$$eval('#file option', (os) => os.map((o) => o.textContent));
  assert.deepEqual(names, cp.builtinSources().map((s) => s.name));
  assert.equal(original, cp.builtinSources()[0].text);
  assert.match(await page.textContent('#compile-status'), /The rules compile: \d+ rules/);
  assert.equal(await page.locator('#diagnostics li').count(), 0);
});

test('an unknown field is underlined at its line and column and listed with line:col', async () => {
  const lines = original.split('\n');
  const base = original.endsWith('\n') ? lines.length - 1 : lines.length;
  const broken = `${original.endsWith('\n') ? original : original + '\n'}
rule PLAY-01 {
  title "Broken on purpose"
  theme "Playground"
  kind practice
  severity low
  when chld.looked_after
  prompt "p"
}
`;
  const line = base + 7; // the `when` line
  await edit(broken);
  assert.equal(await page.getAttribute('body', 'data-compiled'), 'error');
  const file = cp.builtinSources()[0].name;
  const item = page.locator(`#diagnostics li[data-file="${file}"][data-line="${line}"][data-column="8"]`);
  assert.equal(await item.count(), 1, await page.textContent('#diagnostics'));
  assert.equal(await item.getAttribute('data-code'), 'unknown-field');
  const text = await item.textContent();
  assert.ok(text.includes(`${file}:${line}:8`), text);
  assert.match(text, /Error/); // in words, not only colour
  assert.match(text, /chld/);
  assert.match(text, /help: .*child/);
  // The gutter marks the line, in text as well as colour.
  const gutter = page.locator(`#gutter div[data-line="${line}"]`);
  assert.equal(await gutter.getAttribute('class'), 'bad');
  assert.match(await gutter.textContent(), new RegExp(`✖ ${line}`));
  // The underline sits on that line, over `chld.looked_after`.
  const mark = page.locator(`#backdrop mark[data-line="${line}"]`);
  assert.equal(await mark.count(), 1);
  assert.equal(await mark.textContent(), 'chld');
  // Scroll so the line is in view, then compare the underline with the gutter row.
  await item.locator('button').click();
  const [m, g] = [await mark.boundingBox(), await gutter.boundingBox()];
  assert.ok(m && g, 'both visible');
  assert.ok(Math.abs(m.y - g.y) <= 4, `underline at y=${m.y}, gutter line at y=${g.y}`);
  // Going to the problem puts the cursor on it.
  const selected = await page.evaluate(() => {
    const t = document.getElementById('source');
    return [document.activeElement === t, t.value.slice(t.selectionStart, t.selectionEnd)];
  });
  assert.deepEqual(selected, [true, 'chld']);
  assert.equal(await page.getAttribute('#source', 'aria-invalid'), 'true');
});

test('a syntax error is reported at its line and column', async () => {
  await edit(`${original}\nrule PLAY-02 {\n  title "x"\n  when child.looked_after and\n}\n`);
  const lines = original.split('\n').length;
  const item = page.locator('#diagnostics li[data-code="syntax"]');
  assert.equal(await item.count(), 1);
  assert.equal(await item.getAttribute('data-line'), String(lines + 4));
  assert.equal(await item.getAttribute('data-column'), '1');
});

test('the diagnostics list is usable from the keyboard', async () => {
  await page.focus('#diagnostics li button');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'source');
});

test('fixing the rules clears the problems', async () => {
  await edit(original);
  assert.equal(await page.getAttribute('body', 'data-compiled'), 'ok');
  assert.equal(await page.locator('#diagnostics li').count(), 0);
  assert.equal(await page.locator('#gutter .bad').count(), 0);
  assert.equal(await page.getAttribute('#source', 'aria-invalid'), 'false');
});

test('lint warnings are shown as warnings, in words and in the gutter, while the rules still work', async () => {
  const line = original.split('\n').length + 1;
  await edit(`${original}\nconst never_used_here = 3\n`);
  assert.equal(await page.getAttribute('body', 'data-compiled'), 'ok');
  const item = page.locator(`#diagnostics li[data-line="${line}"][data-code="unused"]`);
  assert.equal(await item.count(), 1, await page.textContent('#diagnostics'));
  assert.match(await item.textContent(), /^Warning /);
  assert.equal(await page.getAttribute(`#gutter div[data-line="${line}"]`, 'class'), 'warn');
  assert.match(await page.textContent('#compile-status'), /The rules compile: \d+ rules, 1 warnings?/);
  await edit(original);
});

test('the pack\'s tests run and report like the engine does', async () => {
  await page.click('#run-tests');
  await page.waitForSelector('#test-summary');
  const { tests, fixtures } = cp.builtinTests();
  const run = (await pack_()).runTests(tests, fixtures);
  const summary = await page.textContent('#test-summary');
  assert.ok(summary.includes(`${run.report.passed} passed, ${run.report.failed} failed`), summary);
  assert.equal(await page.locator('.test-fail').count(), run.report.files.reduce((n, f) => n + f.cases.filter((c) => !c.passed).length + (f.error ? 1 : 0), 0));
});

test('a rule that breaks a test shows the failure', async () => {
  // Make a rule in the pack never fire: its tests that expect `fires` fail.
  const sources = cp.builtinSources();
  const index = sources.findIndex((s) => /\n\s*when\s/.test(s.text) && /^rule /m.test(s.text));
  assert.ok(index >= 0);
  await page.selectOption('#file', String(index));
  const text = await page.inputValue('#source');
  const id = text.match(/^rule\s+(\S+)/m)[1];
  const changed = text.replace(/(\n\s*when\s)/, '$1false and ');
  await edit(changed);
  assert.equal(await page.getAttribute('body', 'data-compiled'), 'ok', await page.textContent('#diagnostics'));
  await page.click('#run-tests');
  await page.waitForFunction(() => document.body.dataset.tests === 'fail');
  const failures = await page.textContent('#test-results');
  assert.ok(failures.includes(id), `${id} appears among the failures`);
  assert.match(failures, /expected fires, got clear/);
  await edit(text);
});

test('the table shows which example plans each rule fires on', async () => {
  const plans = await examplePlans();
  assert.ok(plans.length > 0);
  const firesOn = new Map();
  for (const file of plans) {
    const report = await expectedReport(await readFile(file), AS_OF);
    const short = report.plan_id ?? basename(file);
    for (const o of report.outcomes) {
      if (!firesOn.has(o.rule)) firesOn.set(o.rule, []);
      if (o.outcome === 'fires') firesOn.get(o.rule).push(short);
    }
  }
  await page.waitForSelector('#fires-table');
  const rows = await page.$$eval('#fires-table tbody tr', (trs) => trs.map((tr) => [tr.dataset.rule, tr.querySelector('td.fires').textContent]));
  assert.equal(rows.length, firesOn.size);
  for (const [rule, cell] of rows) {
    const expected = firesOn.get(rule);
    assert.equal(cell, expected.length ? expected.join(', ') : '—', rule);
  }
});

test('formatting the file keeps it compiling', async () => {
  await page.selectOption('#file', '0');
  await page.click('#format');
  await page.waitForFunction(() => document.body.dataset.compiled === 'ok');
  const formatted = cp.formatRules(cp.builtinSources()[0].text, cp.builtinSources()[0].name);
  assert.equal(await page.inputValue('#source'), formatted.text);
});

test('nothing was requested from anywhere but the page\'s own server, and no script errors', () => {
  assert.deepEqual(foreignRequests(browser.requests, [server.url]), []);
  assert.deepEqual(errors, []);
});
