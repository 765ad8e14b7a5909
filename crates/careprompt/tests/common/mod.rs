//! Helpers shared by the library's integration tests (each test file
//! includes this module with `mod common;`).

#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use careprompt::{CheckOptions, CompileError, Date, Report, RuleSet, Source};

/// The evaluation date every test checks on.
pub const AS_OF: &str = "2026-11-26";

/// Check options for [`AS_OF`].
pub fn opts() -> CheckOptions {
    CheckOptions::new(Date::parse(AS_OF).unwrap())
}

/// The built-in pack, compiled once per test binary.
pub fn builtin() -> &'static RuleSet {
    static RULES: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
    RULES.get_or_init(|| RuleSet::builtin().unwrap_or_else(|e| panic!("{e}")))
}

/// Compiles one rules file named `test.cpr`.
pub fn compile(text: &str) -> Result<RuleSet, CompileError> {
    RuleSet::compile(&[Source::new("test.cpr", text)])
}

/// Compiles one rules file named `test.cpr`, failing the test on an error.
pub fn compile_ok(text: &str) -> RuleSet {
    compile(text).unwrap_or_else(|e| panic!("{e}"))
}

/// The error compiling one rules file named `test.cpr`; fails the test if it compiles.
pub fn compile_err(text: &str) -> CompileError {
    match compile(text) {
        Ok(_) => panic!("expected a compile error for:\n{text}"),
        Err(e) => e,
    }
}

/// Checks a plan (written out as JSON bytes) as of [`AS_OF`].
pub fn check(rules: &RuleSet, plan: &serde_json::Value) -> Report {
    rules
        .check_json(plan.to_string().as_bytes(), &opts())
        .unwrap_or_else(|e| panic!("{e}"))
}
