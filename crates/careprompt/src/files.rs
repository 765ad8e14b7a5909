//! Files on disk, for hosts that take paths from their users (the command
//! line, the Python package): the one directory walker (each file once
//! however symbolic links loop, FIFOs and devices skipped and reported as
//! data, extensions matched in any case, local packs inside a tree left to
//! their manifests), the rules files named by paths, and every read bounded
//! before it happens (at most the limit plus one byte is read, so an endless
//! or huge file costs no memory). [`FsLoader`] reads imported rules files
//! through it, [`FixtureLoader`] the files rule tests name.
//!
//! The engine itself reads nothing from disk; this module is for hosts.

use std::collections::HashSet;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::load::{Loader, Source};

/// A file or directory that could not be read, or held too much.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ReadError {
    /// The file or directory, as given.
    pub path: String,
    /// What went wrong, lowercase, with the fix where there is one.
    pub message: String,
}

impl ReadError {
    fn new(path: &Path, message: String) -> ReadError {
        ReadError {
            path: path.display().to_string(),
            message,
        }
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

/// Whether the file name of `path` ends in one of `extensions` (without
/// the dot, lowercase), in any case: `B.JSON` is JSON.
pub fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    path.file_name()
        .is_some_and(|n| name_has_extension(&n.to_string_lossy(), extensions))
}

/// [`has_extension`] on a name; an extension may itself hold dots
/// (`test.toml`), and a name that is only the extension (`.cpr`) has none.
pub fn name_has_extension(name: &str, extensions: &[&str]) -> bool {
    let lower = name.to_lowercase();
    extensions.iter().any(|e| {
        lower
            .strip_suffix(e)
            .is_some_and(|stem| stem.len() > 1 && stem.ends_with('.'))
    })
}

/// The most bytes a file is allowed: a plan's limit for JSON (a rule
/// test's `base`, a schema), else a rules file's.
pub fn limit_for(path: &Path) -> usize {
    if has_extension(path, &["json", "ndjson", "jsonl"]) {
        crate::plan::MAX_PLAN_BYTES
    } else {
        crate::parser::MAX_RULES_BYTES
    }
}

/// Reads at most `limit` bytes of `path`, and one more to tell that it is
/// larger, which is an error naming the file and the limit: an endless
/// file (`/dev/zero`) or a huge one costs no more memory than the limit.
pub fn read_limited(path: &Path, limit: usize) -> Result<Vec<u8>, ReadError> {
    let file = std::fs::File::open(path).map_err(|e| ReadError::new(path, short_io(&e)))?;
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut bytes = Vec::new();
    file.take(cap)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::new(path, short_io(&e)))?;
    if bytes.len() > limit {
        return Err(ReadError::new(
            path,
            format!(
                "the file is larger than {limit} bytes, the limit (help: check that this is the file you meant; split rules into files joined by `import`)"
            ),
        ));
    }
    Ok(bytes)
}

/// [`read_limited`], as UTF-8 text.
pub fn read_text_limited(path: &Path, limit: usize) -> Result<String, ReadError> {
    String::from_utf8(read_limited(path, limit)?)
        .map_err(|_| ReadError::new(path, "the file is not UTF-8 text".to_string()))
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
    if keyword || crate::parser::parse_source(name, &text).is_ok() {
        return Ok(text);
    }
    Err(format!(
        "`{name}` is not a rules file (no `rule`, `define`, `const` or `import` in it), so none of it is shown (help: import only `.cpr` rules files)"
    ))
}

/// Reads imported rules files from disk, up to the rules limit
/// ([`crate::parser::MAX_RULES_BYTES`]), refusing a file that is not rules without
/// showing its text ([`refuse_non_rules`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct FsLoader;

impl Loader for FsLoader {
    fn load(&self, path: &str) -> Result<String, String> {
        let text = read_text_limited(Path::new(path), crate::parser::MAX_RULES_BYTES)
            .map_err(|e| e.message)?;
        refuse_non_rules(path, text)
    }
}

/// Reads the files rule tests name (a `base` plan) from disk, each up to
/// its limit ([`limit_for`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct FixtureLoader;

