//! Reading one SSDA903 CSV table: columns by name (case and surrounding
//! space ignored, a UTF-8 byte order mark tolerated), rows with the line
//! they start on, and an account of every line of the file.
//!
//! SSDA903 fields never hold a line break, so a record that runs over more
//! than one line (a quoted field holding a line end) or a quote that is
//! never closed means the file is damaged: a stray `"` would otherwise
//! swallow every later row into one field. Such a table is marked
//! [`Table::damage`] and none of its rows is used.

use std::collections::HashMap;
use std::path::Path;

use careprompt::Date;

use crate::lines::LineStarts;
use crate::read::read_bounded;
use crate::ImportError;

/// A CSV table read into memory.
#[derive(Debug, Default)]
pub(crate) struct Table {
    /// The file, for messages.
    pub file: String,
    /// Column name (upper case) → index.
    columns: HashMap<String, usize>,
    /// The rows.
    pub rows: Vec<Row>,
    /// Lines in the file (a last line without a line end counts).
    pub lines: u64,
    /// Lines that hold no record: empty, or only blanks and commas.
    pub blank_lines: u64,
    /// Why the table cannot be used, with the line it starts on: a record
    /// over several lines, a quote left open, or lines not accounted for.
    pub damage: Option<(u64, String)>,
}

/// One data row.
#[derive(Debug)]
pub(crate) struct Row {
    /// The line the row starts on (the header is line 1).
    pub line: u64,
    /// The fields, trimmed.
    pub fields: Vec<String>,
}

/// What is wrong with the raw text of one record from `start` to `end`
/// (byte offsets), if anything.
fn record_damage(bytes: &[u8], start: usize, end: usize, lines: &LineStarts) -> Option<String> {
    let start = skip_line_ends(bytes, start, end);
    let raw = bytes.get(start..end).unwrap_or_default();
    let mut content = raw;
    while let Some((last, rest)) = content.split_last() {
        if *last == b'\n' || *last == b'\r' {
            content = rest;
        } else {
            break;
        }
    }
    let quotes = content.iter().filter(|b| **b == b'"').count();
    let first = lines.line_of(start);
    let last = lines.line_of(start + content.len().saturating_sub(1));
    let at_end = end >= bytes.len();
    if quotes % 2 == 1 {
        return Some(if at_end {
            format!(
                "a quote opened on line {first} is never closed: lines {first} to {last} (the end of the file) would be read as one field"
            )
        } else {
            format!("line {first} has a quote that is not closed")
        });
    }
    if last > first || content.contains(&b'\r') {
        return Some(format!(
            "the record starting on line {first} runs on to line {last}: a quoted field holds a line break, which no SSDA903 field has (a stray `\"` ?)"
        ));
    }
    None
}

