//! Finding and compiling rules files from the command line.

use std::path::{Path, PathBuf};

use careprompt::{CompileError, CompileOptions, Loader, RuleSet, Source};

/// Reads imported files from disk.
pub struct FsLoader;

impl Loader for FsLoader {
    fn load(&self, path: &str) -> Result<String, String> {
        std::fs::read_to_string(path).map_err(|e| short_io(&e))
    }
}

/// A short, lowercase reason for an I/O error.
pub fn short_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::InvalidData => "the file is not UTF-8 text".into(),
        _ => e.to_string().to_lowercase(),
    }
}

/// Files under `dir` (recursively, sorted) whose names satisfy `keep`,
/// skipping `tests` directories when `skip_tests`.
pub fn files_under(dir: &Path, keep: &dyn Fn(&str) -> bool, skip_tests: bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                // A local pack inside the tree is loaded through its manifest.
                if crate::packs::is_pack(&p) {
                    continue;
                }
                if !(skip_tests && p.file_name().is_some_and(|n| n == "tests")) {
                    stack.push(p);
                }
            } else if p.file_name().and_then(|n| n.to_str()).is_some_and(keep) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The rules files named by `paths` (files, or directories of `.cpr` files).
pub fn rule_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let found = files_under(p, &|n| n.ends_with(".cpr"), true);
            if found.is_empty() {
                return Err(format!(
                    "{}: no `.cpr` rules files in this directory",
                    p.display()
                ));
            }
            out.extend(found);
        } else if p.exists() {
            out.push(p.clone());
        } else {
            return Err(format!("{}: no such rules file or directory", p.display()));
        }
    }
    Ok(out)
}

/// Why rules could not be loaded.
pub enum RulesError {
    /// A file could not be read.
    Io(String),
    /// The rules did not compile.
    Compile(CompileError),
}

/// Compiles the rules at `paths`, or the built-in pack when there are none.
pub fn load(paths: &[PathBuf], overrides: &[(String, String)]) -> Result<RuleSet, RulesError> {
    load_with_schema(paths, overrides, None)
}

/// Like [`load`], with a vendor's whole case-plan schema (file name and
/// JSON Schema text) in place of the built-in one.
pub fn load_with_schema(
    paths: &[PathBuf],
    overrides: &[(String, String)],
    schema: Option<(String, String)>,
) -> Result<RuleSet, RulesError> {
    if paths.is_empty() && schema.is_none() {
        return RuleSet::builtin_with(overrides).map_err(RulesError::Compile);
    }
    if let [one] = paths {
        if crate::packs::is_pack(one) {
            let options = careprompt::PackOptions {
                overrides: overrides.to_vec(),
                schema,
            };
            return crate::packs::read(one, &options).map(careprompt::Pack::into_rule_set);
        }
    }
    let vendor = match schema {
        None => None,
        Some((name, text)) => Some(careprompt::Schema::from_json_schema(&text).map_err(|e| {
            RulesError::Io(format!(
                "{name}: {e} (help: pass a JSON Schema of the subset docs/packs.md describes)"
            ))
        })?),
    };
    let sources = if paths.is_empty() {
        careprompt::builtin_sources()
    } else {
        let mut sources = Vec::new();
        for f in rule_files(paths).map_err(RulesError::Io)? {
            let text = std::fs::read_to_string(&f)
                .map_err(|e| RulesError::Io(format!("{}: {}", f.display(), short_io(&e))))?;
            sources.push(Source::new(f.to_string_lossy().replace('\\', "/"), text));
        }
        sources
    };
    let options = CompileOptions {
        schema: vendor,
        overrides: overrides.to_vec(),
        loader: Some(&FsLoader),
    };
    RuleSet::compile_with(&sources, &options).map_err(RulesError::Compile)
}
