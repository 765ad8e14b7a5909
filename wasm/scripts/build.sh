#!/usr/bin/env bash
# Build the careprompt WebAssembly package and lay it out for the pages and
# the extension.
#
#   wasm/pkg/                   the npm package @careprompt/careprompt
#   wasm/www/vendor/careprompt/ the package's runtime files, for the pages
#   wasm/www/examples/          example plans and rule test files, copied
#   wasm/extension/engine/      the package's runtime files, for the extension
#   wasm/www/vendor/workbench/  a second .wasm with the analysis binding (feature
#                               `workbench`), for the workbench page only
#   wasm/www/vendor/codemirror/ CodeMirror 6 from node_modules, bundled with esbuild
#
# Options (environment):
#   CAREPROMPT_WASM_ROUTE=auto|installed|build-std   how to get a wasm32 std
#   CAREPROMPT_WASM_PROFILE=release|debug            (default release)
#   CAREPROMPT_WASM_INLINE_THRESHOLD=N               LLVM's inlining threshold for
#                                                    the release build (default 75)
#   CARGO_TARGET_DIR is NOT used: the wasm build has its own target/wasm so it
#   never clobbers the native build (override with CAREPROMPT_WASM_TARGET_DIR).
set -euo pipefail
WASM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT_DIR=$(cd "$WASM_DIR/.." && pwd)
# shellcheck source=tools.sh
. "$WASM_DIR/scripts/tools.sh"

PROFILE=${CAREPROMPT_WASM_PROFILE:-release}
TARGET_DIR=${CAREPROMPT_WASM_TARGET_DIR:-$ROOT_DIR/target/wasm}

select_wasm_route
ensure_wasm_bindgen
say "route: $WASM_ROUTE ($("${RUSTC:-rustc}" --version))"

profile_args=()
if [ "$PROFILE" = release ]; then
  profile_args=(--release)
  # Profiles live in the workspace root; these settings apply to this build only.
  export CARGO_PROFILE_RELEASE_OPT_LEVEL=${CAREPROMPT_WASM_OPT_LEVEL:-3}
  export CARGO_PROFILE_RELEASE_LTO=true
  export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
  export CARGO_PROFILE_RELEASE_PANIC=abort
  export CARGO_PROFILE_RELEASE_DEBUG=false
  # LLVM inlines less than at its opt-level 3 default (250): at 75, with std's
  # optimize_for_size below, the .wasm is 116 KB smaller (39 KB gzipped), the
  # code taken off spread over the engine's cold parts (the rules parser's tree
  # builder, pack layering, rule tests, the plan reader) and core's formatting;
  # checking a plan is 3-5 % slower, the full report JSON 6-8 %. At 50 the .wasm is 3.5 KB smaller gzipped but
  # the report JSON 23 % slower; lower gives nothing more (docs/performance.md,
  # "The npm package's size", fourth round).
  export RUSTFLAGS="${RUSTFLAGS:-} -Cllvm-args=-inline-threshold=${CAREPROMPT_WASM_INLINE_THRESHOLD:-75}"
  if [ "$WASM_ROUTE" = build-std ]; then
    # std is built here too, so it can abort on a panic without formatting a
    # message no one would see (nothing prints a panic in the package) and
    # without the panics' file names and lines: about 9 KB off the .wasm.
    export RUSTFLAGS="${RUSTFLAGS:-} -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none"
    # And with std's `optimize_for_size`: core's smaller algorithms where it
    # has two (a merge sort instead of driftsort for every sorted type, 41 KB
    # of code before; integer formatting; float parsing without its fast
    # path), the same results. About 11 KB gzipped; checking is as fast.
    # (This replaces the sysroot's default features, `panic-unwind`, which
    # a build that aborts on panic does not use.)
    WASM_CARGO_ARGS+=(-Zbuild-std-features=optimize_for_size)
  fi
fi

cd "$ROOT_DIR"
CARGO_TARGET_DIR=$TARGET_DIR "$WASM_CARGO" build -p careprompt-wasm --lib "${profile_args[@]}" \
  --target wasm32-unknown-unknown "${WASM_CARGO_ARGS[@]}"

raw="$TARGET_DIR/wasm32-unknown-unknown/$PROFILE/careprompt_wasm.wasm"
[ -f "$raw" ] || die "no $raw after the build"

