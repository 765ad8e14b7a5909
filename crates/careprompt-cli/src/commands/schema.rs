//! `careprompt schema`: print the case-plan JSON Schema.

use crate::console::emit;
use crate::exit::Exit;

/// Prints the schema.
pub fn run() -> Exit {
    emit(&format!("{}\n", careprompt::case_plan_schema().trim_end()));
    Exit::Ok
}
