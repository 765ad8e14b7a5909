//! The host layer: what every binding (the command line, WebAssembly, and
//! any later one) needs around the engine, written once, with one JSON
//! interface.
//!
//! - a **batch** of plans: one rule for telling a single plan, a JSON array
//!   of plans and NDJSON apart ([`detect_layout`]), one way of splitting it
//!   ([`split_batch`]) and one envelope for the results ([`check_batch`]);
//! - one **text** and one **JSON** form for plan errors, compile errors and
//!   the host's own errors (bad dates, bad arguments, unreadable batches);
//! - an in-memory [`Loader`] ([`MemoryLoader`]) with the library's one
//!   import-path rule ([`crate::resolve_import`]), through which rules
//!   compile and rule tests read their fixtures.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::value::RawValue;

use crate::check::CheckOptions;
use crate::date::Date;
use crate::diagnostic::{CompileError, Diagnostic};
pub use crate::load::normalise_path;
use crate::load::{Loader, Source};
use crate::plan::PlanError;
use crate::ruleset::{CompileOptions, RuleSet};
use crate::testing::{self, TestRun};

/// An error that is not about a rules file or a plan's content: a bad
/// date, a bad argument, a batch that cannot be split into plans.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{}", self.to_text())]
#[non_exhaustive]
pub struct HostError {
    /// `date`, `argument` or `syntax` (a batch that is not JSON).
    pub kind: &'static str,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// 1-based line in the batch (0 when the error is not about a position).
    pub line: usize,
    /// 1-based column in the batch (0 when the error is not about a position).
    pub column: usize,
}

impl HostError {
    fn new(kind: &'static str, message: String, help: &str) -> HostError {
        HostError {
            kind,
            message,
            help: Some(help.to_string()),
            line: 0,
            column: 0,
        }
    }

    /// The error as JSON: `{"kind", "message", "help"?, "line", "column"}`.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The error as one line of text (see [`located_text`]).
    pub fn to_text(&self) -> String {
        located_text(self.line, self.column, &self.message, self.help.as_deref())
    }
}

/// The one text form of an error: `line:column: message (help: ...)`, the
/// position left out when it is not known (0) and the help when there is none.
pub fn located_text(line: usize, column: usize, message: &str, help: Option<&str>) -> String {
    let mut text = if line > 0 {
        format!("{line}:{column}: {message}")
    } else {
        message.to_string()
    };
    if let Some(h) = help {
        text.push_str(" (help: ");
        text.push_str(h);
        text.push(')');
    }
    text
}

/// A plan error as text: `line:column: message (help: ...)`.
pub fn plan_error_text(e: &PlanError) -> String {
    located_text(e.line, e.column, &e.message, e.help.as_deref())
}

/// A plan error as JSON: `{"kind", "message", "help"?, "line", "column"}`.
pub fn plan_error_json(e: &PlanError) -> String {
    e.to_json()
}

/// A compile error as text: each diagnostic rendered with its file, line,
/// column, the source line and the help.
pub fn compile_error_text(e: &CompileError) -> String {
    e.to_string()
}

/// A compile error as JSON: `{"diagnostics": [...]}`, each with file, line,
/// column, end and help.
pub fn compile_error_json(e: &CompileError) -> String {
    e.to_json()
}

/// Diagnostics (errors, or lint warnings) as JSON: `{"diagnostics": [...]}`.
pub fn diagnostics_json(diagnostics: &[Diagnostic]) -> String {
    crate::diagnostic::diagnostics_json(diagnostics)
}

/// The evaluation date from its text, or a `date` error naming the fix.
pub fn parse_as_of(text: &str) -> Result<Date, HostError> {
    Date::parse(text).map_err(|e| {
        HostError::new(
            "date",
            format!("the evaluation date `{text}` is not a date: {e}"),
            "give the evaluation date as YYYY-MM-DD, for example 2026-11-26",
        )
    })
}

