//! Embeds the built-in rule pack (and its tests, for the browser
//! playground) from `pack/jtai-childrens-mental-health/`, inside this
//! crate so that the published package carries it. A missing or empty
//! pack, or a missing schema, fails the build: an engine without its rules
//! would report every plan as clear of every prompt.
//!
//! For a wasm32 target it also generates the rules parser from
//! `src/grammar.pest` (see `rules_parser` below); every other target takes
//! it from `#[derive(pest_derive::Parser)]` in `src/parser.rs`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use proc_macro2::{Delimiter, Group, Punct, Spacing, TokenStream, TokenTree};

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

/// The `ParserState` methods whose calls in the generated code go through
/// `crate::parser::erased` instead (see there).
const ERASED: &[&str] = &[
    "rule",
    "sequence",
    "atomic",
    "lookahead",
    "repeat",
    "optional",
    "match_string",
    "match_range",
    "skip_until",
];

/// Rewrites generated code (at any depth): the `#[inline]` attributes
/// dropped, and each call `state.METHOD(ARGS)` of a method in `ERASED`
/// into `crate::parser::erased::METHOD(state, ARGS)`.
fn rewrite(tokens: TokenStream) -> TokenStream {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while let Some(tt) = tokens.get(i) {
        if let (
            TokenTree::Ident(recv),
            Some(TokenTree::Punct(dot)),
            Some(TokenTree::Ident(method)),
            Some(TokenTree::Group(args)),
        ) = (tt, tokens.get(i + 1), tokens.get(i + 2), tokens.get(i + 3))
        {
            let name = method.to_string();
            if recv == "state"
                && dot.as_char() == '.'
                && args.delimiter() == Delimiter::Parenthesis
                && ERASED.contains(&name.as_str())
            {
                let path: TokenStream = format!("crate::parser::erased::{name}")
                    .parse()
                    .unwrap_or_default();
                out.extend(path);
                let mut inner: Vec<TokenTree> = vec![
                    TokenTree::Ident(recv.clone()),
                    TokenTree::Punct(Punct::new(',', Spacing::Alone)),
                ];
                inner.extend(rewrite(args.stream()));
                let mut g = Group::new(Delimiter::Parenthesis, inner.into_iter().collect());
                g.set_span(args.span());
                out.push(TokenTree::Group(g));
                i += 4;
                continue;
            }
        }
        i += 1;
        match tt {
            TokenTree::Punct(p) if p.as_char() == '#' => {
                let inline = matches!(
                    tokens.get(i),
                    Some(TokenTree::Group(g))
                        if g.delimiter() == Delimiter::Bracket
                            && g.stream().to_string().trim() == "inline"
                );
                if inline {
                    i += 1;
                } else {
                    out.push(tt.clone());
                }
            }
            TokenTree::Group(g) => {
                let mut ng = Group::new(g.delimiter(), rewrite(g.stream()));
                ng.set_span(g.span());
                out.push(TokenTree::Group(ng));
            }
            other => out.push(other.clone()),
        }
    }
    out.into_iter().collect()
}

/// The rules parser for a wasm32 target: what `#[derive(pest_derive::Parser)]`
/// generates from the same grammar (the same pest_generator), written to
/// `OUT_DIR/rules_parser.rs` for `src/parser.rs` to include, with pest's
/// combinator calls routed through `parser::erased` (and the rule
/// functions' `#[inline]` dropped). The combinators are generic and
/// `#[inline]`, so the derive's code holds a copy of each one's body at
/// every use: half of the parser's 246 KB of code in the package's
/// `.wasm`, for a parser that runs once per compile. Other targets keep the
/// derive, unchanged.
fn rules_parser(manifest: &Path) {
    println!("cargo::rustc-check-cfg=cfg(careprompt_generated_parser)");
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() != Ok("wasm32") {
        return;
    }
    let grammar = manifest.join("src/grammar.pest");
    println!("cargo:rerun-if-changed={}", grammar.display());
    let input: TokenStream = match "#[grammar = \"src/grammar.pest\"] struct RulesParser;".parse() {
        Ok(t) => t,
        Err(e) => fail(&format!("cannot tokenise the parser's declaration: {e}")),
    };
    let code = rewrite(pest_generator::derive_parser(input, false));
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("rules_parser.rs");
    if let Err(e) = std::fs::write(&out, code.to_string()) {
        fail(&format!("cannot write {}: {e}", out.display()));
    }
    println!("cargo:rustc-cfg=careprompt_generated_parser");
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    rules_parser(&manifest);
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
