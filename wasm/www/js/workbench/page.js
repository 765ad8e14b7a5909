// The rules workbench: a pack's files in a CodeMirror editor over the
// careprompt analysis (WebAssembly), with its tests, coverage per rule, a
// plan to try, explanations, and test cases made from a plan. Files come in
// from a template, a folder (File System Access API), picked files or a zip,
// and go back out the same way. Nothing leaves the page.
import { loadEngine, EngineError, toOffset } from './engine.js';
import { createEditor } from './editor.js';
import { templates } from './templates.js';
import { readZip, writeZip, ZipError } from './zip.js';

const $ = (id) => document.getElementById(id);
const OPENABLE = /\.(cpr|toml|json)$/;
const MAX_FILE_BYTES = 5 * 1024 * 1024;
const MAX_FILES = 1000;
const ANALYSE_DELAY_MS = 150;

let engine;
let editor;
/** The pack's files: name -> { state } (a CodeMirror EditorState each). */
const files = new Map();
// Files of the pack a local pack builds on, opened read-only from a definition: name -> { state }.
const baseFiles = new Map();
/** The text the engine holds for each file. */
const synced = new Map();
let current = null;
let dirHandle = null;
let dirty = false;
let generation = 0;
let analyseTimer = 0;
let ruleIds = [];

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  e.append(...children.flat().filter((c) => c !== null && c !== undefined));
  return e;
}

function say(text) {
  $('status').textContent = text;
}

const textOf = (name) => (name === current ? editor.view.state : files.get(name)?.state)?.doc.toString() ?? '';
const sorted = () => [...files.keys()].sort();
const isRules = (n) => n.endsWith('.cpr');
const isTests = (n) => n.endsWith('.test.toml');
// A local pack's manifest: its problems are shown with the rules'.
const MANIFEST = 'pack.toml';

// ---- keeping the engine in step with the editor ------------------------

/** Hands every changed file's text to the engine. */
function sync() {
  if (current && files.has(current)) files.get(current).state = editor.view.state;
  for (const name of files.keys()) {
    const text = textOf(name);
    if (synced.get(name) !== text) {
      engine.setFile(name, text);
      synced.set(name, text);
    }
  }
}

function changed() {
  dirty = true;
  clearTimeout(analyseTimer);
  analyseTimer = setTimeout(analyse, ANALYSE_DELAY_MS);
}

/** Every file's problems, rendered; the open file's in the editor too. */
function analyse() {
  clearTimeout(analyseTimer);
  sync();
  const all = [];
  for (const name of sorted()) {
    if (!isRules(name) && !isTests(name) && name !== MANIFEST) continue;
    for (const d of engine.call('diagnostics', { file: name })) all.push({ file: name, ...d });
  }
  if (current) editor.showDiagnostics(all.filter((d) => d.file === current));
  renderProblems(all);
  refreshChoices();
  generation += 1;
  document.body.dataset.generation = String(generation);
  document.body.dataset.errors = String(all.filter((d) => d.diagnostic.severity === 'error').length);
}

function renderProblems(all) {
  const list = $('problems');
  list.replaceChildren();
  const errors = all.filter((d) => d.diagnostic.severity === 'error').length;
  const warnings = all.length - errors;
  $('problems-summary').textContent = all.length
    ? `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} in the pack.`
    : 'No problems in the pack.';
  for (const d of all) {
    const g = d.diagnostic;
    const where = `${d.file}:${g.line}:${g.column}`;
    const level = g.severity === 'error' ? 'Error' : 'Warning';
    list.append(el('li', {
      class: g.severity, 'data-file': d.file, 'data-line': g.line, 'data-column': g.column, 'data-code': g.code,
      'data-severity': g.severity,
    },
    el('button', { type: 'button', class: 'link', onclick: () => goTo(d.file, d.range) }, where),
    ` ${level} [${g.code}]: ${g.message}`,
    g.help ? el('span', { class: 'help' }, ` help: ${g.help}`) : null,
    fixesFor(d).map((a) => el('button', { type: 'button', class: 'secondary fix', onclick: () => applyFix(a) }, `Fix: ${a.title}`))));
  }
}

