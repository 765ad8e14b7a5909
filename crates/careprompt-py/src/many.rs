//! Checking many plans: plans are taken from the input a chunk at a time,
//! checked on worker threads with the GIL released, and handed out in
//! input order, so memory stays bounded whatever the cohort's size.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::sync::Arc;

use careprompt::{CheckOptions, PlanError, RuleSet};
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};

use crate::convert::{plan_bytes, PlanInput};
use crate::errors::plan_error;
use crate::report::{data_frame, records, Report, RECORD_FIELDS};

/// Where the plans come from.
enum Input {
    /// A Python iterator of plans.
    Iter(Py<PyAny>),
    /// An NDJSON file, with the number of the last line read.
    Ndjson {
        reader: BufReader<File>,
        line: usize,
    },
}

/// One plan of a chunk, ready to check.
struct Pending {
    index: usize,
    line: Option<usize>,
    plan: Result<Vec<u8>, PlanError>,
}

/// One plan's result.
struct Done {
    index: usize,
    line: Option<usize>,
    result: Result<careprompt::Report, PlanError>,
}

/// The iterator `RuleSet.check_many` returns: one `CheckResult` per plan,
/// in input order.
#[pyclass(module = "careprompt")]
pub struct CheckMany {
    rules: Arc<RuleSet>,
    options: CheckOptions,
    threads: usize,
    chunk: usize,
    input: Option<Input>,
    ready: VecDeque<Done>,
    next_index: usize,
}

impl CheckMany {
    /// Checks the plans of `plans` (an iterable, or an NDJSON path).
    pub fn new(
        rules: Arc<RuleSet>,
        options: CheckOptions,
        plans: &Bound<'_, PyAny>,
        threads: Option<usize>,
        chunk: usize,
    ) -> PyResult<CheckMany> {
        let threads = match threads {
            Some(0) => return Err(PyValueError::new_err("threads: give at least 1")),
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, usize::from),
        };
        if chunk == 0 {
            return Err(PyValueError::new_err("chunk_size: give at least 1"));
        }
        let input = if plans.is_instance_of::<PyString>() || plans.hasattr("__fspath__")? {
            let path: PathBuf = plans.extract()?;
            let file = File::open(&path).map_err(|e| {
                PyOSError::new_err(format!(
                    "{}: {}",
                    path.display(),
                    e.to_string().to_lowercase()
                ))
            })?;
            Input::Ndjson {
                reader: BufReader::new(file),
                line: 0,
            }
        } else {
            Input::Iter(plans.try_iter()?.into_any().unbind())
        };
        Ok(CheckMany {
            rules,
            options,
            threads,
            chunk,
            input: Some(input),
            ready: VecDeque::new(),
            next_index: 0,
        })
    }

    /// Reads up to one chunk of plans from the input (None at its end).
    fn read_chunk(&mut self, py: Python<'_>) -> PyResult<Vec<Pending>> {
        let mut chunk = Vec::new();
        let limit = self.chunk;
        let mut next_index = self.next_index;
        let mut ended = false;
        match &mut self.input {
            None => return Ok(chunk),
            Some(Input::Iter(it)) => {
                let it = it.bind(py);
                while chunk.len() < limit {
                    let Some(item) = it.try_iter()?.next() else {
                        ended = true;
                        break;
                    };
                    let item = item?;
                    let plan = match plan_bytes(&item)? {
                        PlanInput::Borrowed(b) => Ok(b.to_vec()),
                        PlanInput::Owned(b) => Ok(b),
                        PlanInput::Invalid(e) => Err(e),
                    };
                    chunk.push(Pending {
                        index: next_index,
                        line: None,
                        plan,
                    });
                    next_index += 1;
                }
            }
            Some(Input::Ndjson { reader, line }) => {
                let read = py.detach(|| -> std::io::Result<bool> {
                    let mut buf = Vec::new();
                    while chunk.len() < limit {
                        buf.clear();
                        if reader.read_until(b'\n', &mut buf)? == 0 {
                            return Ok(true);
                        }
                        *line += 1;
                        if buf.iter().all(u8::is_ascii_whitespace) {
                            continue;
                        }
                        chunk.push(Pending {
                            index: next_index,
                            line: Some(*line),
                            plan: Ok(buf.clone()),
                        });
                        next_index += 1;
                    }
                    Ok(false)
                });
                ended = read.map_err(|e| {
                    PyOSError::new_err(format!("reading plans: {}", e.to_string().to_lowercase()))
                })?;
            }
        }
        self.next_index = next_index;
        if ended {
            self.input = None;
        }
        Ok(chunk)
    }
}

