/* tslint:disable */
/* eslint-disable */
export const memory: WebAssembly.Memory;
export const __wbg_compiled_free: (a: number, b: number) => void;
export const __wbg_outcome_free: (a: number, b: number) => void;
export const __wbg_rules_free: (a: number, b: number) => void;
export const builtinSources: () => [number, number];
export const builtinTests: () => [number, number];
export const casePlanSchema: () => [number, number];
export const compileBuiltin: () => number;
export const compileRules: (a: number, b: number) => number;
export const compiled_diagnostics: (a: number) => [number, number];
export const compiled_ok: (a: number) => number;
export const compiled_takeRules: (a: number) => number;
export const formatRules: (a: number, b: number, c: number, d: number) => number;
export const outcome_json: (a: number) => [number, number];
export const outcome_ok: (a: number) => number;
export const rules_checkBytes: (a: number, b: number, c: number, d: number, e: number) => number;
export const rules_checkManyBytes: (a: number, b: number, c: number, d: number, e: number, f: number, g: number) => number;
export const rules_checkManyText: (a: number, b: number, c: number, d: number, e: number, f: number, g: number) => number;
export const rules_checkText: (a: number, b: number, c: number, d: number, e: number) => number;
export const rules_rulesJson: (a: number) => [number, number];
export const rules_runTests: (a: number, b: number, c: number, d: number, e: number) => number;
export const version: () => [number, number];
export const __wbindgen_externrefs: WebAssembly.Table;
export const __wbindgen_free: (a: number, b: number, c: number) => void;
export const __wbindgen_malloc: (a: number, b: number) => number;
export const __wbindgen_realloc: (a: number, b: number, c: number, d: number) => number;
export const __wbindgen_start: () => void;