impl Loader for FixtureLoader {
    fn load(&self, path: &str) -> Result<String, String> {
        let path = Path::new(path);
        read_text_limited(path, limit_for(path)).map_err(|e| e.message)
    }
}

/// Whether `dir` is a local pack's directory (it holds the pack's
/// manifest, `pack.toml`).
pub fn is_pack_dir(dir: &Path) -> bool {
    dir.join(crate::pack::MANIFEST).is_file()
}

/// Why a walk passed over an entry without reading it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// A symbolic link that leads nowhere, or round in a loop.
    BrokenLink,
    /// A FIFO, device or socket: opening a FIFO would wait for ever.
    NotRegular,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SkipReason::BrokenLink => "a broken or looping symbolic link",
            SkipReason::NotRegular => "not a regular file (a FIFO, device or socket)",
        })
    }
}

/// An entry a walk passed over, for the host to report its own way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// The entry, as reached from the walk's directory.
    pub path: PathBuf,
    /// Why it was passed over.
    pub reason: SkipReason,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: skipped, {}", self.path.display(), self.reason)
    }
}

/// What a walk of a directory found.
#[derive(Clone, Debug, Default)]
pub struct Walk {
    /// Regular files whose names were kept, sorted, each once.
    pub files: Vec<PathBuf>,
    /// Regular files whose names were not kept, sorted.
    pub other: Vec<PathBuf>,
    /// Entries passed over (broken or looping links; FIFOs, devices and
    /// sockets whose names were kept), in the order they were met.
    pub skipped: Vec<Skipped>,
}

/// The files under `dir` (recursively, sorted), split by whether their
/// names satisfy `keep`, skipping `tests` directories when `skip_tests` and
/// directories that are local packs (loaded through their manifests).
/// Symbolic links are followed, and every file and directory is visited
/// once however they loop. Anything that is not a regular file or
/// directory is not opened but listed in [`Walk::skipped`].
pub fn walk(dir: &Path, keep: &dyn Fn(&str) -> bool, skip_tests: bool) -> Walk {
    let mut out = Walk::default();
    let mut seen = HashSet::new();
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
            let (Ok(meta), Ok(canonical)) = (std::fs::metadata(&p), std::fs::canonicalize(&p))
            else {
                out.skipped.push(Skipped {
                    path: p,
                    reason: SkipReason::BrokenLink,
                });
                continue;
            };
            if !seen.insert(canonical) {
                // Reached again through a symbolic link: already visited.
                continue;
            }
            let kept = p.file_name().is_some_and(|n| keep(&n.to_string_lossy()));
            if meta.is_dir() {
                if is_pack_dir(&p) {
                    continue;
                }
                if !(skip_tests && p.file_name().is_some_and(|n| n == "tests")) {
                    stack.push(p);
                }
            } else if !meta.is_file() {
                if kept {
                    out.skipped.push(Skipped {
                        path: p,
                        reason: SkipReason::NotRegular,
                    });
                }
            } else if kept {
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

/// The rules files named by `paths`: each file as given, each directory's
/// `.cpr` files in any case ([`walk`], without `tests` directories). What
/// the walks passed over is added to `skipped`, for the host to report,
/// also when the result is an error.
pub fn rule_files(
    paths: &[PathBuf],
    skipped: &mut Vec<Skipped>,
) -> Result<Vec<PathBuf>, ReadError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let found = walk(p, &|n| name_has_extension(n, &["cpr"]), true);
            skipped.extend(found.skipped);
            if found.files.is_empty() {
                return Err(ReadError::new(
                    p,
                    "no `.cpr` rules files in this directory".into(),
                ));
            }
            out.extend(found.files);
        } else if p.exists() {
            out.push(p.clone());
        } else {
            return Err(ReadError::new(p, "no such rules file or directory".into()));
        }
    }
    Ok(out)
}

/// One rules file, read up to the rules limit and refused when it is not
/// rules ([`refuse_non_rules`]), as a source named by its path (with `/`
/// separators).
pub fn read_rules_file(path: &Path) -> Result<Source, ReadError> {
    let name = path.display().to_string();
    let text = read_text_limited(path, crate::parser::MAX_RULES_BYTES)?;
    let text = refuse_non_rules(&name, text).map_err(|m| ReadError::new(path, m))?;
    Ok(Source::new(path.to_string_lossy().replace('\\', "/"), text))
}

