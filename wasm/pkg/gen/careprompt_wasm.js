/* @ts-self-types="./careprompt_wasm.d.ts" */

/**
 * The result of compiling: a [`Rules`] handle, or the diagnostics.
 */
export class Compiled {
    static __wrap(ptr) {
        const obj = Object.create(Compiled.prototype);
        obj.__wbg_ptr = ptr;
        CompiledFinalization.register(obj, obj.__wbg_ptr, obj);
        return obj;
    }
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        CompiledFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_compiled_free(ptr, 0);
    }
    /**
     * The diagnostics as JSON: `{"diagnostics": [...]}` (warnings only when
     * the rules compiled).
     * @returns {string}
     */
    get diagnostics() {
        let deferred1_0;
        let deferred1_1;
        try {
            const ret = wasm.compiled_diagnostics(this.__wbg_ptr);
            deferred1_0 = ret[0];
            deferred1_1 = ret[1];
            return getStringFromWasm0(ret[0], ret[1]);
        } finally {
            wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
        }
    }
    /**
     * Whether the rules compiled.
     * @returns {boolean}
     */
    get ok() {
        const ret = wasm.compiled_ok(this.__wbg_ptr);
        return ret !== 0;
    }
    /**
     * Takes the compiled rules out (once); `undefined` when compiling failed
     * or they were taken already.
     * @returns {Rules | undefined}
     */
    takeRules() {
        const ret = wasm.compiled_takeRules(this.__wbg_ptr);
        return ret === 0 ? undefined : Rules.__wrap(ret);
    }
}
if (Symbol.dispose) Compiled.prototype[Symbol.dispose] = Compiled.prototype.free;

/**
 * The result of a call: whether it worked and its JSON. On success `json`
 * is the call's output (for a check, exactly the CLI's `--format json`
 * report); on failure it is an error object or a diagnostics list.
 */
export class Outcome {
    static __wrap(ptr) {
        const obj = Object.create(Outcome.prototype);
        obj.__wbg_ptr = ptr;
        OutcomeFinalization.register(obj, obj.__wbg_ptr, obj);
        return obj;
    }
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        OutcomeFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_outcome_free(ptr, 0);
    }
    /**
     * The JSON text of the result or of the error.
     * @returns {string}
     */
    get json() {
        let deferred1_0;
        let deferred1_1;
        try {
            const ret = wasm.outcome_json(this.__wbg_ptr);
            deferred1_0 = ret[0];
            deferred1_1 = ret[1];
            return getStringFromWasm0(ret[0], ret[1]);
        } finally {
            wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
        }
    }
    /**
     * Whether the call succeeded.
     * @returns {boolean}
     */
    get ok() {
        const ret = wasm.outcome_ok(this.__wbg_ptr);
        return ret !== 0;
    }
}
if (Symbol.dispose) Outcome.prototype[Symbol.dispose] = Outcome.prototype.free;

/**
 * A compiled rule set. Compile once, check many plans.
 */
