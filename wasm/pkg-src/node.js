// careprompt for Node.js: the engine is read from the package's own .wasm
// file (no fetch), or from whatever init() is given.
import { readFile } from 'node:fs/promises';
import { initWith } from './api.js';

export * from './api.js';

/**
 * Loads the engine. With no argument, reads ./gen/careprompt_wasm_bg.wasm
 * next to this module; otherwise give the bytes, a compiled
 * WebAssembly.Module, or a file: URL.
 */
export function init(input) {
  if (input instanceof URL && input.protocol === 'file:') input = readFile(input);
  return initWith(input, () => readFile(new URL('./gen/careprompt_wasm_bg.wasm', import.meta.url)));
}
