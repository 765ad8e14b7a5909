//! Import SSDA903 (children looked after) and CIN census returns into
//! careprompt case plans.
//!
//! - [`ssda903::import_dir`] reads the SSDA903 CSV tables of one return
//!   (header, episodes, reviews, oc2, missing, and the others when present)
//!   and builds one plan per child.
//! - [`cin::import_file`] reads a CIN census XML file, and [`cin::merge`]
//!   adds what it carries to SSDA903 plans by child id.
//! - [`write_plans`] writes the plans as a directory of `<child>.json` files
//!   or one NDJSON file, with the import log (JSON) beside them.
//!
//! What a return does not carry is left out of the plan, never set to
//! false, so the rules that need it report `unknown` rather than `clear`.
//! Rows that cannot be used are reported in the [`log::ImportLog`] with
//! file, line and reason: nothing is dropped silently. `docs/import.md`
//! describes every mapping.

#![forbid(unsafe_code)]

pub mod atomic;
pub mod cin;
pub mod codes;
mod lines;
pub mod log;
pub mod plan;
mod read;
pub mod ssd;
pub mod ssda903;
mod table;
mod write;
mod xml_depth;

use std::collections::BTreeMap;

pub use log::{Handling, ImportLog, Issue, TableCounts};
pub use plan::{Coverage, Plan};
pub use read::MAX_INPUT_BYTES;
pub use write::{file_stem_for, log_path, write_plans};

/// Why an import could not run at all. Problems with single rows are not
/// errors: they are reported in the import log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// A file could not be read or parsed as CSV.
    #[error("{path}: {message}")]
    Read {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The SSDA903 input is not a directory.
    #[error("{path}: not a directory (give the directory holding the SSDA903 CSV tables)")]
    NotADirectory {
        /// The path given.
        path: String,
    },
    /// The directory has no header table.
    #[error("{path}: no header.csv: the SSDA903 header table is needed to know the children")]
    MissingHeader {
        /// The directory.
        path: String,
    },
    /// A file is larger than the bound on input files; nothing more than
    /// the bound was read.
    #[error("{path}: larger than {limit} bytes, the most an input file may hold; split the return or pass a higher limit")]
    TooLarge {
        /// The file.
        path: String,
        /// The bound, in bytes.
        limit: u64,
    },
    /// A CSV table is damaged so that its records cannot be told apart (a
    /// quote never closed, a record over several lines).
    #[error("{path}:{line}: {reason}")]
    Damaged {
        /// The file.
        path: String,
        /// The line the damage starts on.
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// The header table lacks a column it must have.
    #[error("{path}: the header table has no {column} column")]
    MissingColumn {
        /// The file.
        path: String,
        /// The column.
        column: String,
    },
    /// The collection year cannot be worked out.
    #[error("cannot tell the collection year: {0}")]
    CollectionYear(String),
    /// The CIN census file is not well-formed XML, or not a CIN census.
    #[error("{path}: {message}")]
    Xml {
        /// The file.
        path: String,
        /// What went wrong, with line and column.
        message: String,
    },
    /// The plans or the log could not be written.
    #[error("{path}: {message}")]
    Write {
        /// The file or directory.
        path: String,
        /// What went wrong.
        message: String,
    },
}

/// The result of an import: plans by child id, and the log.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Import {
    /// One plan per child, by child id.
    pub plans: BTreeMap<String, Plan>,
    /// What the import did.
    pub log: ImportLog,
}
