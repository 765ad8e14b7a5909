// The parts of CodeMirror 6 the workbench uses, as one module. Not loaded by
// the page: scripts/build.sh bundles it with esbuild (from the versions pinned
// in wasm/package.json) into www/vendor/codemirror/codemirror.js, which is.
export { EditorState, StateEffect, StateField, Compartment } from '@codemirror/state';
export {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection,
  hoverTooltip, showTooltip, closeHoverTooltips, Decoration, ViewPlugin,
} from '@codemirror/view';
export {
  StreamLanguage, syntaxHighlighting, defaultHighlightStyle, HighlightStyle, indentOnInput, bracketMatching,
} from '@codemirror/language';
export { linter, lintGutter, forceLinting, setDiagnostics, diagnosticCount, openLintPanel } from '@codemirror/lint';
export {
  autocompletion, completionKeymap, startCompletion, acceptCompletion, closeBrackets, closeBracketsKeymap,
  currentCompletions, completionStatus,
} from '@codemirror/autocomplete';
export { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
export { tags } from '@lezer/highlight';
