//! Reading one SSDA903 CSV table: columns by name (case and surrounding
//! space ignored, a UTF-8 byte order mark tolerated), rows with the line
//! they start on.

use std::collections::HashMap;
use std::path::Path;

use careprompt::Date;

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
}

/// One data row.
#[derive(Debug)]
pub(crate) struct Row {
    /// The line the row starts on (the header is line 1).
    pub line: u64,
    /// The fields, trimmed.
    pub fields: Vec<String>,
}

impl Table {
    /// Reads `path`.
    pub fn read(path: &Path) -> Result<Table, ImportError> {
        let file = path.display().to_string();
        let io = |e: &dyn std::fmt::Display| ImportError::Read {
            path: file.clone(),
            message: e.to_string(),
        };
        let bytes = std::fs::read(path).map_err(|e| io(&e))?;
        // Line numbers from byte offsets: the csv reader's own line count is
        // one short for files with CRLF line ends.
        let newlines: Vec<usize> = bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i)
            .collect();
        let line_at = |offset: u64| -> u64 {
            let mut at = usize::try_from(offset).unwrap_or(usize::MAX);
            while matches!(bytes.get(at), Some(b'\r' | b'\n')) {
                at += 1;
            }
            newlines.partition_point(|&n| n < at) as u64 + 1
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
        let mut columns = HashMap::new();
        for (i, h) in headers.iter().enumerate() {
            let h = String::from_utf8_lossy(h);
            let name = h.trim_start_matches('\u{feff}').trim().to_ascii_uppercase();
            columns.entry(name).or_insert(i);
        }
        let mut rows = Vec::new();
        let mut record = csv::ByteRecord::new();
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    let line = record.position().map(|p| line_at(p.byte())).unwrap_or(0);
                    if record.iter().all(<[u8]>::is_empty) {
                        continue;
                    }
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
        Ok(Table {
            file,
            columns,
            rows,
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

/// A date as DD/MM/YYYY, for messages.
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
