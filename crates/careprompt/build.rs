//! Embeds the built-in rule pack (and its tests, for the browser
//! playground) from `pack/jtai-childrens-mental-health/`, inside this
//! crate so that the published package carries it. A missing or empty
//! pack, or a missing schema, fails the build: an engine without its rules
//! would report every plan as clear of every prompt.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

// The library's own SHA-256 and part framing (`provenance::ContentHash`),
// so the hash made here is the one the library makes at run time.
#[path = "src/sha256.rs"]
mod sha256;

fn collect(dir: &Path, base: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, base, out);
        } else if let Ok(rel) = p.strip_prefix(base) {
            let rel = rel.to_string_lossy().replace('\\', "/");
            out.push((rel, p));
        }
    }
}

/// Stops the build with `message` (cargo shows build-script errors).
fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let rules = manifest.join("pack");
    let pack = rules.join("jtai-childrens-mental-health");
    let schema = manifest.join("schema/case-plan.schema.json");
    println!("cargo:rerun-if-changed={}", pack.display());
    println!("cargo:rerun-if-changed={}", schema.display());
    if !schema.is_file() {
        fail(&format!(
            "the case-plan schema is missing: expected {} (it is embedded in the engine)",
            schema.display()
        ));
    }
    if !pack.is_dir() {
        fail(&format!(
            "the built-in rule pack is missing: expected the directory {} (it is embedded in the engine)",
            pack.display()
        ));
    }
    let mut files = Vec::new();
    collect(&pack, &rules, &mut files);
    if !files
        .iter()
        .any(|(r, _)| r.ends_with(".cpr") && !r.contains("/tests/"))
    {
        fail(&format!(
            "the built-in rule pack at {} holds no `.cpr` rules files",
            pack.display()
        ));
    }
    let mut code = String::from("/// The built-in pack's rules files: (name, text).\npub const PACK_RULES: &[(&str, &str)] = &[\n");
    for (rel, path) in files
        .iter()
        .filter(|(r, _)| r.ends_with(".cpr") && !r.contains("/tests/"))
    {
        println!("cargo:rerun-if-changed={}", path.display());
        let _ = writeln!(
            code,
            "    ({rel:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    // The content hash of the built-in pack, worked out here once rather
    // than at every compile (a quarter of compiling the pack): the same
    // parts, in the same order, as `ruleset::identity` feeds the hash, the
    // rules files then the built-in schema. A test checks it against the
    // hash the library computes.
    let mut hash = sha256::ContentHash::new();
    for (rel, path) in files
        .iter()
        .filter(|(r, _)| r.ends_with(".cpr") && !r.contains("/tests/"))
    {
        let text = std::fs::read(path)
            .unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", path.display())));
        hash.part("rules", rel, &text);
    }
    let schema_text = std::fs::read(&schema)
        .unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", schema.display())));
    hash.part("schema", "", &schema_text);
    let _ = writeln!(
        code,
        "];\n/// The content hash of the rules files above and the built-in schema.\npub const PACK_HASH: &str = {:?};",
        hash.finish()
    );
    code.push_str("/// The built-in pack's rule tests and fixtures: (name, text).\npub const PACK_TESTS: &[(&str, &str)] = &[\n");
    for (rel, path) in files.iter().filter(|(r, _)| r.contains("/tests/")) {
        println!("cargo:rerun-if-changed={}", path.display());
        let _ = writeln!(
            code,
            "    ({rel:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("pack.rs");
    if let Err(e) = std::fs::write(&out, code) {
        fail(&format!("cannot write {}: {e}", out.display()));
    }
}
