//! Reading an input file with a bound on its size, checked before the
//! bytes are held: at most `limit + 1` bytes are ever read, so a device
//! such as `/dev/zero` or a file far too large fails at once.

use std::io::Read as _;
use std::path::Path;

use crate::ImportError;

/// The most bytes one input file (an SSDA903 table or a CIN census) may
/// hold, unless the options give another bound.
pub const MAX_INPUT_BYTES: u64 = 256 * 1024 * 1024;

/// Reads `path`, failing when it holds more than `limit` bytes.
pub(crate) fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, ImportError> {
    let file = path.display().to_string();
    let io = |e: std::io::Error| ImportError::Read {
        path: file.clone(),
        message: e.to_string(),
    };
    let f = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    f.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(ImportError::TooLarge {
            path: file.clone(),
            limit,
        });
    }
    Ok(bytes)
}
