// Renders a careprompt report (the CLI's --format json) as accessible HTML.
// Shared by the plan checker page and the browser extension's overlay.
//
// Everything is built with DOM calls and textContent, never innerHTML, so
// nothing in a plan or a rule can inject markup. Severity and kind are
// always written out in words; colour only repeats them.

export const SEVERITY_ORDER = ['high', 'medium', 'low', 'info'];
export const SEVERITY_LABEL = { high: 'High', medium: 'Medium', low: 'Low', info: 'Info' };
export const KIND_LABEL = { risk: 'Risk', practice: 'Practice', strength: 'Strength' };

/** h('p', { class: 'x' }, 'text', child) — a small element builder. */
export function h(doc, tag, attrs = {}, ...children) {
  const el = doc.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? doc.createTextNode(String(c)) : c);
  }
  return el;
}

function bySeverity(a, b) {
  return SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity);
}

/** Groups outcomes by theme, keeping the themes in the rule set's order. */
export function groupByTheme(outcomes) {
  const groups = new Map();
  for (const o of outcomes) {
    if (!groups.has(o.theme)) groups.set(o.theme, []);
    groups.get(o.theme).push(o);
  }
  for (const list of groups.values()) list.sort(bySeverity);
  return groups;
}

function formatValue(v) {
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

function slug(text) {
  return String(text).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** One fired rule: badges, title, prompt, evidence, next steps, learning. */
export function renderPrompt(doc, o, headingLevel = 4) {
  const severity = SEVERITY_LABEL[o.severity] ?? o.severity;
  const kind = KIND_LABEL[o.kind] ?? o.kind;
  const titleId = `prompt-${slug(o.rule)}`;
  const article = h(doc, 'article', {
    class: `cp-prompt cp-sev-${o.severity} cp-kind-${o.kind}`,
    'data-rule': o.rule,
    'data-severity': o.severity,
    'aria-labelledby': titleId,
  });
  article.append(
    h(doc, `h${headingLevel}`, { id: titleId, class: 'cp-prompt-title' },
      h(doc, 'span', { class: `cp-badge cp-badge-${o.severity}` }, `Severity: ${severity}`),
      ' ',
      h(doc, 'span', { class: `cp-badge cp-kind` }, kind),
      ' ',
      h(doc, 'span', { class: 'cp-title-text' }, o.title),
      ' ',
      h(doc, 'span', { class: 'cp-rule-id' }, `(${o.rule})`)),
  );
  if (o.prompt) article.append(h(doc, 'p', { class: 'cp-prompt-text' }, o.prompt));
  if (o.evidence && o.evidence.length) {
    article.append(
      h(doc, 'p', { class: 'cp-label' }, 'Evidence in the plan:'),
      h(doc, 'ul', { class: 'cp-evidence' },
        o.evidence.map((e) => h(doc, 'li', {}, h(doc, 'code', {}, e.path), ' = ', h(doc, 'span', { class: 'cp-value' }, formatValue(e.value))))),
    );
  }
  if (o.next_steps && o.next_steps.length) {
    article.append(
      h(doc, 'p', { class: 'cp-label' }, 'Next steps and questions:'),
      h(doc, 'ul', { class: 'cp-next' }, o.next_steps.map((s) => h(doc, 'li', {}, s))),
    );
  }
  if (o.learning) {
    article.append(
      h(doc, 'p', { class: 'cp-learning' }, 'Learning: ', o.learning.source, o.learning.section ? `, ${o.learning.section}` : ''),
    );
  }
  return article;
}

/** The rules that could not be decided and the plan fields they needed. */
export function renderUnknown(doc, outcomes, headingLevel = 3) {
  const unknown = outcomes.filter((o) => o.outcome === 'unknown');
  const section = h(doc, 'section', { class: 'cp-unknown', 'aria-labelledby': 'cp-unknown-heading' },
    h(doc, `h${headingLevel}`, { id: 'cp-unknown-heading' }, `What could not be checked (${unknown.length})`));
  if (!unknown.length) {
    section.append(h(doc, 'p', {}, 'Every rule could be decided from this plan.'));
    return section;
  }
  section.append(h(doc, 'p', {}, 'These rules could not be decided because the plan does not record what they need. Recording it lets them be checked.'));
  section.append(h(doc, 'ul', { class: 'cp-unknown-list' }, unknown.map((o) =>
    h(doc, 'li', { 'data-rule': o.rule },
      h(doc, 'span', { class: 'cp-title-text' }, o.title), ' ', h(doc, 'span', { class: 'cp-rule-id' }, `(${o.rule})`),
      o.missing && o.missing.length
        ? [' — missing: ', ...o.missing.flatMap((m, i) => [i ? ', ' : '', h(doc, 'code', { class: 'cp-missing' }, m)])]
        : ''))));
  return section;
}

/** The whole report: summary, prompts by theme, unknowns, plan warnings. */
export function renderReport(doc, report, { headingLevel = 2 } = {}) {
  const root = h(doc, 'div', { class: 'cp-report', 'data-plan-id': report.plan_id ?? '' });
  const fired = report.outcomes.filter((o) => o.outcome === 'fires');
  const s = report.summary;
  root.append(
    h(doc, 'p', { class: 'cp-summary', role: 'status' },
      `${s.fires} ${s.fires === 1 ? 'prompt' : 'prompts'}, ${s.clear} clear, ${s.unknown} could not be checked`,
      report.plan_id ? ` — plan ${report.plan_id}` : '',
      ` — as of ${report.as_of}.`),
  );
  const prompts = h(doc, 'section', { class: 'cp-prompts', 'aria-labelledby': 'cp-prompts-heading' },
    h(doc, `h${headingLevel}`, { id: 'cp-prompts-heading' }, `Prompts (${fired.length})`));
  if (!fired.length) prompts.append(h(doc, 'p', {}, 'No rule fired for this plan.'));
  for (const [theme, list] of groupByTheme(fired)) {
    const themeId = `cp-theme-${slug(theme)}`;
    prompts.append(h(doc, 'section', { class: 'cp-theme', 'data-theme': theme, 'aria-labelledby': themeId },
      h(doc, `h${headingLevel + 1}`, { id: themeId }, `${theme} (${list.length})`),
      list.map((o) => renderPrompt(doc, o, headingLevel + 2))));
  }
  root.append(prompts, renderUnknown(doc, report.outcomes, headingLevel));
  if (report.warnings && report.warnings.length) {
    root.append(h(doc, 'section', { class: 'cp-warnings', 'aria-labelledby': 'cp-warnings-heading' },
      h(doc, `h${headingLevel}`, { id: 'cp-warnings-heading' }, `Warnings about the plan (${report.warnings.length})`),
      h(doc, 'ul', {}, report.warnings.map((w) => h(doc, 'li', {}, w)))));
  }
  return root;
}

/** A plan error ({ kind, message, help, line, column }) as an alert. */
export function renderPlanError(doc, error) {
  const where = error.line ? ` at line ${error.line}, column ${error.column}` : '';
  return h(doc, 'div', { class: 'cp-error', role: 'alert' },
    h(doc, 'p', {}, h(doc, 'strong', {}, 'The plan could not be checked'), `${where}: ${error.message}`),
    error.help ? h(doc, 'p', { class: 'cp-help' }, `Help: ${error.help}`) : '');
}
