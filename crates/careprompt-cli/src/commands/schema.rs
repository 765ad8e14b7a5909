//! `careprompt schema`: print the case-plan JSON Schema, or a local pack's
//! schema with its extension fields merged in.

use std::path::Path;

use crate::console::emit;
use crate::exit::Exit;
use crate::packs;

/// Prints the schema: the pack's merged schema with `--rules PACK`, a
/// vendor's `--schema` as given, or the built-in one.
pub fn run(pack: Option<&Path>, schema: Option<&Path>) -> Exit {
    let options = match packs::options(schema) {
        Ok(o) => o,
        Err(code) => return code,
    };
    match (pack, &options.schema) {
        (Some(p), _) => match packs::read_reported(p, &options) {
            Ok(pack) => emit(&format!("{}\n", pack.schema_json.trim_end())),
            Err(code) => return code,
        },
        (None, Some((_, text))) => emit(&format!("{}\n", text.trim_end())),
        (None, None) => emit(&format!("{}\n", careprompt::case_plan_schema().trim_end())),
    }
    Exit::Ok
}
