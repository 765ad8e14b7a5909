// The workbench's editor: CodeMirror 6 wired to the engine's analysis.
// Completion, hover and go to definition ask the engine at the cursor;
// diagnostics are pushed in by the page after each analysis (page.js).
import {
  EditorState, StateEffect, StateField, Compartment, EditorView, keymap, lineNumbers, highlightActiveLine,
  highlightActiveLineGutter, drawSelection, hoverTooltip, showTooltip, closeHoverTooltips, syntaxHighlighting,
  defaultHighlightStyle, bracketMatching, lintGutter, setDiagnostics, autocompletion, completionKeymap,
  closeBrackets, closeBracketsKeymap, defaultKeymap, history, historyKeymap,
} from '../../vendor/codemirror/codemirror.js';
import { toOffset, toPosition } from './engine.js';
import { languageOf } from './languages.js';
import { renderMarkdown } from './markdown.js';

const KIND_TYPES = {
  field: 'property', value: 'enum', definition: 'function', constant: 'constant', keyword: 'keyword',
  unit: 'text', rule: 'class',
};

// The information tooltip opened from the keyboard (Alt-i or the button).
const setInfo = StateEffect.define();
const infoField = StateField.define({
  create: () => null,
  update(value, tr) {
    for (const e of tr.effects) if (e.is(setInfo)) return e.value;
    return tr.docChanged || tr.selection ? null : value;
  },
  provide: (f) => showTooltip.from(f),
});

function hoverDom(markdown) {
  const dom = renderMarkdown(markdown, 'md hover-text');
  dom.setAttribute('role', 'tooltip');
  dom.dataset.testid = 'hover';
  return dom;
}

/**
 * Creates the editor in `parent`. `host` gives the page's side:
 *   host.engine            the Engine
 *   host.file()            the name of the file in the editor
 *   host.sync()            hands the editor's text to the engine if it changed
 *   host.changed()         called after every edit
 *   host.goTo(file, range) opens a file at a range
 */
export function createEditor(parent, host) {
  const language = new Compartment();

  const at = (state, pos) => ({ file: host.file(), position: toPosition(state.doc, pos) });

  async function complete(ctx) {
    const line = ctx.state.doc.lineAt(ctx.pos);
    const before = line.text.slice(0, ctx.pos - line.from);
    if (!ctx.explicit && !/[\w."[-]$/.test(before)) return null;
    host.sync();
    let items;
    try {
      items = host.engine.call('completion', at(ctx.state, ctx.pos));
    } catch {
      return null;
    }
    if (!items.length) return null;
    // The engine filters by what is typed; the typed part is replaced: the
    // longest end of the text before the cursor that starts an item.
    let typed = 0;
    for (const it of items) {
      const text = it.insert_text ?? it.label;
      for (let n = Math.min(text.length, before.length); n > typed; n--) {
        if (before.endsWith(text.slice(0, n))) { typed = n; break; }
      }
    }
    return {
      from: ctx.pos - typed,
      filter: false,
      options: items.map((it, i) => ({
        label: it.label,
        apply: it.insert_text ?? it.label,
        type: KIND_TYPES[it.kind] ?? 'text',
        detail: it.detail,
        info: it.documentation ? () => renderMarkdown(it.documentation, 'md completion-info') : undefined,
        boost: -i / items.length,
      })),
    };
  }

  function hoverAt(state, pos) {
    host.sync();
    let h;
    try {
      h = host.engine.call('hover', at(state, pos));
    } catch {
      return null;
    }
    if (!h) return null;
    return {
      pos: toOffset(state.doc, h.range.start),
      end: toOffset(state.doc, h.range.end),
      above: true,
      create: () => ({ dom: hoverDom(h.markdown) }),
    };
  }

  /** Shows the hover text at the cursor, as a tooltip (keyboard). */
  function showInfo(view) {
    const tip = hoverAt(view.state, view.state.selection.main.head);
    view.dispatch({ effects: setInfo.of(tip) });
    return true;
  }

  /** Goes to where the name at the cursor is declared. */
  function goToDefinition(view) {
    host.sync();
    let locations = [];
    try {
      locations = host.engine.call('definition', at(view.state, view.state.selection.main.head));
    } catch {
      locations = [];
    }
    if (!locations.length) {
      host.say?.('No definition found at the cursor.');
      return true;
    }
    host.goTo(locations[0].file, locations[0].range);
    return true;
  }

  function closeTips(view) {
    const open = view.state.field(infoField) !== null;
    view.dispatch({ effects: [setInfo.of(null), closeHoverTooltips] });
    return open;
  }

  const extensions = (name) => [
    lineNumbers(),
    highlightActiveLineGutter(),
    lintGutter(),
    history(),
    drawSelection(),
    highlightActiveLine(),
    bracketMatching(),
    closeBrackets(),
    syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
    autocompletion({ override: [complete], activateOnTyping: true, icons: false, closeOnBlur: true }),
    hoverTooltip((view, pos) => hoverAt(view.state, pos), { hoverTime: 250 }),
    infoField,
    keymap.of([
      { key: 'F12', run: goToDefinition },
      { key: 'Alt-i', run: showInfo },
      { key: 'Escape', run: closeTips },
      ...closeBracketsKeymap,
      ...completionKeymap,
      ...historyKeymap,
      ...defaultKeymap,
    ]),
    language.of(languageOf(name) ?? []),
    EditorView.updateListener.of((u) => { if (u.docChanged) host.changed(); }),
    EditorView.contentAttributes.of({ 'aria-label': `Text of ${name}`, 'aria-describedby': 'editor-help' }),
  ];

  const view = new EditorView({ parent, state: EditorState.create({ doc: '', extensions: [] }) });

  return {
    view,
    /** A fresh editor state for a file's text (each file keeps its own undo history). */
    /** An editor state for a file; `readOnly` for a base pack's file, shown but not edited. */
    stateFor(name, text, { readOnly = false } = {}) {
      const ext = extensions(name);
      return EditorState.create({ doc: text, extensions: readOnly ? [ext, EditorState.readOnly.of(true)] : ext });
    },
    setState(state) { view.setState(state); },
    /** Shows diagnostics (analysis JSON) in the gutter and underlines. */
    showDiagnostics(list) {
      const doc = view.state.doc;
      const diagnostics = list.map((d) => {
        const from = toOffset(doc, d.range.start);
        let to = toOffset(doc, d.range.end);
        if (to < from) to = from;
        const help = d.diagnostic.help ? `\nhelp: ${d.diagnostic.help}` : '';
        return {
          from, to,
          severity: d.diagnostic.severity === 'error' ? 'error' : 'warning',
          source: d.diagnostic.code,
          message: `${d.diagnostic.message}${help}`,
        };
      });
      view.dispatch(setDiagnostics(view.state, diagnostics));
    },
    select(range) {
      const doc = view.state.doc;
      const anchor = toOffset(doc, range.start);
      const head = toOffset(doc, range.end);
      view.dispatch({ selection: { anchor, head }, scrollIntoView: true });
      view.focus();
    },
    showInfo: () => showInfo(view),
    goToDefinition: () => goToDefinition(view),
  };
}
