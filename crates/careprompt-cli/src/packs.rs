//! Local packs on the command line: reading a pack (a directory holding
//! `pack.toml`, the manifest itself, or a bundle), `careprompt pack`
//! (what a pack is made of, and `--bundle OUT`), and the merged schema
//! that `careprompt schema --rules PACK` prints.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use careprompt::{Pack, PackOptions};

use crate::console::{eprint_error, report_rules_error};
use crate::exit::Exit;
use crate::rules::{short_io, RulesError};

/// Whether `path` names a pack: a directory holding `pack.toml`, a
/// `pack.toml`, or a bundle (`.json`).
pub fn is_pack(path: &Path) -> bool {
    if path.is_dir() {
        return path.join(careprompt::pack::MANIFEST).is_file();
    }
    path.file_name()
        .is_some_and(|n| n == careprompt::pack::MANIFEST)
        || path.extension().is_some_and(|e| e == "json")
}

fn read_dir_files(dir: &Path) -> Result<BTreeMap<String, String>, RulesError> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d)
            .map_err(|e| RulesError::Io(format!("{}: {}", d.display(), short_io(&e))))?;
        for e in entries.flatten() {
            let p = e.path();
            let hidden = p
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if hidden {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let Ok(rel) = p.strip_prefix(dir) else {
                continue;
            };
            let rel = rel.to_string_lossy().replace('\\', "/");
            let text = crate::rules::read_text_limited(&p, crate::rules::limit_for(&p))
                .map_err(|e| RulesError::Io(format!("{}: {e}", p.display())))?;
            out.insert(rel, text);
        }
    }
    Ok(out)
}

/// The most bytes read of a pack bundle (its rules files, tests and
/// schema together).
const MAX_BUNDLE_BYTES: usize = 64 * 1024 * 1024;

/// Reads and compiles the pack at `path`.
pub fn read(path: &Path, options: &PackOptions) -> Result<Pack, RulesError> {
    let is_bundle = !path.is_dir() && path.extension().is_some_and(|e| e == "json");
    if is_bundle {
        let name = path.to_string_lossy().replace('\\', "/");
        let text = crate::rules::read_text_limited(path, MAX_BUNDLE_BYTES)
            .map_err(|e| RulesError::Io(format!("{name}: {e}")))?;
        return Pack::from_bundle(&name, &text, options).map_err(RulesError::Compile);
    }
    let dir = if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().map(PathBuf::from).unwrap_or_default()
    };
    let files = read_dir_files(&dir)?;
    let mut root = dir.to_string_lossy().replace('\\', "/");
    if !root.is_empty() && !root.ends_with('/') {
        root.push('/');
    }
    Pack::from_files(&root, files, options).map_err(RulesError::Compile)
}

/// The text `careprompt pack` prints: what the pack is made of.
pub fn describe(pack: &Pack) -> String {
    let mut out = String::new();
    let info = pack.info();
    let _ = writeln!(out, "pack     {} {}", pack.name, pack.version);
    if let Some(d) = &pack.description {
        let _ = writeln!(out, "about    {d}");
    }
    if let Some(e) = &pack.extends {
        let _ = writeln!(out, "extends  {e}");
    }
    if let Some(e) = &pack.engine {
        let _ = writeln!(
            out,
            "engine   {e} (this is careprompt {})",
            careprompt::VERSION
        );
    }
    let _ = writeln!(out, "hash     {}", info.hash);
    for a in &pack.authors {
        let _ = writeln!(out, "author   {a}");
    }
    for l in &pack.learning {
        let _ = writeln!(out, "learning {}", l.title);
        for s in &l.sections {
            let _ = writeln!(out, "           section: {s}");
        }
        if let Some(p) = &l.published {
            let _ = writeln!(out, "           published: {p}");
        }
    }
    let _ = writeln!(out, "\nfiles");
    for f in pack.files.keys() {
        let _ = writeln!(out, "  {f}");
    }
    let _ = writeln!(out, "\nrules ({})", pack.rule_set().rules().len());
    for r in pack.rule_set().rules() {
        let _ = writeln!(out, "  {:<12} {} ({})", r.text.id, r.text.title, r.file);
    }
    let _ = writeln!(out, "\noverridden constants ({})", info.overrides.len());
    for o in &info.overrides {
        let _ = writeln!(out, "  {} = {} (declared {})", o.name, o.value, o.declared);
    }
    let _ = writeln!(out, "\ndisabled rules ({})", info.disabled.len());
    for d in &info.disabled {
        let _ = writeln!(out, "  {}: {}", d.rule, d.reason);
    }
    let _ = writeln!(out, "\nextension fields ({})", pack.extensions.len());
    for f in &pack.extensions {
        let ty = match (&f.items, &f.values) {
            (Some(i), _) => format!("list of {i}"),
            (None, Some(v)) => format!("{} ({})", f.ty, v.join(", ")),
            _ => f.ty.clone(),
        };
        let _ = writeln!(out, "  {}: {ty}, none recorded as {}", f.path, f.none);
        let _ = writeln!(out, "    {}", f.description);
    }
    out
}

