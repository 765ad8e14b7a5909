//! SSD tables read straight from the authority's database through ODBC
//! (`odbc` feature): one route to SQL Server (Microsoft's driver),
//! PostgreSQL (psqlODBC) and Oracle (its driver). Only `SELECT` statements
//! and catalog calls are issued; every value is fetched as text, in
//! batches, so a table is never held whole.

use odbc_api::buffers::TextRowSet;
use odbc_api::{environment, ConnectionOptions, Cursor, ResultSetMetadata};

use super::source::{Opened, RowSink, Source};
use super::spec::Table;
use super::SsdError;

/// Rows fetched per round trip.
const BATCH: usize = 5000;
/// Longest text value read (longer values are cut by the driver).
const MAX_TEXT: usize = 4096;

/// Keys of a connection string that carry credentials.
const SECRET_KEYS: &[&str] = &["pwd", "password", "uid", "user", "username", "user id"];

/// An ODBC connection to a database holding the `ssd_*` tables.
pub struct OdbcSource {
    connection: odbc_api::Connection<'static>,
    schema: String,
    connection_string: String,
    /// For the table opened last: the columns selected, by spec position,
    /// with the name each has in the database.
    selected: Vec<(usize, String)>,
}

/// The values of the credential keys of `connection_string`.
fn secrets(connection_string: &str) -> Vec<String> {
    connection_string
        .split(';')
        .filter_map(|part| part.split_once('='))
        .filter(|(k, _)| SECRET_KEYS.contains(&k.trim().to_ascii_lowercase().as_str()))
        .map(|(_, v)| {
            v.trim()
                .trim_start_matches('{')
                .trim_end_matches('}')
                .to_string()
        })
        .filter(|v| !v.is_empty())
        .collect()
}

/// `message` with every credential of `connection_string` replaced by `***`.
pub fn redact(message: &str, connection_string: &str) -> String {
    let mut out = message.to_string();
    for s in secrets(connection_string) {
        out = out.replace(&s, "***");
    }
    out
}

/// `connection_string` with the values of its credential keys replaced by `***`.
pub fn describe(connection_string: &str) -> String {
    connection_string
        .split(';')
        .filter(|p| !p.trim().is_empty())
        .map(|part| match part.split_once('=') {
            Some((k, _)) if SECRET_KEYS.contains(&k.trim().to_ascii_lowercase().as_str()) => {
                format!("{}=***", k.trim())
            }
            _ => part.trim().to_string(),
        })
        .collect::<Vec<_>>()
        .join(";")
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl OdbcSource {
    /// Connects with `connection_string`; the tables are read from `schema`.
    pub fn connect(connection_string: &str, schema: &str) -> Result<OdbcSource, SsdError> {
        let fail = |e: odbc_api::Error| SsdError::Connection {
            message: redact(&e.to_string(), connection_string),
        };
        let env = environment().map_err(fail)?;
        let connection = env
            .connect_with_connection_string(connection_string, ConnectionOptions::default())
            .map_err(fail)?;
        Ok(OdbcSource {
            connection,
            schema: schema.to_string(),
            connection_string: connection_string.to_string(),
            selected: Vec::new(),
        })
    }

    fn fail(&self, e: &odbc_api::Error) -> SsdError {
        SsdError::Connection {
            message: redact(&e.to_string(), &self.connection_string),
        }
    }

    fn qualified(&self, table: &Table) -> String {
        format!("{}.{}", quote(&self.schema), quote(table.name))
    }
}

impl Source for OdbcSource {
    fn input(&self) -> String {
        format!(
            "odbc:{} (schema {})",
            describe(&self.connection_string),
            self.schema
        )
    }

    fn open(&mut self, table: &Table) -> Result<Option<Opened>, SsdError> {
        let mut found = false;
        let tables = self
            .connection
            .tables("", &self.schema, table.name, "")
            .map_err(|e| self.fail(&e))?;
        for row in tables {
            let row = row.map_err(|e| self.fail(&e))?;
            let name = row.table.as_str().ok().flatten().unwrap_or("");
            if name.eq_ignore_ascii_case(table.name) {
                found = true;
            }
        }
        if !found {
            return Ok(None);
        }
        let probe = format!("SELECT * FROM {} WHERE 1=0", self.qualified(table));
        let mut names: Vec<String> = Vec::new();
        if let Some(mut cursor) = self
            .connection
            .execute(&probe, (), None)
            .map_err(|e| self.fail(&e))?
        {
            for name in cursor.column_names().map_err(|e| self.fail(&e))? {
                names.push(name.map_err(|e| self.fail(&e))?.to_ascii_lowercase());
            }
        }
        // The name each column has in this database (a column may go by
        // its other name, see `Column::also`).
        let found: Vec<Option<String>> = table
            .columns
            .iter()
            .map(|c| names.iter().find(|n| c.is_named(n)).cloned())
            .collect();
        let present: Vec<bool> = found.iter().map(Option::is_some).collect();
        self.selected = found
            .into_iter()
            .enumerate()
            .filter_map(|(i, n)| n.map(|n| (i, n)))
            .collect();
        Ok(Some(Opened {
            file: format!("{}.{}", self.schema, table.name),
            present,
        }))
    }

    fn rows(&mut self, table: &Table, _opened: &Opened, row: &mut RowSink) -> Result<(), SsdError> {
        if self.selected.is_empty() {
            return Ok(());
        }
        let columns: Vec<String> = self.selected.iter().map(|(_, name)| quote(name)).collect();
        let query = format!(
            "SELECT {} FROM {}",
            columns.join(", "),
            self.qualified(table)
        );
        let Some(mut cursor) = self
            .connection
            .execute(&query, (), None)
            .map_err(|e| self.fail(&e))?
        else {
            return Ok(());
        };
        let buffer = TextRowSet::for_cursor(BATCH, &mut cursor, Some(MAX_TEXT))
            .map_err(|e| self.fail(&e))?;
        let mut rows = cursor.bind_buffer(buffer).map_err(|e| self.fail(&e))?;
        let mut values = vec![String::new(); table.columns.len()];
        let mut position: u64 = 0;
        loop {
            let batch = match rows.fetch() {
                Ok(Some(b)) => b,
                Ok(None) => break,
                Err(e) => {
                    return Err(SsdError::Connection {
                        message: redact(&e.to_string(), &self.connection_string),
                    })
                }
            };
            for r in 0..batch.num_rows() {
                position += 1;
                for v in values.iter_mut() {
                    v.clear();
                }
                for (buffer_col, (spec_col, _)) in self.selected.iter().enumerate() {
                    let text = batch.at_as_str(buffer_col, r).ok().flatten().unwrap_or("");
                    if let Some(v) = values.get_mut(*spec_col) {
                        v.push_str(text.trim());
                    }
                }
                row(position, &values)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_removed() {
        let c = "Driver={PostgreSQL Unicode};Server=db;UID=alice;PWD={s3cr3t};Database=x";
        assert_eq!(
            redact("login failed for alice with s3cr3t", c),
            "login failed for *** with ***"
        );
        assert_eq!(
            describe(c),
            "Driver={PostgreSQL Unicode};Server=db;UID=***;PWD=***;Database=x"
        );
    }
}
