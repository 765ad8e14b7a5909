// The rules workbench (www/workbench.html) in real Chromium: CodeMirror over
// the analysis layer compiled to WebAssembly. Completion, hover, go to
// definition, every syntax error at once, a pack made from a template saved
// as a zip and opened again, rule tests with coverage per rule, an
// explanation, and a test case made from a plan that then passes (in the
// page and in the native CLI). Nothing may leave the page's origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './support/serve.mjs';
import { launch, foreignRequests } from './support/browser.mjs';
import { ROOT, WWW } from './support/paths.mjs';
import { EXAMPLE_LOCAL_PACK } from '../www/js/workbench/example-local-pack.js';
import { cp, pack_ } from './support/engine.mjs';

const AS_OF = '2026-11-26';
const TEMPLATE_FILES = ['pack.toml', 'rules.cpr', 'tests/fixtures/base.json', 'tests/rules.test.toml'];
let server;
let browser;
let page;
let tmp;
const errors = [];

before(async () => {
  await pack_();
  tmp = await mkdtemp(join(tmpdir(), 'careprompt-workbench-'));
  server = await startServer({ root: WWW });
  browser = await launch();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${server.url}/workbench.html`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  await page.fill('#as-of', AS_OF);
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const generation = async () => Number(await page.getAttribute('body', 'data-generation'));

/** Waits for the analysis after generation `g`. */
async function analysedAfter(g) {
  await page.waitForFunction((n) => Number(document.body.dataset.generation) > n, g);
}

async function fileNames() {
  return page.$$eval('#files button[data-file]', (bs) => bs.map((b) => b.dataset.file));
}

async function openFile(name) {
  const g = await generation();
  await page.click(`#files button[data-file="${name}"]`);
  await analysedAfter(g);
}

/** The editor's lines, as CodeMirror shows them (short files: all are drawn). */
async function editorLines() {
  // The browser draws a typed space next to a highlighted word as U+00A0; the text has a space.
  return page.$$eval('.cm-content .cm-line', (ls) => ls.map((l) => l.textContent.replace(/\u00a0/g, ' ')));
}

/** Puts the cursor at the end of the editor's text. */
async function cursorToEnd() {
  await page.click('.cm-content');
  await page.keyboard.press('Control+End');
}

/** Client coordinates of the middle of `word` on the first editor line containing `lineText`. */
async function coordsOf(lineText, word) {
  return page.evaluate(([lt, w]) => {
    const line = [...document.querySelectorAll('.cm-content .cm-line')].find((l) => l.textContent.includes(lt));
    if (!line) return null;
    const at = line.textContent.indexOf(w, line.textContent.indexOf(lt));
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    let seen = 0;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (seen + n.length > at) {
        const r = document.createRange();
        r.setStart(n, at - seen + 1);
        r.setEnd(n, at - seen + 2);
        const b = r.getBoundingClientRect();
        return { x: b.left + b.width / 2, y: b.top + b.height / 2, offset: at - seen + 1 };
      }
      seen += n.length;
    }
    return null;
  }, [lineText, word]);
}

/** Types each line as a user would (Escape first closes any completion list, so Enter is a newline). */
async function typeLines(lines, { last = true } = {}) {
  for (const [i, line] of lines.entries()) {
    await page.keyboard.type(line);
    await page.keyboard.press('Escape');
    if (last || i < lines.length - 1) await page.keyboard.press('Enter');
  }
}

// CodeMirror ignores Enter on a completion list for its first 75 ms
// (interactionDelay), so that a fast typist's newline is not taken as a choice.
const settle = () => new Promise((ok) => setTimeout(ok, 200));

async function download(button) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  const path = join(tmp, `${Date.now()}-${dl.suggestedFilename()}`);
  await dl.saveAs(path);
  return { path, name: dl.suggestedFilename() };
}

/** The files of a zip as Python's zipfile reads them (an independent reader): { name: text }. */
function unzipped(path) {
  const out = execFileSync('python3', ['-c', `
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
bad = z.testzip()
if bad: sys.exit('bad CRC in ' + bad)
print(json.dumps({i.filename: z.read(i).decode('utf-8') for i in z.infolist()}))
`, path]);
  return JSON.parse(out.toString());
}

