//! Finding and compiling rules files from the command line.

use std::path::{Path, PathBuf};

use careprompt::{CompileError, CompileOptions, RuleSet};

/// Reads files named in rule tests (a `base` plan) from disk, each up to
/// its limit: the library's, one implementation for every host.
pub use careprompt::files::FixtureLoader as FsLoader;
/// Reads imported rules files from disk, up to the rules limit, refusing a
/// file that is not rules without showing its text.
pub use careprompt::files::FsLoader as RulesLoader;
pub use careprompt::files::{has_extension, limit_for, name_has_extension, short_io, Walk};

/// Reads at most `limit` bytes of `path` (one more, to tell that it is
/// larger; [`careprompt::files::read_limited`]); the error does not repeat
/// the path, which callers give their own way.
pub fn read_limited(path: &Path, limit: usize) -> Result<Vec<u8>, String> {
    careprompt::files::read_limited(path, limit).map_err(|e| e.message)
}

/// [`read_limited`], as UTF-8 text.
pub fn read_text_limited(path: &Path, limit: usize) -> Result<String, String> {
    careprompt::files::read_text_limited(path, limit).map_err(|e| e.message)
}

/// Prints a warning for each entry a walk passed over.
fn warn_skipped(skipped: &[careprompt::files::Skipped]) {
    for s in skipped {
        crate::console::eprint_warning(&format!(
            "`{}`: skipped, {}",
            crate::console::escaped(&s.path.display().to_string()),
            s.reason
        ));
    }
}

/// Files under `dir` (recursively, sorted) whose names satisfy `keep`
/// ([`careprompt::files::walk`]), with a warning for each entry passed over.
pub fn files_under(dir: &Path, keep: &dyn Fn(&str) -> bool, skip_tests: bool) -> Vec<PathBuf> {
    walk(dir, keep, skip_tests).files
}

/// [`files_under`], with the regular files that were not kept.
pub fn walk(dir: &Path, keep: &dyn Fn(&str) -> bool, skip_tests: bool) -> Walk {
    let found = careprompt::files::walk(dir, keep, skip_tests);
    warn_skipped(&found.skipped);
    found
}

/// The rules files named by `paths` (files, or directories of `.cpr`
/// files; [`careprompt::files::rule_files`]), with a warning for each entry
/// passed over.
pub fn rule_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut skipped = Vec::new();
    let found = careprompt::files::rule_files(paths, &mut skipped);
    warn_skipped(&skipped);
    found.map_err(|e| e.to_string())
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
            sources.push(
                careprompt::files::read_rules_file(&f)
                    .map_err(|e| RulesError::Io(e.to_string()))?,
            );
        }
        sources
    };
    let options = CompileOptions {
        schema: vendor,
        overrides: overrides.to_vec(),
        loader: Some(&RulesLoader),
    };
    RuleSet::compile_with(&sources, &options).map_err(RulesError::Compile)
}

/// Writes `text` to `path` through a temporary file beside it and a
/// rename, so that a full disk or a crash leaves any old file whole. A
/// symbolic link is followed (its target is rewritten, the link kept) and
/// an existing file keeps its permissions.
pub fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let existing = std::fs::canonicalize(path).ok();
    let target = existing.clone().unwrap_or_else(|| path.to_path_buf());
    let permissions = match &existing {
        Some(t) => Some(std::fs::metadata(t)?.permissions()),
        None => None,
    };
    careprompt_import::atomic::write_file_atomic(&target, |w| {
        std::io::Write::write_all(w, text.as_bytes())
    })?;
    match permissions {
        Some(p) => std::fs::set_permissions(&target, p),
        None => Ok(()),
    }
}