/** The engine's fixes ("did you mean") for one diagnostic. */
function fixesFor(d) {
  if (!/did you mean/.test(d.diagnostic.help ?? '')) return [];
  try {
    return engine.call('code_actions', { file: d.file, range: d.range }).filter((a) => a.code === d.diagnostic.code);
  } catch {
    return [];
  }
}

function applyFix(action) {
  for (const edit of [...action.edits].reverse()) {
    if (!files.has(edit.file)) continue;
    const state = edit.file === current ? editor.view.state : files.get(edit.file).state;
    const changes = { from: toOffset(state.doc, edit.range.start), to: toOffset(state.doc, edit.range.end), insert: edit.new_text };
    if (edit.file === current) editor.view.dispatch({ changes });
    else files.get(edit.file).state = state.update({ changes }).state;
  }
  dirty = true;
  analyse();
}

/** Rebuilds the lists that follow the pack: files, rules, test files, plans. */
function refreshChoices() {
  const list = $('files');
  list.replaceChildren(...sorted().map((name) => el('li', {},
    el('button', {
      type: 'button', class: 'file', 'data-file': name, 'aria-current': name === current ? 'true' : null,
      onclick: () => openFile(name),
    }, name))));
  const base = baseFiles.has(current);
  $('current-file').textContent = base ? `${current} (the base pack’s file, read-only)` : current ?? 'no file';
  $('current-file').dataset.readOnly = String(base);

  const ids = [];
  for (const name of sorted().filter(isRules)) {
    for (const s of engine.call('symbols', { file: name })) if (s.kind === 'rule') ids.push(s.name);
  }
  if (ids.join('\n') !== ruleIds.join('\n')) {
    ruleIds = ids;
    const rule = $('rule');
    const keep = rule.value;
    rule.replaceChildren(...ids.map((id) => el('option', { value: id }, id)));
    if (ids.includes(keep)) rule.value = keep;
  }
  fillSelect($('case-file'), sorted().filter(isTests), 'tests/workbench.test.toml (new)', 'tests/workbench.test.toml');
  fillSelect($('plan-source'), sorted().filter((n) => n.endsWith('.json')), '(type or paste a plan)', '');
}

function fillSelect(select, names, extraLabel, extraValue) {
  const keep = select.value;
  const wanted = [...names.map((n) => [n, n]), [extraValue, extraLabel]];
  const have = [...select.options].map((o) => [o.value, o.textContent]);
  if (JSON.stringify(wanted) === JSON.stringify(have)) return;
  select.replaceChildren(...wanted.map(([v, l]) => el('option', { value: v }, l)));
  if (wanted.some(([v]) => v === keep)) select.value = keep;
}

// ---- files -------------------------------------------------------------

function openFile(name, range) {
  if (!files.has(name) && !openBase(name)) return;
  if (current) (files.get(current) ?? baseFiles.get(current)).state = editor.view.state;
  current = name;
  editor.setState((files.get(name) ?? baseFiles.get(name)).state);
  analyse();
  if (range) editor.select(range);
}

/**
 * Holds a file of the pack a local pack builds on (a definition may be there)
 * to be shown read-only: the engine has its text. False when there is none.
 */
function openBase(name) {
  if (baseFiles.has(name)) return true;
  let text = null;
  try {
    text = engine.call('text', { file: name });
  } catch {
    text = null;
  }
  if (typeof text !== 'string') return false;
  baseFiles.set(name, { state: editor.stateFor(name, text, { readOnly: true }) });
  return true;
}

function goTo(file, range) {
  if (file !== current) openFile(file);
  editor.select(range);
}

