// The workbench's engine: the careprompt analysis layer compiled to
// WebAssembly (the `workbench` build in vendor/workbench/), behind a few
// JavaScript calls. Every answer comes from Rust; nothing is worked out here
// but the conversion between editor offsets and the analysis's positions
// (0-based line, UTF-16 column: exactly CodeMirror's own counting).
import init, { Workbench, builtinSources, builtinTests, version } from '../../vendor/workbench/workbench.js';

/** Loads the engine. Resolves to an Engine. */
export async function loadEngine() {
  await init();
  return new Engine();
}

/** An error the engine answered with (its JSON, parsed, in `detail`). */
export class EngineError extends Error {
  constructor(message, detail) {
    super(message);
    this.detail = detail;
  }
}

function callResult(r) {
  const ok = r.ok;
  const json = r.json;
  r.free();
  const value = JSON.parse(json);
  if (!ok) {
    const where = value.line ? `${value.line}:${value.column}: ` : '';
    const help = value.help ? ` (help: ${value.help})` : '';
    throw new EngineError(`${where}${value.message ?? 'failed'}${help}`, value);
  }
  return value;
}

export class Engine {
  constructor() {
    this.wb = new Workbench();
    this.version = version();
  }

  /** One analysis request (careprompt::analysis::json). Throws EngineError on an error answer. */
  call(method, params = null) {
    const answer = JSON.parse(this.wb.request(JSON.stringify({ method, params })));
    if ('error' in answer) throw new EngineError(answer.error, null);
    return answer.result;
  }

  setFile(file, text) { this.call('set_file', { file, text }); }
  removeFile(file) { this.call('remove_file', { file }); }
  fileNames() { return JSON.parse(this.wb.fileNames()); }

  /** The report for a plan (JSON text) against the open pack. */
  checkPlan(plan, asOf) { return callResult(this.wb.checkPlan(plan, asOf)); }
  /** The trace of one rule on one plan: { rule, title, outcome, trace, text }. */
  explain(rule, plan, asOf) { return callResult(this.wb.explain(rule, plan, asOf)); }
  /** A [[case]] expecting the rule's outcome on the plan: { outcome, missing, toml }. */
  makeCase(rule, plan, asOf, name) { return callResult(this.wb.makeCase(rule, plan, asOf, name)); }

  builtinSources() { return JSON.parse(builtinSources()); }
  builtinTests() { return JSON.parse(builtinTests()); }
}

/** The analysis position of an editor offset in `doc` (a CodeMirror Text). */
export function toPosition(doc, offset) {
  const line = doc.lineAt(offset);
  return { line: line.number - 1, character: offset - line.from };
}

/** The editor offset of an analysis position in `doc`, clamped to the text. */
export function toOffset(doc, position) {
  if (position.line >= doc.lines) return doc.length;
  const line = doc.line(position.line + 1);
  return Math.min(line.from + position.character, line.to);
}