/// Rules files (or test files, or fixtures) given as JSON:
/// `[{"name": ..., "text": ...}, ...]`.
pub fn parse_sources(json: &str) -> Result<Vec<Source>, HostError> {
    #[derive(serde::Deserialize)]
    struct SourceIn {
        name: String,
        text: String,
    }
    let list: Vec<SourceIn> = serde_json::from_str(json).map_err(|e| {
        HostError::new(
            "argument",
            format!("the rule sources are not a list of {{name, text}} objects: {e}"),
            "pass an array like [{\"name\": \"rules.cpr\", \"text\": \"...\"}]",
        )
    })?;
    Ok(list
        .into_iter()
        .map(|s| Source::new(s.name, s.text))
        .collect())
}

/// Sources as JSON: `[{"name": ..., "text": ...}, ...]`.
pub fn sources_json<'s>(sources: impl Iterator<Item = (&'s str, &'s str)>) -> String {
    #[derive(Serialize)]
    struct SourceOut<'a> {
        name: &'a str,
        text: &'a str,
    }
    let out: Vec<SourceOut<'_>> = sources
        .map(|(name, text)| SourceOut { name, text })
        .collect();
    serde_json::to_string(&out).unwrap_or_default()
}

/// Files held in memory, found by name with the library's one path rule
/// ([`crate::resolve_import`]: `a/./b/../c.cpr` is `a/c.cpr`, and a `..`
/// above the first directory is kept).
#[derive(Clone, Debug, Default)]
pub struct MemoryLoader {
    files: HashMap<String, String>,
}

impl MemoryLoader {
    /// A loader over `sources` (the first of two with the same path wins).
    pub fn new<'s>(sources: impl IntoIterator<Item = &'s Source>) -> MemoryLoader {
        let mut files = HashMap::new();
        for s in sources {
            files
                .entry(normalise_path(&s.name))
                .or_insert_with(|| s.text.clone());
        }
        MemoryLoader { files }
    }
}

impl Loader for MemoryLoader {
    fn load(&self, path: &str) -> Result<String, String> {
        self.files
            .get(&normalise_path(path))
            .cloned()
            .ok_or_else(|| "no file of that name was given".to_string())
    }
}

/// Compiles rules files held in memory; a file they import that is not
/// among them is an error naming it (hosts without files have nowhere
/// else to look).
pub fn compile(sources: &[Source]) -> Result<RuleSet, CompileError> {
    let loader = MemoryLoader::new(sources);
    RuleSet::compile_with(
        sources,
        &CompileOptions {
            loader: Some(&loader),
            ..CompileOptions::default()
        },
    )
}

/// Runs rule test files against `rules`, reading the plans they refer to
/// from `fixtures` (and the tests themselves) through a [`MemoryLoader`].
pub fn run_tests(rules: &RuleSet, tests: &[Source], fixtures: &[Source]) -> TestRun {
    let loader = MemoryLoader::new(fixtures.iter().chain(tests));
    let files: Vec<(String, String)> = tests
        .iter()
        .map(|s| (s.name.clone(), s.text.clone()))
        .collect();
    testing::run_tests(rules, &files, &loader)
}

/// How a batch says it is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BatchFormat {
    /// Decide from the bytes ([`detect_layout`]).
    Auto,
    /// A JSON array of plans.
    Array,
    /// One plan a line.
    Ndjson,
}

impl BatchFormat {
    /// `auto` (or empty), `array` or `ndjson`.
    pub fn parse(name: &str) -> Result<BatchFormat, HostError> {
        match name {
            "auto" | "" => Ok(BatchFormat::Auto),
            "array" => Ok(BatchFormat::Array),
            "ndjson" => Ok(BatchFormat::Ndjson),
            other => Err(HostError::new(
                "argument",
                format!("unknown batch format `{other}`"),
                "use \"array\", \"ndjson\" or \"auto\"",
            )),
        }
    }
}

/// What a batch of bytes holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Layout {
    /// One plan (which may span many lines), or nothing but white space.
    Single,
    /// A JSON array of plans.
    Array,
    /// Several JSON values, one plan a line.
    Ndjson,
}

