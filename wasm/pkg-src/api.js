// The careprompt JavaScript API over the wasm-bindgen bindings in ./gen.
//
// Everything that can go wrong with rules or plans comes back as data
// ({ ok: false, ... }), never as an exception: only calling the API before
// init() has finished, or passing a wrong type of argument in a way the
// TypeScript types forbid, throws.
//
// Nothing here reads the clock, makes a request or stores anything: the
// evaluation date is always given by the caller.
import initBindings, * as raw from './gen/careprompt_wasm.js';

let loading = null;
let ready = false;

/**
 * Loads the WebAssembly module. `loadDefault` supplies the module when the
 * caller gives none (a URL in browsers, the file's bytes in Node).
 * @internal
 */
export function initWith(input, loadDefault) {
  if (!loading) {
    loading = (async () => {
      const source = input === undefined ? await loadDefault() : await input;
      await initBindings({ module_or_path: source });
      ready = true;
    })();
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

/** Whether init() has finished. */
export function isReady() {
  return ready;
}

function need() {
  if (!ready) throw new Error('careprompt: await init() before using the engine');
}

/**
 * A trap inside the engine (a Rust panic: a bug, never expected on any input)
 * becomes an error object like every other failure, so a page keeps working.
 */
function trapped(e) {
  if (typeof WebAssembly !== 'undefined' && e instanceof WebAssembly.RuntimeError) {
    return {
      kind: 'internal',
      message: `the engine stopped on this input (a bug in careprompt; please report it, without the plan): ${e.message}`,
      line: 0,
      column: 0,
    };
  }
  throw e;
}

/** Reads an Outcome handle from the bindings and frees it. */
function take(outcome) {
  try {
    return { ok: outcome.ok, json: outcome.json };
  } finally {
    outcome.free();
  }
}

/** The engine's version, for example "0.1.0". */
export function version() {
  need();
  return raw.version();
}

/** The case-plan JSON Schema as text. */
export function casePlanSchemaText() {
  need();
  return raw.casePlanSchema();
}

/** The case-plan JSON Schema as an object. */
export function casePlanSchema() {
  return JSON.parse(casePlanSchemaText());
}

/** The built-in rule pack's files, [{ name, text }]. */
export function builtinSources() {
  need();
  return JSON.parse(raw.builtinSources());
}

/** The built-in pack's rule tests (names ending .toml) and the fixtures they use. */
export function builtinTests() {
  need();
  const all = JSON.parse(raw.builtinTests());
  return {
    tests: all.filter((f) => f.name.endsWith('.toml')),
    fixtures: all.filter((f) => !f.name.endsWith('.toml')),
  };
}

function normaliseSources(sources) {
  if (typeof sources === 'string') return [{ name: 'rules.cpr', text: sources }];
  if (sources && !Array.isArray(sources) && typeof sources === 'object') return [sources];
  return sources;
}

function fromCompiled(compiled) {
  try {
    const data = JSON.parse(compiled.diagnostics);
    if (compiled.ok) {
      const handle = compiled.takeRules();
      return { ok: true, rules: new Rules(handle), warnings: data.diagnostics ?? [] };
    }
    const result = { ok: false, diagnostics: data.diagnostics ?? [] };
    if (data.error) result.error = data.error;
    return result;
  } finally {
    compiled.free();
  }
}

/**
 * Compiles rule sources: an array of { name, text }, one such object, or the
 * text of a single file (named "rules.cpr"). Returns { ok: true, rules,
 * warnings } or { ok: false, diagnostics } with file, line and column for
 * each problem.
 */
export function compile(sources) {
  need();
  let json;
  try {
    json = JSON.stringify(normaliseSources(sources));
  } catch (e) {
    return { ok: false, diagnostics: [], error: argumentError(`the rule sources cannot be turned into JSON: ${e.message}`) };
  }
  try {
    return fromCompiled(raw.compileRules(json ?? 'null'));
  } catch (e) {
    return { ok: false, diagnostics: [], error: trapped(e) };
  }
}

/** Compiles the built-in children's mental health pack (same result shape as compile()). */
export function compileBuiltin() {
  need();
  return fromCompiled(raw.compileBuiltin());
}

/**
 * Compiles a local pack bundle (the JSON `careprompt pack --bundle` writes).
 * Its hash is verified; the same bundle gives byte-identical reports here,
 * in the CLI and in the Rust library. Same result shape as compile().
 */
export function compileBundle(text, name = 'pack.bundle.json') {
  need();
  if (typeof text !== 'string') {
    return { ok: false, diagnostics: [], error: argumentError('the bundle must be given as text') };
  }
  try {
    return fromCompiled(raw.compileBundle(name, text));
  } catch (e) {
    return { ok: false, diagnostics: [], error: trapped(e) };
  }
}

/** The built-in pack, compiled. Throws only if the pack itself is broken (a bug). */
export function builtin() {
  const result = compileBuiltin();
  if (!result.ok) {
    throw new Error(`careprompt: the built-in rule pack does not compile: ${JSON.stringify(result.diagnostics)}`);
  }
  return result.rules;
}

/**
 * Formats one rules file. Returns { ok: true, text } or { ok: false, diagnostics }.
 */
export function formatRules(text, name = 'rules.cpr') {
  need();
  let ok;
  let json;
  try {
    ({ ok, json } = take(raw.formatRules(String(name), String(text))));
  } catch (e) {
    return { ok: false, diagnostics: [], error: trapped(e) };
  }
  const data = JSON.parse(json);
  return ok ? { ok: true, text: data.text } : { ok: false, diagnostics: data.diagnostics ?? [] };
}

function argumentError(message) {
  return { kind: 'argument', message, line: 0, column: 0 };
}

function asOfOf(options) {
  if (typeof options === 'string') return options;
  if (options && typeof options.asOf === 'string') return options.asOf;
  return '';
}

/** Turns a plan argument into a string or bytes, or an error. */
function planInput(plan) {
  if (typeof plan === 'string') return { text: plan };
  if (plan instanceof Uint8Array) return { bytes: plan };
  if (plan instanceof ArrayBuffer) return { bytes: new Uint8Array(plan) };
  if (ArrayBuffer.isView(plan)) return { bytes: new Uint8Array(plan.buffer, plan.byteOffset, plan.byteLength) };
  if (plan !== null && typeof plan === 'object') {
    try {
      return { text: JSON.stringify(plan) };
    } catch (e) {
      return { error: argumentError(`the plan object cannot be turned into JSON: ${e.message}`) };
    }
  }
  return { error: argumentError('a plan is a JSON string, a Uint8Array of UTF-8 JSON, or an object') };
}

// Each outcome by its one-letter code's character code (`c` 99, `f` 102,
// `u` 117): an array read, where a one-character string and a property
// lookup per rule were a tenth of a small plan's check.
const OUTCOME_BY_CODE = [];
OUTCOME_BY_CODE[99] = 'clear';
OUTCOME_BY_CODE[102] = 'fires';
OUTCOME_BY_CODE[117] = 'unknown';

// Plan text is encoded to UTF-8 here, by the runtime's TextEncoder, into
// one reused buffer, and handed to the engine as bytes: wasm-bindgen would
// otherwise copy a string into WebAssembly memory one character at a time
// in JavaScript, several times slower on a plan of a few kilobytes.
const encoder = new TextEncoder();
const SCRATCH_MAX = 1 << 22;
let scratch = new Uint8Array(1 << 14);

/** `text` as UTF-8 bytes (a view of the reused buffer: pass it on at once). */
function utf8(text) {
  const need = text.length * 3;
  if (need > SCRATCH_MAX) return encoder.encode(text);
  if (scratch.length < need) scratch = new Uint8Array(Math.max(need, scratch.length * 2));
  const { written } = encoder.encodeInto(text, scratch);
  return scratch.subarray(0, written);
}

/**
 * The rules' words as the engine gives them once per rule set
 * (`wordsJson`), with the pack's JSON kept as text so every report gets its
 * own copy.
 */
function wordsOf(handle) {
  const words = JSON.parse(handle.wordsJson());
  return {
    reportVersion: words.report_version,
    engine: words.engine,
    packJson: JSON.stringify(words.pack),
    rules: words.rules,
  };
}

/** Each rule's outcome, from one letter per rule (`checkOutcomes*`). */
function outcomesOf(codes) {
  const n = codes.length;
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = OUTCOME_BY_CODE[codes.charCodeAt(i)];
  return out;
}

/**
 * The whole report from the rules' words and a compact result (see
 * `Report::to_compact` in the Rust library): the same object, key for key
 * and in the same order, as JSON.parse of the report's JSON.
 */
function reportOf(words, compact) {
  const end = compact.indexOf('\n');
  const tail = JSON.parse(compact.slice(end + 1));
  const details = new Map();
  for (const [index, found] of tail.details) details.set(index, found);
  const outcomes = new Array(end);
  let fires = 0;
  let clear = 0;
  let unknown = 0;
  for (let i = 0; i < end; i++) {
    const code = compact[i];
    const w = words.rules[i];
    const o = { rule: w.rule, outcome: OUTCOME_BY_CODE[compact.charCodeAt(i)], title: w.title, theme: w.theme, kind: w.kind, severity: w.severity };
    if (code === 'f') fires++;
    else if (code === 'c') clear++;
    else unknown++;
    if (code !== 'c' && w.learning) {
      o.learning = w.learning.section === undefined ? { source: w.learning.source } : { source: w.learning.source, section: w.learning.section };
    }
    if (code === 'f') {
      o.prompt = w.prompt;
      o.next_steps = w.next_steps.slice();
    }
    const found = details.get(i);
    if (found) Object.assign(o, found);
    outcomes[i] = o;
  }
  const report = { report_version: words.reportVersion, engine: words.engine, as_of: tail.as_of };
  if (tail.plan_id !== undefined) report.plan_id = tail.plan_id;
  report.summary = { fires, clear, unknown };
  report.outcomes = outcomes;
  if (tail.warnings) report.warnings = tail.warnings;
  report.pack = JSON.parse(words.packJson);
  return report;
}

/**
 * The class of a successful check's result: `ok`, and the getters
 * `outcomes`, `report` and `json` (each made when first read). Defined in
 * Rules' static block, which can reach the rules' private fields.
 */
let Checked;

/** A compiled rule set: compile once, check many plans. Call free() when done. */
export class Rules {
  #handle;
  #words;

  /** @internal Use compile() or builtin(). */
  constructor(handle) {
    this.#handle = handle;
  }

  #live() {
    need();
    if (!this.#handle) throw new Error('careprompt: these rules were freed');
    return this.#handle;
  }

  /**
   * Checks one plan against the rules on the date options.asOf (YYYY-MM-DD).
   * The plan is a JSON string, UTF-8 bytes, or an object (stringified first,
   * which is slower than passing the text you already have). Returns
   * { ok: true, outcomes, report, json } or { ok: false, error, json }.
   * `outcomes` is each rule's outcome ('fires', 'clear' or 'unknown') in
   * the rules' order; `report` is the whole report; `json` is exactly the
   * CLI's `--format json` output. The check itself decides the outcomes
   * and nothing more (the fast path: no evidence recorded, no report
   * built); `report` and `json` are made by the engine when first read,
   * from the same plan: `report` from the evidence and missing paths it
   * sends and the rules' words, fetched once per rule set; `json` in full.
   * Read them before free()ing the rules.
   */
  check(plan, options) {
    const handle = this.#live();
    const input = planInput(plan);
    if (input.error) return { ok: false, error: input.error, json: JSON.stringify(input.error) };
    const asOf = asOfOf(options);
    let codes;
    try {
      codes = handle.checkOutcomesBytes(input.text !== undefined ? utf8(input.text) : input.bytes, asOf);
    } catch (e) {
      const error = trapped(e);
      return { ok: false, error, json: JSON.stringify(error) };
    }
    if (codes.charCodeAt(0) === 33 /* '!': an error, its JSON follows */) {
      const json = codes.slice(1);
      return { ok: false, error: JSON.parse(json), json };
    }
    // The report and its JSON are made again from the same input when
    // asked for: bytes are copied now, so a caller reusing its buffer
    // changes nothing.
    const text = input.text;
    const bytes = text === undefined ? new Uint8Array(input.bytes) : undefined;
    return new Checked(this, codes, text, bytes, asOf);
  }

  // A successful check's result is an instance of a class (its getters on
  // the prototype), not an object literal with getters: a literal makes
  // three closures and three accessor pairs on every check, a fifth of a
  // small plan's time. The class is made here, inside Rules, so that its
  // getters can reach the rules' private handle and words.
  static {
    Checked = class CheckResult {
      #rules;
      #codes;
      #text;
      #bytes;
      #asOf;
      #outcomes;
      #report;
      #json;

      constructor(rules, codes, text, bytes, asOf) {
        this.ok = true;
        this.#rules = rules;
        this.#codes = codes;
        this.#text = text;
        this.#bytes = bytes;
        this.#asOf = asOf;
      }

      #input() {
        return this.#text !== undefined ? utf8(this.#text) : this.#bytes;
      }

      get outcomes() {
        return (this.#outcomes ??= outcomesOf(this.#codes));
      }

      get report() {
        if (this.#report === undefined) {
          const rules = this.#rules;
          const live = rules.#live();
          const compact = live.checkCompactBytes(this.#input(), this.#asOf);
          this.#report = reportOf((rules.#words ??= wordsOf(live)), compact);
        }
        return this.#report;
      }

      get json() {
        if (this.#json === undefined) {
          this.#json = take(this.#rules.#live().checkBytes(this.#input(), this.#asOf)).json;
        }
        return this.#json;
      }
    };
  }

  /**
   * Checks many plans given as a JSON array or as NDJSON (one plan a line),
   * as a string or UTF-8 bytes, or as an array of plans (each a string,
   * bytes or an object). options.format is "auto" (default), "array" or
   * "ndjson". Returns { ok: true, results } with one
   * { index, line?, ok, report | error } per plan, or { ok: false, error }
   * when the batch itself cannot be read.
   */
  checkMany(plans, options) {
    const handle = this.#live();
    const asOf = asOfOf(options);
    if (Array.isArray(plans)) {
      return {
        ok: true,
        results: plans.map((plan, index) => {
          const r = this.check(plan, asOf);
          return r.ok ? { index, ok: true, report: r.report } : { index, ok: false, error: r.error };
        }),
      };
    }
    const format = (options && typeof options === 'object' && options.format) || 'auto';
    if (typeof plans !== 'string' && !(plans instanceof Uint8Array)) {
      const error = argumentError('a batch is a string or Uint8Array (JSON array or NDJSON), or an array of plans');
      return { ok: false, error };
    }
    let ok;
    let json;
    try {
      const outcome = handle.checkManyBytes(typeof plans === 'string' ? utf8(plans) : plans, asOf, format);
      ({ ok, json } = take(outcome));
    } catch (e) {
      return { ok: false, error: trapped(e) };
    }
    return ok ? { ok: true, results: JSON.parse(json) } : { ok: false, error: JSON.parse(json) };
  }

  /**
   * Runs rule test files (TOML; [{ name, text }] or one such object) against
   * these rules. `fixtures` are the files the tests refer to (base plans),
   * named so that a test's relative path resolves to them. Returns
   * { ok, report, json }: ok is true when every case passed; json is the
   * run as `careprompt test --format json` prints it.
   */
  runTests(tests, fixtures = []) {
    const handle = this.#live();
    let testsJson;
    let fixturesJson;
    try {
      testsJson = JSON.stringify(normaliseSources(tests));
      fixturesJson = JSON.stringify(normaliseSources(fixtures));
    } catch (e) {
      return { ok: false, report: null, error: argumentError(e.message) };
    }
    let result;
    try {
      result = take(handle.runTests(testsJson ?? 'null', fixturesJson ?? 'null'));
    } catch (e) {
      return { ok: false, report: null, error: trapped(e) };
    }
    const data = JSON.parse(result.json);
    if (data && data.kind === 'argument') return { ok: false, report: null, error: data };
    return { ok: result.ok, report: data, json: result.json };
  }

  /** The rules in the set, in order: [{ id, title, theme, kind, severity, ... }]. */
  list() {
    return JSON.parse(this.#live().rulesJson());
  }

  /** Frees the compiled rules. The object cannot be used afterwards. */
  free() {
    if (this.#handle) {
      this.#handle.free();
      this.#handle = undefined;
    }
  }
}

// `using rules = builtin()` frees the rules at the end of the block where the
// runtime has explicit resource management.
if (typeof Symbol.dispose === 'symbol') {
  Object.defineProperty(Rules.prototype, Symbol.dispose, { value: Rules.prototype.free });
}
