//! SSD tables as CSV extracts: `DIR/<table>.csv` (file name case ignored),
//! with the SSD column names in the header (case, surrounding space and a
//! UTF-8 byte order mark ignored). Rows are streamed, never held whole.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use super::source::{Opened, RowSink, Source};
use super::spec::Table;
use super::SsdError;

/// A directory of SSD CSV extracts.
#[derive(Debug)]
pub struct CsvDir {
    dir: PathBuf,
    /// Lower-case file name → path.
    files: HashMap<String, PathBuf>,
    /// For the table opened last: spec column → CSV field index.
    map: Vec<Option<usize>>,
}

impl CsvDir {
    /// Opens the directory `dir`.
    pub fn new(dir: &Path) -> Result<CsvDir, SsdError> {
        if !dir.is_dir() {
            return Err(SsdError::NotADirectory {
                path: dir.display().to_string(),
            });
        }
        let entries = std::fs::read_dir(dir).map_err(|e| SsdError::Read {
            path: dir.display().to_string(),
            message: e.to_string(),
        })?;
        let mut files = HashMap::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
            files.insert(name, entry.path());
        }
        Ok(CsvDir {
            dir: dir.to_path_buf(),
            files,
            map: Vec::new(),
        })
    }

    fn path(&self, table: &Table) -> Option<&PathBuf> {
        self.files.get(&format!("{}.csv", table.name))
    }

    fn reader(path: &Path) -> Result<csv::Reader<BufReader<File>>, SsdError> {
        let file = File::open(path).map_err(|e| read_err(path, &e))?;
        Ok(csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .trim(csv::Trim::All)
            .buffer_capacity(1 << 16)
            .from_reader(BufReader::with_capacity(1 << 16, file)))
    }
}

fn read_err(path: &Path, e: &dyn std::fmt::Display) -> SsdError {
    SsdError::Read {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

impl Source for CsvDir {
    fn input(&self) -> String {
        self.dir.display().to_string()
    }

    fn open(&mut self, table: &Table) -> Result<Option<Opened>, SsdError> {
        let Some(path) = self.path(table).cloned() else {
            return Ok(None);
        };
        let mut reader = Self::reader(&path)?;
        let headers = reader
            .byte_headers()
            .map_err(|e| read_err(&path, &e))?
            .clone();
        let mut by_name: HashMap<String, usize> = HashMap::new();
        for (i, h) in headers.iter().enumerate() {
            let h = String::from_utf8_lossy(h);
            let name = h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase();
            by_name.entry(name).or_insert(i);
        }
        self.map = table
            .columns
            .iter()
            .map(|c| {
                by_name
                    .get(c.name)
                    .or_else(|| c.also.and_then(|a| by_name.get(a)))
                    .copied()
            })
            .collect();
        Ok(Some(Opened {
            file: path.display().to_string(),
            present: self.map.iter().map(Option::is_some).collect(),
        }))
    }

    fn rows(&mut self, table: &Table, _opened: &Opened, row: &mut RowSink) -> Result<(), SsdError> {
        let Some(path) = self.path(table).cloned() else {
            return Ok(());
        };
        let mut reader = Self::reader(&path)?;
        let mut record = csv::ByteRecord::new();
        let mut values: Vec<String> = vec![String::new(); table.columns.len()];
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    if record.iter().all(<[u8]>::is_empty) {
                        continue;
                    }
                    let line = record.position().map(|p| p.line()).unwrap_or(0);
                    for (slot, at) in values.iter_mut().zip(&self.map) {
                        slot.clear();
                        if let Some(field) = at.and_then(|i| record.get(i)) {
                            slot.push_str(&String::from_utf8_lossy(field));
                        }
                    }
                    row(line, &values)?;
                }
                Err(e) => return Err(read_err(&path, &e)),
            }
        }
        Ok(())
    }
}