/// The one detection rule: a batch whose first non-blank character is `[`
/// is an array of plans; one JSON value (or one that is not JSON at all)
/// is a single plan; more than one value is NDJSON. When the first value
/// is not JSON, the batch is still NDJSON if its second non-blank line is
/// a JSON object on its own (a bad first line must not hide the plans
/// after it); the second line of a pretty-printed plan is a key, never an
/// object, so a broken multi-line plan stays one plan.
pub fn detect_layout(bytes: &[u8]) -> Layout {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Layout::Array;
    }
    let mut stream =
        serde_json::Deserializer::from_slice(bytes).into_iter::<serde::de::IgnoredAny>();
    let first_ok = stream.next().is_some_and(|r| r.is_ok());
    if first_ok && stream.next().is_some() {
        return Layout::Ndjson;
    }
    if !first_ok && second_line_is_an_object(bytes) {
        return Layout::Ndjson;
    }
    Layout::Single
}

/// The one detection rule ([`detect_layout`]) applied to the start of a
/// batch that is still arriving (standard input, a stream): `Some` layout as
/// soon as `prefix` decides it, whatever follows; `None` while more bytes
/// are needed. With `complete` (`prefix` is the whole batch) it is always
/// `Some`, and always [`detect_layout`]'s answer; a prefix's answer is never
/// changed by what follows it.
///
/// A first non-blank `[` decides at once (an array). Otherwise the first
/// value is read: when it is JSON, the batch is NDJSON once anything but
/// white space follows it, and one plan only at the end of the input; when
/// it is not JSON, the batch is decided by its second non-blank line, once
/// that line has ended. So one NDJSON line is decided by the next line (or
/// the end of the input), never by the whole stream.
pub fn detect_layout_prefix(prefix: &[u8], complete: bool) -> Option<Layout> {
    if complete {
        return Some(detect_layout(prefix));
    }
    match prefix.iter().find(|b| !b.is_ascii_whitespace()) {
        None => return None,
        Some(b'[') => return Some(Layout::Array),
        Some(_) => {}
    }
    let mut stream =
        serde_json::Deserializer::from_slice(prefix).into_iter::<serde::de::IgnoredAny>();
    match stream.next() {
        Some(Ok(_)) => {
            let rest = prefix.get(stream.byte_offset()..).unwrap_or_default();
            // A value ending at the end of the prefix may go on (`12` of `123`).
            if rest.iter().all(u8::is_ascii_whitespace) {
                None
            } else {
                Some(Layout::Ndjson)
            }
        }
        // The prefix ends inside the first value: it may yet be JSON.
        Some(Err(e)) if e.is_eof() => None,
        _ => {
            // Not JSON whatever follows: the second non-blank line decides,
            // once it has ended.
            let mut lines = prefix
                .split_inclusive(|b| *b == b'\n')
                .filter(|l| !l.iter().all(u8::is_ascii_whitespace));
            let _first = lines.next();
            match lines.next() {
                Some(second) if second.ends_with(b"\n") => {
                    Some(if second_line_is_an_object(prefix) {
                        Layout::Ndjson
                    } else {
                        Layout::Single
                    })
                }
                _ => None,
            }
        }
    }
}

/// Whether the second non-blank line of `bytes` is, by itself, one JSON
/// object.
fn second_line_is_an_object(bytes: &[u8]) -> bool {
    let mut lines = bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace));
    let _first = lines.next();
    let Some(second) = lines.next() else {
        return false;
    };
    second.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
        && serde_json::from_slice::<serde::de::IgnoredAny>(second).is_ok()
}

/// One plan of a batch: its position and its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchItem<'a> {
    /// 0-based, in input order.
    pub index: usize,
    /// The 1-based line, for NDJSON.
    pub line: Option<usize>,
    /// The plan's bytes.
    pub bytes: &'a [u8],
}

