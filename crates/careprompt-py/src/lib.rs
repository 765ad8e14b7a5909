//! Python bindings of careprompt: the native module `careprompt._careprompt`,
//! re-exported by the `careprompt` Python package.
//!
//! Thin by design: compiling, checking, the report's JSON and the importers
//! are the library's (`careprompt`, `careprompt-import`); this crate turns
//! Python values into the library's inputs and its results into Python
//! objects, and releases the GIL while the library works.

#![forbid(unsafe_code)]

/// mimalloc, not the system allocator: checking allocates and frees small
/// pieces all the time, and on two threads the system allocator's locks and
/// frees of another thread's memory cost a third more per plan (see
/// docs/performance.md, "Many plans on two cores").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod convert;
mod errors;
mod import;
mod many;
mod report;

use std::path::PathBuf;
use std::sync::Arc;

use careprompt::{CheckOptions, CompileOptions, Source};
use pyo3::exceptions::{PyOSError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::convert::{as_of_date, plan_bytes, PlanInput};
use crate::errors::{compile_error, plan_error, CompileError, ImporterError, PlanError, Problem};
use crate::many::{CheckMany, CheckResult};
use crate::report::{Outcome, Report};

/// A compiled set of rules: the built-in pack, or rules files of your own.
///
/// Compile once and check as many plans as you like; a rule set is
/// immutable and can be shared between threads.
#[pyclass(frozen, module = "careprompt")]
pub struct RuleSet {
    inner: Arc<careprompt::RuleSet>,
}

/// The rules paths or sources a caller gave to `RuleSet.compile`.
fn rule_sources(rules: &Bound<'_, PyAny>) -> PyResult<Vec<Source>> {
    if let Ok(map) = rules.cast::<PyDict>() {
        let mut sources = Vec::new();
        for (name, text) in map.iter() {
            let name: String = name.extract().map_err(|_| {
                PyTypeError::new_err("rules sources: every key must be a file name (`str`)")
            })?;
            let text: String = text.extract().map_err(|_| {
                PyTypeError::new_err(format!(
                    "rules sources: the text of `{name}` must be a `str`"
                ))
            })?;
            sources.push(Source::new(name, text));
        }
        return Ok(sources);
    }
    let paths: Vec<PathBuf> =
        if rules.is_instance_of::<PyString>() || rules.hasattr("__fspath__")? {
            vec![rules.extract()?]
        } else {
            let mut paths = Vec::new();
            for p in rules.try_iter().map_err(|_| {
                PyTypeError::new_err(
                    "rules: give a path, a list of paths, or a dict of file name to rules text",
                )
            })? {
                paths.push(p?.extract().map_err(|_| {
                    PyTypeError::new_err(
                        "rules: every item of the list must be a path (`str` or `os.PathLike`)",
                    )
                })?);
            }
            paths
        };
    let mut skipped = Vec::new();
    let read = careprompt::files::read_sources(&paths, &mut skipped);
    for s in &skipped {
        // Python's own way of telling: a warning (filterable, catchable).
        let message = std::ffi::CString::new(s.to_string()).unwrap_or_default();
        PyErr::warn(
            rules.py(),
            &rules.py().get_type::<pyo3::exceptions::PyUserWarning>(),
            &message,
            1,
        )?;
    }
    read.map_err(|e| PyOSError::new_err(e.to_string()))
}

/// A constant override's value as the literal the rules language reads.
fn constant_literal(name: &str, value: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(b) = value.cast::<pyo3::types::PyBool>() {
        return Ok(if b.is_true() { "true" } else { "false" }.to_string());
    }
    if value.is_instance_of::<PyString>() {
        return value.extract();
    }
    if value.is_instance_of::<pyo3::types::PyInt>()
        || value.is_instance_of::<pyo3::types::PyFloat>()
    {
        return Ok(value.str()?.to_cow()?.into_owned());
    }
    Err(PyTypeError::new_err(format!(
        "constant `{name}`: give the value as a literal written as in rules (`\"2 terms\"`, `15`) or a number"
    )))
}

#[pymethods]
impl RuleSet {
    /// The built-in rule pack (the JTAI children's mental health learning points).
    #[staticmethod]
    fn builtin(py: Python<'_>) -> PyResult<RuleSet> {
        let set = py
            .detach(careprompt::RuleSet::builtin)
            .map_err(|e| compile_error(py, &e))?;
        Ok(RuleSet {
            inner: Arc::new(set),
        })
    }

    /// Compiles rules of your own.
    ///
    /// `rules` is a path (a `.cpr` file or a directory of them, searched
    /// recursively without its `tests` directories), a list of paths, or a
    /// dict of file name to rules text. `constants` overrides the rules'
    /// constants: values are literals as written in rules (`"2 terms"`) or
    /// numbers. Raises `CompileError` listing every problem with its file,
    /// line, column, message and help; `OSError` when a path cannot be read.
    #[staticmethod]
    #[pyo3(signature = (rules, *, constants = None))]
    fn compile(
        py: Python<'_>,
        rules: &Bound<'_, PyAny>,
        constants: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<RuleSet> {
        let sources = rule_sources(rules)?;
        let mut overrides = Vec::new();
        if let Some(map) = constants {
            for (k, v) in map.iter() {
                let name: String = k.extract().map_err(|_| {
                    PyTypeError::new_err("constants: every key must be a constant's name (`str`)")
                })?;
                let lit = constant_literal(&name, &v)?;
                overrides.push((name, lit));
            }
        }
        let set = py
            .detach(|| {
                let options = CompileOptions {
                    schema: None,
                    overrides,
                    loader: Some(&careprompt::files::FsLoader),
                };
                careprompt::RuleSet::compile_with(&sources, &options)
            })
            .map_err(|e| compile_error(py, &e))?;
        Ok(RuleSet {
            inner: Arc::new(set),
        })
    }

    /// Loads a local pack bundle (the file `careprompt pack --bundle` writes):
    /// `text` is the bundle's JSON, `name` the name its errors give (its
    /// path, usually). The bundle's hash is verified; raises `CompileError`
    /// (with file, line and column) when it does not match or the rules do
    /// not compile. The same bundle gives the same reports here as in the
    /// CLI (`--rules BUNDLE`), the Rust library and the WASM package.
    #[staticmethod]
    #[pyo3(signature = (text, *, name = "bundle.json"))]
    fn from_bundle(py: Python<'_>, text: &str, name: &str) -> PyResult<RuleSet> {
        let set = py
            .detach(|| careprompt::load_bundle(name, text))
            .map_err(|e| compile_error(py, &e))?;
        Ok(RuleSet {
            inner: Arc::new(set),
        })
    }

    /// Checks one plan as of `as_of` (a `datetime.date` or `"YYYY-MM-DD"`).
    ///
    /// `plan` is a dict (as `json.load` gives), a JSON `str`, or JSON
    /// `bytes`. Returns a `Report`; raises `PlanError` (with line and
    /// column, never the plan's values) when the plan cannot be checked.
    fn check(
        &self,
        py: Python<'_>,
        plan: &Bound<'_, PyAny>,
        as_of: &Bound<'_, PyAny>,
    ) -> PyResult<Report> {
        let options = CheckOptions::new(as_of_date(as_of)?);
        let result = match plan_bytes(plan)? {
            PlanInput::Borrowed(bytes) => py.detach(|| self.inner.check_json(bytes, &options)),
            PlanInput::Owned(bytes) => py.detach(|| self.inner.check_json(&bytes, &options)),
            PlanInput::Invalid(e) => Err(e),
        };
        match result {
            Ok(report) => Ok(Report::new(report)),
            Err(e) => Err(plan_error(py, &e)),
        }
    }

    /// Checks many plans, yielding one `CheckResult` per plan in input order.
    ///
    /// `plans` is an iterable of plans (dicts, JSON `str` or `bytes`) or the
    /// path of an NDJSON file (one plan a line; blank lines skipped). Plans
    /// are checked on `threads` threads (default: the machine's cores)
    /// without the GIL while the results are handed out, with at most
    /// `chunk_size` plans in flight. A plan that cannot be checked is a
    /// result carrying its `PlanError`; the batch goes on.
    #[pyo3(signature = (plans, as_of, *, threads = None, chunk_size = 1024))]
    fn check_many(
        &self,
        plans: &Bound<'_, PyAny>,
        as_of: &Bound<'_, PyAny>,
        threads: Option<usize>,
        chunk_size: usize,
    ) -> PyResult<CheckMany> {
        let options = CheckOptions::new(as_of_date(as_of)?);
        CheckMany::new(Arc::clone(&self.inner), options, plans, threads, chunk_size)
    }

    /// The rules' ids, in the order reports list them.
    #[getter]
    fn rule_ids(&self) -> Vec<String> {
        self.inner
            .rules()
            .into_iter()
            .map(|r| r.text.id.clone())
            .collect()
    }

    /// The names of the rules files compiled.
    #[getter]
    fn source_names(&self) -> Vec<String> {
        self.inner
            .source_names()
            .into_iter()
            .map(String::from)
            .collect()
    }

    /// The plan paths the rules read.
    #[getter]
    fn read_paths(&self) -> Vec<String> {
        self.inner.read_paths().iter().cloned().collect()
    }

    fn __len__(&self) -> usize {
        self.inner.rules().len()
    }

    fn __repr__(&self) -> String {
        format!("<RuleSet of {} rules>", self.inner.rules().len())
    }
}

/// The version of the engine (`0.1.0`).
#[pyfunction]
fn engine_version() -> &'static str {
    careprompt::VERSION
}

/// The JSON Schema of a case plan, as text.
#[pyfunction]
fn case_plan_schema() -> &'static str {
    careprompt::case_plan_schema()
}

