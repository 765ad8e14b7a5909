// Types for @careprompt/careprompt (both the browser and the Node.js entry).

/** A rules file, a rule test file or a fixture: a name (its path) and its text. */
export interface Source {
  name: string;
  text: string;
}

/** A problem in a rules file, with where it is and how to fix it. */
export interface Diagnostic {
  severity: 'error' | 'warning';
  /** A short stable code: `syntax`, `unknown-field`, ... */
  code: string;
  message: string;
  help?: string;
  file: string;
  /** 1-based line of the start. */
  line: number;
  /** 1-based column of the start, in Unicode characters (code points). */
  column: number;
  end_line: number;
  /** 1-based column of the end (exclusive). */
  end_column: number;
  /** Byte offsets (UTF-8) of the span. */
  start: number;
  end: number;
}

/** Why a plan (or a call) could not be handled. Never echoes plan values. */
export interface PlanError {
  /**
   * `syntax`, `schema`, `empty` and `limit` come from the plan; `date` and
   * `argument` from the call; `internal` is a bug in the engine.
   */
  kind: 'syntax' | 'schema' | 'empty' | 'limit' | 'date' | 'argument' | 'internal' | (string & {});
  message: string;
  help?: string;
  /** 1-based line in the plan text (0 when unknown). */
  line: number;
  /** 1-based column in the plan text (0 when unknown). */
  column: number;
}

export type OutcomeKind = 'fires' | 'clear' | 'unknown';
export type Severity = 'high' | 'medium' | 'low' | 'info';
export type RuleKind = 'risk' | 'practice' | 'strength';

export interface Learning {
  source: string;
  section?: string;
}

export interface Evidence {
  /** Where in the plan, list elements by index: `placements[2].start_date`. */
  path: string;
  value: string | number | boolean;
}

export interface Outcome {
  rule: string;
  outcome: OutcomeKind;
  title: string;
  theme: string;
  kind: RuleKind;
  severity: Severity;
  learning?: Learning;
  /** When the rule fires. */
  prompt?: string;
  /** When the rule fires. */
  next_steps?: string[];
  /** The plan data that made the rule fire. */
  evidence?: Evidence[];
  /** The plan paths whose absence kept the rule from being decided. */
  missing?: string[];
  /** Those missing paths the plan's declared source does not record (its `coverage`). */
  not_in_source?: string[];
}

/** A constant a pack or the caller overrode. */
export interface OverrideInfo {
  name: string;
  value: string;
  declared: string;
}

/** A rule a local pack switched off, with the pack's reason. */
export interface DisabledRule {
  rule: string;
  reason: string;
}

/** Where a report's rules came from (`careprompt pack`, docs/packs.md). */
export interface PackInfo {
  /** The pack's name; null for loose rules files. */
  name: string | null;
  /** The pack's version; null for loose rules files. */
  version: string | null;
  /** The pack a local pack builds on. */
  extends?: string;
  /** `sha256:` and the hex digest of the rules and schema. */
  hash: string;
  overrides: OverrideInfo[];
  disabled: DisabledRule[];
}

/** A report: the same JSON as `careprompt check --format json`. */
export interface Report {
  report_version: number;
  engine: string;
  /** The evaluation date, YYYY-MM-DD. */
  as_of: string;
  plan_id?: string;
  summary: { fires: number; clear: number; unknown: number };
  /** Every rule's outcome, in the rule set's order. */
  outcomes: Outcome[];
  /** The rules' pack: name, version, content hash, overrides, disabled rules. */
  pack: PackInfo;
  /** Problems with the plan that did not stop the check (unknown fields). */
  warnings?: string[];
}

/** A rule's description, without its condition. */
export interface RuleInfo {
  id: string;
  title: string;
  theme: string;
  kind: RuleKind;
  severity: Severity;
  learning: Learning | null;
  next_steps: string[];
  file: string;
  line: number;
}

/** The evaluation date, YYYY-MM-DD. Required: the engine never reads the clock. */
export interface CheckOptions {
  asOf: string;
}

export interface CheckManyOptions extends CheckOptions {
  /** How a string or bytes batch is laid out. Default `auto`: an array if it starts with `[`, else NDJSON. */
  format?: 'auto' | 'array' | 'ndjson';
}

/** A plan: JSON text, UTF-8 JSON bytes, or an object (stringified first, which is slower). */
export type PlanInput = string | Uint8Array | ArrayBuffer | ArrayBufferView | object;

