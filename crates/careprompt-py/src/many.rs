//! Checking many plans: a pipeline whose worker threads check plans with
//! no GIL and no Python object in sight, while the calling thread hands
//! out the finished reports, in input order, as light `Report` objects
//! (each wraps the library's report; nothing is converted until read).
//!
//! ```text
//!  NDJSON file ─ reader thread ─┐            ┌─ worker 1 ─┐
//!                               ├─ jobs ─────┤            ├─ results ─ caller: in input order
//!  Python iterable ─ caller ────┘            └─ worker N ─┘            (reorders, hands out)
//! ```
//!
//! Memory is bounded: at most `chunk_size` plans are in flight (read but
//! not yet handed out) whatever the cohort's size, and an NDJSON line is
//! read up to the plan limit and no further. With one thread there is no
//! pipeline: each plan is read and checked on the calling thread, with the
//! GIL released while it is checked.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::mpsc::{channel, Receiver, RecvError, Sender, TryRecvError};
use std::sync::{Arc, Mutex};

use careprompt::{CheckOptions, PlanError, PlanErrorKind, RuleSet};
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};

use crate::convert::{plan_bytes, PlanInput};
use crate::errors::plan_error;
use crate::report::{data_frame, records, Graveyard, Report, RECORD_FIELDS};

/// The most bytes read for one NDJSON line: one more than the engine
/// accepts, so a longer line is refused without being read into memory.
const LINE_LIMIT: u64 = careprompt::MAX_PLAN_BYTES as u64 + 1;

/// One plan, ready to check.
struct Job {
    index: usize,
    line: Option<usize>,
    plan: Result<Vec<u8>, PlanError>,
}

/// Plans sent to the workers together (fewer hand-overs between threads),
/// at most this many at once, and fewer when the bound is small.
const BATCH: usize = 32;

/// The batch size for a bound of `bound` plans in flight on `threads`
/// threads: small enough that every thread has work.
fn batch_size(bound: usize, threads: usize) -> usize {
    (bound / threads.saturating_mul(2).max(1)).clamp(1, BATCH)
}

/// One plan's result.
struct Done {
    index: usize,
    line: Option<usize>,
    result: Result<careprompt::Report, PlanError>,
    /// The worker that checked it, if one did.
    graveyard: Option<Graveyard>,
}

/// What reaches the calling thread.
enum Message {
    /// A batch of plans was checked (or could not be).
    Done(Vec<Done>),
    /// The NDJSON file ended after `count` plans.
    End { count: usize },
    /// Reading the NDJSON file failed where plan `index` would have been.
    ReadFailed { index: usize, message: String },
    /// A worker stopped (the engine panicked) on plan `index`.
    WorkerFailed { index: usize },
}

/// An NDJSON file being read, with the number of the last line read.
struct Ndjson {
    reader: BufReader<File>,
    line: usize,
}

/// A plan of an NDJSON file, or the end of the file.
enum Line {
    Plan {
        line: usize,
        plan: Result<Vec<u8>, PlanError>,
    },
    End,
}

impl Ndjson {
    /// The next plan (blank lines skipped), each line read up to the plan
    /// limit: the rest of a longer line is skipped, a buffer at a time,
    /// and the plan is a limit error.
    fn next_plan(&mut self) -> std::io::Result<Line> {
        loop {
            let mut buf = Vec::new();
            if self
                .reader
                .by_ref()
                .take(LINE_LIMIT)
                .read_until(b'\n', &mut buf)?
                == 0
            {
                return Ok(Line::End);
            }
            self.line += 1;
            if buf.len() as u64 >= LINE_LIMIT && buf.last() != Some(&b'\n') {
                let mut rest = Vec::new();
                loop {
                    rest.clear();
                    let n = self
                        .reader
                        .by_ref()
                        .take(64 * 1024)
                        .read_until(b'\n', &mut rest)?;
                    if n == 0 || rest.last() == Some(&b'\n') {
                        break;
                    }
                }
                return Ok(Line::Plan {
                    line: self.line,
                    plan: Err(too_large()),
                });
            }
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Ok(Line::Plan {
                line: self.line,
                plan: Ok(buf),
            });
        }
    }
}

