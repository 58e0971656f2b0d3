//! Writing results as JSON or CSV to standard output or a file.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use serde::Serialize;

use crate::errors::CliError;

/// Where output goes.
pub struct Sink {
    name: String,
    out: Box<dyn Write>,
}

impl Sink {
    /// Standard output, or `path` when given.
    pub fn open(path: Option<&Path>) -> Result<Self, CliError> {
        match path {
            None => Ok(Sink {
                name: "standard output".into(),
                out: Box::new(BufWriter::new(std::io::stdout().lock())),
            }),
            Some(p) => {
                let name = p.display().to_string();
                let f = File::create(p).map_err(|e| CliError::Write {
                    target: name.clone(),
                    message: e.to_string(),
                })?;
                Ok(Sink {
                    name,
                    out: Box::new(BufWriter::new(f)),
                })
            }
        }
    }

    fn err(&self, e: impl std::fmt::Display) -> CliError {
        CliError::Write {
            target: self.name.clone(),
            message: e.to_string(),
        }
    }

    /// A closed pipe (`kehu … | head`) is not an error: the reader has what it wanted.
    fn done(&self, r: std::io::Result<()>) -> Result<(), CliError> {
        match r {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            Err(e) => Err(self.err(e)),
            Ok(()) => Ok(()),
        }
    }

    /// Writes `value` as pretty JSON and a newline.
    pub fn json<T: Serialize>(mut self, value: &T) -> Result<(), CliError> {
        let r = serde_json::to_writer_pretty(&mut self.out, value)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(self.out))
            .and_then(|()| self.out.flush());
        self.done(r)
    }

    /// Writes rows as CSV with a header.
    pub fn csv<T: Serialize>(mut self, rows: &[T]) -> Result<(), CliError> {
        let r = {
            let mut w = csv::Writer::from_writer(&mut self.out);
            rows.iter()
                .try_for_each(|r| w.serialize(r))
                .map_err(csv_to_io)
                .and_then(|()| w.flush())
        }
        .and_then(|()| self.out.flush());
        self.done(r)
    }
}

/// Minor units as a JSON number in major units (exact for amounts below 2^53 minor units).
pub fn major(minor: i64) -> f64 {
    minor as f64 / 100.0
}

fn csv_to_io(e: csv::Error) -> std::io::Error {
    match e.kind() {
        csv::ErrorKind::Io(io) => std::io::Error::new(io.kind(), io.to_string()),
        _ => std::io::Error::other(e.to_string()),
    }
}
