# shellcheck shell=bash
# Helpers shared by build.sh and test.sh: find or install what the wasm build
# and its tests need. Sourced, not run. Every install happens only when the
# thing is missing, so a developer machine that already has it is left alone.

WASM_DIR=${WASM_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
ROOT_DIR=${ROOT_DIR:-$(cd "$WASM_DIR/.." && pwd)}

say() { printf '[careprompt-wasm] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# The wasm-bindgen version the crate pins ("=X.Y.Z" in wasm/Cargo.toml); the
# CLI that post-processes the .wasm must be exactly this version.
wasm_bindgen_pin() {
  sed -n 's/^wasm-bindgen *= *{* *\(version *= *\)*"=\([0-9.]*\)".*/\2/p' "$WASM_DIR/Cargo.toml" | head -n1
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root to run: $* (install it by hand, or run as root)"
  fi
}

_APT_UPDATED=
# apt_ensure PKG...: install the Debian packages among PKG that are missing.
apt_ensure() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get to install them"
  say "installing Debian packages: ${missing[*]}"
  if [ -z "$_APT_UPDATED" ]; then
    as_root apt-get update -qq >&2
    _APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
}

# Does the active rustc have a prebuilt wasm32 standard library (a normal
# developer machine after `rustup target add wasm32-unknown-unknown`)?
have_wasm32_std() {
  local libdir
  command -v rustc >/dev/null 2>&1 || return 1
  libdir=$(rustc --print target-libdir --target wasm32-unknown-unknown 2>/dev/null) || return 1
  compgen -G "$libdir/libstd-*.rlib" >/dev/null
}

# Pick how to build for wasm32 and export what that route needs.
#   installed: the active toolchain already has the wasm32 target.
#   build-std: Debian's rustc-web/cargo-web/rust-web-src build std from source.
# Sets WASM_CARGO and WASM_ROUTE; exports RUSTC/RUSTC_BOOTSTRAP/linker for build-std.
select_wasm_route() {
  WASM_CARGO_ARGS=()
  if [ "${CAREPROMPT_WASM_ROUTE:-auto}" != build-std ] && have_wasm32_std; then
    WASM_ROUTE=installed
    WASM_CARGO=cargo
    return 0
  fi
  [ "${CAREPROMPT_WASM_ROUTE:-auto}" = installed ] && die "CAREPROMPT_WASM_ROUTE=installed but rustc has no wasm32-unknown-unknown std"
  WASM_ROUTE=build-std
  apt_ensure rustc-web cargo-web rust-web-src
  [ -d /usr/lib/rustlib/src/rust/library ] || die "rust-web-src did not install the std source"
  WASM_CARGO=/usr/bin/cargo
  export RUSTC=/usr/bin/rustc
  export RUSTC_BOOTSTRAP=1
  WASM_CARGO_ARGS=(-Zbuild-std=std,panic_abort)
  # rustc-web's own rust-lld is a link to lld-22, which may be absent; then
  # the rust-lld shipped with a rustup toolchain, then any wasm-ld, then
  # Debian's lld-22.
  local linker="" r sysroot host
  if [ -n "${CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER:-}" ]; then
    linker=$CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER
  elif [ -e /usr/bin/rust-lld ] && [ -x "$(readlink -f /usr/bin/rust-lld)" ]; then
    linker=/usr/bin/rust-lld
  else
    for r in "$HOME/.cargo/bin/rustc" "$(command -v rustc || true)"; do
      [ -n "$r" ] && [ -x "$r" ] || continue
      sysroot=$("$r" --print sysroot 2>/dev/null) || continue
      host=$("$r" -vV 2>/dev/null | sed -n 's/^host: //p')
      if [ -x "$sysroot/lib/rustlib/$host/bin/rust-lld" ]; then
        linker="$sysroot/lib/rustlib/$host/bin/rust-lld"
        break
      fi
    done
    if [ -z "$linker" ] && command -v wasm-ld >/dev/null 2>&1; then linker=$(command -v wasm-ld); fi
    if [ -z "$linker" ]; then
      apt_ensure lld-22
      linker=/usr/bin/rust-lld
    fi
  fi
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=$linker
}

# Install wasm-bindgen-cli only when it is missing or not the pinned version.
ensure_wasm_bindgen() {
  local want have
  want=$(wasm_bindgen_pin)
  [ -n "$want" ] || die "could not read the wasm-bindgen pin from $WASM_DIR/Cargo.toml"
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  if [ "$have" != "$want" ]; then
    say "installing wasm-bindgen-cli $want (found: ${have:-none}); this takes several minutes"
    cargo install wasm-bindgen-cli --version "$want" >&2
  fi
  export PATH="$HOME/.cargo/bin:$PATH"
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  [ "$have" = "$want" ] || die "wasm-bindgen $want wanted, found ${have:-none}"
}

ensure_node() {
  command -v node >/dev/null 2>&1 || apt_ensure nodejs npm
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] || die "Node.js 20 or newer needed (found $(node --version))"
  command -v npm >/dev/null 2>&1 || apt_ensure npm
}

# npm ci when node_modules is missing or older than the lock file.
ensure_npm_deps() {
  ensure_node
  if [ ! -d "$WASM_DIR/node_modules/playwright-core" ] || [ ! -d "$WASM_DIR/node_modules/typescript" ] \
     || [ "$WASM_DIR/package-lock.json" -nt "$WASM_DIR/node_modules/.package-lock.json" ]; then
    say "npm ci"
    (cd "$WASM_DIR" && npm ci --no-audit --no-fund >&2)
  fi
}

# binaryen's wasm-opt (Debian's `binaryen`), which build.sh runs on the engine.
ensure_wasm_opt() {
  command -v wasm-opt >/dev/null 2>&1 || apt_ensure binaryen
  command -v wasm-opt >/dev/null 2>&1 || die "no wasm-opt after installing binaryen"
}

ensure_chromium() {
  CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
  [ -x "$CHROMIUM" ] || { apt_ensure chromium; CHROMIUM=/usr/bin/chromium; }
  export CHROMIUM
}
