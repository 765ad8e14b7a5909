// The Manifest V3 extension, loaded unpacked into real Chromium (new
// headless mode), on the demo case-management page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer } from './support/serve.mjs';
import { launch, foreignRequests } from './support/browser.mjs';
import { EXTENSION } from './support/paths.mjs';
import { expectedReport, idsWith } from './support/engine.mjs';

const AS_OF = '2026-11-26';
const ROOT = '#careprompt-extension-root';
let server;
let browser;
let page;
let basePlan;
let mapping;
const errors = [];

// The demo form's initial values, as the mapping reads them.
const INITIAL = {
  'child.date_of_birth': '2012-03-18',
  'child.looked_after': true,
  'child.mental_health_needs': true,
  'child.neurodiversity': ['adhd'],
  'education.virtual_school.involved': true,
  'health.camhs.involved': true,
};

function planWith(values) {
  const plan = structuredClone(basePlan);
  for (const [path, value] of Object.entries(values)) {
    const parts = path.split('.');
    let at = plan;
    for (const p of parts.slice(0, -1)) at = at[p] ??= {};
    if (value === undefined) delete at[parts.at(-1)];
    else at[parts.at(-1)] = value;
  }
  return plan;
}

async function shownRules() {
  return (await page.$$eval(`${ROOT} >> article.cp-prompt`, (els) => els.map((e) => e.dataset.rule))).sort();
}

async function runs() {
  return Number(await page.locator(`${ROOT} >> #cp-panel`).getAttribute('data-runs'));
}

async function rechecked(action) {
  const before = await runs();
  await action();
  await page.waitForFunction(
    ([sel, n]) => Number(document.querySelector(sel)?.shadowRoot?.querySelector('#cp-panel')?.dataset.runs ?? 0) > n,
    [ROOT, before],
  );
}

before(async () => {
  const html = await readFile(join(EXTENSION, 'demo', 'index.html'), 'utf8');
  basePlan = JSON.parse(html.match(/<script type="application\/json" id="case-plan"[^>]*>([\s\S]*?)<\/script>/)[1]);
  mapping = JSON.parse(await readFile(join(EXTENSION, 'mapping.json'), 'utf8'));
  server = await startServer({ root: join(EXTENSION, 'demo') });
  browser = await launch({ extensionDir: EXTENSION });
  page = await browser.context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}/`);
  await page.waitForSelector(`${ROOT} >> .cp-report`, { timeout: 30_000 });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('the mapping covers every field the test sets', () => {
  assert.deepEqual(mapping.fields.map((f) => f.path).sort(), Object.keys(INITIAL).sort());
});

test('the engine runs inside the extension (its service worker)', async () => {
  const workers = browser.context.serviceWorkers();
  assert.ok(workers.some((w) => w.url().startsWith('chrome-extension://') && w.url().endsWith('/background.js')));
  assert.ok(browser.requests.some((u) => u.startsWith('chrome-extension://') && u.endsWith('/engine/gen/careprompt_wasm_bg.wasm')));
  assert.ok(!browser.requests.some((u) => u.startsWith(server.url) && u.endsWith('.wasm')), 'the page did not serve the engine');
});

test('the overlay shows the prompts for the plan on the page', async () => {
  await rechecked(() => page.fill(`${ROOT} >> #cp-as-of`, AS_OF));
  const expected = await expectedReport(planWith(INITIAL), AS_OF);
  assert.deepEqual(await shownRules(), idsWith(expected, 'fires'));
  const summary = await page.locator(`${ROOT} >> .cp-summary`).textContent();
  assert.ok(summary.startsWith(`${expected.summary.fires} prompt`), summary);
  assert.match(summary, /plan DEMO-0042/);
  assert.match(summary, new RegExp(`as of ${AS_OF}`));
  const first = expected.outcomes.find((o) => o.outcome === 'fires');
  const text = await page.locator(`${ROOT} >> article[data-rule="${first.rule}"]`).textContent();
  assert.ok(text.includes(first.prompt));
  assert.match(text, /Severity: (High|Medium|Low|Info)/);
});

test('editing a mapped form field updates the prompts', async () => {
  await rechecked(() => page.selectOption('#vs-involved', 'no'));
  let expected = await expectedReport(planWith({ ...INITIAL, 'education.virtual_school.involved': false }), AS_OF);
  assert.deepEqual(await shownRules(), idsWith(expected, 'fires'));
  // "Not recorded" leaves the field out: rules that need it cannot be checked.
  await rechecked(() => page.selectOption('#vs-involved', ''));
  expected = await expectedReport(planWith({ ...INITIAL, 'education.virtual_school.involved': undefined }), AS_OF);
  assert.deepEqual(await shownRules(), idsWith(expected, 'fires'));
  const unknown = (await page.$$eval(`${ROOT} >> .cp-unknown-list li`, (els) => els.map((e) => e.dataset.rule))).sort();
  assert.deepEqual(unknown, idsWith(expected, 'unknown'));
  await rechecked(() => page.selectOption('#vs-involved', 'yes'));
});

test('the overlay can be hidden and shown again from the keyboard', async () => {
  await page.locator(`${ROOT} >> #cp-panel button`).first().focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.locator(`${ROOT} >> #cp-panel`).isVisible(), false);
  await page.keyboard.press('Enter'); // focus moved to the "Show" button
  assert.equal(await page.locator(`${ROOT} >> #cp-panel`).isVisible(), true);
});

test('nothing was requested from anywhere but the demo server and the extension itself', () => {
  assert.deepEqual(foreignRequests(browser.requests, [server.url, 'chrome-extension://']), []);
  assert.deepEqual(errors, []);
});