/// The rules files named by `paths` ([`rule_files`]), each read by
/// [`read_rules_file`], ready for [`crate::ruleset::RuleSet::compile_with`]. What
/// the walks passed over is added to `skipped`, also on an error.
pub fn read_sources(
    paths: &[PathBuf],
    skipped: &mut Vec<Skipped>,
) -> Result<Vec<Source>, ReadError> {
    rule_files(paths, skipped)?
        .iter()
        .map(|f| read_rules_file(f))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory under the system's temporary directory.
    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("careprompt-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    const RULE: &str = "rule X-01 {}\n";

    #[test]
    fn a_missing_path_is_an_error_naming_it() {
        let err = read_sources(
            &[PathBuf::from("no/such/dir-for-careprompt")],
            &mut Vec::new(),
        )
        .unwrap_err();
        assert_eq!(err.path, "no/such/dir-for-careprompt");
        assert!(err.message.contains("no such rules file"));
    }

    #[test]
    fn a_directory_yields_its_rules_without_tests() {
        let dir = temp_dir("tests");
        std::fs::create_dir_all(dir.join("tests")).unwrap();
        std::fs::write(dir.join("b.cpr"), "rule b").unwrap();
        std::fs::write(dir.join("a.cpr"), "rule a").unwrap();
        std::fs::write(dir.join("notes.md"), "x").unwrap();
        std::fs::write(dir.join("tests/t.cpr"), "rule t").unwrap();
        let got = read_sources(std::slice::from_ref(&dir), &mut Vec::new()).unwrap();
        let texts: Vec<&str> = got.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, ["rule a", "rule b"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_empty_directory_is_an_error() {
        let dir = temp_dir("empty");
        let err = rule_files(std::slice::from_ref(&dir), &mut Vec::new()).unwrap_err();
        assert!(err.message.contains("no `.cpr` rules files"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn extensions_match_in_any_case() {
        let dir = temp_dir("case");
        std::fs::write(dir.join("C.CPR"), RULE).unwrap();
        std::fs::write(dir.join("d.Cpr"), RULE).unwrap();
        std::fs::write(dir.join(".cpr"), RULE).unwrap();
        std::fs::write(dir.join("e.cpr.txt"), RULE).unwrap();
        let got = rule_files(std::slice::from_ref(&dir), &mut Vec::new()).unwrap();
        assert_eq!(got, [dir.join("C.CPR"), dir.join("d.Cpr")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_loop_visits_each_file_once_and_is_reported() {
        use std::os::unix::fs::symlink;
        let dir = temp_dir("loop");
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("a.cpr"), RULE).unwrap();
        std::fs::write(dir.join("sub/b.cpr"), RULE).unwrap();
        symlink(".", dir.join("self")).unwrap();
        symlink("..", dir.join("sub/up")).unwrap();
        symlink("a.cpr", dir.join("same.cpr")).unwrap();
        symlink("loop2", dir.join("loop1")).unwrap();
        symlink("loop1", dir.join("loop2")).unwrap();
        let found = walk(&dir, &|n| name_has_extension(n, &["cpr"]), true);
        // a.cpr and same.cpr are one file: whichever the walk met first.
        assert_eq!(found.files.len(), 2, "{:?}", found.files);
        assert!(found.files.contains(&dir.join("sub/b.cpr")));
        let mut broken: Vec<&Path> = found
            .skipped
            .iter()
            .filter(|s| s.reason == SkipReason::BrokenLink)
            .map(|s| s.path.as_path())
            .collect();
        broken.sort();
        assert_eq!(broken, [dir.join("loop1"), dir.join("loop2")]);
        let shown = found.skipped.first().unwrap().to_string();
        assert!(
            shown.ends_with("`: skipped, a broken or looping symbolic link"),
            "{shown}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_not_opened_but_reported() {
        let dir = temp_dir("device");
        if !Path::new("/dev/null").exists() || !Path::new("/dev/zero").exists() {
            return;
        }
        std::fs::write(dir.join("a.cpr"), RULE).unwrap();
        std::os::unix::fs::symlink("/dev/null", dir.join("null.cpr")).unwrap();
        // Not a rules file's name: passed over without a word.
        std::os::unix::fs::symlink("/dev/zero", dir.join("zero.txt")).unwrap();
        let found = walk(&dir, &|n| name_has_extension(n, &["cpr"]), true);
        assert_eq!(found.files, [dir.join("a.cpr")]);
        assert_eq!(
            found.skipped,
            [Skipped {
                path: dir.join("null.cpr"),
                reason: SkipReason::NotRegular
            }]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_local_pack_inside_a_tree_is_left_to_its_manifest() {
        let dir = temp_dir("pack");
        std::fs::create_dir_all(dir.join("local")).unwrap();
        std::fs::write(dir.join("local").join(crate::pack::MANIFEST), "").unwrap();
        std::fs::write(dir.join("local/l.cpr"), RULE).unwrap();
        std::fs::write(dir.join("a.cpr"), RULE).unwrap();
        let got = rule_files(std::slice::from_ref(&dir), &mut Vec::new()).unwrap();
        assert_eq!(got, [dir.join("a.cpr")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_read_over_the_limit_is_an_error_naming_the_file_and_the_limit() {
        let dir = temp_dir("limit");
        let big = dir.join("big.cpr");
        // Sparse: a gigabyte on paper, nothing on disk.
        std::fs::File::create(&big)
            .unwrap()
            .set_len(1 << 30)
            .unwrap();
        let err = read_limited(&big, 1000).unwrap_err();
        assert_eq!(err.path, big.display().to_string());
        assert!(err.message.contains("larger than 1000 bytes"), "{err}");
        // Exactly the limit is allowed.
        std::fs::write(dir.join("fits.cpr"), [b'x'; 1000]).unwrap();
        assert_eq!(
            read_limited(&dir.join("fits.cpr"), 1000).unwrap().len(),
            1000
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn an_import_of_an_endless_file_fails_naming_it_and_the_limit() {
        // A read of the whole of /dev/zero would never end.
        if !Path::new("/dev/zero").exists() {
            return;
        }
        let dir = temp_dir("zero");
        std::os::unix::fs::symlink("/dev/zero", dir.join("zero.cpr")).unwrap();
        let err = FsLoader
            .load(&dir.join("zero.cpr").to_string_lossy())
            .unwrap_err();
        assert!(
            err.contains(&format!(
                "larger than {} bytes",
                crate::parser::MAX_RULES_BYTES
            )),
            "{err}"
        );
        let main = dir.join("main.cpr");
        std::fs::write(&main, "import \"zero.cpr\"\n").unwrap();
        let sources = read_sources(&[main], &mut Vec::new()).unwrap();
        let options = crate::ruleset::CompileOptions {
            loader: Some(&FsLoader),
            ..crate::ruleset::CompileOptions::default()
        };
        let err = crate::ruleset::RuleSet::compile_with(&sources, &options).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("cannot import `zero.cpr`"), "{text}");
        assert!(
            text.contains(&format!(
                "larger than {} bytes",
                crate::parser::MAX_RULES_BYTES
            )),
            "{text}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_that_is_not_rules_is_refused_without_being_shown() {
        let dir = temp_dir("notrules");
        let f = dir.join("secret.cpr");
        std::fs::write(&f, "name: Jo Bloggs\n").unwrap();
        let err = read_sources(std::slice::from_ref(&f), &mut Vec::new()).unwrap_err();
        assert!(err.message.contains("is not a rules file"), "{err}");
        assert!(!err.to_string().contains("Bloggs"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn fixtures_are_read_up_to_their_own_limit() {
        assert_eq!(limit_for(Path::new("b.JSON")), crate::plan::MAX_PLAN_BYTES);
        assert_eq!(
            limit_for(Path::new("x.cpr")),
            crate::parser::MAX_RULES_BYTES
        );
        let dir = temp_dir("fixture");
        let f = dir.join("base.json");
        std::fs::File::create(&f)
            .unwrap()
            .set_len(crate::plan::MAX_PLAN_BYTES as u64 + 1)
            .unwrap();
        let err = FixtureLoader.load(&f.to_string_lossy()).unwrap_err();
        assert!(err.contains(&format!(
            "larger than {} bytes",
            crate::plan::MAX_PLAN_BYTES
        )));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
