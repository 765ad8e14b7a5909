// The plan checker page: pick, open or paste a plan and see its prompts.
import { init, builtin, version } from '../vendor/careprompt/careprompt.js';
import { renderReport, renderPlanError, h } from './report-view.js';
import { loadExampleIndex, loadExampleText, todayLocal } from './examples.js';

const $ = (id) => document.getElementById(id);
const planBox = $('plan');
const asOf = $('as-of');
const output = $('output');
const status = $('engine-status');
const checkButton = $('check');
const exampleSelect = $('example');

let rules = null;

function show(...nodes) {
  output.replaceChildren(...nodes);
}

function check({ focus = false } = {}) {
  if (!rules) return;
  const text = planBox.value;
  if (!text.trim()) {
    show(h(document, 'p', { role: 'alert', class: 'cp-error' }, 'There is no plan to check: choose an example, open a file or paste a plan.'));
    return;
  }
  if (!asOf.value) {
    show(h(document, 'p', { role: 'alert', class: 'cp-error' }, 'Choose an evaluation date.'));
    asOf.focus();
    return;
  }
  const started = performance.now();
  const result = rules.check(text, { asOf: asOf.value });
  const ms = performance.now() - started;
  if (result.ok) {
    const view = renderReport(document, result.report, { headingLevel: 3 });
    view.append(h(document, 'p', { class: 'hint' }, `Checked in ${ms.toFixed(1)} ms, in this page.`));
    show(view);
  } else {
    show(renderPlanError(document, result.error));
  }
  document.body.dataset.checked = String(Number(document.body.dataset.checked ?? 0) + 1);
  if (focus) $('results').focus();
}

async function main() {
  asOf.value = todayLocal();
  try {
    await init();
    rules = builtin();
  } catch (e) {
    status.textContent = `The engine could not be loaded: ${e.message}`;
    return;
  }
  $('version').textContent = version();
  status.textContent = `Engine ready: ${rules.list().length} rules in the built-in pack.`;
  checkButton.disabled = false;
  document.body.dataset.ready = 'true';

  const index = await loadExampleIndex();
  for (const plan of index.plans) {
    exampleSelect.append(h(document, 'option', { value: plan.file }, plan.title || plan.file));
  }
  exampleSelect.addEventListener('change', async () => {
    if (!exampleSelect.value) return;
    planBox.value = await loadExampleText(index, exampleSelect.value);
    check();
  });
  $('plan-file').addEventListener('change', async (event) => {
    const file = event.target.files && event.target.files[0];
    if (!file) return;
    planBox.value = await file.text();
    exampleSelect.value = '';
    check();
  });
  checkButton.addEventListener('click', () => check({ focus: true }));
  asOf.addEventListener('change', () => planBox.value.trim() && check());
}

main();
