// The plan checker page in real Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { startServer } from './support/serve.mjs';
import { launch, foreignRequests } from './support/browser.mjs';
import { WWW, examplePlans } from './support/paths.mjs';
import { expectedReport, idsWith } from './support/engine.mjs';

const AS_OF = '2026-11-26';
let server;
let browser;
let page;
const errors = [];

before(async () => {
  server = await startServer({ root: WWW });
  browser = await launch();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${server.url}/`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  await page.fill('#as-of', AS_OF);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function checked(action) {
  const before = Number((await page.getAttribute('body', 'data-checked')) ?? 0);
  await action();
  await page.waitForFunction((n) => Number(document.body.dataset.checked ?? 0) > n, before);
}

async function shownRules(selector) {
  return (await page.$$eval(selector, (els) => els.map((e) => e.dataset.rule))).sort();
}

test('the engine loads and every control has a label', async () => {
  assert.match(await page.textContent('#engine-status'), /Engine ready: \d+ rules/);
  const unlabelled = await page.$$eval('input, select, textarea, button', (els) =>
    els.filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim()).map((e) => e.id || e.outerHTML));
  assert.deepEqual(unlabelled, []);
});

test('an example plan shows the expected prompts, grouped by theme, with severity in words', async () => {
  const plans = await examplePlans();
  assert.ok(plans.length > 0);
  const file = plans[0];
  const expected = await expectedReport(await readFile(file), AS_OF);
  await checked(() => page.selectOption('#example', `plans/${basename(file)}`));
  assert.deepEqual(await shownRules('#output article.cp-prompt'), idsWith(expected, 'fires'));
  for (const o of expected.outcomes.filter((x) => x.outcome === 'fires')) {
    const article = page.locator(`section.cp-theme[data-theme="${o.theme}"] article[data-rule="${o.rule}"]`);
    assert.equal(await article.count(), 1, `${o.rule} under its theme ${o.theme}`);
    const text = await article.textContent();
    assert.ok(text.includes(`Severity: ${o.severity[0].toUpperCase()}${o.severity.slice(1)}`), `${o.rule} severity in words`);
    assert.ok(text.includes(o.title));
    assert.ok(text.includes(o.prompt));
    for (const e of o.evidence ?? []) assert.ok(text.includes(e.path), `${o.rule} evidence ${e.path}`);
    for (const s of o.next_steps ?? []) assert.ok(text.includes(s), `${o.rule} next step`);
  }
  const summary = await page.textContent('.cp-summary');
  assert.match(summary, new RegExp(`^${expected.summary.fires} prompts?, ${expected.summary.clear} clear, ${expected.summary.unknown} could not be checked`));
});

test('every example plan: the page shows what the engine says, including what could not be checked', async () => {
  for (const file of await examplePlans()) {
    const expected = await expectedReport(await readFile(file), AS_OF);
    await checked(() => page.selectOption('#example', `plans/${basename(file)}`));
    assert.deepEqual(await shownRules('#output article.cp-prompt'), idsWith(expected, 'fires'), basename(file));
    assert.deepEqual(await shownRules('#output .cp-unknown-list li'), idsWith(expected, 'unknown'), basename(file));
    for (const o of expected.outcomes.filter((x) => x.outcome === 'unknown')) {
      const missing = await page.$$eval(`#output .cp-unknown-list li[data-rule="${o.rule}"] code.cp-missing`, (els) => els.map((e) => e.textContent));
      assert.deepEqual(missing, o.missing ?? [], `${basename(file)} ${o.rule} missing fields`);
    }
  }
});

test('the evaluation date changes the result', async () => {
  const file = (await examplePlans())[0];
  await checked(() => page.selectOption('#example', `plans/${basename(file)}`));
  await checked(() => page.fill('#as-of', '2031-06-01').then(() => page.dispatchEvent('#as-of', 'change')));
  assert.match(await page.textContent('.cp-summary'), /as of 2031-06-01/);
  const expected = await expectedReport(await readFile(file), '2031-06-01');
  assert.deepEqual(await shownRules('#output article.cp-prompt'), idsWith(expected, 'fires'));
  await page.fill('#as-of', AS_OF);
});

test('a plan opened from a file is checked', async () => {
  const file = (await examplePlans()).at(-1);
  const expected = await expectedReport(await readFile(file), AS_OF);
  await checked(() => page.setInputFiles('#plan-file', file));
  assert.deepEqual(await shownRules('#output article.cp-prompt'), idsWith(expected, 'fires'));
  if (expected.plan_id) assert.match(await page.textContent('.cp-summary'), new RegExp(expected.plan_id));
});

test('pasted broken JSON shows an error with line and column, using the keyboard only', async () => {
  await page.focus('#plan');
  await page.fill('#plan', '{\n  "plan_id": "X",\n  "child": {\n    "looked_after": true,,\n  }\n}');
  // Tab from the plan to the date (whose day, month and year each take a
  // Tab), then to the button, and press Enter.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'as-of');
  for (let i = 0; i < 4 && (await page.evaluate(() => document.activeElement.id)) !== 'check'; i++) {
    await page.keyboard.press('Tab');
  }
  assert.equal(await page.evaluate(() => document.activeElement.id), 'check');
  await checked(() => page.keyboard.press('Enter'));
  const alert = await page.textContent('#output [role="alert"]');
  assert.match(alert, /could not be checked at line 4, column 26/);
});

test('a plan with a wrong field type is refused without echoing the value', async () => {
  await page.fill('#plan', '{"plan_id": "X", "child": {"date_of_birth": "Private-Value-123"}}');
  await checked(() => page.click('#check'));
  const alert = await page.textContent('#output [role="alert"]');
  assert.match(alert, /date_of_birth/);
  assert.ok(!alert.includes('Private-Value-123'));
});

test('nothing was requested from anywhere but the page\'s own server, and no script errors', () => {
  assert.deepEqual(foreignRequests(browser.requests, [server.url]), []);
  assert.ok(browser.requests.some((u) => u.endsWith('/careprompt_wasm_bg.wasm')), 'the engine came from the page\'s own files');
  assert.deepEqual(errors, []);
});