# Assemble the npm package.
pkg="$WASM_DIR/pkg"
rm -rf "$pkg"
mkdir -p "$pkg/gen"
# Shrink (and speed up) the engine with binaryen's wasm-opt before
# wasm-bindgen sees it (binaryen 108, Debian's, breaks wasm-bindgen's externref
# table when run after it): the package's size budget
# (tests/tarball.test.mjs) counts on it. The features are those rustc enables
# by default for wasm32-unknown-unknown.
ensure_wasm_opt
opt="${raw%.wasm}.opt.wasm"
wasm-opt "${CAREPROMPT_WASM_OPT:--O3}" --enable-bulk-memory --enable-multivalue --enable-mutable-globals \
  --enable-nontrapping-float-to-int --enable-reference-types --enable-sign-ext \
  "$raw" -o "$opt"
wasm-bindgen --target web --out-dir "$pkg/gen" --out-name careprompt_wasm "$opt"
cp -R "$WASM_DIR/pkg-src/." "$pkg/"
for f in LICENSE LICENSE-MIT LICENSE-APACHE; do
  [ -f "$ROOT_DIR/$f" ] && cp "$ROOT_DIR/$f" "$pkg/"
done
# The package version follows the crate's (the workspace's) version.
version=$(node -e 'const m=require("fs").readFileSync(process.argv[1],"utf8").match(/^\[workspace\.package\][^[]*?^version\s*=\s*"([^"]+)"/m); console.log(m?m[1]:"")' "$ROOT_DIR/Cargo.toml" 2>/dev/null || true)
if [ -n "$version" ]; then
  node -e 'const fs=require("fs");const p=process.argv[1];const j=JSON.parse(fs.readFileSync(p,"utf8"));j.version=process.argv[2];fs.writeFileSync(p,JSON.stringify(j,null,2)+"\n")' "$pkg/package.json" "$version"
fi

# The runtime files the pages and the extension load (no TypeScript, no docs).
copy_runtime() {
  local dest=$1
  rm -rf "$dest"
  mkdir -p "$dest/gen"
  cp "$pkg"/careprompt.js "$pkg"/api.js "$dest/"
  cp "$pkg"/gen/careprompt_wasm.js "$pkg"/gen/careprompt_wasm_bg.wasm "$dest/gen/"
}
copy_runtime "$WASM_DIR/www/vendor/careprompt"
copy_runtime "$WASM_DIR/extension/engine"
# The extension renders reports with the same module as the pages.
cp "$WASM_DIR/www/js/report-view.js" "$WASM_DIR/extension/report-view.js"

# Example plans and rule test files for the pages, with an index.
node "$WASM_DIR/scripts/copy-examples.mjs" "$ROOT_DIR" "$WASM_DIR/www/examples"

# The workbench's engine: the same crate with the analysis binding (feature
# `workbench`), built into the same target directory (only this crate and the
# link are redone) and kept out of the npm package's .wasm, which has a size
# budget. Same wasm-opt and wasm-bindgen steps.
CARGO_TARGET_DIR=$TARGET_DIR "$WASM_CARGO" build -p careprompt-wasm --lib --features workbench "${profile_args[@]}" \
  --target wasm32-unknown-unknown "${WASM_CARGO_ARGS[@]}"
[ -f "$raw" ] || die "no $raw after the workbench build"
wb="$WASM_DIR/www/vendor/workbench"
rm -rf "$wb"
mkdir -p "$wb"
wasm-opt "${CAREPROMPT_WASM_OPT:--O3}" --enable-bulk-memory --enable-multivalue --enable-mutable-globals \
  --enable-nontrapping-float-to-int --enable-reference-types --enable-sign-ext \
  "$raw" -o "$opt"
wasm-bindgen --target web --out-dir "$wb" --out-name workbench --no-typescript "$opt"

# CodeMirror for the workbench page, from the pinned npm packages, bundled
# into one local module (no CDN).
ensure_npm_deps
"$WASM_DIR/node_modules/.bin/esbuild" "$WASM_DIR/www/js/workbench/codemirror-entry.js" --bundle --format=esm \
  --minify --legal-comments=linked --log-level=warning --outfile="$WASM_DIR/www/vendor/codemirror/codemirror.js"

bytes=$(stat -c %s "$pkg/gen/careprompt_wasm_bg.wasm")
gz=$(gzip -9 -c "$pkg/gen/careprompt_wasm_bg.wasm" | wc -c)
say "built $pkg"
echo "careprompt_wasm_bg.wasm: $bytes bytes ($(( (bytes + 1023) / 1024 )) KiB; gzip -9: $(( (gz + 1023) / 1024 )) KiB)"
wb_bytes=$(stat -c %s "$wb/workbench_bg.wasm")
echo "workbench_bg.wasm (workbench page only): $wb_bytes bytes ($(( (wb_bytes + 1023) / 1024 )) KiB)"