test('starts with the new-pack template, which has no errors', async () => {
  assert.deepEqual(await fileNames(), TEMPLATE_FILES);
  assert.equal(await page.textContent('#current-file'), 'rules.cpr');
  assert.equal(await page.getAttribute('body', 'data-errors'), '0');
  assert.ok((await editorLines()).some((l) => l.includes('rule NEW-EDU-01 {')));
  // Highlighted by the .cpr tokenizer: keywords get their own spans.
  assert.ok(await page.locator('.cm-content span', { hasText: /^rule$/ }).count() >= 1);
});

test('typing `education.` offers the schema\'s education fields with descriptions, and Enter accepts one', async () => {
  await cursorToEnd();
  await page.keyboard.press('Enter');
  // `{` gets its `}` from the editor, which stays below the lines typed.
  await typeLines(['rule NEW-EDU-02 {', 'title "Typed in the workbench"', 'theme "Education"', 'kind practice', 'severity low', 'when']);
  await page.keyboard.type('child.looked_after and ');
  await page.keyboard.press('Escape');
  await page.keyboard.type('education.');
  const options = page.locator('.cm-tooltip-autocomplete li');
  await options.first().waitFor();
  const labels = await page.$$eval('.cm-tooltip-autocomplete li .cm-completionLabel', (ls) => ls.map((l) => l.textContent));
  const education = cp.casePlanSchema().$defs.Education.properties;
  assert.deepEqual([...labels].sort(), Object.keys(education).sort());
  // The first option is selected, and its description is shown beside the list.
  const info = page.locator('.cm-completionInfo');
  await info.waitFor();
  const first = education[labels[0]];
  assert.ok((await info.textContent()).includes(first.description.slice(0, 40)), await info.textContent());

  await page.keyboard.type('virt');
  await page.waitForFunction(() => document.querySelectorAll('.cm-tooltip-autocomplete li').length === 1);
  assert.equal(await page.textContent('.cm-tooltip-autocomplete li .cm-completionLabel'), 'virtual_school');
  assert.ok((await info.textContent()).includes(education.virtual_school.description.slice(0, 40)));
  await settle();
  await page.keyboard.press('Enter');
  await page.keyboard.type('.inv');
  await page.waitForFunction(() => [...document.querySelectorAll('.cm-tooltip-autocomplete li')].some((l) => l.textContent.includes('involved')));
  await settle();
  await page.keyboard.press('Enter');
  const lines = await editorLines();
  assert.ok(lines.some((l) => /^\s*child\.looked_after and education\.virtual_school\.involved$/.test(l)), JSON.stringify(lines));

  const g = await generation();
  await page.keyboard.type(' = false');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Enter');
  await typeLines(['prompt "Typed prompt."', 'next "Typed next step."'], { last: false });
  await analysedAfter(g);
  await page.waitForFunction(() => document.body.dataset.errors === '0');
  assert.ok((await editorLines()).some((l) => /^\s*next "Typed next step\."$/.test(l)));
});

test('hovering a constant shows its value and the comment that gives its source; Alt+I and Escape from the keyboard', async () => {
  const at = await coordsOf('>= virtual_school_from_age', 'virtual_school_from_age');
  assert.ok(at, 'the constant is on screen');
  await page.mouse.move(at.x, at.y);
  const tip = page.locator('.cm-tooltip-hover [data-testid="hover"]');
  await tip.waitFor({ timeout: 5000 });
  const text = await tip.textContent();
  assert.match(text, /const virtual_school_from_age = 3/);
  assert.match(text, /funded early education starts at 3/);
  assert.match(text, /rules\.cpr/);
  await page.mouse.move(5, 5);
  await tip.waitFor({ state: 'detached' });

  // The same text from the keyboard, closed with Escape.
  await page.mouse.click(at.x, at.y);
  await page.keyboard.press('Alt+i');
  const info = page.locator('.cm-tooltip [data-testid="hover"]');
  await info.waitFor();
  assert.match(await info.textContent(), /const virtual_school_from_age = 3/);
  await page.keyboard.press('Escape');
  await info.waitFor({ state: 'detached' });
});

