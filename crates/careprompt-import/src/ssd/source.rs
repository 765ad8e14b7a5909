//! Where SSD tables come from: a directory of CSV extracts, or a database
//! through ODBC. A source opens one table at a time, says which of the
//! importer's columns it has (found by name, case ignored), and streams
//! its rows with the values in the importer's column order.

use super::spec::Table;
use super::SsdError;

/// What receives each row: its position and its values.
pub type RowSink<'a> = dyn FnMut(u64, &[String]) -> Result<(), SsdError> + 'a;

/// A table as opened: where it is, and which of the importer's columns it has.
#[derive(Clone, Debug)]
pub struct Opened {
    /// The file or `schema.table`, for the log.
    pub file: String,
    /// For each column of the [`Table`] spec, whether the source has it.
    pub present: Vec<bool>,
}

/// A source of SSD tables.
pub trait Source {
    /// The input, for the log (the directory, or the connection with its
    /// credentials left out).
    fn input(&self) -> String;

    /// Opens `table`: `None` when the source has no such table.
    fn open(&mut self, table: &Table) -> Result<Option<Opened>, SsdError>;

    /// Streams the rows of `table` (opened as `opened`): calls `row` with
    /// the row's position (its line in a CSV file, its row number in a
    /// database table) and its values in the spec's column order, `""` for
    /// a null or a column the source does not have.
    fn rows(&mut self, table: &Table, opened: &Opened, row: &mut RowSink) -> Result<(), SsdError>;
}
