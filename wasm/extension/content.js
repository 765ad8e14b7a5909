// careprompt content script: reads the case plan on a case-management page
// (embedded JSON and/or form fields, as mapping.json describes), asks the
// extension's own engine to check it, and shows the prompts in an overlay.
// The plan goes only to the extension's service worker, on this machine.
(() => {
  'use strict';
  if (globalThis.__carepromptLoaded) return;
  globalThis.__carepromptLoaded = true;

  const HOST_ID = 'careprompt-extension-root';
  let mapping = null;
  let view = null;
  let shadow = null;
  let ui = {};
  let timer = 0;
  let runs = 0;

  const today = () => {
    const d = new Date();
    const pad = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  };

  // ---- reading the plan off the page -----------------------------------

  /** Splits `a.b[2].c` into ['a', 'b', 2, 'c']. */
  function pathParts(path) {
    const parts = [];
    for (const piece of String(path).split('.')) {
      const m = piece.match(/^([^[\]]+)((?:\[\d+\])*)$/);
      if (!m) return null;
      parts.push(m[1]);
      for (const idx of m[2].matchAll(/\[(\d+)\]/g)) parts.push(Number(idx[1]));
    }
    return parts;
  }

  function setPath(obj, path, value) {
    const parts = pathParts(path);
    if (!parts || !parts.length) return;
    let at = obj;
    for (let i = 0; i < parts.length - 1; i++) {
      const key = parts[i];
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') return;
      if (at[key] === undefined || at[key] === null || typeof at[key] !== 'object') {
        if (value === undefined) return;
        at[key] = typeof parts[i + 1] === 'number' ? [] : {};
      }
      at = at[key];
    }
    const last = parts[parts.length - 1];
    if (last === '__proto__' || last === 'constructor' || last === 'prototype') return;
    if (value === undefined) {
      if (Array.isArray(at) && typeof last === 'number') at[last] = null;
      else delete at[last];
    } else {
      at[last] = value;
    }
  }

  /** A form control's value as the mapped type; undefined means "not recorded". */
  function fieldValue(el, type) {
    if (el.type === 'checkbox') return type === 'boolean' ? el.checked : el.checked ? el.value : undefined;
    const raw = (el.value ?? el.textContent ?? '').trim();
    if (raw === '') return undefined;
    switch (type) {
      case 'boolean':
        if (/^(yes|true|y|1)$/i.test(raw)) return true;
        if (/^(no|false|n|0)$/i.test(raw)) return false;
        return undefined;
      case 'number': {
        const n = Number(raw);
        return Number.isFinite(n) ? n : undefined;
      }
      case 'list':
        return raw.split(',').map((s) => s.trim()).filter(Boolean);
      default:
        return raw; // text and dates (YYYY-MM-DD) go as written
    }
  }

  function planScript() {
    return mapping && mapping.plan && mapping.plan.selector ? document.querySelector(mapping.plan.selector) : null;
  }

  function mappedFields() {
    return ((mapping && mapping.fields) || [])
      .map((f) => ({ ...f, el: document.querySelector(f.selector) }))
      .filter((f) => f.el);
  }

  /** The plan text to check, or null when the page has no plan. */
  function extractPlan() {
    const script = planScript();
    const fields = mappedFields();
    if (!script && !fields.length) return null;
    const embedded = script ? script.textContent : '{}';
    if (!fields.length) return embedded;
    let plan;
    try {
      plan = JSON.parse(embedded);
    } catch {
      return embedded; // let the engine say where the JSON is broken
    }
    if (!plan || typeof plan !== 'object' || Array.isArray(plan)) return embedded;
    for (const f of fields) setPath(plan, f.path, fieldValue(f.el, f.type));
    return JSON.stringify(plan);
  }

  // ---- the overlay -------------------------------------------------------

  const CSS = `
    :host { all: initial; }
    * { box-sizing: border-box; }
    .panel { position: fixed; top: 0; right: 0; width: min(400px, 100vw); height: 100vh; overflow: auto; z-index: 2147483647;
      background: #fff; color: #1b1b1b; border-left: 4px solid #1b1b1b; box-shadow: -4px 0 12px rgba(0,0,0,.25);
      font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", Arial, sans-serif; padding: 12px 14px; }
    .panel[hidden] { display: none; }
    .reopen { position: fixed; right: 8px; bottom: 8px; z-index: 2147483647; font: 14px system-ui, sans-serif; }
    h2 { font-size: 18px; margin: 0 0 4px; } h3 { font-size: 16px; margin: 12px 0 4px; } h4 { font-size: 15px; margin: 8px 0 2px; } h5 { font-size: 14px; margin: 2px 0; }
    .bar { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
    .privacy { font-size: 13px; color: #505a5f; margin: 2px 0 8px; }
    button { font: inherit; background: #1b1b1b; color: #fff; border: 0; padding: 4px 10px; cursor: pointer; }
    button:focus, input:focus { outline: 3px solid #ffdd00; box-shadow: 0 0 0 5px #1b1b1b; }
    label { font-weight: 600; }
    input { font: inherit; }
    code { font-family: ui-monospace, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12px; background: #f3f2f1; padding: 0 2px; overflow-wrap: anywhere; }
    ul { padding-left: 18px; margin: 2px 0; }
    p { margin: 4px 0; }
    .cp-summary { font-weight: 700; }
    .cp-prompt { border: 1px solid #b1b4b6; border-left: 6px solid #b1b4b6; padding: 6px 8px; margin: 6px 0; }
    .cp-sev-high { border-left-color: #d4351c; } .cp-sev-medium { border-left-color: #f47738; } .cp-sev-low { border-left-color: #1d70b8; } .cp-sev-info { border-left-color: #00703c; }
    .cp-badge { display: inline-block; font-size: 12px; font-weight: 700; padding: 0 4px; border: 2px solid currentColor; }
    .cp-badge-high { color: #942514; } .cp-badge-medium { color: #8a3a00; } .cp-badge-low { color: #144e81; } .cp-badge-info { color: #005a30; }
    .cp-kind { border-style: dashed; }
    .cp-rule-id, .cp-learning, .hint { color: #505a5f; font-size: 13px; font-weight: 400; }
    .cp-label { font-weight: 600; margin-top: 4px; }
    .cp-error { border: 3px solid #d4351c; padding: 6px 8px; }
  `;

  function build() {
    const host = document.createElement('div');
    host.id = HOST_ID;
    shadow = host.attachShadow({ mode: 'open' });
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    shadow.adoptedStyleSheets = [sheet];
    const h = (tag, attrs, ...kids) => view.h(document, tag, attrs, ...kids);
    ui.date = h('input', { type: 'date', id: 'cp-as-of', required: true });
    ui.date.value = today();
    ui.hide = h('button', { type: 'button', 'aria-controls': 'cp-panel', 'aria-expanded': 'true' }, 'Hide');
    ui.output = h('div', { id: 'cp-output', 'aria-live': 'polite' }, h('p', {}, 'Checking the plan…'));
    ui.panel = h('aside', { class: 'panel', id: 'cp-panel', role: 'complementary', 'aria-label': 'careprompt prompts for this plan' },
      h('div', { class: 'bar' }, h('h2', {}, 'careprompt'), ui.hide),
      h('p', { class: 'privacy' }, 'Checked inside this browser extension. The plan is not sent anywhere.'),
      h('div', { class: 'bar' }, h('label', { for: 'cp-as-of' }, 'Evaluation date'), ui.date),
      ui.output);
    ui.reopen = h('button', { type: 'button', class: 'reopen', hidden: true, 'aria-controls': 'cp-panel', 'aria-expanded': 'false' }, 'Show careprompt prompts');
    shadow.append(ui.panel, ui.reopen);
    ui.hide.addEventListener('click', () => toggle(false));
    ui.reopen.addEventListener('click', () => toggle(true));
    ui.date.addEventListener('change', schedule);
    document.body.append(host);
  }

  function toggle(show) {
    if (!ui.panel) return;
    const visible = show ?? ui.panel.hidden;
    ui.panel.hidden = !visible;
    ui.reopen.hidden = visible;
    (visible ? ui.hide : ui.reopen).focus();
  }

  async function run() {
    const plan = extractPlan();
    if (plan === null) return;
    if (!ui.date.value) {
      ui.output.replaceChildren(view.h(document, 'p', { class: 'cp-error', role: 'alert' }, 'Choose an evaluation date.'));
      return;
    }
    const response = await chrome.runtime.sendMessage({ type: 'careprompt:check', plan, asOf: ui.date.value });
    runs++;
    if (response && response.ok) {
      ui.output.replaceChildren(view.renderReport(document, response.report, { headingLevel: 3 }));
    } else {
      ui.output.replaceChildren(view.renderPlanError(document, (response && response.error) || { message: 'no answer from the engine', line: 0, column: 0 }));
    }
    ui.panel.dataset.runs = String(runs);
    ui.panel.dataset.asOf = ui.date.value;
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(() => run().catch(() => {}), 150);
  }

  async function start() {
    const answer = await chrome.runtime.sendMessage({ type: 'careprompt:mapping' });
    mapping = answer && answer.ok ? answer.mapping : { fields: [] };
    if (extractPlan() === null) return; // no plan on this page
    view = await import(chrome.runtime.getURL('report-view.js'));
    build();
    for (const f of mappedFields()) {
      f.el.addEventListener('input', schedule);
      f.el.addEventListener('change', schedule);
    }
    const script = planScript();
    if (script) new MutationObserver(schedule).observe(script, { childList: true, characterData: true, subtree: true });
    await run();
  }

  chrome.runtime.onMessage.addListener((message) => {
    if (message && message.type === 'careprompt:toggle') toggle();
  });

  start().catch((e) => console.warn('careprompt:', e && e.message ? e.message : e));
})();
