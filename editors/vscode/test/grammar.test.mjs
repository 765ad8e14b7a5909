// Tokenises the sample files with the TextMate grammars, as VS Code does
// (vscode-textmate with the Oniguruma regular expressions in WASM), and
// checks the scope given to each kind of token.

import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, "..");
const grammars = {
  "source.careprompt": path.join(root, "syntaxes/careprompt.tmLanguage.json"),
  "source.careprompt-test": path.join(root, "syntaxes/careprompt-test.tmLanguage.json"),
};

const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
const onigLib = oniguruma
  .loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength))
  .then(() => ({
    createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
    createOnigString: (s) => new oniguruma.OnigString(s),
  }));
const registry = new vsctm.Registry({
  onigLib,
  loadGrammar: async (scope) => {
    const file = grammars[scope];
    return file ? vsctm.parseRawGrammar(fs.readFileSync(file, "utf8"), file) : null;
  },
});

/** Every line of `file` with its tokens: [{text, scopes}]. */
async function tokenise(scope, file) {
  const grammar = await registry.loadGrammar(scope);
  let stack = vsctm.INITIAL;
  const lines = fs.readFileSync(path.join(here, "fixtures", file), "utf8").split("\n");
  return lines.map((line) => {
    const r = grammar.tokenizeLine(line, stack);
    stack = r.ruleStack;
    return {
      line,
      tokens: r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes })),
    };
  });
}

let passed = 0;
let failed = 0;

/** The token `text` on the line containing `where` has a scope starting `scope`. */
function expectScope(lines, where, text, scope) {
  const line = lines.find((l) => l.line.includes(where));
  const token = line?.tokens.find((t) => t.text === text);
  const ok = token?.scopes.some((s) => s.startsWith(scope));
  if (ok) {
    passed++;
  } else {
    failed++;
    console.error(`FAIL: \`${text}\` in \`${where}\`: wanted ${scope}, got ${JSON.stringify(token?.scopes ?? line?.tokens)}`);
  }
}

const cpr = await tokenise("source.careprompt", "sample.cpr");
const cases = [
  ["# A sample", "#", "comment.line.number-sign"],
  ["# A sample", " A sample rules file for the grammar test (written for this test).", "comment.line.number-sign"],
  ["import", "import", "keyword.control.import"],
  ["import", "constants.cpr", "string.quoted.double"],
  ["const review", "const", "keyword.declaration"],
  ["const review", "review_interval", "entity.name.function"],
  ["const review", "6", "constant.numeric"],
  ["const review", "months", "keyword.other.unit"],
  ["define", "looked_after_with_needs", "entity.name.function"],
  ["child.looked_after = true", "child.looked_after", "variable.other.path"],
  ["child.looked_after = true", "=", "keyword.operator.comparison"],
  ["child.looked_after = true", "true", "constant.language.boolean"],
  ["rule SAMPLE-01", "rule", "keyword.declaration.rule"],
  ["rule SAMPLE-01", "SAMPLE-01", "entity.name.type.rule"],
  ["title", "title", "keyword.other.field"],
  ["title", "\\\"", "constant.character.escape"],
  ["kind practice", "practice", "support.constant"],
  ["severity high", "high", "support.constant"],
  ["learning", "section", "support.constant"],
  ["not any placements", "not", "keyword.operator.word"],
  ["not any placements", "any", "keyword.operator.word"],
  ["not any placements", "where", "keyword.operator.word"],
  ["not any placements", "missing", "keyword.operator.word"],
  ["not any placements", "end_date", "variable.other.path"],
  ["count health", "count", "keyword.operator.word"],
  ["count health", "health.diagnoses", "variable.other.path"],
  ["count health", ">=", "keyword.operator.comparison"],
  ["count health", "2", "constant.numeric"],
  ["age of", "age", "keyword.operator.word"],
  ["age of", "child.date_of_birth", "variable.other.path"],
  ["legal_status in", "in", "keyword.operator.word"],
  ["legal_status in", "C1", "string.quoted.double"],
  ["more than review_interval ago", "ago", "keyword.operator.word"],
  ["more than review_interval ago", "review_interval", "variable.other.path"],
  ["2010-01-01", "2010-01-01", "constant.other.date"],
  ["prompt", "prompt", "keyword.other.field"],
  ["next \"Book", "next", "keyword.other.field"],
];
for (const [where, text, scope] of cases) {
  expectScope(cpr, where, text, scope);
}

const toml = await tokenise("source.careprompt-test", "sample.test.toml");
const tomlCases = [
  ["# A sample", " A sample rule test file for the grammar test (written for this test).", "comment.line"],
  ["as_of", "as_of", "variable.other.key"],
  ["as_of", "2026-11-26", "constant.other.date"],
  ["[[case]]", "case", "entity.name.section"],
  ["[case.expect]", "case.expect", "entity.name.section"],
  ["name =", "SAMPLE-01 fires", "string.quoted.double"],
  ["remove", "education.pep", "string.quoted.double"],
  ["plan_json", "'{\"child\": {\"looked_after\": true}}'", "string.quoted.single"],
  ["\"child.looked_after\" = true", "\"child.looked_after\"", "variable.other.key.quoted"],
  ["\"child.looked_after\" = true", "true", "constant.language.boolean"],
  ["\"health.count\"", "3", "constant.numeric"],
  ["\"SAMPLE-01\" = \"fires\"", "\"SAMPLE-01\"", "variable.other.key.quoted"],
  ["\"SAMPLE-01\" = \"fires\"", "fires", "support.constant.outcome.fires"],
];
for (const [where, text, scope] of tomlCases) {
  expectScope(toml, where, text, scope);
}

console.log(`grammar: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