fn too_large() -> PlanError {
    PlanError {
        kind: PlanErrorKind::Limit,
        message: format!(
            "the plan is larger than {} bytes, the limit",
            careprompt::MAX_PLAN_BYTES
        ),
        help: Some("check that this line is one plan, not a whole export".into()),
        line: 0,
        column: 0,
    }
}

fn read_failed(e: &std::io::Error) -> String {
    format!("reading plans: {}", e.to_string().to_lowercase())
}

fn check(rules: &RuleSet, options: &CheckOptions, job: Job) -> Done {
    Done {
        index: job.index,
        line: job.line,
        result: job.plan.and_then(|bytes| rules.check_json(&bytes, options)),
        graveyard: None,
    }
}

/// The worker threads' side of the pipeline.
struct Pipeline {
    /// Where jobs go (the caller's, for a Python iterable); dropping it
    /// stops the workers.
    jobs: Option<Sender<Vec<Job>>>,
    /// Where results come from (behind a lock only because a Python
    /// object must be shareable between threads; only the caller reads).
    results: Mutex<Receiver<Message>>,
    /// Permits back to the NDJSON reader, a batch's worth at a time (one
    /// per result handed out): a permit a plan keeps the plans in flight
    /// bounded, and returning them together keeps the reader from waking
    /// (and sending a batch of one) for every result.
    permits: Option<Sender<usize>>,
}

/// Starts `threads` workers taking jobs from `jobs_rx`.
fn start_workers(
    rules: &Arc<RuleSet>,
    options: &CheckOptions,
    threads: usize,
    jobs_rx: Receiver<Vec<Job>>,
    results: &Sender<Message>,
) -> PyResult<()> {
    let jobs_rx = Arc::new(Mutex::new(jobs_rx));
    for n in 0..threads {
        // A copy of the rules of its own for each worker: the reports of
        // two workers would otherwise count references to the same words.
        let (rules, options, jobs_rx, results) = (
            rules.clone_unshared(),
            options.clone(),
            Arc::clone(&jobs_rx),
            results.clone(),
        );
        std::thread::Builder::new()
            .name(format!("careprompt-check-{n}"))
            .spawn(move || {
                let (graveyard, dead) = channel::<Vec<careprompt::Outcome>>();
                loop {
                    // The outcomes of reports Python has let go of, freed here.
                    while dead.try_recv().is_ok() {}
                    let batch = match jobs_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok(batch) = batch else { return };
                    let index = batch.first().map_or(0, |j| j.index);
                    let message = match std::panic::catch_unwind(AssertUnwindSafe(|| {
                        batch
                            .into_iter()
                            .map(|job| Done {
                                graveyard: Some(graveyard.clone()),
                                ..check(&rules, &options, job)
                            })
                            .collect::<Vec<_>>()
                    })) {
                        Ok(done) => Message::Done(done),
                        Err(_) => Message::WorkerFailed { index },
                    };
                    if results.send(message).is_err() {
                        return;
                    }
                }
            })
            .map_err(|e| PyOSError::new_err(format!("starting a checking thread: {e}")))?;
    }
    Ok(())
}

