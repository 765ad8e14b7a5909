// careprompt for browsers and bundlers: the engine is fetched from the
// package's own .wasm file next to this module (same origin), or from
// whatever init() is given. Nothing else is ever requested.
import { initWith } from './api.js';

export * from './api.js';

/**
 * Loads the engine. With no argument, fetches ./gen/careprompt_wasm_bg.wasm
 * relative to this module; otherwise give a URL, a Response, the bytes, or a
 * compiled WebAssembly.Module.
 */
export function init(input) {
  return initWith(input, () => new URL('./gen/careprompt_wasm_bg.wasm', import.meta.url));
}
