// Highlighting for rules files (.cpr) and TOML (rule tests, pack.toml): small
// CodeMirror stream tokenizers. Only colours come from here; every problem,
// completion and hover comes from the engine.
import { StreamLanguage } from '../../vendor/codemirror/codemirror.js';

// The words of the rules language (crates/careprompt/src/grammar.pest).
const KEYWORDS = new Set([
  'rule', 'define', 'const', 'override', 'import', 'title', 'theme', 'kind', 'severity', 'learning', 'section',
  'when', 'prompt', 'next', 'and', 'or', 'not', 'in', 'contains', 'starts', 'with', 'exists', 'missing', 'none',
  'any', 'all', 'count', 'where', 'of', 'age', 'ago', 'within', 'more', 'than',
]);
const VALUES = new Set(['true', 'false', 'risk', 'practice', 'strength', 'high', 'medium', 'low', 'info']);
const NUMBER = /^\d+(?:\.\d+)?(?:\s*(?:days?|weeks?|months?|years?|terms?)\b)?/;

export const careprompt = StreamLanguage.define({
  name: 'careprompt',
  token(stream) {
    if (stream.eatSpace()) return null;
    if (stream.peek() === '#') { stream.skipToEnd(); return 'comment'; }
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) return 'string';
    if (stream.match(/^\d{4}-\d{2}-\d{2}/)) return 'number';
    // A number with its unit of time (`12 months`) is one token.
    if (stream.match(NUMBER)) return 'number';
    if (stream.match(/^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+/)) return 'labelName';
    const w = stream.match(/^[A-Za-z_][A-Za-z0-9_]*/);
    if (w) {
      if (KEYWORDS.has(w[0])) return 'keyword';
      if (VALUES.has(w[0])) return 'atom';
      return stream.peek() === '.' || stream.string.charAt(stream.start - 1) === '.' ? 'propertyName' : 'variableName';
    }
    if (stream.match(/^(?:>=|<=|!=|=|<|>)/)) return 'operator';
    stream.next();
    return null;
  },
  languageData: { commentTokens: { line: '#' } },
});

export const toml = StreamLanguage.define({
  name: 'toml',
  startState: () => ({ multi: null }),
  token(stream, state) {
    if (state.multi) {
      const end = stream.string.indexOf(state.multi, stream.pos);
      if (end < 0) { stream.skipToEnd(); return 'string'; }
      stream.pos = end + 3;
      state.multi = null;
      return 'string';
    }
    if (stream.eatSpace()) return null;
    if (stream.peek() === '#') { stream.skipToEnd(); return 'comment'; }
    if (stream.sol() && stream.match(/^\[\[?[^\]]*\]\]?/)) return 'heading';
    const quote = stream.match(/^('''|""")/);
    if (quote) { state.multi = quote[0]; return 'string'; }
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/) || stream.match(/^'[^']*'?/)) {
      return /^\s*=/.test(stream.string.slice(stream.pos)) ? 'propertyName' : 'string';
    }
    if (stream.match(/^\d{4}-\d{2}-\d{2}(?:[T ][0-9:.]+)?/) || stream.match(/^[+-]?\d[\d_]*(?:\.\d+)?/)) return 'number';
    if (stream.match(/^(?:true|false)\b/)) return 'atom';
    if (stream.match(/^[A-Za-z0-9_-]+(?=\s*=)/)) return 'propertyName';
    stream.next();
    return null;
  },
  languageData: { commentTokens: { line: '#' } },
});

/** The language of a file, by its name (undefined: plain text). */
export function languageOf(name) {
  if (name.endsWith('.cpr')) return careprompt;
  if (name.endsWith('.toml')) return toml;
  return undefined;
}
