//! The CLI's errors: one human message each, naming the file where there is one.

use kehu_core::analytics::abc::AbcError;
use kehu_core::analytics::clv::ClvError;
use kehu_core::analytics::rfm::RfmError;
use kehu_core::analytics::AnalysisError;
use kehu_core::transactions_csv::TransactionsCsvError;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The transactions file is bad.
    #[error(transparent)]
    Transactions(#[from] TransactionsCsvError),
    /// A file could not be read.
    #[error("{file}: cannot read the file: {message}")]
    Read {
        /// File name.
        file: String,
        /// The system's message.
        message: String,
    },
    /// A JSON file could not be parsed.
    #[error("{file}: not a Kehu data file: {message}")]
    Json {
        /// File name.
        file: String,
        /// The parser's message (with line and column).
        message: String,
    },
    /// A data file failed validation: one line per problem, each naming its JSON path.
    #[error("{file} is not a valid Kehu data file ({} problem(s)):\n{}", problems.len(), problems.iter().map(|p| format!("{file}: {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid {
        /// File name.
        file: String,
        /// Each problem, `path: message`.
        problems: Vec<String>,
    },
    /// Output could not be written.
    #[error("{target}: cannot write: {message}")]
    Write {
        /// File name or standard output.
        target: String,
        /// The system's message.
        message: String,
    },
    /// A parameter is invalid.
    #[error("{0}")]
    Parameter(String),
    /// RFM failed.
    #[error(transparent)]
    Rfm(#[from] RfmError),
    /// ABC failed.
    #[error(transparent)]
    Abc(#[from] AbcError),
    /// CLV failed.
    #[error("{file}: {source}")]
    Clv {
        /// File name.
        file: String,
        /// The model's error.
        source: ClvError,
    },
    /// The analysis failed.
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
}