/// Splits a batch into its plans, in order. Blank NDJSON lines are skipped
/// (their numbers still count); a single plan that is only white space
/// gives no plans.
pub fn split_batch(bytes: &[u8], format: BatchFormat) -> Result<Vec<BatchItem<'_>>, HostError> {
    let layout = match format {
        BatchFormat::Array => Layout::Array,
        BatchFormat::Ndjson => Layout::Ndjson,
        BatchFormat::Auto => detect_layout(bytes),
    };
    match layout {
        Layout::Single => {
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(Vec::new());
            }
            Ok(vec![BatchItem {
                index: 0,
                line: None,
                bytes,
            }])
        }
        Layout::Array => {
            let items: Vec<&RawValue> = serde_json::from_slice(bytes).map_err(|e| HostError {
                kind: "syntax",
                message: format!(
                    "the batch is not a JSON array of plans: {}",
                    strip_position(&e)
                ),
                help: Some(
                    "give a JSON array of plan objects, or one plan per line (NDJSON)".into(),
                ),
                line: e.line(),
                column: e.column(),
            })?;
            Ok(items
                .into_iter()
                .enumerate()
                .map(|(index, raw)| BatchItem {
                    index,
                    line: None,
                    bytes: raw.get().as_bytes(),
                })
                .collect())
        }
        Layout::Ndjson => Ok(bytes
            .split(|b| *b == b'\n')
            .enumerate()
            .filter(|(_, line)| !line.iter().all(u8::is_ascii_whitespace))
            .enumerate()
            .map(|(index, (n, line))| BatchItem {
                index,
                line: Some(n + 1),
                bytes: line,
            })
            .collect()),
    }
}

fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&suffix).unwrap_or(&text).to_string()
}

/// Checks one plan: `Ok` with the report's JSON (exactly
/// `careprompt check --format json`'s), or `Err` with the error's JSON.
pub fn check_one(rules: &RuleSet, plan: &[u8], as_of: Date) -> Result<String, String> {
    match rules.check_json(plan, &CheckOptions::new(as_of)) {
        Ok(report) => Ok(report.to_json()),
        Err(e) => Err(plan_error_json(&e)),
    }
}