/**
 * A check's result. The check decides each rule's outcome and nothing more
 * (`outcomes`: the fast path). `report` and `json` are made by the engine
 * when first read, from the same plan (bytes are copied at the call):
 * `report` from the evidence and missing paths it sends back and the rules'
 * words (fetched once per rule set), `json` in full. Read them before the
 * rules are freed.
 */
export type CheckResult =
  | {
      ok: true;
      /** Each rule's outcome, in the rule set's order (`report.outcomes[i].outcome`). */
      readonly outcomes: OutcomeKind[];
      readonly report: Report;
      /** The report text, byte for byte the CLI's `--format json`. */
      readonly json: string;
    }
  | { ok: false; error: PlanError; json: string };

export type BatchEntry =
  | { index: number; /** NDJSON line number. */ line?: number; ok: true; report: Report }
  | { index: number; line?: number; ok: false; error: PlanError };

export type BatchResult = { ok: true; results: BatchEntry[] } | { ok: false; error: PlanError };

export type CompileResult =
  | { ok: true; rules: Rules; /** `careprompt lint`'s warnings: the rules work, but may not do what was meant. */ warnings: Diagnostic[] }
  | { ok: false; diagnostics: Diagnostic[]; error?: PlanError };

export type FormatResult = { ok: true; text: string } | { ok: false; diagnostics: Diagnostic[]; error?: PlanError };

export interface TestFailure {
  rule: string;
  expected: string;
  actual: string;
  evidence?: Evidence[];
  missing?: string[];
}

export interface TestCaseResult {
  name: string;
  passed: boolean;
  failures?: TestFailure[];
  error?: string;
}

export interface TestFileResult {
  file: string;
  cases: TestCaseResult[];
  error?: Diagnostic;
}

export interface TestCoverage {
  rules_total: number;
  rules_exercised: number;
  unexercised_rules: string[];
  rule_percent: number;
  conditions_total: number;
  conditions_covered: number;
  uncovered_conditions: { rule: string; condition: string; seen: string }[];
}

/** What `careprompt test --format json` prints. */
export interface TestRun {
  files: TestFileResult[];
  passed: number;
  failed: number;
  coverage: TestCoverage;
}

export type TestResult =
  | { ok: boolean; report: TestRun; /** The run as `careprompt test --format json` prints it. */ json: string }
  | { ok: false; report: null; error: PlanError };

/** A compiled rule set: compile once, check many plans. Call free() when done with it. */
export declare class Rules {
  private constructor();
  /** Checks one plan on the date `options.asOf` (or a YYYY-MM-DD string). */
  check(plan: PlanInput, options: CheckOptions | string): CheckResult;
  /** Checks a JSON array or NDJSON batch (string or bytes), or an array of plans. */
  checkMany(plans: string | Uint8Array | PlanInput[], options: CheckManyOptions | string): BatchResult;
  /** Runs rule test files (TOML) against these rules; fixtures are the files tests refer to. */
  runTests(tests: Source[] | Source, fixtures?: Source[]): TestResult;
  /** The rules, in order. */
  list(): RuleInfo[];
  /** Frees the compiled rules; the object cannot be used afterwards. */
  free(): void;
}

/**
 * Loads the engine; await it once before anything else. With no argument the
 * package loads its own .wasm (by URL in browsers, from the file in Node);
 * otherwise give a URL, a Response, the bytes, or a WebAssembly.Module.
 */
export function init(
  input?: URL | string | Response | BufferSource | WebAssembly.Module | Promise<Response | BufferSource | WebAssembly.Module>,
): Promise<void>;
/** Whether init() has finished. */
export function isReady(): boolean;
/** The engine's version, for example `0.1.0`. */
export function version(): string;
/** The case-plan JSON Schema as an object. */
export function casePlanSchema(): Record<string, unknown>;
/** The case-plan JSON Schema as text. */
export function casePlanSchemaText(): string;
/** The built-in children's mental health pack's rules files. */
export function builtinSources(): Source[];
/** The built-in pack's rule tests (`.toml`) and the fixtures they use. */
export function builtinTests(): { tests: Source[]; fixtures: Source[] };
/** Compiles rules: files, one file, or the text of one file (named `rules.cpr`). */
export function compile(sources: Source[] | Source | string): CompileResult;
/** Compiles the built-in pack. */
export function compileBuiltin(): CompileResult;
/** Compiles a local pack bundle (`careprompt pack --bundle`); its hash is verified. */
export function compileBundle(text: string, name?: string): CompileResult;
/** The built-in pack, compiled (throws only if the pack itself is broken). */
export function builtin(): Rules;
/** Formats one rules file in canonical form. */
export function formatRules(text: string, name?: string): FormatResult;