export class Rules {
    static __wrap(ptr) {
        const obj = Object.create(Rules.prototype);
        obj.__wbg_ptr = ptr;
        RulesFinalization.register(obj, obj.__wbg_ptr, obj);
        return obj;
    }
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        RulesFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_rules_free(ptr, 0);
    }
    /**
     * Checks one plan (UTF-8 JSON bytes). On success `json` is the report,
     * byte for byte what `careprompt check --format json` prints for it.
     * @param {Uint8Array | number[]} plan
     * @param {string} as_of
     * @returns {Outcome}
     */
    checkBytes(plan, as_of) {
        let ptr0, len0, ptr1, len1;
        try {
            ptr0 = passArray8ToWasm0(plan, wasm.__wbindgen_malloc);
            len0 = WASM_VECTOR_LEN;
            ptr1 = passStringToWasm0(as_of, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len1 = WASM_VECTOR_LEN;
        } catch (e) {
            if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 1, 1); }
            if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 1, 1); }
            throw e;
        }
        const ret = wasm.rules_checkBytes(this.__wbg_ptr, ptr0, len0, ptr1, len1);
        return Outcome.__wrap(ret);
    }
    /**
     * Checks many plans: a JSON array of plans (`format` = `"array"`), one
     * plan per line (`"ndjson"`), or either (`"auto"`: an array when the
     * first non-blank character is `[`). On success `json` is an array of
     * `{"index", "line"?, "ok", "report" | "error"}` in input order.
     * @param {Uint8Array | number[]} plans
     * @param {string} as_of
     * @param {string} format
     * @returns {Outcome}
     */
    checkManyBytes(plans, as_of, format) {
        let ptr0, len0, ptr1, len1, ptr2, len2;
        try {
            ptr0 = passArray8ToWasm0(plans, wasm.__wbindgen_malloc);
            len0 = WASM_VECTOR_LEN;
            ptr1 = passStringToWasm0(as_of, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len1 = WASM_VECTOR_LEN;
            ptr2 = passStringToWasm0(format, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len2 = WASM_VECTOR_LEN;
        } catch (e) {
            if (ptr2) { wasm.__wbindgen_free(ptr2, len2 * 1, 1); }
            if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 1, 1); }
            if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 1, 1); }
            throw e;
        }
        const ret = wasm.rules_checkManyBytes(this.__wbg_ptr, ptr0, len0, ptr1, len1, ptr2, len2);
        return Outcome.__wrap(ret);
    }
    /**
     * [`Rules::check_many_bytes`] for a string.
     * @param {string} plans
     * @param {string} as_of
     * @param {string} format
     * @returns {Outcome}
     */
    checkManyText(plans, as_of, format) {
        let ptr0, len0, ptr1, len1, ptr2, len2;
        try {
            ptr0 = passStringToWasm0(plans, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len0 = WASM_VECTOR_LEN;
            ptr1 = passStringToWasm0(as_of, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len1 = WASM_VECTOR_LEN;
            ptr2 = passStringToWasm0(format, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len2 = WASM_VECTOR_LEN;
        } catch (e) {
            if (ptr2) { wasm.__wbindgen_free(ptr2, len2 * 1, 1); }
            if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 1, 1); }
            if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 1, 1); }
            throw e;
        }
        const ret = wasm.rules_checkManyText(this.__wbg_ptr, ptr0, len0, ptr1, len1, ptr2, len2);
        return Outcome.__wrap(ret);
    }
    /**
     * Checks one plan given as a string (see [`Rules::check_bytes`]).
     * @param {string} plan
     * @param {string} as_of
     * @returns {Outcome}
     */
    checkText(plan, as_of) {
        let ptr0, len0, ptr1, len1;
        try {
            ptr0 = passStringToWasm0(plan, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len0 = WASM_VECTOR_LEN;
            ptr1 = passStringToWasm0(as_of, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len1 = WASM_VECTOR_LEN;
        } catch (e) {
            if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 1, 1); }
            if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 1, 1); }
            throw e;
        }
        const ret = wasm.rules_checkText(this.__wbg_ptr, ptr0, len0, ptr1, len1);
        return Outcome.__wrap(ret);
    }
    /**
     * The rules in this set, in order:
     * `[{"id", "title", "theme", "kind", "severity", "learning", "next_steps", "file", "line"}, ...]`.
     * @returns {string}
     */
    rulesJson() {
        let deferred1_0;
        let deferred1_1;
        try {
            const ret = wasm.rules_rulesJson(this.__wbg_ptr);
            deferred1_0 = ret[0];
            deferred1_1 = ret[1];
            return getStringFromWasm0(ret[0], ret[1]);
        } finally {
            wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
        }
    }
    /**
     * Runs rule test files (TOML) against these rules. `tests_json` and
     * `fixtures_json` are `[{"name", "text"}, ...]`; a test's `base` and
     * `plan` paths are looked up, resolved against the test file's name,
     * among the fixtures (and the tests). `ok` is whether every case
     * passed; `json` is the test run (what `careprompt test --format json`
     * prints for the same files).
     * @param {string} tests_json
     * @param {string} fixtures_json
     * @returns {Outcome}
     */
    runTests(tests_json, fixtures_json) {
        let ptr0, len0, ptr1, len1;
        try {
            ptr0 = passStringToWasm0(tests_json, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len0 = WASM_VECTOR_LEN;
            ptr1 = passStringToWasm0(fixtures_json, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len1 = WASM_VECTOR_LEN;
        } catch (e) {
            if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 1, 1); }
            if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 1, 1); }
            throw e;
        }
        const ret = wasm.rules_runTests(this.__wbg_ptr, ptr0, len0, ptr1, len1);
        return Outcome.__wrap(ret);
    }
}
if (Symbol.dispose) Rules.prototype[Symbol.dispose] = Rules.prototype.free;

/**
 * The built-in rule pack's files: `[{"name": ..., "text": ...}, ...]`.
 * @returns {string}
 */
export function builtinSources() {
    let deferred1_0;
    let deferred1_1;
    try {
        const ret = wasm.builtinSources();
        deferred1_0 = ret[0];
        deferred1_1 = ret[1];
        return getStringFromWasm0(ret[0], ret[1]);
    } finally {
        wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
    }
}

/**
 * The built-in pack's rule tests and their fixtures: `[{"name", "text"}, ...]`
 * (tests end in `.toml`; the rest are fixtures they refer to).
 * @returns {string}
 */