/// Checks a batch: the envelope is a JSON array with one
/// `{"index", "line"?, "ok", "report" | "error"}` per plan, in input order.
pub fn check_batch(
    rules: &RuleSet,
    batch: &[u8],
    as_of: Date,
    format: BatchFormat,
) -> Result<String, HostError> {
    #[derive(Serialize)]
    struct Entry<'a> {
        index: usize,
        #[serde(skip_serializing_if = "Option::is_none")]
        line: Option<usize>,
        ok: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        report: Option<&'a RawValue>,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<&'a RawValue>,
    }
    let items = split_batch(batch, format)?;
    let results: Vec<(BatchItem<'_>, bool, Option<Box<RawValue>>)> = items
        .into_iter()
        .map(|item| {
            let (ok, json) = match check_one(rules, item.bytes, as_of) {
                Ok(j) => (true, j),
                Err(j) => (false, j),
            };
            (item, ok, RawValue::from_string(json).ok())
        })
        .collect();
    let entries: Vec<Entry<'_>> = results
        .iter()
        .map(|(item, ok, raw)| Entry {
            index: item.index,
            line: item.line,
            ok: *ok,
            report: raw.as_deref().filter(|_| *ok),
            error: raw.as_deref().filter(|_| !*ok),
        })
        .collect();
    Ok(serde_json::to_string(&entries).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn one_detection_rule_for_single_array_and_ndjson() {
        assert_eq!(detect_layout(b"  [1, 2]"), Layout::Array);
        assert_eq!(detect_layout(b"{\"a\": 1}"), Layout::Single);
        assert_eq!(detect_layout(b"{\n  \"a\": 1\n}\n"), Layout::Single);
        assert_eq!(detect_layout(b"{}\n{}\n"), Layout::Ndjson);
        // A bad first line does not hide the plans after it.
        assert_eq!(detect_layout(b"{bad\n{}"), Layout::Ndjson);
        assert_eq!(detect_layout(b"not json\n\n{\"a\": 1}\n"), Layout::Ndjson);
        // A broken pretty-printed plan is one plan.
        assert_eq!(
            detect_layout(b"{\n  \"a\": tru,\n  \"b\": [\n    {\"c\": 1}\n  ]\n}\n"),
            Layout::Single
        );
        assert_eq!(detect_layout(b"{bad\n"), Layout::Single);
        assert_eq!(detect_layout(b""), Layout::Single);
    }

    /// Every prefix of every batch gives no answer or the whole batch's
    /// answer, and the whole batch always gives it: the rule can be applied
    /// to a stream. NDJSON is decided by its second line.
    #[test]
    fn the_detection_rule_decides_on_a_prefix_as_on_the_whole() {
        let batches: [&[u8]; 16] = [
            b"  [1, 2]",
            b"{\"a\": 1}",
            b"{\n  \"a\": 1\n}\n",
            b"{}\n{}\n",
            b"{bad\n{}",
            b"{bad\n{}\n{}\n",
            b"not json\n\n{\"a\": 1}\n",
            b"{\n  \"a\": tru,\n  \"b\": [\n    {\"c\": 1}\n  ]\n}\n",
            b"{bad\n",
            b"",
            b"123",
            b"12 3",
            b"true\n",
            b"{\"a\": 1} {\"b\": 2}",
            b"{\"a\": \"x\"}\n\n\n{\"b\": 1e400}\n",
            b"\n\n  {\"a\": [1,\n 2]}\n  \n",
        ];
        for batch in batches {
            let whole = detect_layout(batch);
            assert_eq!(detect_layout_prefix(batch, true), Some(whole));
            for n in 0..=batch.len() {
                let prefix = &batch[..n];
                if let Some(early) = detect_layout_prefix(prefix, false) {
                    assert_eq!(
                        early,
                        whole,
                        "{:?} decided at {n}",
                        String::from_utf8_lossy(batch)
                    );
                }
            }
        }
        // One NDJSON line waits for the next; two decide.
        assert_eq!(detect_layout_prefix(b"{\"a\": 1}\n", false), None);
        assert_eq!(
            detect_layout_prefix(b"{\"a\": 1}\n{\"a\"", false),
            Some(Layout::Ndjson)
        );
        assert_eq!(
            detect_layout_prefix(b"{bad\n{}\n", false),
            Some(Layout::Ndjson)
        );
        assert_eq!(
            detect_layout_prefix(b"{bad\n  \"k\": 1,\n", false),
            Some(Layout::Single)
        );
    }

    #[test]
    fn ndjson_keeps_line_numbers_and_skips_blank_lines() {
        let items = split_batch(b"{}\n\n{}\n", BatchFormat::Auto).unwrap();
        let lines: Vec<_> = items.iter().map(|i| (i.index, i.line)).collect();
        assert_eq!(lines, vec![(0, Some(1)), (1, Some(3))]);
        let e = split_batch(b"[1,", BatchFormat::Array).unwrap_err();
        assert_eq!((e.kind, e.line), ("syntax", 1));
        assert!(split_batch(b"  ", BatchFormat::Auto).unwrap().is_empty());
    }

    #[test]
    fn the_text_form_keeps_the_position_only_when_known_and_always_the_help() {
        assert_eq!(located_text(3, 4, "m", Some("h")), "3:4: m (help: h)");
        assert_eq!(located_text(0, 0, "m", Some("h")), "m (help: h)");
        assert_eq!(located_text(0, 0, "m", None), "m");
    }

    #[test]
    fn the_memory_loader_resolves_paths_by_the_import_rule() {
        let loader = MemoryLoader::new(&[Source::new("t/fixtures/p.json", "x")]);
        assert_eq!(loader.load("t/./fixtures/../fixtures/p.json").unwrap(), "x");
        assert!(loader.load("p.json").is_err());
        assert_eq!(normalise_path("a/./b/../c"), "a/c");
        assert_eq!(normalise_path("../x"), "../x");
    }
}
