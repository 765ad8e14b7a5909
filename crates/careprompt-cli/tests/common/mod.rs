//! Helpers shared by the command line's integration tests (each test file
//! includes this module with `mod common;`).

#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The repository root (the tests' working directory).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `careprompt` binary, run from the repository root.
pub fn careprompt() -> Command {
    let mut c = Command::cargo_bin("careprompt").unwrap();
    c.current_dir(root());
    c
}
