//! Reports and outcomes as Python objects, read from the library's
//! `Report` when asked for (checking a plan builds no Python objects).

use careprompt::EvidenceValue;
use pyo3::exceptions::PyImportError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// The columns of `to_records()`, in order.
pub const RECORD_FIELDS: &[&str] = &[
    "source", "plan_id", "as_of", "rule", "title", "theme", "kind", "severity", "outcome",
    "evidence", "missing", "error",
];

/// Where a report's outcomes go to be dropped: the thread that built them.
pub type Graveyard = std::sync::mpsc::Sender<Vec<careprompt::Outcome>>;

/// What checking one plan found, rule by rule.
#[pyclass(frozen, module = "careprompt")]
pub struct Report {
    inner: careprompt::Report,
    /// For a report of `check_many`, the worker thread that built it: its
    /// outcomes are sent back there to be freed, so the memory goes back to
    /// that thread's allocator and the rules' shared words are counted
    /// down where they were counted up, not on the thread holding the GIL.
    graveyard: Option<Graveyard>,
}

impl Report {
    /// Wraps a library report.
    pub fn new(inner: careprompt::Report) -> Report {
        Report {
            inner,
            graveyard: None,
        }
    }

    /// Wraps a library report built on a worker thread, whose outcomes go
    /// back to `graveyard` when the Python object is freed.
    pub fn from_worker(inner: careprompt::Report, graveyard: Graveyard) -> Report {
        Report {
            inner,
            graveyard: Some(graveyard),
        }
    }

    /// The library's report.
    pub fn inner_report(&self) -> &careprompt::Report {
        &self.inner
    }
}

impl Drop for Report {
    fn drop(&mut self) {
        if let Some(g) = &self.graveyard {
            // When the worker has gone, the outcomes come back and drop here.
            let _ = g.send(std::mem::take(&mut self.inner.outcomes));
        }
    }
}

fn evidence_value(py: Python<'_>, v: &EvidenceValue) -> PyResult<Py<PyAny>> {
    Ok(match v {
        EvidenceValue::Text(s) => s.into_pyobject(py)?.into_any().unbind(),
        EvidenceValue::Number(n) => n.into_pyobject(py)?.into_any().unbind(),
        EvidenceValue::Bool(b) => b.into_pyobject(py)?.to_owned().into_any().unbind(),
        EvidenceValue::Absent => py.None(),
    })
}

/// The records of one report's outcomes (one dict per rule), labelled
/// with `source`.
pub fn records<'py>(
    py: Python<'py>,
    report: &careprompt::Report,
    source: Option<&Bound<'py, PyAny>>,
    out: &Bound<'py, PyList>,
) -> PyResult<()> {
    for o in &report.outcomes {
        let d = PyDict::new(py);
        d.set_item("source", source)?;
        d.set_item("plan_id", &report.plan_id)?;
        d.set_item("as_of", &report.as_of)?;
        d.set_item("rule", o.rule())?;
        d.set_item("title", o.title())?;
        d.set_item("theme", o.theme())?;
        d.set_item("kind", o.kind().as_str())?;
        d.set_item("severity", o.severity().as_str())?;
        d.set_item("outcome", o.outcome.as_str())?;
        let evidence = PyList::empty(py);
        for e in &o.evidence {
            let item = PyDict::new(py);
            item.set_item("path", &e.path)?;
            item.set_item("value", evidence_value(py, &e.value)?)?;
            evidence.append(item)?;
        }
        d.set_item("evidence", evidence)?;
        d.set_item("missing", &o.missing)?;
        d.set_item("error", py.None())?;
        out.append(d)?;
    }
    Ok(())
}

/// `pandas.DataFrame(records, columns=RECORD_FIELDS)`, or an ImportError
/// saying pandas is optional.
pub fn data_frame<'py>(
    py: Python<'py>,
    records: &Bound<'py, PyList>,
) -> PyResult<Bound<'py, PyAny>> {
    let pandas = py.import("pandas").map_err(|_| {
        PyImportError::new_err(
            "to_pandas needs pandas, which careprompt does not install: `pip install pandas` (or use to_records())",
        )
    })?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("columns", RECORD_FIELDS.to_vec())?;
    pandas.getattr("DataFrame")?.call((records,), Some(&kwargs))
}

#[pymethods]
impl Report {
    /// The layout version of the report's JSON.
    #[getter]
    fn report_version(&self) -> u32 {
        self.inner.report_version
    }

    /// The engine that produced it (`careprompt 0.1.0`).
    #[getter]
    fn engine(&self) -> &str {
        &self.inner.engine
    }

