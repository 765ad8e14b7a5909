// Talks to the real `careprompt lsp` executable over stdio, as the
// extension's client does: initialize, open a file with three syntax
// errors, complete after `education.`, hover on a constant, shut down.
// The executable is $CAREPROMPT_BIN, or the workspace's debug build.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const rpc = require("vscode-jsonrpc/node");

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = process.env.CAREPROMPT_BIN ?? path.join(here, "../../../target/debug/careprompt");
if (!fs.existsSync(bin)) {
  console.error(`server: no careprompt executable at ${bin}; build it with \`cargo build -p careprompt-cli\``);
  console.log("server: 0 passed, 1 failed");
  process.exit(1);
}

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

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "careprompt-vscode-"));
const rulesText = [
  "# Reviews are held at least every six months (a local starting point).",
  "const review_interval = 6 months",
  "",
  "define broken_one = child.looked_after and",
  "",
  "rule T-01 {",
  '  title "Missing its closing quote',
  "}",
  "",
  "rule T-02 {",
  '  title "Review"',
  '  theme "Reviews"',
  "  kind practice",
  "  severity low",
  "  when child.date_of_birth more than review_interval ago and child.looked_after",
  '  prompt "P"',
  "}",
  "",
  "const broken_three =",
  "",
].join("\n");
const file = path.join(dir, "rules.cpr");
fs.writeFileSync(file, rulesText);
const uri = pathToFileURL(file).href;

const server = spawn(bin, ["lsp"], { stdio: ["pipe", "pipe", "inherit"] });
const conn = rpc.createMessageConnection(
  new rpc.StreamMessageReader(server.stdout),
  new rpc.StreamMessageWriter(server.stdin),
);
const diagnostics = new Promise((resolve) => {
  conn.onNotification("textDocument/publishDiagnostics", (p) => {
    if (p.uri === uri) {
      resolve(p.diagnostics);
    }
  });
});
conn.listen();
const timeout = setTimeout(() => {
  console.error("FAIL: the server did not answer within 30 s");
  console.log(`server: ${passed} passed, ${failed + 1} failed`);
  process.exit(1);
}, 30000);

const init = await conn.sendRequest("initialize", { processId: null, rootUri: null, capabilities: {} });
check(init.capabilities.completionProvider !== undefined, "the server offers completion");
conn.sendNotification("initialized", {});
conn.sendNotification("textDocument/didOpen", {
  textDocument: { uri, languageId: "careprompt", version: 1, text: rulesText },
});
const diags = await diagnostics;
check(diags.filter((d) => d.code === "syntax").length === 3, `three syntax errors: ${JSON.stringify(diags)}`);

// The writer starts typing a field path.
const typing = rulesText.replace("and child.looked_after", "and education.");
conn.sendNotification("textDocument/didChange", {
  textDocument: { uri, version: 2 },
  contentChanges: [{ text: typing }],
});
const lines = typing.split("\n");
const line = lines.findIndex((l) => l.includes("education."));
const character = lines[line].indexOf("education.") + "education.".length;
const items = await conn.sendRequest("textDocument/completion", {
  textDocument: { uri },
  position: { line, character },
});
const vs = items.find((i) => i.label === "virtual_school");
check(vs !== undefined, "completion after `education.` offers `virtual_school`");
check((vs?.documentation?.value ?? "").length > 20, "with the schema's description");

const cline = lines.findIndex((l) => l.includes("than review_interval"));
const hover = await conn.sendRequest("textDocument/hover", {
  textDocument: { uri },
  position: { line: cline, character: lines[cline].indexOf("review_interval") + 2 },
});
const text = hover?.contents?.value ?? "";
check(text.includes("const review_interval = 6 months"), `hover shows the constant's value: ${text}`);
check(text.includes("a local starting point"), "and the comment that gives its source");

await conn.sendRequest("shutdown");
conn.sendNotification("exit");
const code = await new Promise((resolve) => server.on("exit", resolve));
check(code === 0, `the server exits cleanly (code ${code})`);
clearTimeout(timeout);
conn.dispose();
fs.rmSync(dir, { recursive: true, force: true });

console.log(`server: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
