//! Writing files and directories so that a failed write never destroys the
//! previous output: everything is written to a temporary name beside the
//! target (same directory, so the same file system), flushed to disk, and
//! only then renamed over the target. On any failure the temporary is
//! removed and the target is as it was.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A counter making temporary names unique within the process.
static NEXT: AtomicU64 = AtomicU64::new(0);

/// A fresh name beside `target`: `.<name>.<tag>-<pid>-<n>`.
pub(crate) fn beside(target: &Path, tag: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    target.with_file_name(format!(".{name}.{tag}-{}-{n}", std::process::id()))
}

/// Writes `path` through `fill` to a temporary file beside it, then renames
/// it over `path`. On failure `path` is untouched and the temporary gone.
pub fn write_file_atomic(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let tmp = write_temp(path, fill)?;
    commit(&tmp, path)
}

/// Writes a temporary file beside `path` through `fill`, flushed to disk;
/// returns its name. On failure nothing is left behind.
pub(crate) fn write_temp(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<PathBuf> {
    let tmp = beside(path, "tmp");
    let result = (|| {
        let file = File::create(&tmp)?;
        let mut w = BufWriter::new(file);
        fill(&mut w)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()
    })();
    match result {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Renames the temporary `tmp` over `path`; removes `tmp` if that fails.
pub(crate) fn commit(tmp: &Path, path: &Path) -> std::io::Result<()> {
    std::fs::rename(tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_keeps_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, "old").unwrap();
        let err = write_file_atomic(&path, |w| {
            w.write_all(b"new, half")?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(err.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        write_file_atomic(&path, |w| w.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    }
}
