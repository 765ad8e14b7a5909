/* tslint:disable */
/* eslint-disable */

/**
 * The result of compiling: a [`Rules`] handle, or the diagnostics.
 */
export class Compiled {
    private constructor();
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Takes the compiled rules out (once); `undefined` when compiling failed
     * or they were taken already.
     */
    takeRules(): Rules | undefined;
    /**
     * The diagnostics as JSON: `{"diagnostics": [...]}` (warnings only when
     * the rules compiled).
     */
    readonly diagnostics: string;
    /**
     * Whether the rules compiled.
     */
    readonly ok: boolean;
}

/**
 * The result of a call: whether it worked and its JSON. On success `json`
 * is the call's output (for a check, exactly the CLI's `--format json`
 * report); on failure it is an error object or a diagnostics list.
 */
export class Outcome {
    private constructor();
    free(): void;
    [Symbol.dispose](): void;
    /**
     * The JSON text of the result or of the error.
     */
    readonly json: string;
    /**
     * Whether the call succeeded.
     */
    readonly ok: boolean;
}

/**
 * A compiled rule set. Compile once, check many plans.
 */
export class Rules {
    private constructor();
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Checks one plan (UTF-8 JSON bytes). On success `json` is the report,
     * byte for byte what `careprompt check --format json` prints for it.
     */
    checkBytes(plan: Uint8Array | number[], as_of: string): Outcome;
    /**
     * Checks many plans: a JSON array of plans (`format` = `"array"`), one
     * plan per line (`"ndjson"`), or either (`"auto"`: an array when the
     * first non-blank character is `[`). On success `json` is an array of
     * `{"index", "line"?, "ok", "report" | "error"}` in input order.
     */
    checkManyBytes(plans: Uint8Array | number[], as_of: string, format: string): Outcome;
    /**
     * [`Rules::check_many_bytes`] for a string.
     */
    checkManyText(plans: string, as_of: string, format: string): Outcome;
    /**
     * Checks one plan given as a string (see [`Rules::check_bytes`]).
     */
    checkText(plan: string, as_of: string): Outcome;
    /**
     * The rules in this set, in order:
     * `[{"id", "title", "theme", "kind", "severity", "learning", "next_steps", "file", "line"}, ...]`.
     */
    rulesJson(): string;
    /**
     * Runs rule test files (TOML) against these rules. `tests_json` and
     * `fixtures_json` are `[{"name", "text"}, ...]`; a test's `base` and
     * `plan` paths are looked up, resolved against the test file's name,
     * among the fixtures (and the tests). `ok` is whether every case
     * passed; `json` is the test run (what `careprompt test --format json`
     * prints for the same files).
     */
    runTests(tests_json: string, fixtures_json: string): Outcome;
}

/**
 * The built-in rule pack's files: `[{"name": ..., "text": ...}, ...]`.
 */
export function builtinSources(): string;

/**
 * The built-in pack's rule tests and their fixtures: `[{"name", "text"}, ...]`
 * (tests end in `.toml`; the rest are fixtures they refer to).
 */
export function builtinTests(): string;

/**
 * The case-plan JSON Schema, as text.
 */
export function casePlanSchema(): string;

/**
 * Compiles the built-in children's mental health pack.
 */
export function compileBuiltin(): Compiled;

/**
 * Compiles rule sources given as JSON (`[{"name", "text"}, ...]`).
 */
export function compileRules(sources_json: string): Compiled;

/**
 * Formats one rules file. On success `json` is `{"text": ...}`; on failure
 * it is the diagnostics (`{"diagnostics": [...]}`).
 */
export function formatRules(name: string, text: string): Outcome;

/**
 * The library version (`careprompt 0.1.0` has version `0.1.0`).
 */
export function version(): string;

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

export interface InitOutput {
    readonly memory: WebAssembly.Memory;
    readonly __wbg_compiled_free: (a: number, b: number) => void;
    readonly __wbg_outcome_free: (a: number, b: number) => void;
    readonly __wbg_rules_free: (a: number, b: number) => void;
    readonly builtinSources: () => [number, number];
    readonly builtinTests: () => [number, number];
    readonly casePlanSchema: () => [number, number];
    readonly compileBuiltin: () => number;
    readonly compileRules: (a: number, b: number) => number;
    readonly compiled_diagnostics: (a: number) => [number, number];
    readonly compiled_ok: (a: number) => number;
    readonly compiled_takeRules: (a: number) => number;
    readonly formatRules: (a: number, b: number, c: number, d: number) => number;
    readonly outcome_json: (a: number) => [number, number];
    readonly outcome_ok: (a: number) => number;
    readonly rules_checkBytes: (a: number, b: number, c: number, d: number, e: number) => number;
    readonly rules_checkManyBytes: (a: number, b: number, c: number, d: number, e: number, f: number, g: number) => number;
    readonly rules_checkManyText: (a: number, b: number, c: number, d: number, e: number, f: number, g: number) => number;
    readonly rules_checkText: (a: number, b: number, c: number, d: number, e: number) => number;
    readonly rules_rulesJson: (a: number) => [number, number];
    readonly rules_runTests: (a: number, b: number, c: number, d: number, e: number) => number;
    readonly version: () => [number, number];
    readonly __wbindgen_externrefs: WebAssembly.Table;
    readonly __wbindgen_free: (a: number, b: number, c: number) => void;
    readonly __wbindgen_malloc: (a: number, b: number) => number;
    readonly __wbindgen_realloc: (a: number, b: number, c: number, d: number) => number;
    readonly __wbindgen_start: () => void;
}

export type SyncInitInput = BufferSource | WebAssembly.Module;

/**
 * Instantiates the given `module`, which can either be bytes or
 * a precompiled `WebAssembly.Module`.
 *
 * @param {{ module: SyncInitInput }} module - Passing `SyncInitInput` directly is deprecated.
 *
 * @returns {InitOutput}
 */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;

/**
 * If `module_or_path` is {RequestInfo} or {URL}, makes a request and
 * for everything else, calls `WebAssembly.instantiate` directly.
 *
 * @param {{ module_or_path: InitInput | Promise<InitInput> }} module_or_path - Passing `InitInput` directly is deprecated.
 *
 * @returns {Promise<InitOutput>}
 */
export default function __wbg_init (module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<InitOutput>;
