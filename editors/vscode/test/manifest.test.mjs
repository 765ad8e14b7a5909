// Checks the extension's manifest against its files, and the built bundle:
// it starts `careprompt lsp` over stdio and makes no network requests.

import fs from "node:fs";
import path from "node:path";
import Module, { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));

let passed = 0;
let failed = 0;
function check(ok, what) {
  if (ok) {
    passed++;
  } else {
    failed++;
    console.error(`FAIL: ${what}`);
  }
}

for (const lang of pkg.contributes.languages) {
  check(fs.existsSync(path.join(root, lang.configuration)), `language configuration ${lang.configuration} exists`);
  const conf = JSON.parse(fs.readFileSync(path.join(root, lang.configuration), "utf8"));
  check(conf.comments?.lineComment === "#", `${lang.id}: comments start with #`);
  check(pkg.activationEvents.includes(`onLanguage:${lang.id}`), `${lang.id} activates the extension`);
}
check(pkg.contributes.languages.some((l) => l.extensions?.includes(".cpr")), ".cpr files are careprompt rules");
check(
  pkg.contributes.languages.some((l) => l.filenamePatterns?.includes("*.test.toml")),
  ".test.toml files are rule tests",
);
for (const g of pkg.contributes.grammars) {
  const file = path.join(root, g.path);
  check(fs.existsSync(file), `grammar ${g.path} exists`);
  const grammar = JSON.parse(fs.readFileSync(file, "utf8"));
  check(grammar.scopeName === g.scopeName, `${g.path} has scope ${g.scopeName}`);
  check(pkg.contributes.languages.some((l) => l.id === g.language), `${g.path} is for a declared language`);
}

// The bundle, loaded with a stand-in for the `vscode` module.
const bundle = path.join(root, pkg.main);
check(fs.existsSync(bundle), `${pkg.main} is built`);
if (fs.existsSync(bundle)) {
  const text = fs.readFileSync(bundle, "utf8");
  check(!/\bfetch\(|XMLHttpRequest|https?\.request\(|new WebSocket\(/.test(text), "the bundle makes no network requests");
  const load = Module._load;
  Module._load = function (request, ...rest) {
    if (request === "vscode") {
      // Every name a class, enough for the client library to load.
      return new Proxy({}, { get: () => class {} });
    }
    return load.call(this, request, ...rest);
  };
  try {
    const ext = require(bundle);
    const opts = ext.serverOptions("/usr/local/bin/careprompt");
    check(opts.run.command === "/usr/local/bin/careprompt", "the server is the configured executable");
    check(JSON.stringify(opts.run.args) === JSON.stringify(["lsp"]), "the server runs `careprompt lsp`");
    check(typeof ext.activate === "function" && typeof ext.deactivate === "function", "activate and deactivate are exported");
  } finally {
    Module._load = load;
  }
}

console.log(`manifest: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
