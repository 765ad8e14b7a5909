// The rules playground: edit rules with live diagnostics, run the pack's
// tests, and see which example plans each rule fires on.
import { init, builtinSources, builtinTests, compile, formatRules, version } from '../vendor/careprompt/careprompt.js';
import { h, SEVERITY_LABEL } from './report-view.js';
import { loadExampleIndex, loadExampleText, todayLocal } from './examples.js';

const $ = (id) => document.getElementById(id);
const fileSelect = $('file');
const source = $('source');
const backdrop = $('backdrop');
const gutter = $('gutter');
const diagList = $('diagnostics');
const compileStatus = $('compile-status');
const asOf = $('as-of');
const testsButton = $('run-tests');

/** The files being edited: [{ name, text }], starting from the built-in pack. */
let files = [];
let current = 0;
let rules = null;
let diagnostics = [];
let examples = [];
let compileTimer = 0;
let generation = 0;

const el = (tag, attrs, ...children) => h(document, tag, attrs, ...children);

// ---- positions ---------------------------------------------------------

/** UTF-16 offset of 1-based line and column (columns count code points). */
function offsetOf(text, line, column) {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  let end = text.indexOf('\n', offset);
  if (end < 0) end = text.length;
  let col = 1;
  while (col < column && offset < end) {
    const cp = text.codePointAt(offset);
    offset += cp > 0xffff ? 2 : 1;
    col++;
  }
  return offset;
}

// ---- the editor's overlay and gutter -------------------------------------

function currentDiagnostics() {
  const name = files[current]?.name;
  return diagnostics.filter((d) => d.file === name);
}

function paintOverlay() {
  const text = source.value;
  const ranges = currentDiagnostics()
    .map((d) => {
      const start = offsetOf(text, d.line, d.column);
      let end = offsetOf(text, d.end_line || d.line, d.end_column || d.column + 1);
      if (end < start) end = start;
      return { start, end, severity: d.severity, d };
    })
    .sort((a, b) => a.start - b.start);
  const parts = [];
  let at = 0;
  for (const r of ranges) {
    if (r.start < at) continue; // overlapping: the first one wins
    parts.push(text.slice(at, r.start));
    const piece = text.slice(r.start, r.end);
    // An empty span, or one that is only a line break, still gets a visible mark.
    const visible = piece.replace(/\n[\s\S]*$/, '');
    const mark = el('mark', {
      class: `${r.severity}${visible ? '' : ' empty'}`,
      'data-line': r.d.line,
      'data-column': r.d.column,
    }, visible);
    parts.push(mark);
    at = r.start + visible.length;
  }
  parts.push(text.slice(at), '\n ');
  backdrop.replaceChildren(...parts);

  const lines = text.split('\n').length;
  const marks = new Map();
  for (const d of currentDiagnostics()) {
    const prev = marks.get(d.line);
    if (prev !== 'error') marks.set(d.line, d.severity);
  }
  const rows = [];
  for (let i = 1; i <= lines; i++) {
    const sev = marks.get(i);
    const label = sev === 'error' ? '✖ ' : sev === 'warning' ? '▲ ' : '';
    rows.push(el('div', { class: sev === 'error' ? 'bad' : sev === 'warning' ? 'warn' : undefined, 'data-line': i }, `${label}${i}`));
  }
  gutter.replaceChildren(...rows);
  source.setAttribute('aria-invalid', String(currentDiagnostics().some((d) => d.severity === 'error')));
  syncScroll();
}

function syncScroll() {
  backdrop.scrollTop = source.scrollTop;
  backdrop.scrollLeft = source.scrollLeft;
  gutter.scrollTop = source.scrollTop;
}

// ---- diagnostics list ------------------------------------------------

function goTo(d) {
  const index = files.findIndex((f) => f.name === d.file);
  if (index >= 0 && index !== current) selectFile(index);
  const text = source.value;
  const start = offsetOf(text, d.line, d.column);
  const end = Math.max(start, offsetOf(text, d.end_line || d.line, d.end_column || d.column));
  source.focus();
  source.setSelectionRange(start, end);
  // Bring the line into view.
  const lineHeight = 20;
  source.scrollTop = Math.max(0, (d.line - 5) * lineHeight);
  syncScroll();
}