/** Replaces the pack with `list` ([{ name, text }]). */
function loadPack(list, { handle = null, how } = {}) {
  for (const name of engine.fileNames()) engine.removeFile(name);
  files.clear();
  baseFiles.clear();
  synced.clear();
  current = null;
  for (const { name, text } of list) files.set(name, { state: editor.stateFor(name, text) });
  dirHandle = handle;
  dirty = false;
  const first = sorted().find(isRules) ?? sorted()[0];
  if (first) openFile(first);
  else analyse();
  const plan = sorted().find((n) => n.endsWith('.json'));
  if (plan) {
    $('plan-source').value = plan;
    $('plan').value = textOf(plan);
  }
  $('save').textContent = handle ? `Save to the folder “${handle.name}”` : 'Save (download a zip)';
  $('save-status').textContent = `${how}: ${files.size} file${files.size === 1 ? '' : 's'}.`;
  document.body.dataset.files = String(files.size);
}

function setText(name, text) {
  const state = name === current ? editor.view.state : files.get(name).state;
  const tr = state.update({ changes: { from: 0, to: state.doc.length, insert: text } });
  if (name === current) editor.view.dispatch(tr);
  else files.get(name).state = tr.state;
  dirty = true;
}

function addFile(name, text = '') {
  if (!files.has(name)) files.set(name, { state: editor.stateFor(name, text) });
  dirty = true;
}

function packName() {
  const manifest = files.has('pack.toml') ? textOf('pack.toml') : '';
  const m = manifest.match(/^\s*name\s*=\s*"([^"]+)"/m);
  return (m ? m[1] : 'careprompt-pack').replace(/[^\w.-]+/g, '-');
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Text files from [{ name, bytes }]: the openable ones, decoded; the rest named in `skipped`. */
function decodeAll(entries, skipped) {
  const out = [];
  for (const { name, bytes } of entries) {
    if (!OPENABLE.test(name) || name.split('/').some((p) => p.startsWith('.') || p === 'node_modules')) {
      skipped.push(`${name} (not a .cpr, .toml or .json file)`);
    } else if (bytes.length > MAX_FILE_BYTES) {
      skipped.push(`${name} (larger than ${MAX_FILE_BYTES} bytes)`);
    } else if (out.length >= MAX_FILES) {
      skipped.push(`${name} (more than ${MAX_FILES} files)`);
    } else {
      try {
        out.push({ name, text: decoder.decode(bytes) });
      } catch {
        skipped.push(`${name} (not UTF-8 text)`);
      }
    }
  }
  return out;
}

/** Drops a folder name that every path starts with (a zipped folder). */
function stripCommonFolder(list) {
  const first = list[0]?.name.split('/')[0];
  if (first && list.every((f) => f.name.includes('/') && f.name.split('/')[0] === first)) {
    return list.map((f) => ({ ...f, name: f.name.slice(first.length + 1) }));
  }
  return list;
}

function reportOpened(skipped) {
  if (skipped.length) $('save-status').textContent += ` Left out: ${skipped.join('; ')}.`;
}

async function openPicked(fileList, { folder }) {
  const skipped = [];
  let entries = [];
  try {
    for (const f of fileList) {
      const bytes = new Uint8Array(await f.arrayBuffer());
      if (!folder && /\.zip$/i.test(f.name)) {
        entries.push(...(await readZip(bytes)));
      } else {
        entries.push({ name: folder ? f.webkitRelativePath || f.name : f.name, bytes });
      }
    }
  } catch (e) {
    $('save-status').textContent = e instanceof ZipError ? `Could not open the zip: ${e.message}.` : `Could not open: ${e.message}`;
    return;
  }
  const list = stripCommonFolder(decodeAll(entries, skipped));
  if (!list.length) {
    $('save-status').textContent = `Nothing to open. Left out: ${skipped.join('; ') || 'no files'}.`;
    return;
  }
  loadPack(list, { how: 'Opened' });
  reportOpened(skipped);
}