/// Starts the thread reading `file` into batches of `batch` jobs, one
/// permit a plan, starting with `bound` permits.
fn start_reader(
    mut file: Ndjson,
    jobs: Sender<Vec<Job>>,
    permits: Receiver<usize>,
    bound: usize,
    results: Sender<Message>,
    batch: usize,
) -> PyResult<()> {
    std::thread::Builder::new()
        .name("careprompt-read".into())
        .spawn(move || {
            let mut index = 0;
            let mut free = bound;
            let mut ready = Vec::with_capacity(batch);
            loop {
                // A permit a plan: no more than the bound is ever in
                // flight. When none is free, the plans read so far go
                // first (the caller may be waiting for them), then the
                // reader waits for the caller to hand some out.
                while let Ok(n) = permits.try_recv() {
                    free += n;
                }
                if free == 0 {
                    if !ready.is_empty() && jobs.send(std::mem::take(&mut ready)).is_err() {
                        return;
                    }
                    match permits.recv() {
                        Ok(n) => free += n,
                        Err(_) => return,
                    }
                    continue;
                }
                let last = match file.next_plan() {
                    Ok(Line::Plan { line, plan }) => {
                        free -= 1;
                        ready.push(Job {
                            index,
                            line: Some(line),
                            plan,
                        });
                        index += 1;
                        if ready.len() >= batch && jobs.send(std::mem::take(&mut ready)).is_err() {
                            return;
                        }
                        continue;
                    }
                    Ok(Line::End) => Message::End { count: index },
                    Err(e) => Message::ReadFailed {
                        index,
                        message: read_failed(&e),
                    },
                };
                if !ready.is_empty() {
                    let _ = jobs.send(std::mem::take(&mut ready));
                }
                let _ = results.send(last);
                return;
            }
        })
        .map_err(|e| PyOSError::new_err(format!("starting the reading thread: {e}")))?;
    Ok(())
}

/// Where the plans come from.
enum Input {
    /// A Python iterator of plans, read on the calling thread.
    Iter(Py<PyAny>),
    /// An NDJSON file read on the calling thread (one thread).
    Ndjson(Ndjson),
    /// An NDJSON file read by the pipeline's reader thread.
    Reader,
}

/// The iterator `RuleSet.check_many` returns: one `CheckResult` per plan,
/// in input order.
#[pyclass(module = "careprompt")]
pub struct CheckMany {
    rules: Arc<RuleSet>,
    options: CheckOptions,
    /// The input, until it has ended (or failed).
    input: Option<Input>,
    /// The workers, when checking on more than one thread.
    pipeline: Option<Pipeline>,
    /// At most this many plans in flight.
    bound: usize,
    /// Plans handed to a worker at once.
    batch: usize,
    /// Plans taken from the input so far.
    taken: usize,
    /// The index of the next result to hand out.
    next_out: usize,
    /// Results handed out whose permits are not yet back with the reader.
    handed: usize,
    /// How many plans the input held, once known.
    count: Option<usize>,
    /// Results that came before their turn.
    early: BTreeMap<usize, Done>,
    /// An error to raise in its turn (the input failed at that index).
    failure: Option<(usize, PyErr)>,
}