function renderDiagnostics() {
  diagList.replaceChildren(
    ...diagnostics.map((d) =>
      el('li', { 'data-file': d.file, 'data-line': d.line, 'data-column': d.column, 'data-code': d.code },
        el('button', { type: 'button', 'aria-label': `${d.severity} at ${d.file} line ${d.line} column ${d.column}: ${d.message}. Go to it.` },
          el('span', { class: `diag-level ${d.severity}` }, d.severity === 'error' ? 'Error' : 'Warning'),
          ` ${d.file}:${d.line}:${d.column} `,
          el('span', { class: 'diag-message' }, d.message),
          d.help ? el('span', { class: 'hint' }, ` — help: ${d.help}`) : '',
          ` [${d.code}]`),
      ),
    ),
  );
  for (const [i, button] of [...diagList.querySelectorAll('button')].entries()) {
    button.addEventListener('click', () => goTo(diagnostics[i]));
  }
}

// ---- compiling ---------------------------------------------------------

function recompile() {
  generation++;
  const result = compile(files.map(({ name, text }) => ({ name, text })));
  if (result.ok) {
    if (rules) rules.free();
    rules = result.rules;
    diagnostics = result.warnings;
    const count = rules.list().length;
    compileStatus.textContent = `The rules compile: ${count} rules${diagnostics.length ? `, ${diagnostics.length} ${diagnostics.length === 1 ? 'warning' : 'warnings'}` : ''}.`;
    testsButton.disabled = false;
  } else {
    diagnostics = result.diagnostics;
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    compileStatus.textContent = `The rules do not compile: ${errors} ${errors === 1 ? 'problem' : 'problems'}. The results on the right are from the last rules that compiled.`;
  }
  document.body.dataset.compiled = result.ok ? 'ok' : 'error';
  document.body.dataset.generation = String(generation);
  paintOverlay();
  renderDiagnostics();
  if (result.ok) renderFiresOn();
}

function scheduleCompile() {
  clearTimeout(compileTimer);
  compileTimer = setTimeout(recompile, 250);
}

// ---- files ------------------------------------------------------------

function selectFile(index) {
  current = index;
  fileSelect.value = String(index);
  source.value = files[index].text;
  source.scrollTop = 0;
  paintOverlay();
}

function loadBuiltin() {
  files = builtinSources().map(({ name, text }) => ({ name, text }));
  fileSelect.replaceChildren(...files.map((f, i) => el('option', { value: i }, f.name)));
  selectFile(0);
  recompile();
}

// ---- tests -------------------------------------------------------------

function runTests() {
  if (!rules) return;
  const { tests, fixtures } = builtinTests();
  const started = performance.now();
  const result = rules.runTests(tests, fixtures);
  const ms = performance.now() - started;
  const out = $('test-results');
  if (!result.report) {
    out.replaceChildren(el('p', { class: 'cp-error', role: 'alert' }, result.error?.message ?? 'The tests could not run.'));
    return;
  }
  const run = result.report;
  const failures = [];
  for (const file of run.files) {
    if (file.error) {
      failures.push(el('div', { class: 'test-fail', 'data-file': file.file },
        el('p', {}, el('strong', {}, 'File problem: '), `${file.file}:${file.error.line}:${file.error.column} ${file.error.message}`)));
    }
    for (const c of file.cases) {
      if (c.passed) continue;
      failures.push(el('div', { class: 'test-fail', 'data-file': file.file, 'data-case': c.name },
        el('p', {}, el('strong', { class: 'bad-text' }, 'FAILED '), `${c.name} `, el('span', { class: 'hint' }, `(${file.file})`)),
        c.error ? el('p', {}, `Could not run: ${c.error}`) : '',
        c.failures?.length
          ? el('ul', {}, c.failures.map((f) => el('li', {}, el('code', {}, f.rule), `: expected ${f.expected}, got ${f.actual}`,
              f.missing?.length ? ` (missing: ${f.missing.join(', ')})` : '',
              f.evidence?.length ? ` (evidence: ${f.evidence.map((e) => `${e.path} = ${JSON.stringify(e.value)}`).join('; ')})` : '')))
          : ''));
    }
  }
  const cov = run.coverage;
  out.replaceChildren(
    el('p', { role: 'status', class: result.ok ? 'ok-text' : 'bad-text', id: 'test-summary' },
      `${result.ok ? 'All tests pass' : 'Some tests fail'}: ${run.passed} passed, ${run.failed} failed (${ms.toFixed(0)} ms).`),
    el('p', { class: 'hint' }, `Coverage: ${cov.rules_exercised} of ${cov.rules_total} rules have a test; ${cov.conditions_covered} of ${cov.conditions_total} conditions seen both true and false.`),
    ...failures,
  );
  document.body.dataset.tests = result.ok ? 'pass' : 'fail';
}