/// The plans a rule test file (`*.test.toml`) builds, one per case, as
/// `(case name, as-of date, plan JSON)`: what `careprompt test` checks,
/// for checking the same plans another way. Raises `ValueError` naming the
/// first problem in the file.
#[pyfunction]
fn rule_test_plans(py: Python<'_>, path: PathBuf) -> PyResult<Vec<(String, String, String)>> {
    let name = path.to_string_lossy().replace('\\', "/");
    let text = careprompt::files::read_text_limited(&path, careprompt::MAX_RULES_BYTES)
        .map_err(|e| PyOSError::new_err(format!("{name}: {}", e.message)))?;
    let read = |p: &str| {
        careprompt::Loader::load(&careprompt::files::FixtureLoader, p)
            .map_err(|e| format!("{p}: {e}"))
    };
    let plans = py
        .detach(|| careprompt::testing::case_plans(&name, &text, &read))
        .map_err(pyo3::exceptions::PyValueError::new_err)?;
    Ok(plans
        .into_iter()
        .map(|c| (c.name, c.as_of.to_string(), c.plan))
        .collect())
}

/// The native module.
#[pymodule]
fn _careprompt(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<RuleSet>()?;
    m.add_class::<Report>()?;
    m.add_class::<Outcome>()?;
    m.add_class::<Problem>()?;
    m.add_class::<CheckMany>()?;
    m.add_class::<CheckResult>()?;
    m.add_class::<import::Import>()?;
    m.add("CompileError", py.get_type::<CompileError>())?;
    m.add("PlanError", py.get_type::<PlanError>())?;
    m.add("ImporterError", py.get_type::<ImporterError>())?;
    m.add("__version__", careprompt::VERSION)?;
    m.add("REPORT_VERSION", careprompt::REPORT_VERSION)?;
    m.add_function(wrap_pyfunction!(engine_version, m)?)?;
    m.add_function(wrap_pyfunction!(case_plan_schema, m)?)?;
    m.add_function(wrap_pyfunction!(rule_test_plans, m)?)?;
    m.add_function(wrap_pyfunction!(import::import_ssda903, m)?)?;
    m.add_function(wrap_pyfunction!(import::import_cin, m)?)?;
    m.add_function(wrap_pyfunction!(import::import_ssd, m)?)?;
    Ok(())
}
