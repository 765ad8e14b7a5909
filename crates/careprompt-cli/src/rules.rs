//! Finding and compiling rules files from the command line.

use std::path::{Path, PathBuf};

use careprompt::{CompileError, CompileOptions, Loader, RuleSet, Source};

/// Reads files named in rule tests (a `base` plan) from disk, each up to
/// its limit.
pub struct FsLoader;

/// Reads imported rules files from disk, up to the rules limit, refusing a
/// file that is not rules without showing its text.
pub struct RulesLoader;

impl Loader for RulesLoader {
    fn load(&self, path: &str) -> Result<String, String> {
        let text = read_text_limited(Path::new(path), careprompt::MAX_RULES_BYTES)?;
        refuse_non_rules(path, text)
    }
}

/// `text` if it is rules, else an error that names the file and does not
/// quote it: a syntax error in `/etc/passwd` or in a plan would otherwise
/// show a line of it (a password entry, a child's name). A file is taken
/// for rules when it parses, or when some line starts with `rule`,
/// `define`, `const` or `import` (then its syntax errors are shown, as for
/// any rules file being written).
pub fn refuse_non_rules(name: &str, text: String) -> Result<String, String> {
    let keyword = text.lines().any(|l| {
        let l = l.trim_start();
        ["rule", "define", "const", "import"].iter().any(|k| {
            l.strip_prefix(k)
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_whitespace()))
        })
    });
    if keyword || careprompt::parse_source(name, &text).is_ok() {
        return Ok(text);
    }
    Err(format!(
        "`{name}` is not a rules file (no `rule`, `define`, `const` or `import` in it), so none of it is shown (help: import only `.cpr` rules files)"
    ))
}

impl Loader for FsLoader {
    fn load(&self, path: &str) -> Result<String, String> {
        let path = Path::new(path);
        read_text_limited(path, limit_for(path))
    }
}

/// The most bytes a file is allowed: a plan's limit for JSON (a rule
/// test's `base`, a schema), else a rules file's.
pub fn limit_for(path: &Path) -> usize {
    if has_extension(path, &["json", "ndjson", "jsonl"]) {
        careprompt::MAX_PLAN_BYTES
    } else {
        careprompt::MAX_RULES_BYTES
    }
}

/// Whether the file name of `path` ends in one of `extensions` (without
/// the dot, lowercase), in any case: `B.JSON` is JSON.
pub fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    path.file_name()
        .is_some_and(|n| name_has_extension(&n.to_string_lossy(), extensions))
}

/// [`has_extension`] on a name; an extension may itself hold dots
/// (`test.toml`).
pub fn name_has_extension(name: &str, extensions: &[&str]) -> bool {
    let lower = name.to_lowercase();
    extensions.iter().any(|e| {
        lower
            .strip_suffix(e)
            .is_some_and(|stem| stem.len() > 1 && stem.ends_with('.'))
    })
}

/// Reads at most `limit` bytes of `path` (one more, to tell that it is
/// larger): an endless file (`/dev/zero`) or a huge one costs no memory.
pub fn read_limited(path: &Path, limit: usize) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| short_io(&e))?;
    let mut bytes = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    file.take(cap)
        .read_to_end(&mut bytes)
        .map_err(|e| short_io(&e))?;
    if bytes.len() > limit {
        return Err(format!(
            "the file is larger than {limit} bytes, the limit (help: check that this is the file you meant; split rules into files joined by `import`)"
        ));
    }
    Ok(bytes)
}

/// [`read_limited`], as UTF-8 text.
pub fn read_text_limited(path: &Path, limit: usize) -> Result<String, String> {
    String::from_utf8(read_limited(path, limit)?)
        .map_err(|_| "the file is not UTF-8 text".to_string())
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

/// What a walk of a directory found.
#[derive(Default)]
pub struct Walk {
    /// Regular files whose names were kept, sorted, each once.
    pub files: Vec<PathBuf>,
    /// Regular files whose names were not kept.
    pub other: Vec<PathBuf>,
}

/// Files under `dir` (recursively, sorted) whose names satisfy `keep`,
/// skipping `tests` directories when `skip_tests`. Anything that is not a
/// regular file or directory (a FIFO, a device, a socket, a broken link) is
/// skipped with a warning, since opening a FIFO would wait for ever; every
/// file and directory is visited once however symbolic links loop.
pub fn files_under(dir: &Path, keep: &dyn Fn(&str) -> bool, skip_tests: bool) -> Vec<PathBuf> {
    walk(dir, keep, skip_tests).files
}

/// [`files_under`], with the regular files that were not kept.
pub fn walk(dir: &Path, keep: &dyn Fn(&str) -> bool, skip_tests: bool) -> Walk {
    let mut out = Walk::default();
    let mut seen = std::collections::HashSet::new();
    if let Ok(c) = std::fs::canonicalize(dir) {
        seen.insert(c);
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            // Follows symbolic links; a loop or a broken link is an error.
            let meta = std::fs::metadata(&p);
            let canonical = std::fs::canonicalize(&p);
            let (Ok(meta), Ok(canonical)) = (meta, canonical) else {
                crate::console::eprint_warning(&format!(
                    "`{}`: skipped, a broken or looping symbolic link",
                    crate::console::escaped(&p.display().to_string())
                ));
                continue;
            };
            if !seen.insert(canonical) {
                // Reached again through a symbolic link: already visited.
                continue;
            }
            if meta.is_dir() {
                // A local pack inside the tree is loaded through its manifest.
                if crate::packs::is_pack(&p) {
                    continue;
                }
                if !(skip_tests && p.file_name().is_some_and(|n| n == "tests")) {
                    stack.push(p);
                }
            } else if !meta.is_file() {
                if p.file_name().is_some_and(|n| keep(&n.to_string_lossy())) {
                    crate::console::eprint_warning(&format!(
                        "`{}`: skipped, not a regular file (a FIFO, device or socket)",
                        crate::console::escaped(&p.display().to_string())
                    ));
                }
            } else if p.file_name().is_some_and(|n| keep(&n.to_string_lossy())) {
                out.files.push(p);
            } else {
                out.other.push(p);
            }
        }
    }
    out.files.sort();
    out.other.sort();
    out
}

/// The rules files named by `paths` (files, or directories of `.cpr` files).
pub fn rule_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let found = files_under(p, &|n| name_has_extension(n, &["cpr"]), true);
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
            let name = f.display().to_string();
            let text = read_text_limited(&f, careprompt::MAX_RULES_BYTES)
                .and_then(|t| refuse_non_rules(&name, t))
                .map_err(|e| RulesError::Io(format!("{name}: {e}")))?;
            sources.push(Source::new(f.to_string_lossy().replace('\\', "/"), text));
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
