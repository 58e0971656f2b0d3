//! `kehu`: Kehu's customer analytics on CSV and JSON files, the same answers as the app.
//!
//! Exit codes: 0 success; 1 bad input (a file that cannot be read or parsed, a bad value in it, an
//! invalid parameter), with one message on stderr naming the file, line and column; 2 a usage error
//! reported by the argument parser.

mod commands;
mod errors;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Command-line interface.
#[derive(Debug, Parser)]
#[command(
    name = "kehu",
    version,
    about = "Kehu (客户) customer analytics: RFM, ABC, CLV and more on CSV and JSON files"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// RFM scores and segments of each customer.
    Rfm(RfmArgs),
    /// ABC (Pareto) classes of each customer by revenue.
    Abc(AbcArgs),
    /// BG/NBD + Gamma-Gamma customer lifetime value.
    Clv(ClvArgs),
    /// Every segmentation method on a Kehu data file (JSON).
    Analyze(AnalyzeArgs),
    /// Generate a demo dataset.
    Demo(DemoArgs),
    /// Check a Kehu data file the way the app's import does (exit 0 valid, 1 with every problem).
    Validate(ValidateArgs),
    /// Print the JSON Schema of the Kehu data file.
    Schema,
}

/// `kehu validate`.
#[derive(Debug, Args)]
struct ValidateArgs {
    /// The data file (JSON) to check.
    #[arg(value_name = "FILE.json")]
    file: PathBuf,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Json,
    Csv,
}

/// Where the transactions are and what their columns are called.
#[derive(Debug, Args)]
struct TransactionsArgs {
    /// CSV file with a header row and customer id, date and amount columns.
    #[arg(long, value_name = "FILE.csv")]
    transactions: PathBuf,
    /// Name of the customer id column.
    #[arg(long, default_value = "customer_id")]
    customer_col: String,
    /// Name of the date column (YYYY-MM-DD or YYYYMMDD).
    #[arg(long, default_value = "date")]
    date_col: String,
    /// Name of the amount column (decimal, major units, at most two decimal places).
    #[arg(long, default_value = "amount")]
    amount_col: String,
}

/// `kehu rfm`.
#[derive(Debug, Args)]
struct RfmArgs {
    #[command(flatten)]
    tx: TransactionsArgs,
    /// Analysis date; default: the day after the last transaction.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date_arg)]
    as_of: Option<NaiveDate>,
    /// Number of score bins (2–10; the course uses 5, 4 or 3).
    #[arg(long, default_value_t = 5)]
    bins: u8,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
}

/// `kehu abc`.
#[derive(Debug, Args)]
struct AbcArgs {
    #[command(flatten)]
    tx: TransactionsArgs,
    /// A and B thresholds in percent of revenue.
    #[arg(long, value_name = "A,B", default_value = "80,95")]
    thresholds: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
}

/// Time unit of the CLV model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Unit {
    Day,
    Week,
}

/// `kehu clv`.
#[derive(Debug, Args)]
struct ClvArgs {
    #[command(flatten)]
    tx: TransactionsArgs,
    /// Last day of the calibration period.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date_arg)]
    calibration_end: NaiveDate,
    /// Time unit of frequency, recency and T.
    #[arg(long, value_enum, default_value_t = Unit::Week)]
    time_unit: Unit,
    /// Periods (time units) for the expected number of purchases.
    #[arg(long, value_name = "N", default_value_t = 39.0)]
    predict_periods: f64,
    /// CLV horizon in months.
    #[arg(long, default_value_t = 12)]
    horizon_months: u32,
    /// Monthly discount rate.
    #[arg(long, default_value_t = 0.01)]
    discount_rate: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
}

/// `kehu analyze`.
#[derive(Debug, Args)]
struct AnalyzeArgs {
    /// A Kehu data file (the JSON of a workspace).
    #[arg(long, value_name = "EXPORT.json")]
    input: PathBuf,
    /// Analysis date; default: the day after the last order (today when there is none).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date_arg)]
    as_of: Option<NaiveDate>,
}

/// Demo dataset size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Size {
    Small,
    Classroom,
    Large,
}

/// `kehu demo`.
#[derive(Debug, Args)]
struct DemoArgs {
    /// Random seed: the same seed gives the same dataset.
    #[arg(long, value_name = "N")]
    seed: u64,
    /// small (200 customers), classroom (1,000) or large (100,000).
    #[arg(long, value_enum)]
    size: Size,
    /// json: the workspace JSON; csv: the transactions (customer_id,date,amount).
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Write here instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// The day the data ends on; default: today's local date.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date_arg)]
    today: Option<NaiveDate>,
}

fn parse_date_arg(s: &str) -> Result<NaiveDate, String> {
    kehu_core::transactions_csv::parse_date(s)
        .ok_or_else(|| format!("\"{s}\" is not a date (use YYYY-MM-DD or YYYYMMDD)"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Rfm(a) => commands::rfm(&a),
        Command::Abc(a) => commands::abc(&a),
        Command::Clv(a) => commands::clv(&a),
        Command::Analyze(a) => commands::analyze(&a),
        Command::Demo(a) => commands::demo(&a),
        Command::Validate(a) => commands::validate(&a),
        Command::Schema => commands::schema(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kehu: {e}");
            ExitCode::from(1)
        }
    }
}