/// Checks `chunk` on up to `threads` threads, keeping its order.
fn check_chunk(
    rules: &RuleSet,
    options: &CheckOptions,
    threads: usize,
    chunk: Vec<Pending>,
) -> Vec<Done> {
    let check = |p: Pending| Done {
        index: p.index,
        line: p.line,
        result: p.plan.and_then(|bytes| rules.check_json(&bytes, options)),
    };
    if threads <= 1 || chunk.len() < 2 {
        return chunk.into_iter().map(check).collect();
    }
    let per = chunk.len().div_ceil(threads);
    let mut parts: Vec<Vec<Pending>> = Vec::new();
    let mut rest = chunk;
    while rest.len() > per {
        let tail = rest.split_off(per);
        parts.push(rest);
        rest = tail;
    }
    parts.push(rest);
    std::thread::scope(|s| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| s.spawn(move || part.into_iter().map(check).collect::<Vec<_>>()))
            .collect();
        let mut out = Vec::new();
        for h in handles {
            // A worker only panics if the engine does; its plans are lost
            // with it, so say so rather than hand out a shorter batch.
            match h.join() {
                Ok(done) => out.extend(done),
                Err(_) => out.clear(),
            }
        }
        out
    })
}

#[pymethods]
impl CheckMany {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self, py: Python<'_>) -> PyResult<Option<CheckResult>> {
        while self.ready.is_empty() {
            let chunk = self.read_chunk(py)?;
            if chunk.is_empty() {
                return Ok(None);
            }
            let expected = chunk.len();
            let (rules, options, threads) = (&self.rules, &self.options, self.threads);
            let done = py.detach(|| check_chunk(rules, options, threads, chunk));
            if done.len() != expected {
                return Err(PyValueError::new_err(
                    "internal error: a worker thread stopped; the batch cannot go on",
                ));
            }
            self.ready.extend(done);
        }
        match self.ready.pop_front() {
            None => Ok(None),
            Some(d) => Ok(Some(CheckResult {
                index: d.index,
                line: d.line,
                result: match d.result {
                    Ok(r) => Ok(Py::new(py, Report::new(r))?),
                    Err(e) => Err(e),
                },
            })),
        }
    }
}

/// The result of checking one plan of a batch: its report, or the error
/// that kept it from being checked.
#[pyclass(frozen, module = "careprompt")]
pub struct CheckResult {
    index: usize,
    line: Option<usize>,
    result: Result<Py<Report>, PlanError>,
}

#[pymethods]
impl CheckResult {
    /// The plan's position in the input, from 0 (blank NDJSON lines not counted).
    #[getter]
    fn index(&self) -> usize {
        self.index
    }

    /// The 1-based line of the NDJSON file the plan was on (None for other inputs).
    #[getter]
    fn line(&self) -> Option<usize> {
        self.line
    }

    /// True when the plan was checked.
    #[getter]
    fn ok(&self) -> bool {
        self.result.is_ok()
    }

    /// The report, or None when the plan could not be checked.
    #[getter]
    fn report(&self, py: Python<'_>) -> Option<Py<Report>> {
        self.result.as_ref().ok().map(|r| r.clone_ref(py))
    }

    /// The `PlanError` (not raised) when the plan could not be checked, or None.
    #[getter]
    fn error(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.result
            .as_ref()
            .err()
            .map(|e| plan_error(py, e).into_value(py).into_any())
    }

    /// The label of the plan in records: `line N` for NDJSON, `plan N` otherwise.
    #[getter]
    fn source(&self) -> String {
        match self.line {
            Some(l) => format!("line {l}"),
            None => format!("plan {}", self.index),
        }
    }

    /// The records of the report's outcomes, labelled with `source`; one
    /// record with only `source` and `error` set when the plan could not
    /// be checked.
    fn to_records<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        let source = self.source().into_pyobject(py)?.into_any();
        match &self.result {
            Ok(r) => records(py, r.get().inner_report(), Some(&source), &out)?,
            Err(e) => {
                let d = pyo3::types::PyDict::new(py);
                for f in RECORD_FIELDS {
                    d.set_item(*f, py.None())?;
                }
                d.set_item("source", &source)?;
                d.set_item("error", e.to_string())?;
                out.append(d)?;
            }
        }
        Ok(out)
    }

    /// The records as a `pandas.DataFrame` (pandas is optional).
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let recs = self.to_records(py)?;
        data_frame(py, &recs)
    }

    fn __repr__(&self) -> String {
        match &self.result {
            Ok(_) => format!("<CheckResult {}: ok>", self.source()),
            Err(e) => format!(
                "<CheckResult {}: error {}:{}>",
                self.source(),
                e.line,
                e.column
            ),
        }
    }
}
