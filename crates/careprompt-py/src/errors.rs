//! The library's errors as Python exceptions: `CompileError` (with one
//! `Problem` per diagnostic), `PlanError` (with line and column) and
//! `ImporterError`.

use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

create_exception!(
    careprompt,
    CompileError,
    PyValueError,
    "Rules that could not be compiled. `problems` lists every problem found, each with file, line, column, message and help."
);
create_exception!(
    careprompt,
    PlanError,
    PyValueError,
    "A plan that could not be checked: `kind`, `message`, `help`, `line` and `column` (never the plan's values)."
);
create_exception!(
    careprompt,
    ImporterError,
    PyValueError,
    "An import that could not run at all (problems with single rows are in the import log instead)."
);

/// One problem found in rules: where it is, what is wrong, how to fix it.
#[pyclass(frozen, module = "careprompt")]
pub struct Problem {
    /// `error` or `warning`.
    #[pyo3(get)]
    severity: &'static str,
    /// A short stable code for the kind of problem (`syntax`, `unknown-field`...).
    #[pyo3(get)]
    code: &'static str,
    /// What is wrong.
    #[pyo3(get)]
    message: String,
    /// How to fix it, when known.
    #[pyo3(get)]
    help: Option<String>,
    /// The file, as named when compiling.
    #[pyo3(get)]
    file: String,
    /// 1-based line of the start.
    #[pyo3(get)]
    line: usize,
    /// 1-based column of the start.
    #[pyo3(get)]
    column: usize,
    /// 1-based line of the end.
    #[pyo3(get)]
    end_line: usize,
    /// 1-based column of the end (exclusive).
    #[pyo3(get)]
    end_column: usize,
}

#[pymethods]
impl Problem {
    fn __str__(&self) -> String {
        match &self.help {
            Some(h) => format!(
                "{}:{}:{}: {}: {} (help: {h})",
                self.file, self.line, self.column, self.severity, self.message
            ),
            None => format!(
                "{}:{}:{}: {}: {}",
                self.file, self.line, self.column, self.severity, self.message
            ),
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "<Problem {}:{}:{} {}>",
            self.file, self.line, self.column, self.code
        )
    }
}

/// A `CompileError` carrying every diagnostic of `e` as `problems`; its
/// text is the diagnostics as the CLI renders them.
pub fn compile_error(py: Python<'_>, e: &careprompt::CompileError) -> PyErr {
    let err = CompileError::new_err(e.to_string());
    let problems: Vec<Problem> = e
        .diagnostics
        .iter()
        .map(|d| Problem {
            severity: match d.severity {
                careprompt::Level::Error => "error",
                careprompt::Level::Warning => "warning",
            },
            code: d.code,
            message: d.message.clone(),
            help: d.help.clone(),
            file: d.file.clone(),
            line: d.line,
            column: d.column,
            end_line: d.end_line,
            end_column: d.end_column,
        })
        .collect();
    let value = err.value(py);
    if let Err(set) = value.setattr("problems", problems) {
        return set;
    }
    err
}

/// A `PlanError` with the kind, message, help, line and column of `e`.
pub fn plan_error(py: Python<'_>, e: &careprompt::PlanError) -> PyErr {
    let err = PlanError::new_err(e.to_string());
    let value = err.value(py);
    let kind = serde_json::to_value(e.kind)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    let set = value
        .setattr("kind", kind)
        .and_then(|()| value.setattr("message", &e.message))
        .and_then(|()| value.setattr("help", &e.help))
        .and_then(|()| value.setattr("line", e.line))
        .and_then(|()| value.setattr("column", e.column));
    match set {
        Ok(()) => err,
        Err(set) => set,
    }
}
