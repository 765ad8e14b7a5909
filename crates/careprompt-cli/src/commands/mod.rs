//! One module per command.

pub mod check;
pub mod explain;
pub mod fmt;
pub mod import;
pub mod lint;
pub mod lsp;
pub mod pack;
pub mod schema;
pub mod test;
