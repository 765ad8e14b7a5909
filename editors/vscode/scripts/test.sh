#!/usr/bin/env bash
# Builds, tests and packages the VS Code extension: type check, bundle
# (esbuild), the TextMate grammar test (vscode-textmate + vscode-oniguruma),
# the manifest and bundle checks, a session with the real `careprompt lsp`
# over stdio, and the .vsix (@vscode/vsce). Ends with one line:
# `vscode: N passed, M failed`.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
step() {
  local name=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $name"
  fi
}
# Runs a test script and adds the counts from its `name: N passed, M failed` line.
counted() {
  local out
  out=$("$@" 2>&1)
  local rc=$?
  # The script's own count line is added into the closing line, not repeated.
  printf '%s\n' "$out" | grep -vE '^[a-z]+: [0-9]+ passed, [0-9]+ failed$'
  local line
  line=$(printf '%s\n' "$out" | grep -E '^[a-z]+: [0-9]+ passed, [0-9]+ failed$' | tail -1)
  if [ -n "$line" ]; then
    passed=$((passed + $(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')))
    failed=$((failed + $(echo "$line" | sed -E 's/.*, ([0-9]+) failed/\1/')))
  elif [ $rc -ne 0 ]; then
    failed=$((failed + 1))
  fi
  if [ $rc -ne 0 ] && [ -n "$line" ] && echo "$line" | grep -q ', 0 failed'; then
    failed=$((failed + 1))
  fi
}

if ! npm ci --no-audit --no-fund --loglevel=error; then
  echo "vscode: 0 passed, 1 failed"
  exit 1
fi
step "type check" npx tsc --noEmit -p .
step "bundle" npm run --silent build
counted node test/grammar.test.mjs
counted node test/manifest.test.mjs
if [ -z "${CAREPROMPT_BIN:-}" ]; then
  step "build careprompt" bash -c 'cd ../.. && cargo build --quiet -p careprompt-cli'
fi
counted node test/server.test.mjs
rm -f dist/careprompt.vsix
step "package" npm run --silent package
vsix_contents() {
  python3 - <<'PY'
import sys, zipfile
names = set(zipfile.ZipFile("dist/careprompt.vsix").namelist())
want = [
    "extension/package.json",
    "extension/dist/extension.js",
    "extension/syntaxes/careprompt.tmLanguage.json",
    "extension/syntaxes/careprompt-test.tmLanguage.json",
    "extension/language-configuration.json",
    "extension/language-configuration-toml.json",
    "extension/readme.md",
]
missing = [w for w in want if w not in names]
unwanted = [n for n in names if n.startswith(("extension/src/", "extension/node_modules/", "extension/test/"))]
if missing or unwanted:
    print("missing:", missing, "unwanted:", unwanted[:5])
    sys.exit(1)
PY
}
step ".vsix contents" vsix_contents

echo "vscode: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
