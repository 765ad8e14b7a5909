//! `careprompt lsp`: the language server for rules files, over stdio.

use crate::console::eprint_error;
use crate::exit::Exit;

/// Serves the Language Server Protocol on standard input and output until
/// the editor asks it to exit.
pub fn run() -> Exit {
    match careprompt_lsp::run_stdio() {
        Ok(()) => Exit::Ok,
        Err(e) => {
            eprint_error(&format!("the language server stopped: {e}"));
            Exit::Error
        }
    }
}
