//! Writing SSD plans as they are built: a directory of `<child>.json`
//! files, or one NDJSON file when the output ends in `.ndjson` or `.jsonl`,
//! with the import log beside it. Everything is written under a temporary
//! name first and moved into place only when the import has finished, so a
//! failed import leaves the previous output (and log) as they were.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};

use crate::{file_stem_for, log_path, ImportLog};

/// The plans or the log could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{path}`: {message}")]
pub struct OutputError {
    /// The file or directory.
    pub path: String,
    /// What went wrong, and the fix.
    pub message: String,
}

fn oerr(path: &Path, e: &dyn std::fmt::Display) -> OutputError {
    OutputError {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

fn is_ndjson(out: &Path) -> bool {
    out.extension()
        .is_some_and(|e| e == "ndjson" || e == "jsonl")
}

/// A plan writer that commits at the end.
#[derive(Debug)]
pub(crate) struct Writer {
    out: PathBuf,
    log: PathBuf,
    tmp: PathBuf,
    ndjson: Option<BufWriter<File>>,
    /// The output directory existed with files in it (`--force`).
    merge_into_existing: bool,
    used: BTreeSet<String>,
    committed: bool,
    /// Plans written.
    pub count: u64,
}

impl Writer {
    /// Checks that `out` can be written (unless `force`, a directory must
    /// be empty or new and an NDJSON file must not exist), and opens the
    /// temporary output beside it.
    pub fn begin(out: &Path, force: bool) -> Result<Writer, OutputError> {
        let log = log_path(out).ok_or_else(|| OutputError {
            path: out.display().to_string(),
            message: "give --out a directory or a file ending in .ndjson".into(),
        })?;
        let parent = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(|e| oerr(parent, &e))?;
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let tmp = parent.join(format!(".{name}.partial-{}", std::process::id()));
        let mut merge_into_existing = false;
        let ndjson = if is_ndjson(out) {
            if out.exists() && !force {
                return Err(OutputError {
                    path: out.display().to_string(),
                    message: "already exists (pass --force to replace it)".into(),
                });
            }
            let f = File::create(&tmp).map_err(|e| oerr(&tmp, &e))?;
            Some(BufWriter::with_capacity(1 << 16, f))
        } else {
            if out.is_dir() {
                let mut entries = std::fs::read_dir(out).map_err(|e| oerr(out, &e))?;
                if entries.next().is_some() {
                    if !force {
                        return Err(OutputError {
                            path: out.display().to_string(),
                            message: "the directory is not empty (choose a new one, or pass --force to write into it)".into(),
                        });
                    }
                    merge_into_existing = true;
                }
            } else if out.exists() {
                return Err(OutputError {
                    path: out.display().to_string(),
                    message: "exists and is not a directory (give a directory, or a file ending in .ndjson)".into(),
                });
            }
            if tmp.exists() {
                std::fs::remove_dir_all(&tmp).map_err(|e| oerr(&tmp, &e))?;
            }
            std::fs::create_dir(&tmp).map_err(|e| oerr(&tmp, &e))?;
            None
        };
        Ok(Writer {
            out: out.to_path_buf(),
            log,
            tmp,
            ndjson,
            merge_into_existing,
            used: BTreeSet::new(),
            committed: false,
            count: 0,
        })
    }

    /// Writes the plan of child `id`: `line` is its one-line JSON, `pretty`
    /// makes the pretty form for a directory output. Returns the file name
    /// when it differs from the id.
    pub fn write(
        &mut self,
        id: &str,
        value: &serde_json::Value,
    ) -> Result<Option<String>, OutputError> {
        self.count += 1;
        if let Some(w) = self.ndjson.as_mut() {
            serde_json::to_writer(&mut *w, value).map_err(|e| oerr(&self.tmp, &e))?;
            w.write_all(b"\n").map_err(|e| oerr(&self.tmp, &e))?;
            return Ok(None);
        }
        let base = file_stem_for(id);
        let mut stem = base.clone();
        let mut n = 2;
        while !self.used.insert(stem.to_ascii_lowercase()) {
            stem = format!("{base}-{n}");
            n += 1;
        }
        let path = self.tmp.join(format!("{stem}.json"));
        let mut text = serde_json::to_string_pretty(value).map_err(|e| oerr(&path, &e))?;
        text.push('\n');
        std::fs::write(&path, text).map_err(|e| oerr(&path, &e))?;
        Ok((stem != id).then(|| format!("{stem}.json")))
    }

    /// Moves the plans into place and writes the log; returns the log's path.
    pub fn commit(mut self, log: &mut ImportLog) -> Result<PathBuf, OutputError> {
        log.out = Some(self.out.display().to_string());
        log.plans = self.count;
        if let Some(mut w) = self.ndjson.take() {
            w.flush().map_err(|e| oerr(&self.tmp, &e))?;
            drop(w);
        }
        let log_tmp = self.tmp.with_extension("log-partial");
        std::fs::write(&log_tmp, log.to_json() + "\n").map_err(|e| oerr(&log_tmp, &e))?;
        if is_ndjson(&self.out) {
            std::fs::rename(&self.tmp, &self.out).map_err(|e| oerr(&self.out, &e))?;
        } else if self.merge_into_existing {
            let entries = std::fs::read_dir(&self.tmp).map_err(|e| oerr(&self.tmp, &e))?;
            for entry in entries {
                let entry = entry.map_err(|e| oerr(&self.tmp, &e))?;
                let to = self.out.join(entry.file_name());
                std::fs::rename(entry.path(), &to).map_err(|e| oerr(&to, &e))?;
            }
            std::fs::remove_dir(&self.tmp).map_err(|e| oerr(&self.tmp, &e))?;
        } else {
            if self.out.is_dir() {
                std::fs::remove_dir(&self.out).map_err(|e| oerr(&self.out, &e))?;
            }
            std::fs::rename(&self.tmp, &self.out).map_err(|e| oerr(&self.out, &e))?;
        }
        std::fs::rename(&log_tmp, &self.log).map_err(|e| oerr(&self.log, &e))?;
        self.committed = true;
        Ok(self.log.clone())
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        if !self.committed {
            self.ndjson = None;
            if self.tmp.is_dir() {
                let _ = std::fs::remove_dir_all(&self.tmp);
            } else {
                let _ = std::fs::remove_file(&self.tmp);
            }
            let _ = std::fs::remove_file(self.tmp.with_extension("log-partial"));
        }
    }
}
