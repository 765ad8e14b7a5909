//! The importers: SSDA903 returns, CIN census files and Standard
//! Safeguarding Dataset extracts to case plans.

use std::path::PathBuf;

use careprompt_import::{cin, ssd, ssda903, ImportError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::convert::as_of_date;
use crate::errors::ImporterError;

/// The result of an import: one plan per child, and the import log.
#[pyclass(frozen, module = "careprompt")]
pub struct Import {
    inner: careprompt_import::Import,
}

fn importer_error(e: &ImportError) -> PyErr {
    ImporterError::new_err(e.to_string())
}

fn loads<'py>(py: Python<'py>, json: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.getattr("loads")?.call1((json,))
}

#[pymethods]
impl Import {
    /// The plans, by child id, as dicts ready for `RuleSet.check`.
    #[getter]
    fn plans<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (child, plan) in &self.inner.plans {
            d.set_item(child, loads(py, &plan.to_json_line())?)?;
        }
        Ok(d)
    }

    /// The plans, by child id, as JSON bytes (the fastest input to `check`).
    fn plans_json<'py>(&self, py: Python<'py>) -> Vec<(String, Bound<'py, PyBytes>)> {
        self.inner
            .plans
            .iter()
            .map(|(c, p)| (c.clone(), PyBytes::new(py, p.to_json_line().as_bytes())))
            .collect()
    }

    /// The children's ids, sorted.
    #[getter]
    fn children(&self) -> Vec<String> {
        self.inner.plans.keys().cloned().collect()
    }

    /// The import log (what was read, and every row not used, with file,
    /// line and reason) as a dict, as `careprompt import` writes it.
    #[getter]
    fn log<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        loads(py, &self.inner.log.to_json())
    }

    fn __len__(&self) -> usize {
        self.inner.plans.len()
    }

    fn __repr__(&self) -> String {
        format!("<Import of {} plans>", self.inner.plans.len())
    }
}

/// Imports an SSDA903 return: `directory` holds its CSV tables (header.csv
/// and the others). `as_of`, `la_code` and `year_end` are as for
/// `careprompt import ssda903`. Raises `ImporterError` when the import
/// cannot run; rows that cannot be used are in `Import.log`.
#[pyfunction]
#[pyo3(signature = (directory, *, as_of = None, la_code = None, year_end = None))]
pub fn import_ssda903(
    py: Python<'_>,
    directory: PathBuf,
    as_of: Option<&Bound<'_, PyAny>>,
    la_code: Option<String>,
    year_end: Option<&Bound<'_, PyAny>>,
) -> PyResult<Import> {
    let options = ssda903::Options {
        as_of: as_of.map(as_of_date).transpose()?,
        la_code,
        year_end: year_end.map(as_of_date).transpose()?,
        ..ssda903::Options::default()
    };
    let inner = py
        .detach(|| ssda903::import_dir(&directory, &options))
        .map_err(|e| importer_error(&e))?;
    Ok(Import { inner })
}

/// Imports a CIN census XML file. With `merge_into` (an SSDA903 `Import`),
/// what the census carries is added to those plans by child id, as
/// `careprompt import ssda903 --cin` does. Dates after `as_of` (a
/// `datetime.date` or `"YYYY-MM-DD"`) are warned about in the log.
#[pyfunction]
#[pyo3(signature = (path, *, as_of = None, la_code = None, merge_into = None))]
pub fn import_cin(
    py: Python<'_>,
    path: PathBuf,
    as_of: Option<&Bound<'_, PyAny>>,
    la_code: Option<String>,
    merge_into: Option<PyRef<'_, Import>>,
) -> PyResult<Import> {
    let options = cin::Options {
        la_code,
        as_of: as_of.map(as_of_date).transpose()?,
        ..cin::Options::default()
    };
    let census = py
        .detach(|| cin::import_file(&path, &options))
        .map_err(|e| importer_error(&e))?;
    let inner = match merge_into {
        Some(base) => cin::merge(base.inner.clone(), census),
        None => census,
    };
    Ok(Import { inner })
}

/// Imports Standard Safeguarding Dataset CSV extracts (`directory` holds
/// `ssd_person.csv` and the other `ssd_*` tables) into `output`: a file
/// ending in `.ndjson` (one plan a line, ready for `RuleSet.check_many`)
/// or a directory (one plan a file). The plans are streamed to disk, so a
/// national cohort never sits in memory; `as_of` (a `datetime.date` or
/// `"YYYY-MM-DD"`) is required, as the SSD has no collection year. An
/// existing output is replaced only with `force=True`, and a failed import
/// leaves it as it was. Returns the import log as a dict (rows not used,
/// by table, line and reason; it holds personal data). Raises
/// `ImporterError` when the import cannot run.
#[pyfunction]
#[pyo3(signature = (directory, output, *, as_of, force = false))]
pub fn import_ssd<'py>(
    py: Python<'py>,
    directory: PathBuf,
    output: PathBuf,
    as_of: &Bound<'py, PyAny>,
    force: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let options = ssd::Options::new(as_of_date(as_of)?);
    let log = py
        .detach(|| {
            let mut source = ssd::CsvDir::new(&directory)?;
            ssd::import(&mut source, &options, &output, force, &mut |_| {})
        })
        .map_err(|e| ImporterError::new_err(e.to_string()))?;
    loads(py, &log.to_json())
}