export function builtinTests() {
    let deferred1_0;
    let deferred1_1;
    try {
        const ret = wasm.builtinTests();
        deferred1_0 = ret[0];
        deferred1_1 = ret[1];
        return getStringFromWasm0(ret[0], ret[1]);
    } finally {
        wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
    }
}

/**
 * The case-plan JSON Schema, as text.
 * @returns {string}
 */
export function casePlanSchema() {
    let deferred1_0;
    let deferred1_1;
    try {
        const ret = wasm.casePlanSchema();
        deferred1_0 = ret[0];
        deferred1_1 = ret[1];
        return getStringFromWasm0(ret[0], ret[1]);
    } finally {
        wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
    }
}

/**
 * Compiles the built-in children's mental health pack.
 * @returns {Compiled}
 */
export function compileBuiltin() {
    const ret = wasm.compileBuiltin();
    return Compiled.__wrap(ret);
}

/**
 * Compiles rule sources given as JSON (`[{"name", "text"}, ...]`).
 * @param {string} sources_json
 * @returns {Compiled}
 */
export function compileRules(sources_json) {
    const ptr0 = passStringToWasm0(sources_json, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
    const len0 = WASM_VECTOR_LEN;
    const ret = wasm.compileRules(ptr0, len0);
    return Compiled.__wrap(ret);
}

/**
 * Formats one rules file. On success `json` is `{"text": ...}`; on failure
 * it is the diagnostics (`{"diagnostics": [...]}`).
 * @param {string} name
 * @param {string} text
 * @returns {Outcome}
 */
export function formatRules(name, text) {
    let ptr0, len0, ptr1, len1;
    try {
        ptr0 = passStringToWasm0(name, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
        len0 = WASM_VECTOR_LEN;
        ptr1 = passStringToWasm0(text, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
        len1 = WASM_VECTOR_LEN;
    } catch (e) {
        if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 1, 1); }
        if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 1, 1); }
        throw e;
    }
    const ret = wasm.formatRules(ptr0, len0, ptr1, len1);
    return Outcome.__wrap(ret);
}

/**
 * The library version (`careprompt 0.1.0` has version `0.1.0`).
 * @returns {string}
 */
export function version() {
    let deferred1_0;
    let deferred1_1;
    try {
        const ret = wasm.version();
        deferred1_0 = ret[0];
        deferred1_1 = ret[1];
        return getStringFromWasm0(ret[0], ret[1]);
    } finally {
        wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
    }
}
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg___wbindgen_throw_4c88d8bf264fd984: function(arg0, arg1) {
            throw new Error(getStringFromWasm0(arg0, arg1));
        },
        __wbindgen_init_externref_table: function() {
            const table = wasm.__wbindgen_externrefs;
            table.set(0, undefined);
            table.set(1024, undefined);
            table.set(1025, null);
            table.set(1026, true);
            table.set(1027, false);
        },
    };
    return {
        __proto__: null,
        "./careprompt_wasm_bg.js": import0,
    };
}

const CompiledFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_compiled_free(ptr, 1));
const OutcomeFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_outcome_free(ptr, 1));
const RulesFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_rules_free(ptr, 1));

function getStringFromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    return decodeText(getUint8ArrayMemory0().subarray(ptr, ptr + len));
}

let cachedUint8ArrayMemory0 = null;
function getUint8ArrayMemory0() {
    if (cachedUint8ArrayMemory0 === null || cachedUint8ArrayMemory0.byteLength === 0) {
        cachedUint8ArrayMemory0 = new Uint8Array(wasm.memory.buffer);
    }
    return cachedUint8ArrayMemory0;
}

function passArray8ToWasm0(arg, malloc) {
    const ptr = malloc(arg.length * 1, 1) >>> 0;
    getUint8ArrayMemory0().set(arg, ptr / 1);
    WASM_VECTOR_LEN = arg.length;
    return ptr;
}

function passStringToWasm0(arg, malloc, realloc) {
    if (realloc === undefined) {
        const buf = cachedTextEncoder.encode(arg);
        const ptr = malloc(buf.length, 1) >>> 0;
        getUint8ArrayMemory0().subarray(ptr, ptr + buf.length).set(buf);
        WASM_VECTOR_LEN = buf.length;
        return ptr;
    }

    let len = arg.length;
    let ptr = malloc(len, 1) >>> 0;

    const mem = getUint8ArrayMemory0();

    let offset = 0;

    for (; offset < len; offset++) {
        const code = arg.charCodeAt(offset);
        if (code > 0x7F) break;
        mem[ptr + offset] = code;
    }
    if (offset !== len) {
        if (offset !== 0) {
            arg = arg.slice(offset);
        }
        ptr = realloc(ptr, len, len = offset + arg.length * 3, 1) >>> 0;
        const view = getUint8ArrayMemory0().subarray(ptr + offset, ptr + len);
        const ret = cachedTextEncoder.encodeInto(arg, view);

        offset += ret.written;
        ptr = realloc(ptr, len, offset, 1) >>> 0;
    }

    WASM_VECTOR_LEN = offset;
    return ptr;
}

let cachedTextDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
cachedTextDecoder.decode();
const MAX_SAFARI_DECODE_BYTES = 2146435072;
let numBytesDecoded = 0;
function decodeText(bytes) {
    numBytesDecoded += bytes.length;
    if (numBytesDecoded >= MAX_SAFARI_DECODE_BYTES) {
        cachedTextDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
        cachedTextDecoder.decode();
        numBytesDecoded = bytes.length;
    }
    return cachedTextDecoder.decode(bytes);
}

const cachedTextEncoder = new TextEncoder();

if (!('encodeInto' in cachedTextEncoder)) {
    cachedTextEncoder.encodeInto = function (arg, view) {
        const buf = cachedTextEncoder.encode(arg);
        view.set(buf);
        return {
            read: arg.length,
            written: buf.length
        };
    };
}

let WASM_VECTOR_LEN = 0;

let wasmModule, wasmInstance, wasm;
function __wbg_finalize_init(instance, module) {
    wasmInstance = instance;
    wasm = instance.exports;
    wasmModule = module;
    cachedUint8ArrayMemory0 = null;
    wasm.__wbindgen_start();
    return wasm;
}

async function __wbg_load(module, imports) {
    if (typeof Response === 'function' && module instanceof Response) {
        if (!module.ok) {
            throw new Error(`failed to fetch Wasm: ${module.status} ${module.statusText} fetching '${module.url}'`);
        }

        if (typeof WebAssembly.instantiateStreaming === 'function') {
            try {
                return await WebAssembly.instantiateStreaming(module, imports);
            } catch (e) {
                const validResponse = expectedResponseType(module.type);

                if (validResponse && module.headers.get('Content-Type') !== 'application/wasm') {
                    console.warn("`WebAssembly.instantiateStreaming` failed because your server does not serve Wasm with `application/wasm` MIME type. Falling back to `WebAssembly.instantiate` which is slower. Original error:\n", e);

                } else { throw e; }
            }
        }

        const bytes = await module.arrayBuffer();
        return await WebAssembly.instantiate(bytes, imports);
    } else {
        const instance = await WebAssembly.instantiate(module, imports);

        if (instance instanceof WebAssembly.Instance) {
            return { instance, module };
        } else {
            return instance;
        }
    }

    function expectedResponseType(type) {
        switch (type) {
            case 'basic': case 'cors': case 'default': return true;
        }
        return false;
    }
}

function initSync(module) {
    if (wasm !== undefined) return wasm;


    if (module !== undefined) {
        if (Object.getPrototypeOf(module) === Object.prototype) {
            ({module} = module)
        } else {
            console.warn('using deprecated parameters for `initSync()`; pass a single object instead')
        }
    }

    const imports = __wbg_get_imports();
    if (!(module instanceof WebAssembly.Module)) {
        module = new WebAssembly.Module(module);
    }
    const instance = new WebAssembly.Instance(module, imports);
    return __wbg_finalize_init(instance, module);
}

let __wbg_init_promise;
async function __wbg_init(module_or_path) {
    if (wasm !== undefined) return wasm;
    if (__wbg_init_promise === undefined) {
        __wbg_init_promise = __wbg_init_once(module_or_path);
        __wbg_init_promise.catch(() => { __wbg_init_promise = undefined; });
    }
    return __wbg_init_promise;
}

async function __wbg_init_once(module_or_path) {

    if (module_or_path !== undefined) {
        if (Object.getPrototypeOf(module_or_path) === Object.prototype) {
            ({module_or_path} = module_or_path)
        } else {
            console.warn('using deprecated parameters for the initialization function; pass a single object instead')
        }
    }

    if (module_or_path === undefined) {
        module_or_path = new URL('careprompt_wasm_bg.wasm', import.meta.url);
    }
    const imports = __wbg_get_imports();

    if (typeof module_or_path === 'string' || (typeof Request === 'function' && module_or_path instanceof Request) || (typeof URL === 'function' && module_or_path instanceof URL)) {
        module_or_path = fetch(module_or_path);
    }

    const { instance, module } = await __wbg_load(await module_or_path, imports);

    return __wbg_finalize_init(instance, module);
}

export { initSync, __wbg_init as default };