impl CheckMany {
    /// Checks the plans of `plans` (an iterable, or an NDJSON path) on
    /// `threads` threads, with at most `bound` plans in flight.
    pub fn new(
        rules: Arc<RuleSet>,
        options: CheckOptions,
        plans: &Bound<'_, PyAny>,
        threads: Option<usize>,
        bound: usize,
    ) -> PyResult<CheckMany> {
        let threads = match threads {
            Some(0) => return Err(PyValueError::new_err("threads: give at least 1")),
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, usize::from),
        };
        if bound == 0 {
            return Err(PyValueError::new_err("chunk_size: give at least 1"));
        }
        let file = if plans.is_instance_of::<PyString>() || plans.hasattr("__fspath__")? {
            let path: PathBuf = plans.extract()?;
            let file = File::open(&path).map_err(|e| {
                PyOSError::new_err(format!(
                    "{}: {}",
                    path.display(),
                    e.to_string().to_lowercase()
                ))
            })?;
            Some(Ndjson {
                // Large reads: fewer system calls for the reading thread.
                reader: BufReader::with_capacity(1 << 20, file),
                line: 0,
            })
        } else {
            None
        };
        let mut input = match &file {
            Some(_) => None,
            None => Some(Input::Iter(plans.try_iter()?.into_any().unbind())),
        };
        let mut pipeline = None;
        let batch = batch_size(bound, threads);
        if threads == 1 {
            if let Some(f) = file {
                input = Some(Input::Ndjson(f));
            }
        } else {
            let (jobs_tx, jobs_rx) = channel();
            let (results_tx, results_rx) = channel();
            start_workers(&rules, &options, threads, jobs_rx, &results_tx)?;
            let (jobs, permits) = match file {
                Some(f) => {
                    let (permits_tx, permits_rx) = channel();
                    start_reader(f, jobs_tx, permits_rx, bound, results_tx, batch)?;
                    input = Some(Input::Reader);
                    (None, Some(permits_tx))
                }
                None => (Some(jobs_tx), None),
            };
            pipeline = Some(Pipeline {
                jobs,
                results: Mutex::new(results_rx),
                permits,
            });
        }
        Ok(CheckMany {
            rules,
            options,
            input,
            pipeline,
            bound,
            batch,
            taken: 0,
            next_out: 0,
            handed: 0,
            count: None,
            early: BTreeMap::new(),
            failure: None,
        })
    }

    /// The next plan of a Python iterator, as a job (None at its end).
    /// An exception from the iterator (or a plan of the wrong type) is
    /// kept, to be raised in its turn.
    fn pull(&mut self, py: Python<'_>) -> Option<Job> {
        let Some(Input::Iter(it)) = &self.input else {
            return None;
        };
        let it = it.bind(py).clone();
        let item = match it.try_iter().map(|mut i| i.next()) {
            Ok(Some(Ok(item))) => item,
            Ok(None) => {
                self.end_input(None);
                return None;
            }
            Ok(Some(Err(e))) | Err(e) => {
                self.end_input(Some(e));
                return None;
            }
        };
        let plan = match plan_bytes(&item) {
            Ok(PlanInput::Borrowed(b)) => Ok(b.to_vec()),
            Ok(PlanInput::Owned(b)) => Ok(b),
            Ok(PlanInput::Invalid(e)) => Err(e),
            Err(e) => {
                self.end_input(Some(e));
                return None;
            }
        };
        let job = Job {
            index: self.taken,
            line: None,
            plan,
        };
        self.taken += 1;
        Some(job)
    }

    /// The input has ended after the plans taken, with `error` to raise
    /// in its turn.
    fn end_input(&mut self, error: Option<PyErr>) {
        self.input = None;
        self.count = Some(self.taken);
        if let Some(e) = error {
            self.failure = Some((self.taken, e));
        }
    }

    /// One thread: the next plan read and checked on the calling thread.
    fn next_inline(&mut self, py: Python<'_>) -> PyResult<Option<Done>> {
        let (rules, options) = (&self.rules, &self.options);
        let job = match &mut self.input {
            None => None,
            Some(Input::Ndjson(file)) => {
                let index = self.taken;
                let read = py.detach(|| {
                    file.next_plan().map(|l| match l {
                        Line::Plan { line, plan } => Some(check(
                            rules,
                            options,
                            Job {
                                index,
                                line: Some(line),
                                plan,
                            },
                        )),
                        Line::End => None,
                    })
                });
                return match read {
                    Ok(Some(done)) => {
                        self.taken += 1;
                        Ok(Some(done))
                    }
                    Ok(None) => {
                        self.end_input(None);
                        Ok(None)
                    }
                    Err(e) => {
                        self.input = None;
                        Err(PyOSError::new_err(read_failed(&e)))
                    }
                };
            }
            Some(_) => self.pull(py),
        };
        match job {
            Some(job) => {
                let (rules, options) = (&self.rules, &self.options);
                Ok(Some(py.detach(|| check(rules, options, job))))
            }
            None => match self.failure.take() {
                Some((_, e)) => Err(e),
                None => Ok(None),
            },
        }
    }

    /// More threads: the next result in input order from the pipeline.
    fn next_piped(&mut self, py: Python<'_>) -> PyResult<Option<Done>> {
        loop {
            if let Some(done) = self.early.remove(&self.next_out) {
                self.next_out += 1;
                self.handed += 1;
                if self.handed >= self.batch {
                    if let Some(p) = self.pipeline.as_ref().and_then(|p| p.permits.as_ref()) {
                        let _ = p.send(self.handed);
                    }
                    self.handed = 0;
                }
                return Ok(Some(done));
            }
            if let Some((at, _)) = &self.failure {
                if *at == self.next_out {
                    self.stop();
                    return match self.failure.take() {
                        Some((_, e)) => Err(e),
                        None => Ok(None),
                    };
                }
            }
            if self.count.is_some_and(|c| self.next_out >= c) {
                self.stop();
                return Ok(None);
            }
            // Keep the workers fed from a Python iterable, a batch at a
            // time once there is room for one.
            let in_flight = self.taken - self.next_out;
            if in_flight == 0 || in_flight + self.batch <= self.bound {
                let mut ready = Vec::with_capacity(self.batch);
                while matches!(self.input, Some(Input::Iter(_)))
                    && self.taken - self.next_out < self.bound
                {
                    if let Some(job) = self.pull(py) {
                        ready.push(job);
                    }
                    if ready.len() >= self.batch || !matches!(self.input, Some(Input::Iter(_))) {
                        self.send(std::mem::take(&mut ready))?;
                    }
                }
                self.send(ready)?;
            }
            if self.count.is_some_and(|c| self.next_out >= c)
                || self.early.contains_key(&self.next_out)
            {
                continue;
            }
            let Some(pipeline) = &self.pipeline else {
                return Ok(None);
            };
            // Take what is there without releasing the GIL; wait without it.
            let ready = match pipeline.results.lock() {
                Ok(results) => results.try_recv(),
                Err(_) => Err(TryRecvError::Disconnected),
            };
            let message = match ready {
                Ok(m) => Ok(m),
                Err(TryRecvError::Empty) => py.detach(|| match pipeline.results.lock() {
                    Ok(results) => results.recv(),
                    Err(_) => Err(RecvError),
                }),
                Err(TryRecvError::Disconnected) => Err(RecvError),
            };
            match message {
                Ok(Message::Done(batch)) => {
                    for done in batch {
                        self.early.insert(done.index, done);
                    }
                }
                Ok(Message::End { count }) => {
                    self.input = None;
                    self.count = Some(count);
                }
                Ok(Message::ReadFailed { index, message }) => {
                    self.input = None;
                    self.count = Some(index);
                    self.failure = Some((index, PyOSError::new_err(message)));
                }
                Ok(Message::WorkerFailed { index }) => {
                    self.input = None;
                    self.count = Some(index);
                    self.failure = Some((index, stopped()));
                }
                Err(_) => {
                    self.stop();
                    return Err(stopped());
                }
            }
        }
    }

    /// Hands `jobs` to the workers (nothing when there are none).
    fn send(&self, jobs: Vec<Job>) -> PyResult<()> {
        if jobs.is_empty() {
            return Ok(());
        }
        let sent = self
            .pipeline
            .as_ref()
            .and_then(|p| p.jobs.as_ref())
            .is_some_and(|tx| tx.send(jobs).is_ok());
        if sent {
            Ok(())
        } else {
            Err(stopped())
        }
    }

    /// Stops the pipeline's threads (they end when their channels close).
    fn stop(&mut self) {
        self.pipeline = None;
        self.input = None;
    }
}

fn stopped() -> PyErr {
    PyRuntimeError::new_err("internal error: a checking thread stopped; the batch cannot go on")
}

#[pymethods]
impl CheckMany {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self, py: Python<'_>) -> PyResult<Option<CheckResult>> {
        let done = if self.pipeline.is_some() {
            self.next_piped(py)?
        } else {
            self.next_inline(py)?
        };
        match done {
            None => Ok(None),
            Some(d) => Ok(Some(CheckResult {
                index: d.index,
                line: d.line,
                result: match (d.result, d.graveyard) {
                    (Ok(r), Some(g)) => Ok(Py::new(py, Report::from_worker(r, g))?),
                    (Ok(r), None) => Ok(Py::new(py, Report::new(r))?),
                    (Err(e), _) => Err(e),
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