// ---- which example plans each rule fires on ------------------------------

function renderFiresOn() {
  const target = $('fires-on');
  if (!rules) return;
  if (!examples.length) {
    target.replaceChildren(el('p', {}, 'No example plans were copied next to this page.'));
    return;
  }
  if (!asOf.value) {
    target.replaceChildren(el('p', { role: 'alert' }, 'Choose an evaluation date.'));
    return;
  }
  const list = rules.list();
  const fires = new Map(list.map((r) => [r.id, []]));
  const unknown = new Map(list.map((r) => [r.id, []]));
  const problems = [];
  for (const ex of examples) {
    const result = rules.check(ex.text, { asOf: asOf.value });
    if (!result.ok) {
      problems.push(el('li', {}, `${ex.title}: ${result.error.message}`));
      continue;
    }
    for (const o of result.report.outcomes) {
      if (o.outcome === 'fires') fires.get(o.rule)?.push(ex);
      if (o.outcome === 'unknown') unknown.get(o.rule)?.push(ex);
    }
  }
  const names = (xs) => (xs.length ? xs.map((x) => x.short).join(', ') : '—');
  target.replaceChildren(
    el('table', { id: 'fires-table' },
      el('caption', { class: 'hint' }, `Rules against ${examples.length} example plans as of ${asOf.value}`),
      el('thead', {}, el('tr', {}, ['Rule', 'Severity', 'Fires on', 'Could not check'].map((t) => el('th', { scope: 'col' }, t)))),
      el('tbody', {}, list.map((r) =>
        el('tr', { 'data-rule': r.id },
          el('th', { scope: 'row' }, el('code', {}, r.id), ' ', r.title),
          el('td', {}, SEVERITY_LABEL[r.severity] ?? r.severity),
          el('td', { class: 'fires' }, names(fires.get(r.id))),
          el('td', { class: 'unknown' }, names(unknown.get(r.id))))))),
    problems.length ? el('ul', {}, problems) : '',
  );
}

// ---- start -------------------------------------------------------------

async function main() {
  asOf.value = todayLocal();
  try {
    await init();
  } catch (e) {
    compileStatus.textContent = `The engine could not be loaded: ${e.message}`;
    return;
  }
  $('version').textContent = version();
  const index = await loadExampleIndex();
  examples = await Promise.all(index.plans.map(async (p) => ({
    ...p,
    short: p.title.split(' — ')[0],
    text: await loadExampleText(index, p.file),
  })));
  loadBuiltin();

  source.addEventListener('input', () => {
    files[current].text = source.value;
    paintOverlay();
    scheduleCompile();
  });
  source.addEventListener('scroll', syncScroll);
  fileSelect.addEventListener('change', () => selectFile(Number(fileSelect.value)));
  $('format').addEventListener('click', () => {
    const result = formatRules(source.value, files[current].name);
    if (result.ok) {
      source.value = result.text;
      files[current].text = result.text;
      recompile();
    } else {
      diagnostics = result.diagnostics;
      paintOverlay();
      renderDiagnostics();
      compileStatus.textContent = 'This file cannot be formatted until its syntax problems are fixed.';
    }
  });
  $('reset').addEventListener('click', loadBuiltin);
  testsButton.addEventListener('click', runTests);
  asOf.addEventListener('change', renderFiresOn);
  document.body.dataset.ready = 'true';
}

main();