    /// The evaluation date used, `YYYY-MM-DD`.
    #[getter]
    fn as_of(&self) -> &str {
        &self.inner.as_of
    }

    /// The plan's own id, if it has one.
    #[getter]
    fn plan_id(&self) -> Option<&str> {
        self.inner.plan_id.as_deref()
    }

    /// Counts of outcomes: `{"fires": n, "clear": n, "unknown": n}`.
    #[getter]
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("fires", self.inner.summary.fires)?;
        d.set_item("clear", self.inner.summary.clear)?;
        d.set_item("unknown", self.inner.summary.unknown)?;
        Ok(d)
    }

    /// Every rule's outcome, in the rule set's order.
    #[getter]
    fn outcomes(&self) -> Vec<Outcome> {
        self.inner
            .outcomes
            .iter()
            .cloned()
            .map(Outcome::new)
            .collect()
    }

    /// Problems with the plan that did not stop the check (unknown fields).
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.inner.warnings.clone()
    }

    /// The outcomes that fired.
    fn fired(&self) -> Vec<Outcome> {
        self.inner.fired().cloned().map(Outcome::new).collect()
    }

    /// The outcome of rule `rule`, or None when the rule set has no such rule.
    fn outcome(&self, rule: &str) -> Option<Outcome> {
        self.inner.outcome(rule).cloned().map(Outcome::new)
    }

    /// The report's JSON, byte for byte what `careprompt check --format json`
    /// prints for one plan (the CLI adds a newline).
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The report as one line of JSON, as `--format ndjson` prints it.
    fn to_json_line(&self) -> String {
        self.inner.to_json_line()
    }

    /// The report's JSON as Python dicts and lists.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("json")?
            .getattr("loads")?
            .call1((self.inner.to_json_line(),))
    }

    /// One dict per outcome, ready for a DataFrame: source, plan_id, as_of,
    /// rule, title, theme, kind, severity, outcome, evidence (a list of
    /// `{"path", "value"}`), missing (a list of paths), error (None).
    fn to_records<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        records(py, &self.inner, None, &out)?;
        Ok(out)
    }

    /// The records as a `pandas.DataFrame` (pandas is optional: an
    /// ImportError says so when it is not installed).
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let recs = self.to_records(py)?;
        data_frame(py, &recs)
    }

    fn __repr__(&self) -> String {
        let s = &self.inner.summary;
        format!(
            "<Report {} as of {}: {} fire, {} clear, {} unknown>",
            self.inner.plan_id.as_deref().unwrap_or("(no plan id)"),
            self.inner.as_of,
            s.fires,
            s.clear,
            s.unknown
        )
    }
}

/// One rule's outcome for one plan.
#[pyclass(frozen, module = "careprompt")]
pub struct Outcome {
    inner: careprompt::Outcome,
}

impl Outcome {
    fn new(inner: careprompt::Outcome) -> Outcome {
        Outcome { inner }
    }
}

#[pymethods]
impl Outcome {
    /// The rule's id.
    #[getter]
    fn rule(&self) -> &str {
        self.inner.rule()
    }

    /// `fires`, `clear` or `unknown`.
    #[getter]
    fn outcome(&self) -> &'static str {
        self.inner.outcome.as_str()
    }

    /// The rule's title.
    #[getter]
    fn title(&self) -> &str {
        self.inner.title()
    }

    /// The theme the rule belongs to.
    #[getter]
    fn theme(&self) -> &str {
        self.inner.theme()
    }

    /// `risk`, `practice` or `strength`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind().as_str()
    }

    /// The rule's severity.
    #[getter]
    fn severity(&self) -> &'static str {
        self.inner.severity().as_str()
    }

    /// The prompt, when the rule fires.
    #[getter]
    fn prompt(&self) -> Option<&str> {
        self.inner.prompt()
    }

    /// The next steps, when the rule fires.
    #[getter]
    fn next_steps(&self) -> Option<Vec<String>> {
        self.inner.next_steps().map(<[String]>::to_vec)
    }

    /// The plan data that made the rule fire: `(path, value)` pairs.
    #[getter]
    fn evidence(&self, py: Python<'_>) -> PyResult<Vec<(String, Py<PyAny>)>> {
        self.inner
            .evidence
            .iter()
            .map(|e| Ok((e.path.clone(), evidence_value(py, &e.value)?)))
            .collect()
    }

    /// The plan paths whose absence kept the rule from being decided.
    #[getter]
    fn missing(&self) -> Vec<String> {
        self.inner.missing.clone()
    }

    fn __repr__(&self) -> String {
        format!(
            "<Outcome {} {}>",
            self.inner.rule(),
            self.inner.outcome.as_str()
        )
    }
}
