//! Import the Standard Safeguarding Dataset (SSD, Data to Insight, v1.4.5)
//! into careprompt case plans: from a directory of CSV extracts of the
//! `ssd_*` tables ([`CsvDir`]), or straight from the authority's reporting
//! database through ODBC (`odbc` feature, [`odbc_source::OdbcSource`]).
//!
//! The import streams: tables are read one at a time, and their rows are
//! spilled to temporary files grouped by child (children in id order, a few
//! thousand to a group); each group is then built into plans and written.
//! Only the children's ids, a per-table set of row-id hashes (for
//! duplicates) and the links from care episodes and referrals to children
//! are held for the whole cohort.
//!
//! `docs/ssd.md` gives the mapping table by table and field by field. Plans
//! carry a `coverage` object naming what the SSD records for the child, and
//! explicit nones (`[]`) only there.

mod build;
pub mod codes;
pub mod csv_source;
#[cfg(feature = "odbc")]
pub mod odbc_source;
mod output;
mod pipeline;
pub mod source;
pub mod spec;

use careprompt::Date;

pub use csv_source::CsvDir;
pub use output::OutputError;
pub use pipeline::{import, Progress};
pub use source::{Opened, Source};

/// Why an SSD import could not run, or could not finish. Problems with
/// single rows are not errors: they go in the import log. When an import
/// fails, the output (and its log) are left as they were.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SsdError {
    /// The input is not a directory.
    #[error("`{path}`: not a directory (give the directory holding the SSD CSV extracts, `ssd_person.csv` and the others)")]
    NotADirectory {
        /// The path given.
        path: String,
    },
    /// A required table is missing.
    #[error("`{source_name}`: no `{table}` table: the SSD person table is needed to know the children (export it as `{table}.csv`, or check the schema name)")]
    MissingTable {
        /// The directory or schema.
        source_name: String,
        /// The table.
        table: String,
    },
    /// A required table lacks a column it must have.
    #[error(
        "`{file}`: the `{table}` table has no `{column}` column (export it under its SSD name)"
    )]
    MissingColumn {
        /// The file or schema.table.
        file: String,
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// A file could not be read, or is not CSV.
    #[error("`{path}`: {message}")]
    Read {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The database connection failed or dropped (the driver's message,
    /// with the connection string's credentials removed).
    #[error("odbc: {message} (check the connection string, the driver and that the database is reachable)")]
    Connection {
        /// What the driver said, credentials removed.
        message: String,
    },
    /// The plans or the log could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The temporary spill files could not be written or read.
    #[error("`{path}`: temporary file: {message}")]
    Spill {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
}

/// What an SSD import needs to know.
#[derive(Clone, Debug)]
pub struct Options {
    /// The date the plans describe: rows after it are not carried, end
    /// dates after it are read as "not ended yet". There is no default:
    /// the SSD has no collection year.
    pub as_of: Date,
    /// Children per spill group (default 2000): the most children whose
    /// rows are held in memory at once.
    pub group_size: usize,
}

impl Options {
    /// Options for evaluation date `as_of`.
    pub fn new(as_of: Date) -> Options {
        Options {
            as_of,
            group_size: 2000,
        }
    }
}