test('F12 goes to a definition: a constant\'s, and from a test\'s rule id to the rule in another file', async () => {
  const at = await coordsOf('>= virtual_school_from_age', 'virtual_school_from_age');
  await page.mouse.click(at.x, at.y);
  await page.keyboard.press('F12');
  await page.waitForFunction(() => document.querySelector('.cm-activeLine')?.textContent.startsWith('const virtual_school_from_age'));
  assert.equal(await page.evaluate(() => window.getSelection().toString()), 'virtual_school_from_age');

  // From a rule test's rule id to the rule, in another file.
  await openFile('tests/rules.test.toml');
  const id = await coordsOf('"NEW-EDU-01" = "fires"', 'NEW-EDU-01');
  await page.mouse.click(id.x, id.y);
  await page.keyboard.press('F12');
  await page.waitForFunction(() => document.getElementById('current-file').textContent === 'rules.cpr');
  await page.waitForFunction(() => document.querySelector('.cm-activeLine')?.textContent.startsWith('rule NEW-EDU-01'));
  assert.equal(await page.evaluate(() => window.getSelection().toString()), 'NEW-EDU-01');
});

test('a file with three syntax errors shows all three at once', async () => {
  await page.fill('#new-file-name', 'broken.cpr');
  await page.click('#add-file');
  await page.waitForFunction(() => document.getElementById('current-file').textContent === 'broken.cpr');
  const g = await generation();
  await page.click('.cm-content');
  await typeLines(['const a =', '', 'define c = child.looked_after or', '', 'const = 4', '', 'const fine = 5'])
  await analysedAfter(g);
  await page.waitForFunction(() => document.querySelectorAll('#problems li[data-file="broken.cpr"][data-code="syntax"]').length === 3);
  const lines = await page.$$eval('#problems li[data-file="broken.cpr"][data-code="syntax"]', (ls) => ls.map((l) => Number(l.dataset.line)));
  assert.equal(new Set(lines).size, 3, `three different lines: ${lines}`);
  for (const li of await page.$$('#problems li[data-file="broken.cpr"][data-code="syntax"]')) {
    assert.match(await li.textContent(), /^broken\.cpr:\d+:\d+ Error \[syntax\]/);
  }
  // Each is marked in the editor's gutter too.
  await page.waitForFunction(() => document.querySelectorAll('.cm-gutter-lint .cm-lint-marker-error').length === 3);
  // Nothing is checked while the pack has errors.
  await page.click('#run-tests');
  assert.equal(await page.getAttribute('#test-summary', 'data-state'), 'error');

  await page.click('#remove-file');
  await page.waitForFunction(() => !document.querySelector('#files button[data-file="broken.cpr"]'));
  assert.equal(await page.locator('#problems li[data-code="syntax"]').count(), 0);
});

test('a "did you mean" problem has a fix that rewrites the name', async () => {
  await page.fill('#new-file-name', 'fix.cpr');
  await page.click('#add-file');
  await page.waitForFunction(() => document.getElementById('current-file').textContent === 'fix.cpr');
  await page.click('.cm-content');
  await page.keyboard.type('define settled_at_school = educaton.settled');
  await page.keyboard.press('Escape');
  const fix = page.locator('#problems li[data-file="fix.cpr"] button.fix');
  await fix.waitFor();
  assert.match(await fix.textContent(), /education/);
  await fix.click();
  await page.waitForFunction(() => !document.querySelector('#problems li[data-file="fix.cpr"][data-severity="error"]'));
  assert.ok((await editorLines()).includes('define settled_at_school = education.settled'), JSON.stringify(await editorLines()));
  await page.click('#remove-file');
  await page.waitForFunction(() => !document.querySelector('#files button[data-file="fix.cpr"]'));
});