/// What `careprompt pack --format json` prints.
pub fn describe_json(pack: &Pack) -> String {
    let rules: Vec<String> = pack
        .rule_set()
        .rules()
        .into_iter()
        .map(|r| r.text.id.clone())
        .collect();
    let v = serde_json::json!({
        "name": pack.name,
        "version": pack.version,
        "description": pack.description,
        "extends": pack.extends,
        "engine": pack.engine,
        "authors": pack.authors,
        "learning": pack.learning,
        "files": pack.files.keys().collect::<Vec<_>>(),
        "rules": rules,
        "identity": pack.info(),
        "extensions": pack.extensions,
    });
    format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
}

/// Writes the bundle without destroying an earlier one if the write fails:
/// to a temporary file beside `out`, then renamed over it.
pub fn write_bundle(pack: &Pack, out: &Path) -> Result<(), String> {
    let tmp = out.with_extension("json.partial");
    std::fs::write(&tmp, pack.to_bundle())
        .and_then(|()| std::fs::rename(&tmp, out))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            format!("{}: {}", out.display(), short_io(&e))
        })
}

/// Renders a pack's test run for the terminal.
pub fn render_tests(run: &careprompt::pack::PackTestRun) -> String {
    let mut out = String::new();
    if let Some(b) = &run.base {
        let _ = writeln!(
            out,
            "\n{} tests under this pack: {} passed, {} failed; {} outcome(s) changed by the pack, {} expectation(s) of disabled rules set aside",
            b.pack,
            b.passed,
            b.failed,
            b.changed.len(),
            b.disabled_expectations
        );
        for c in &b.changed {
            let _ = writeln!(
                out,
                "  changed  {} in \"{}\": {} under the base pack, {} under this pack",
                c.rule, c.case, c.base, c.pack
            );
        }
        for f in &b.failures {
            let _ = writeln!(out, "  FAIL     {} \"{}\"", f.file, f.case);
            if let Some(e) = &f.error {
                let _ = writeln!(out, "           {e}");
            }
            for x in &f.failures {
                let _ = writeln!(
                    out,
                    "           {}: expected {}, got {}",
                    x.rule, x.expected, x.actual
                );
            }
        }
    }
    out
}

/// Pack options from a `--schema FILE` (a vendor's whole schema), or the
/// exit code after saying why the file cannot be read.
pub fn options(schema: Option<&Path>) -> Result<PackOptions, Exit> {
    let schema = match schema {
        None => None,
        Some(p) => match crate::rules::read_text_limited(p, careprompt::MAX_PLAN_BYTES) {
            Ok(t) => Some((p.to_string_lossy().replace('\\', "/"), t)),
            Err(e) => {
                eprint_error(&format!("{}: {e}", p.display()));
                return Err(Exit::Error);
            }
        },
    };
    Ok(PackOptions {
        overrides: Vec::new(),
        schema,
    })
}

/// Reads the pack at `path`, or says why it cannot be read and gives the
/// exit code.
pub fn read_reported(path: &Path, options: &PackOptions) -> Result<Pack, Exit> {
    read(path, options).map_err(report_rules_error)
}