impl Table {
    /// Reads `path`, at most `limit` bytes.
    pub fn read(path: &Path, limit: u64) -> Result<Table, ImportError> {
        let file = path.display().to_string();
        let io = |e: &dyn std::fmt::Display| ImportError::Read {
            path: file.clone(),
            message: e.to_string(),
        };
        let bytes = read_bounded(path, limit)?;
        // Line numbers from byte offsets: the csv reader's own line count is
        // one short for files with CRLF line ends.
        let lines = LineStarts::new(&bytes);
        let line_at = |offset: u64| -> u64 {
            let mut at = usize::try_from(offset).unwrap_or(usize::MAX);
            while matches!(bytes.get(at), Some(b'\r' | b'\n')) {
                at += 1;
            }
            lines.line_of(at)
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(bytes.as_slice());
        // Bytes, not strings: a stray byte that is not UTF-8 (an export in
        // another encoding) is replaced, and the odd value reported where it
        // is used, instead of stopping the import.
        let headers = reader.byte_headers().map_err(|e| io(&e))?.clone();
        let mut damage: Option<(u64, String)> = None;
        // Lines taken by the header and by records; the rest must be blank.
        let mut accounted = 0u64;
        let header_end = usize::try_from(reader.position().byte()).unwrap_or(usize::MAX);
        if !bytes.is_empty() {
            let start = headers
                .position()
                .and_then(|p| usize::try_from(p.byte()).ok())
                .unwrap_or(0);
            if let Some(d) = record_damage(&bytes, start, header_end, &lines) {
                damage = Some((lines.line_of(start), d));
            }
            accounted += span(&bytes, start, header_end, &lines);
        }
        let mut columns = HashMap::new();
        for (i, h) in headers.iter().enumerate() {
            let h = String::from_utf8_lossy(h);
            let name = h.trim_start_matches('\u{feff}').trim().to_ascii_uppercase();
            columns.entry(name).or_insert(i);
        }
        let mut rows = Vec::new();
        let mut blank_records = 0u64;
        let mut record = csv::ByteRecord::new();
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    let start = record
                        .position()
                        .and_then(|p| usize::try_from(p.byte()).ok())
                        .unwrap_or(0);
                    let end = usize::try_from(reader.position().byte()).unwrap_or(usize::MAX);
                    let line = record.position().map(|p| line_at(p.byte())).unwrap_or(0);
                    if damage.is_none() {
                        if let Some(d) = record_damage(&bytes, start, end, &lines) {
                            damage = Some((line, d));
                        }
                    }
                    let spanned = span(&bytes, start, end, &lines);
                    if record.iter().all(<[u8]>::is_empty) {
                        blank_records += spanned;
                        continue;
                    }
                    accounted += spanned;
                    rows.push(Row {
                        line,
                        fields: record
                            .iter()
                            .map(|f| String::from_utf8_lossy(f).trim().to_string())
                            .collect(),
                    });
                }
                Err(e) => return Err(io(&e)),
            }
        }
        // The csv reader skips empty lines without a record: count them so
        // that every line of the file is accounted for.
        let empty_lines = bytes
            .split(|b| *b == b'\n')
            .take(usize::try_from(lines.count()).unwrap_or(usize::MAX))
            .filter(|l| l.iter().all(|b| *b == b'\r'))
            .count() as u64;
        let blank_lines = blank_records + empty_lines;
        let total = lines.count();
        if damage.is_none() && accounted + blank_lines != total {
            damage = Some((
                1,
                format!(
                    "the reader accounted for {} of the file's {total} lines",
                    accounted + blank_lines
                ),
            ));
        }
        Ok(Table {
            file,
            columns,
            rows,
            lines: total,
            blank_lines,
            damage,
        })
    }

    /// Whether the table has column `name`.
    pub fn has(&self, name: &str) -> bool {
        self.columns.contains_key(name)
    }

    /// The columns of `names` the table lacks.
    pub fn missing_columns(&self, names: &[&str]) -> Vec<String> {
        names
            .iter()
            .filter(|n| !self.has(n))
            .map(|n| (*n).to_string())
            .collect()
    }

    /// Field `name` of `row` (empty when the column or field is missing).
    pub fn get<'r>(&self, row: &'r Row, name: &str) -> &'r str {
        self.columns
            .get(name)
            .and_then(|&i| row.fields.get(i))
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// How many lines the record from `start` to `end` takes (its line end
/// included; leading empty lines the csv reader skipped are not).
fn span(bytes: &[u8], start: usize, end: usize, lines: &LineStarts) -> u64 {
    let start = skip_line_ends(bytes, start, end);
    let raw = bytes.get(start..end).unwrap_or_default();
    let mut len = raw.len();
    while len > 0 && matches!(raw.get(len - 1), Some(b'\n' | b'\r')) {
        len -= 1;
    }
    if len == 0 {
        return 0;
    }
    lines.line_of(start + len - 1) - lines.line_of(start) + 1
}

/// The first offset from `start` (before `end`) that is not a line end.
fn skip_line_ends(bytes: &[u8], mut start: usize, end: usize) -> usize {
    while start < end && matches!(bytes.get(start), Some(b'\n' | b'\r')) {
        start += 1;
    }
    start
}

/// Parses an SSDA903 date, DD/MM/YYYY (one-digit day and month tolerated).
pub(crate) fn parse_dmy(text: &str) -> Option<Date> {
    let mut parts = text.trim().split('/');
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let digits = |s: &str, min: usize, max: usize| {
        (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(d, 1, 2) || !digits(m, 1, 2) || !digits(y, 4, 4) {
        return None;
    }
    Date::from_ymd(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// A date as DD/MM/YYYY, for the import log.
pub(crate) fn dmy(date: Date) -> String {
    let (y, m, d) = date.ymd();
    format!("{d:02}/{m:02}/{y:04}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(
            parse_dmy("15/02/2016").map(|d| d.to_string()),
            Some("2016-02-15".into())
        );
        assert_eq!(
            parse_dmy("1/2/2016").map(|d| d.to_string()),
            Some("2016-02-01".into())
        );
        assert_eq!(parse_dmy("31/02/2016"), None);
        assert_eq!(parse_dmy("2016-02-15"), None);
        assert_eq!(parse_dmy("15/02/16"), None);
        assert_eq!(parse_dmy(""), None);
        assert_eq!(parse_dmy("15/02/2016/1"), None);
        assert_eq!(dmy(Date::from_ymd(2018, 3, 31).unwrap()), "31/03/2018");
    }
}