test('the tests run with coverage per rule, as the npm package runs them', async () => {
  await openFile('rules.cpr');
  await page.click('#run-tests');
  assert.equal(await page.getAttribute('#test-summary', 'data-state'), 'passed');
  assert.equal(await page.getAttribute('#test-summary', 'data-passed'), '3');
  assert.equal(await page.getAttribute('#coverage tr[data-rule="NEW-EDU-01"]', 'data-exercised'), 'true');
  assert.equal(await page.getAttribute('#coverage tr[data-rule="NEW-EDU-02"]', 'data-exercised'), 'false');
  assert.match(await page.textContent('#coverage tr[data-rule="NEW-EDU-02"]'), /no case states an outcome/);

  // The same coverage from the npm package's own test runner (another path through the engine).
  const text = async (n) => page.evaluate((name) => {
    const b = document.querySelector(`#files button[data-file="${name}"]`);
    return b ? name : null;
  }, n);
  assert.ok(await text('rules.cpr'));
  const zip = await download('#download');
  const files = unzipped(zip.path);
  const compiled = cp.compile([{ name: 'rules.cpr', text: files['rules.cpr'] }]);
  assert.ok(compiled.ok, JSON.stringify(compiled.diagnostics));
  const run = compiled.rules.runTests(
    [{ name: 'tests/rules.test.toml', text: files['tests/rules.test.toml'] }],
    [{ name: 'tests/fixtures/base.json', text: files['tests/fixtures/base.json'] }],
  );
  const expected = run.report.coverage.uncovered_conditions.filter((c) => c.rule === 'NEW-EDU-01').length;
  assert.ok(expected > 0, 'the template leaves a condition seen one way only');
  assert.equal(await page.getAttribute('#coverage tr[data-rule="NEW-EDU-01"] td[data-uncovered]', 'data-uncovered'), String(expected));
});

test('explains one rule on one plan, condition by condition', async () => {
  assert.equal(await page.inputValue('#plan-source'), 'tests/fixtures/base.json');
  const plan = JSON.parse(await page.inputValue('#plan'));
  delete plan.education.virtual_school.involved;
  await page.fill('#plan', JSON.stringify(plan, null, 2));
  await page.selectOption('#rule', 'NEW-EDU-01');
  await page.click('#explain');
  const trace = page.locator('#explain-trace');
  assert.equal(await trace.getAttribute('data-outcome'), 'unknown');
  const text = await trace.textContent();
  assert.match(text, /^NEW-EDU-01 {2}Virtual School not involved for a looked-after child/);
  assert.match(text, /outcome: unknown \(as of 2026-11-26\)/);
  assert.match(text, /\[true {3}\] child\.looked_after/);
  assert.match(text, /education\.virtual_school\.involved is missing/);
  // The same trace as a list, each result in words.
  const tree = page.locator('#explain-tree');
  assert.equal(await tree.isVisible(), true);
  const results = await tree.locator('li[data-result]').evaluateAll((ls) => ls.map((l) => [l.dataset.result, l.querySelector(':scope > code').textContent]));
  assert.deepEqual(results[0], ['unknown', results[0][1]]);
  assert.ok(results.some(([r, c]) => r === 'true' && c === 'child.looked_after'), JSON.stringify(results));
  assert.ok(results.some(([r, c]) => r === 'unknown' && c.startsWith('education.virtual_school.involved')), JSON.stringify(results));
  assert.match(await tree.textContent(), /education\.virtual_school\.involved is missing/);

  await page.click('#check-plan');
  assert.equal(await page.getAttribute('#outcomes li[data-rule="NEW-EDU-01"]', 'data-outcome'), 'unknown');
  assert.match(await page.textContent('#outcomes li[data-rule="NEW-EDU-01"]'), /missing: education\.virtual_school\.involved/);
});

