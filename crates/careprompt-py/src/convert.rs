//! Python values to the library's inputs: evaluation dates, and plans
//! (dicts, JSON text or bytes) to JSON bytes.

use careprompt::{Date, PlanError, PlanErrorKind};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple,
};

/// Deeper than this, a dict plan is refused (the engine's own nesting
/// limit is lower still).
const MAX_DEPTH: usize = 200;

/// The evaluation date from a `datetime.date` (or `datetime`) or a
/// `YYYY-MM-DD` string.
pub fn as_of_date(value: &Bound<'_, PyAny>) -> PyResult<Date> {
    if let Ok(s) = value.cast::<PyString>() {
        let text = s.to_cow()?;
        return Date::parse(&text)
            .map_err(|e| PyValueError::new_err(format!("as_of `{text}`: {e}")));
    }
    let part = |name: &str| -> PyResult<i64> { value.getattr(name)?.extract() };
    match (part("year"), part("month"), part("day")) {
        (Ok(y), Ok(m), Ok(d)) => i32::try_from(y)
            .ok()
            .zip(u32::try_from(m).ok())
            .zip(u32::try_from(d).ok())
            .and_then(|((y, m), d)| Date::from_ymd(y, m, d))
            .ok_or_else(|| PyValueError::new_err("as_of: not a valid date")),
        _ => Err(PyTypeError::new_err(
            "as_of: give a `datetime.date` or a `YYYY-MM-DD` string (the evaluation date is never read from the clock)",
        )),
    }
}

/// A plan as JSON bytes: borrowed from a `bytes` object, or written out.
pub enum PlanInput<'a> {
    /// The bytes of a `bytes` object.
    Borrowed(&'a [u8]),
    /// JSON text, or a dict written as JSON.
    Owned(Vec<u8>),
    /// A value that cannot be written as JSON: the plan's error.
    Invalid(PlanError),
}

/// The JSON bytes of `plan`: a dict, a JSON `str`, or JSON `bytes`
/// (or `bytearray`). Other types are a `TypeError`.
pub fn plan_bytes<'a>(plan: &'a Bound<'_, PyAny>) -> PyResult<PlanInput<'a>> {
    if let Ok(b) = plan.cast::<PyBytes>() {
        return Ok(PlanInput::Borrowed(b.as_bytes()));
    }
    if let Ok(s) = plan.cast::<PyString>() {
        return Ok(PlanInput::Owned(s.to_cow()?.as_bytes().to_vec()));
    }
    if let Ok(b) = plan.cast::<PyByteArray>() {
        return Ok(PlanInput::Owned(b.to_vec()));
    }
    if plan.is_instance_of::<PyDict>() {
        let mut out = Vec::with_capacity(4096);
        let mut path = Vec::new();
        return Ok(match write_json(plan, &mut out, &mut path) {
            Ok(()) => PlanInput::Owned(out),
            Err(message) => PlanInput::Invalid(PlanError {
                kind: PlanErrorKind::Schema,
                message,
                help: Some(
                    "give plan values as JSON does: dicts, lists, str, int, float, bool, None (or datetime.date for dates)"
                        .into(),
                ),
                line: 0,
                column: 0,
            }),
        });
    }
    Err(PyTypeError::new_err(format!(
        "plan: give a dict, a JSON `str` or JSON `bytes`, not `{}`",
        type_name(plan)
    )))
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// A position in a dict plan, for messages (field names and indexes only).
enum Seg {
    Key(String),
    Index(usize),
}

fn path_text(path: &[Seg]) -> String {
    let mut out = String::new();
    for s in path {
        match s {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    if out.is_empty() {
        out.push_str("(the plan)");
    }
    out
}

fn push_str(out: &mut Vec<u8>, s: &str) {
    // serde_json's escaping; writing to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// Writes `value` as compact JSON; on failure, a message naming where (by
/// path and type, never by value).
fn write_json(
    value: &Bound<'_, PyAny>,
    out: &mut Vec<u8>,
    path: &mut Vec<Seg>,
) -> Result<(), String> {
    if path.len() > MAX_DEPTH {
        return Err(format!("`{}`: nested too deeply", path_text(path)));
    }
    if value.is_none() {
        out.extend_from_slice(b"null");
    } else if let Ok(b) = value.cast::<PyBool>() {
        out.extend_from_slice(if b.is_true() { b"true" } else { b"false" });
    } else if let Ok(s) = value.cast::<PyString>() {
        let text = s
            .to_cow()
            .map_err(|_| format!("`{}`: text that is not valid unicode", path_text(path)))?;
        push_str(out, &text);
    } else if value.is_instance_of::<PyInt>() {
        if let Ok(i) = value.extract::<i64>() {
            out.extend_from_slice(i.to_string().as_bytes());
        } else if let Ok(u) = value.extract::<u64>() {
            out.extend_from_slice(u.to_string().as_bytes());
        } else {
            return Err(format!(
                "`{}`: an integer too large for JSON numbers",
                path_text(path)
            ));
        }
    } else if let Ok(f) = value.cast::<PyFloat>() {
        let f = f.value();
        if !f.is_finite() {
            return Err(format!(
                "`{}`: a number that is not finite",
                path_text(path)
            ));
        }
        let _ = serde_json::to_writer(&mut *out, &f);
    } else if let Ok(d) = value.cast::<PyDict>() {
        out.push(b'{');
        for (i, (k, v)) in d.iter().enumerate() {
            let Ok(key) = k.cast::<PyString>() else {
                return Err(format!(
                    "`{}`: a key of type `{}` (keys must be `str`)",
                    path_text(path),
                    type_name(&k)
                ));
            };
            let key = key
                .to_cow()
                .map_err(|_| format!("`{}`: a key that is not valid unicode", path_text(path)))?;
            if i > 0 {
                out.push(b',');
            }
            push_str(out, &key);
            out.push(b':');
            path.push(Seg::Key(key.into_owned()));
            write_json(&v, out, path)?;
            path.pop();
        }
        out.push(b'}');
    } else if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        out.push(b'[');
        let items = value
            .try_iter()
            .map_err(|_| format!("`{}`: a list that cannot be read", path_text(path)))?;
        for (i, item) in items.enumerate() {
            let item =
                item.map_err(|_| format!("`{}`: a list that cannot be read", path_text(path)))?;
            if i > 0 {
                out.push(b',');
            }
            path.push(Seg::Index(i));
            write_json(&item, out, path)?;
            path.pop();
        }
        out.push(b']');
    } else if let Some(date) = date_text(value) {
        push_str(out, &date);
    } else {
        return Err(format!(
            "`{}`: a value of type `{}` cannot be written as JSON",
            path_text(path),
            type_name(value)
        ));
    }
    Ok(())
}

/// `YYYY-MM-DD` for a `datetime.date` (a `datetime` gives its date).
fn date_text(value: &Bound<'_, PyAny>) -> Option<String> {
    if !value.hasattr("isoformat").ok()? {
        return None;
    }
    let part = |name: &str| -> Option<i64> { value.getattr(name).ok()?.extract().ok() };
    let (y, m, d) = (part("year")?, part("month")?, part("day")?);
    Some(format!("{y:04}-{m:02}-{d:02}"))
}
