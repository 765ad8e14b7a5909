//! The batch pipeline of `careprompt check`: plans read lazily, checked a
//! chunk at a time on every core, results written in input order, so that
//! memory stays flat however many plans come in.

use crate::cohort;
use crate::inputs::{PlanInput, Plans};
use careprompt::Report;

/// How many plans are checked together.
pub const CHUNK: usize = 1024;

/// One plan's result.
pub enum PlanResult {
    /// A report, the facts the cohort report needs, and for the batch
    /// formats (NDJSON, CSV) its output, rendered on the worker thread so
    /// that writing stays a copy and checking scales with the cores.
    Report(Box<Report>, Option<cohort::PlanFacts>, Option<String>),
    /// A batch format's output alone, when nothing after it reads the
    /// report: the report was counted and freed on the thread that made it.
    Rendered(String),
    Error(String),
}

/// The next chunk: up to [`CHUNK`] plans, but only those that can be read
/// without waiting for more input on a stream (`wait`: except the first).
fn next_chunk(inputs: &mut Plans, wait: bool) -> Vec<PlanInput> {
    let mut chunk = Vec::new();
    while chunk.len() < CHUNK && ((wait && chunk.is_empty()) || inputs.ready()) {
        match inputs.next() {
            Some(p) => chunk.push(p),
            None => break,
        }
    }
    chunk
}

/// Runs the pipeline: while the pool checks one chunk (`process`), this
/// thread writes the results of the one before (`emit`) and reads the one
/// after, so that reading and writing do not leave the cores idle. A chunk
/// holds only the plans that are there to read: before waiting for more of
/// a stream (standard input on a pipe), every result so far is written, so
/// that each report comes out as soon as its plan is in.
pub fn pipeline<R: Send>(
    inputs: &mut Plans,
    process: impl Fn(Vec<PlanInput>) -> Vec<R> + Sync,
    mut emit: impl FnMut(Vec<R>),
) {
    let mut chunk = next_chunk(inputs, true);
    let mut pending: Option<Vec<R>> = None;
    while !chunk.is_empty() || pending.is_some() {
        let work = std::mem::take(&mut chunk);
        let (done, next) = std::thread::scope(|s| {
            let worker = (!work.is_empty()).then(|| s.spawn(|| process(work)));
            if let Some(previous) = pending.take() {
                emit(previous);
            }
            let next = next_chunk(inputs, false);
            let done = worker.map(|w| match w.join() {
                Ok(results) => results,
                Err(panic) => std::panic::resume_unwind(panic),
            });
            (done, next)
        });
        if next.is_empty() {
            // Nothing more to read without waiting: write what is done first.
            if let Some(done) = done {
                emit(done);
            }
            chunk = next_chunk(inputs, true);
        } else {
            pending = done;
            chunk = next;
        }
    }
}