test('a test case made from a plan and its outcome passes when the tests run', async () => {
  // The plan from the last test: unknown, with the missing field expected.
  await page.fill('#case-name', 'made in the workbench: unknown without involvement');
  await page.selectOption('#case-file', 'tests/rules.test.toml');
  await page.click('#make-case');
  assert.equal(await page.getAttribute('#case-status', 'data-outcome'), 'unknown');
  // And one that fires.
  const plan = JSON.parse(await page.inputValue('#plan'));
  plan.education.virtual_school.involved = false;
  await page.fill('#plan', JSON.stringify(plan, null, 2));
  await page.fill('#case-name', 'made in the workbench: fires');
  await page.click('#make-case');
  assert.equal(await page.getAttribute('#case-status', 'data-outcome'), 'fires');

  await page.click('#run-tests');
  assert.equal(await page.getAttribute('#test-summary', 'data-state'), 'passed');
  assert.equal(await page.getAttribute('#test-summary', 'data-passed'), '5');
  for (const name of ['made in the workbench: unknown without involvement', 'made in the workbench: fires']) {
    assert.equal(await page.getAttribute(`#test-cases li[data-name="${name}"]`, 'data-passed'), 'true', name);
  }
  // The file's text (CodeMirror draws only the lines in view, so read it from a download).
  const text = unzipped((await download('#download')).path)['tests/rules.test.toml'];
  const lines = text.split('\n');
  assert.ok(lines.includes('name = "made in the workbench: fires"'), text);
  assert.ok(lines.includes('"NEW-EDU-01" = ["education.virtual_school.involved"]'), text);
  assert.ok(lines.includes('as_of = 2026-11-26'), text);
  assert.ok(lines.includes("plan_json = '''"), text);
});