async function readDirectory(handle, prefix, entries) {
  for await (const [name, child] of handle.entries()) {
    if (name.startsWith('.') || name === 'node_modules' || name === 'target') continue;
    if (child.kind === 'directory') await readDirectory(child, `${prefix}${name}/`, entries);
    else entries.push({ name: `${prefix}${name}`, bytes: new Uint8Array(await (await child.getFile()).arrayBuffer()) });
  }
}

async function openFolder() {
  let handle;
  try {
    handle = await window.showDirectoryPicker({ mode: 'readwrite' });
  } catch {
    return; // the user closed the picker
  }
  const entries = [];
  await readDirectory(handle, '', entries);
  const skipped = [];
  const list = decodeAll(entries, skipped).sort((a, b) => a.name.localeCompare(b.name));
  loadPack(list, { handle, how: `Opened the folder “${handle.name}”` });
  reportOpened(skipped);
}

async function writeToFolder() {
  sync();
  let written = 0;
  for (const name of sorted()) {
    const parts = name.split('/');
    let dir = dirHandle;
    for (const p of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(p, { create: true });
    const fh = await dir.getFileHandle(parts[parts.length - 1], { create: true });
    // The file is replaced only when the write completes (close()).
    const w = await fh.createWritable();
    await w.write(textOf(name));
    await w.close();
    written += 1;
  }
  return written;
}

function downloadZip() {
  sync();
  const zip = writeZip(sorted().map((name) => ({ name, text: textOf(name) })));
  const url = URL.createObjectURL(new Blob([zip], { type: 'application/zip' }));
  const a = el('a', { href: url, download: `${packName()}.zip` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  dirty = false;
  $('save-status').textContent = `Saved ${files.size} files as ${packName()}.zip (in your downloads).`;
}

async function save() {
  if (!dirHandle) return downloadZip();
  try {
    const n = await writeToFolder();
    dirty = false;
    $('save-status').textContent = `Saved ${n} files to the folder “${dirHandle.name}”.`;
  } catch (e) {
    $('save-status').textContent = `Could not save to the folder (${e.message}); the files there are as they were. Download a zip instead.`;
  }
}

// ---- tests, plans, explanations, cases ----------------------------------

/** The rules files' errors, if any (nothing is run on a pack that does not compile). */
function rulesErrors() {
  sync();
  return sorted().filter(isRules).flatMap((file) => engine.call('diagnostics', { file })
    .filter((d) => d.diagnostic.severity === 'error').map(() => file));
}

function runTests() {
  const summary = $('test-summary');
  const failures = $('test-failures');
  const body = $('coverage').querySelector('tbody');
  failures.replaceChildren();
  body.replaceChildren();
  if (rulesErrors().length) {
    summary.textContent = 'The rules have errors (see Problems): fix them, then run the tests.';
    summary.dataset.state = 'error';
    return;
  }
  const answer = engine.call('run_tests');
  if (answer.error || !answer.run) {
    summary.textContent = answer.error ?? 'The tests could not run.';
    summary.dataset.state = 'error';
    return;
  }
  const { run } = answer;
  const exercised = answer.rules.filter((r) => r.exercised).length;
  summary.textContent = `${run.passed} passed, ${run.failed} failed; ${exercised} of ${answer.rules.length} rules exercised.`;
  summary.dataset.state = run.failed ? 'failed' : 'passed';
  summary.dataset.passed = String(run.passed);
  summary.dataset.failed = String(run.failed);
  for (const f of answer.failures) {
    failures.append(el('li', { class: 'error', 'data-case': f.name },
      el('button', { type: 'button', class: 'link', onclick: () => goTo(f.location.file, f.location.range) },
        `${f.location.file}:${f.location.range.start.line + 1}`),
      ` ${f.name}: ${f.message}`));
  }
  for (const file of run.files) {
    if (file.error) {
      failures.append(el('li', { class: 'error' }, `${file.file}: ${file.error.message}`));
    }
  }
  const cases = el('ul', { id: 'test-cases', class: 'cases' });
  for (const file of run.files) {
    for (const c of file.cases) {
      cases.append(el('li', { 'data-file': file.file, 'data-name': c.name, 'data-passed': String(c.passed) },
        `${c.passed ? 'pass' : 'FAIL'} — ${file.file}: ${c.name}`));
    }
  }
  $('test-cases')?.remove();
  const details = $('all-cases') ?? el('details', { id: 'all-cases' }, el('summary', {}, 'Every case'));
  details.append(cases);
  failures.after(details);
  for (const r of answer.rules) {
    const conditions = r.uncovered_conditions.map((c) => `${c.condition} (only ${c.seen})`);
    body.append(el('tr', { 'data-rule': r.id, 'data-exercised': String(r.exercised) },
      el('th', { scope: 'row' }, el('code', {}, r.id), ` ${r.title}`),
      el('td', {}, r.exercised ? `yes, in ${r.tested_in.join(', ') || 'a test'}` : 'no: no case states an outcome for it'),
      el('td', { 'data-uncovered': String(r.uncovered_conditions.length) },
        conditions.length ? el('ul', {}, conditions.map((c) => el('li', {}, c))) : 'none')));
  }
}

function planInputs() {
  const asOf = $('as-of').value;
  const plan = $('plan').value;
  const rule = $('rule').value;
  return { asOf, plan, rule };
}

function showError(target, e) {
  target.replaceChildren(el('p', { class: 'error', role: 'alert' }, e instanceof EngineError ? e.message : String(e)));
}

function checkPlan() {
  const out = $('plan-result');
  const { asOf, plan, rule } = planInputs();
  let report;
  try {
    report = engine.checkPlan(plan, asOf);
  } catch (e) {
    return showError(out, e);
  }
  const s = report.summary;
  out.replaceChildren(
    el('p', { id: 'plan-summary' }, `As of ${report.as_of}: ${s.fires} fire, ${s.clear} clear, ${s.unknown} could not be checked.`),
    el('ul', { id: 'outcomes', class: 'outcomes' }, report.outcomes.map((o) => el('li', {
      'data-rule': o.rule, 'data-outcome': o.outcome, 'aria-current': o.rule === rule ? 'true' : null,
    }, el('code', {}, o.rule), ` ${o.outcome}`, o.missing?.length ? ` (missing: ${o.missing.join(', ')})` : ''))));
}

function explainRule() {
  const pre = $('explain-trace');
  const { asOf, plan, rule } = planInputs();
  try {
    const x = engine.explain(rule, plan, asOf);
    pre.textContent = x.text;
    pre.dataset.outcome = x.outcome;
    pre.dataset.rule = x.rule;
    $('explain-tree').replaceChildren(
      el('p', {}, el('code', {}, x.rule), ` ${x.title}: ${x.outcome} as of ${x.as_of}.`),
      el('ul', { class: 'trace' }, traceItem(x.trace)));
    $('explanation').hidden = false;
    $('plan-result').replaceChildren();
  } catch (e) {
    $('explanation').hidden = true;
    showError($('plan-result'), e);
  }
}

/** One condition of a trace, its result in words, the values it read and its parts. */
function traceItem(node) {
  return el('li', { 'data-result': node.result },
    el('span', { class: `result ${node.result}` }, node.result), ' ', el('code', {}, node.condition),
    node.values?.length ? el('ul', { class: 'values' }, node.values.map((v) => el('li', {}, v))) : null,
    node.children?.length ? el('ul', {}, node.children.map(traceItem)) : null);
}

function makeCase() {
  const status = $('case-status');
  const { asOf, plan, rule } = planInputs();
  const target = $('case-file').value;
  if (rulesErrors().length) {
    status.textContent = 'The rules have errors (see Problems): fix them first.';
    return;
  }
  const name = $('case-name').value.trim() || `${rule} on a plan from the workbench`;
  let made;
  try {
    made = engine.makeCase(rule, plan, asOf, name);
  } catch (e) {
    status.textContent = `No case made: ${e.message}`;
    return;
  }
  if (!files.has(target)) addFile(target, '# Cases made in the workbench from a plan and its outcome.\n');
  const before = textOf(target);
  setText(target, `${before}${before.endsWith('\n') || !before ? '' : '\n'}${made.toml}`);
  status.textContent = `Added the case “${name}” to ${target}: ${rule} is expected to be ${made.outcome}${made.missing.length ? ` (missing ${made.missing.join(', ')})` : ''}.`;
  status.dataset.outcome = made.outcome;
  analyse();
}

// ---- wiring --------------------------------------------------------------

function todayLocal() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

async function main() {
  engine = await loadEngine();
  $('version').textContent = engine.version;
  editor = createEditor($('editor'), {
    engine,
    file: () => current,
    sync,
    changed,
    goTo,
    say,
  });
  const tpl = templates(engine);
  $('template').replaceChildren(...Object.entries(tpl).map(([id, t]) => el('option', { value: id }, t.label)));
  $('new-pack').addEventListener('click', () => loadPack(tpl[$('template').value].files(), { how: 'New pack from the template' }));
  if (typeof window.showDirectoryPicker === 'function') {
    $('open-folder').hidden = false;
    $('open-folder').addEventListener('click', openFolder);
  }
  $('open-files').addEventListener('change', (e) => openPicked([...e.target.files], { folder: false }).finally(() => { e.target.value = ''; }));
  $('open-dir').addEventListener('change', (e) => openPicked([...e.target.files], { folder: true }).finally(() => { e.target.value = ''; }));
  $('save').addEventListener('click', save);
  $('download').addEventListener('click', downloadZip);
  $('add-file').addEventListener('click', () => {
    const name = $('new-file-name').value.trim().replace(/^\/+/, '');
    if (!name || name.split('/').some((p) => p === '..' || p === '')) {
      say('Give the new file a name, such as housing.cpr or tests/housing.test.toml.');
      return;
    }
    addFile(name);
    $('new-file-name').value = '';
    openFile(name);
    editor.view.focus();
  });
  $('remove-file').addEventListener('click', () => {
    if (!current || !files.has(current)) return;
    const name = current;
    files.delete(name);
    synced.delete(name);
    engine.removeFile(name);
    current = null;
    dirty = true;
    const next = sorted()[0];
    if (next) openFile(next);
    else { editor.setState(editor.stateFor('', '')); analyse(); }
    say(`Removed ${name} from the pack (saving to a folder does not delete it there).`);
  });
  $('show-info').addEventListener('click', () => { editor.view.focus(); editor.showInfo(); });
  $('go-definition').addEventListener('click', () => editor.goToDefinition());
  $('format').addEventListener('click', () => {
    if (!current || !files.has(current)) return;
    sync();
    const edit = engine.call('format', { file: current });
    if (!edit) { say(`${current} is already formatted (or has syntax errors to fix first).`); return; }
    const doc = editor.view.state.doc;
    editor.view.dispatch({ changes: { from: toOffset(doc, edit.range.start), to: toOffset(doc, edit.range.end), insert: edit.new_text } });
    analyse();
  });
  $('run-tests').addEventListener('click', runTests);
  $('check-plan').addEventListener('click', checkPlan);
  $('explain').addEventListener('click', explainRule);
  $('make-case').addEventListener('click', makeCase);
  $('plan-source').addEventListener('change', (e) => { if (e.target.value) $('plan').value = textOf(e.target.value); });
  $('as-of').value = todayLocal();
  loadPack(tpl.new.files(), { how: 'New pack from the template' });
  say('Ready. Problems are listed below as you type.');
  document.body.dataset.ready = 'true';
}

main().catch((e) => {
  say(`The engine could not start: ${e.message}`);
  document.body.dataset.ready = 'error';
});
