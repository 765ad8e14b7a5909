//! `careprompt pack`: what a local pack is made of, or the pack bundled as
//! one file.

use std::path::Path;

use crate::args::Format;
use crate::console::{emit, eprint_error};
use crate::exit::Exit;
use crate::packs;

/// Describes the pack at `path` (human or JSON), or writes it as a bundle
/// to `bundle`.
pub fn run(path: &Path, bundle: Option<&Path>, schema: Option<&Path>, format: Format) -> Exit {
    let options = match packs::options(schema) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let pack = match packs::read_reported(path, &options) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if let Some(out) = bundle {
        if let Err(m) = packs::write_bundle(&pack, out) {
            eprint_error(&m);
            return Exit::Error;
        }
        crate::console::eprint_note(&format!(
            "wrote {} ({} {}, {})",
            out.display(),
            pack.name,
            pack.version,
            pack.info().hash
        ));
        return Exit::Ok;
    }
    if format == Format::Json {
        emit(&packs::describe_json(&pack));
    } else {
        emit(&packs::describe(&pack));
    }
    Exit::Ok
}