test('saved as a zip, the pack opens again after a reload with the same files; the native CLI passes its tests', async (t) => {
  const first = await download('#save');
  assert.equal(first.name, 'new-local-pack.zip');
  const saved = unzipped(first.path);
  assert.deepEqual(Object.keys(saved).sort(), TEMPLATE_FILES);
  assert.match(saved['rules.cpr'], /rule NEW-EDU-02 \{/);
  assert.match(saved['tests/rules.test.toml'], /made in the workbench: fires/);

  await page.reload();
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  assert.doesNotMatch(await page.textContent('.cm-content'), /NEW-EDU-02/, 'a reload starts afresh');
  const g = await generation();
  await page.setInputFiles('#open-files', first.path);
  await analysedAfter(g);
  assert.deepEqual(await fileNames(), TEMPLATE_FILES);
  assert.match(await page.textContent('#save-status'), /Opened: 4 files/);
  const again = unzipped((await download('#download')).path);
  assert.deepEqual(again, saved, 'every file comes back with the same text');
  assert.deepEqual(await readFile(first.path), await readFile((await download('#download')).path), 'the same pack gives the same zip');

  // The cases made in the page are in the format `careprompt test` reads.
  const cli = process.env.CAREPROMPT_CLI;
  if (!cli) {
    t.diagnostic('CAREPROMPT_CLI is not set (scripts/test.sh sets it): the CLI check is not run');
    return;
  }
  const dir = join(tmp, 'pack');
  execFileSync('python3', ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', first.path, dir]);
  const out = execFileSync(cli, ['test', dir]).toString();
  assert.match(out, /5 passed, 0 failed/, out);
});

test('a zip made by another tool (deflated, files in one folder) opens; a damaged one is refused with the reason', async () => {
  const made = join(tmp, 'other-tool.zip');
  execFileSync('python3', ['-c', `
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED)
z.writestr('their-pack/', '')
z.writestr('their-pack/a.cpr', '# réglé\\n' + 'const a_value = 12\\n' * 40)
z.writestr('their-pack/tests/a.test.toml', 'as_of = 2026-11-26\\n')
z.writestr('their-pack/notes.docx', 'not a pack file')
z.close()
`, made]);
  const g = await generation();
  await page.setInputFiles('#open-files', made);
  await analysedAfter(g);
  assert.deepEqual(await fileNames(), ['a.cpr', 'tests/a.test.toml']);
  assert.equal((await editorLines())[0], '# réglé');
  assert.match(await page.textContent('#save-status'), /Left out: their-pack\/notes\.docx \(not a \.cpr, \.toml or \.json file\)/);

  // A stored zip with one byte of a file changed: its CRC-32 no longer matches.
  const damaged = join(tmp, 'damaged.zip');
  execFileSync('python3', ['-c', `
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_STORED)
z.writestr('b.cpr', 'const b_value = 1\\n')
z.close()
`, damaged]);
  const bytes = await readFile(damaged);
  bytes[bytes.indexOf('b_value')] ^= 0x20;
  await writeFile(damaged, bytes);
  await page.setInputFiles('#open-files', damaged);
  await page.waitForFunction(() => /Could not open the zip: `b\.cpr`: its CRC-32 does not match/.test(document.getElementById('save-status').textContent));
  assert.deepEqual(await fileNames(), ['a.cpr', 'tests/a.test.toml'], 'the open pack is left as it was');
});

test('the built-in pack as a template: every file, no errors, and its tests pass', async () => {
  await page.selectOption('#template', 'builtin');
  const g = await generation();
  await page.click('#new-pack');
  await analysedAfter(g);
  const { tests, fixtures } = cp.builtinTests();
  const want = [...cp.builtinSources(), ...tests, ...fixtures].map((f) => f.name).sort();
  assert.deepEqual(await fileNames(), want);
  assert.equal(await page.getAttribute('body', 'data-errors'), '0');
  await page.click('#run-tests');
  assert.equal(await page.getAttribute('#test-summary', 'data-state'), 'passed');
  const run = cp.builtin().runTests(tests, fixtures);
  assert.ok(run.ok);
  assert.equal(await page.getAttribute('#test-summary', 'data-passed'), String(run.report.passed));
});

test('the local pack template (built on the built-in pack): no errors, its tests pass, a base definition opens read-only', async () => {
  // The template is the repository's example local pack, file for file.
  const example = join(ROOT, 'rules', 'examples', 'fictional-borough-local-pack');
  for (const [name, text] of Object.entries(EXAMPLE_LOCAL_PACK)) {
    assert.equal(text, await readFile(join(example, name), 'utf8'), `${name} is the example's`);
  }
  await page.selectOption('#template', 'local');
  const g = await generation();
  await page.click('#new-pack');
  await analysedAfter(g);
  assert.deepEqual(await fileNames(), Object.keys(EXAMPLE_LOCAL_PACK).sort());
  // No errors: the base pack's definitions, the override and the added
  // field `child.young_carer` are known. The one entry is the manifest's
  // note that a rule is disabled, a warning, as the CLI gives it.
  assert.equal(await page.getAttribute('body', 'data-errors'), '0');
  const problems = await page.$$eval('#problems li', (ls) => ls.map((l) => [l.dataset.file, l.dataset.severity, l.dataset.code]));
  assert.deepEqual(problems, [['pack.toml', 'warning', 'disabled-rule']]);
  await page.click('#run-tests');
  assert.equal(await page.getAttribute('#test-summary', 'data-state'), 'passed');
  assert.equal(await page.getAttribute('#test-summary', 'data-passed'), '5');
  assert.equal(await page.getAttribute('#coverage tr[data-rule="FB-YC-01"]', 'data-exercised'), 'true');

  // F12 on a base definition the pack's rule uses opens the base file, read-only.
  assert.equal(await page.textContent('#current-file'), 'local.cpr');
  const use = await coordsOf('  looked_after_with_mental_health_needs', 'looked_after_with_mental_health_needs');
  await page.mouse.click(use.x, use.y);
  await page.keyboard.press('F12');
  await page.waitForFunction(() => document.getElementById('current-file').dataset.readOnly === 'true');
  assert.match(await page.textContent('#current-file'), /\.cpr \(the base pack’s file, read-only\)$/);
  await page.waitForFunction(() => document.querySelector('.cm-activeLine')?.textContent.startsWith('define looked_after_with_mental_health_needs'));
  const before = await editorLines();
  await page.keyboard.type('x');
  assert.deepEqual(await editorLines(), before, 'a base file cannot be edited');
  // A broken manifest is a problem at its line.
  await openFile('pack.toml');
  await page.click('.cm-content');
  const at = await coordsOf('extends = "jtai-childrens-mental-health"', 'health"');
  await page.mouse.click(at.x, at.y);
  const g2 = await generation();
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Backspace');
  await analysedAfter(g2);
  await page.waitForFunction(() => document.querySelector('#problems li[data-file="pack.toml"][data-code="unknown-pack"]'));
  assert.equal(await page.getAttribute('#problems li[data-code="unknown-pack"]', 'data-line'), '8');
});

test('a folder opened through the File System Access API is saved back into it', async () => {
  // Playwright cannot drive the native folder picker, so this page's picker
  // hands over a real directory handle from the origin's private file system
  // (the same FileSystemDirectoryHandle API); only the dialog is replaced.
  const p2 = await browser.context.newPage();
  p2.on('pageerror', (e) => errors.push(e.message));
  await p2.addInitScript(() => {
    window.showDirectoryPicker = async () => (await navigator.storage.getDirectory()).getDirectoryHandle('their-pack', { create: true });
  });
  await p2.goto(`${server.url}/workbench.html`);
  await p2.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  await p2.evaluate(async () => {
    const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('their-pack', { create: true });
    const put = async (d, name, text) => {
      const w = await (await d.getFileHandle(name, { create: true })).createWritable();
      await w.write(text);
      await w.close();
    };
    await put(dir, 'a.cpr', 'const a_value = 1\n');
    await put(dir, 'README.txt', 'not part of the pack\n');
    await put(await dir.getDirectoryHandle('tests', { create: true }), 'a.test.toml', 'as_of = 2026-11-26\n');
  });
  assert.equal(await p2.isVisible('#open-folder'), true);
  const g = Number(await p2.getAttribute('body', 'data-generation'));
  await p2.click('#open-folder');
  await p2.waitForFunction((n) => Number(document.body.dataset.generation) > n && document.body.dataset.files === '2', g);
  assert.deepEqual(await p2.$$eval('#files button[data-file]', (bs) => bs.map((b) => b.dataset.file)), ['a.cpr', 'tests/a.test.toml']);
  assert.match(await p2.textContent('#save'), /Save to the folder “their-pack”/);
  assert.match(await p2.textContent('#save-status'), /Left out: README\.txt/);
  await p2.click('.cm-content');
  await p2.keyboard.press('Control+End');
  await p2.keyboard.type('const b_value = 2');
  await p2.fill('#new-file-name', 'more/b.cpr');
  await p2.click('#add-file');
  await p2.click('#save');
  await p2.waitForFunction(() => /Saved 3 files to the folder “their-pack”/.test(document.getElementById('save-status').textContent));
  const back = await p2.evaluate(async () => {
    const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('their-pack');
    const read = async (d, name) => (await (await d.getFileHandle(name)).getFile()).text();
    return {
      a: await read(dir, 'a.cpr'),
      b: await read(await dir.getDirectoryHandle('more'), 'b.cpr'),
      t: await read(await dir.getDirectoryHandle('tests'), 'a.test.toml'),
      readme: await read(dir, 'README.txt'),
    };
  });
  assert.deepEqual(back, {
    a: 'const a_value = 1\nconst b_value = 2', b: '', t: 'as_of = 2026-11-26\n', readme: 'not part of the pack\n',
  });
  await p2.close();
});

test('every control is labelled, and Tab leaves the editor', async () => {
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('button, input, select, textarea, [contenteditable="true"]')]
    .filter((e) => !e.hidden && e.offsetParent !== null)
    .filter((e) => {
      if (e.getAttribute('aria-label')) return false;
      if (e.labels && e.labels.length) return false;
      return !(e.tagName === 'BUTTON' && e.textContent.trim());
    })
    .map((e) => e.outerHTML.slice(0, 80)));
  assert.deepEqual(unlabelled, []);
  const ids = await page.$$eval('[id]', (es) => es.map((e) => e.id));
  assert.deepEqual(ids.filter((id, i) => ids.indexOf(id) !== i), [], 'every id is used once');
  await page.click('.cm-content');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => !!document.activeElement.closest('.cm-editor')), false);
});

test('nothing was requested from anywhere but the page\'s own server, and no script errors', () => {
  assert.deepEqual(foreignRequests(browser.requests, [server.url]), []);
  assert.deepEqual(errors, []);
});
