//! Reading transactions from a CSV file, with exact decimal amounts.
//!
//! The file has a header row; three columns (names configurable, default `customer_id`, `date`,
//! `amount`) are read, any others are ignored. Dates are `YYYY-MM-DD` or `YYYYMMDD`. Amounts are
//! decimals in major units with at most two decimal places, parsed exactly into minor units without
//! floating point (`"12.3"` → 1230, `"-5"` → −500). Errors name the file, the line (the header is
//! line 1) and the column.

use std::io::Read;

use chrono::NaiveDate;

use crate::analytics::Transaction;
use crate::model::Money;

/// Decimal places of a major unit (fen / cents).
pub const MINOR_DIGITS: u32 = 2;

/// Why a text is not an amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AmountError {
    /// Nothing but whitespace or a sign.
    #[error("no digits")]
    Empty,
    /// A character other than a sign, digits and one decimal point.
    #[error("only digits, an optional sign and one decimal point are allowed")]
    Invalid,
    /// More decimal places than minor units hold.
    #[error("more than {MINOR_DIGITS} decimal places")]
    TooPrecise,
    /// Outside the range of a 64-bit amount.
    #[error("too large")]
    Overflow,
}

/// Parses a decimal amount in major units exactly into minor units.
///
/// Accepts an optional `+`/`-`, digits, and an optional `.` followed by at most two digits
/// (`"12"`, `"12.3"`, `"-0.05"`, `".5"`); surrounding whitespace is ignored.
///
/// # Errors
/// [`AmountError`] when the text is not such a number or does not fit in an `i64`.
pub fn parse_amount(text: &str) -> Result<Money, AmountError> {
    let t = text.trim();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (int_part, frac_part) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    if int_part.is_empty() && frac_part.is_none_or(str::is_empty) {
        return if digits.contains('.') {
            Err(AmountError::Invalid)
        } else {
            Err(AmountError::Empty)
        };
    }
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int_part) || !frac_part.is_none_or(all_digits) {
        return Err(AmountError::Invalid);
    }
    if frac_part.is_some_and(str::is_empty) {
        return Err(AmountError::Invalid);
    }
    let frac = frac_part.unwrap_or("");
    if frac.len() > MINOR_DIGITS as usize {
        return Err(AmountError::TooPrecise);
    }
    let mut value: i128 = 0;
    for b in int_part.bytes() {
        value = value * 10 + i128::from(b - b'0');
        if value > i128::from(i64::MAX) {
            return Err(AmountError::Overflow);
        }
    }
    let mut frac_value: i128 = 0;
    for b in frac.bytes() {
        frac_value = frac_value * 10 + i128::from(b - b'0');
    }
    for _ in frac.len()..MINOR_DIGITS as usize {
        frac_value *= 10;
    }
    let mut minor = value * 10i128.pow(MINOR_DIGITS) + frac_value;
    if neg {
        minor = -minor;
    }
    Money::try_from(minor).map_err(|_| AmountError::Overflow)
}

/// Formats minor units as a decimal in major units (`1230` → `"12.30"`, `-5` → `"-0.05"`).
pub fn format_amount(minor: Money) -> String {
    let neg = minor < 0;
    let abs = minor.unsigned_abs();
    let unit = 10u64.pow(MINOR_DIGITS);
    format!(
        "{}{}.{:0width$}",
        if neg { "-" } else { "" },
        abs / unit,
        abs % unit,
        width = MINOR_DIGITS as usize
    )
}

/// Parses `YYYY-MM-DD` or `YYYYMMDD`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        NaiveDate::parse_from_str(t, "%Y%m%d").ok()
    } else if t.len() == 10 {
        NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()
    } else {
        None
    }
}

/// Names of the three columns to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    /// Customer id column.
    pub customer_id: String,
    /// Date column.
    pub date: String,
    /// Amount column.
    pub amount: String,
}

impl Default for Columns {
    fn default() -> Self {
        Columns {
            customer_id: "customer_id".into(),
            date: "date".into(),
            amount: "amount".into(),
        }
    }
}

/// Why a transactions file could not be read. Every message names the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransactionsCsvError {
    /// The file could not be read.
    #[error("{file}: cannot read the file: {message}")]
    Io {
        /// File name.
        file: String,
        /// The system's message.
        message: String,
    },
    /// No header row.
    #[error("{file}: the file is empty (expected a header row with {expected})")]
    Empty {
        /// File name.
        file: String,
        /// The expected columns.
        expected: String,
    },
    /// The header lacks a column.
    #[error("{file}: no column \"{column}\" in the header (found: {found})")]
    MissingColumn {
        /// File name.
        file: String,
        /// The missing column.
        column: String,
        /// The header's columns, comma-separated.
        found: String,
    },
    /// A header but no data rows.
    #[error("{file}: no transactions after the header row")]
    NoRows {
        /// File name.
        file: String,
    },
    /// A row that the CSV reader rejects (e.g. a different number of fields).
    #[error("{file}, line {line}: {message}")]
    Malformed {
        /// File name.
        file: String,
        /// Line number, the header being line 1.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// A bad value in a cell.
    #[error("{file}, line {line}, column \"{column}\": {problem}")]
    BadValue {
        /// File name.
        file: String,
        /// Line number, the header being line 1.
        line: u64,
        /// The column's name.
        column: String,
        /// What is wrong with the value.
        problem: String,
    },
}

/// Reads transactions from CSV text. `file` names the source in error messages.
///
/// # Errors
/// [`TransactionsCsvError`] for an unreadable or empty file, a missing column, a malformed row, an
/// empty customer id, or a bad date or amount (naming the line and the column).
pub fn read_transactions<R: Read>(
    reader: R,
    file: &str,
    columns: &Columns,
) -> Result<Vec<Transaction>, TransactionsCsvError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(reader);
    let expected = format!(
        "{}, {}, {}",
        columns.customer_id, columns.date, columns.amount
    );
    let headers = rdr.headers().map_err(|e| csv_error(file, &e))?.clone();
    if headers.is_empty() || (headers.len() == 1 && headers.get(0) == Some("")) {
        return Err(TransactionsCsvError::Empty {
            file: file.into(),
            expected,
        });
    }
    let find = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .ok_or_else(|| TransactionsCsvError::MissingColumn {
                file: file.into(),
                column: name.into(),
                found: headers.iter().collect::<Vec<_>>().join(", "),
            })
    };
    let ci = find(&columns.customer_id)?;
    let di = find(&columns.date)?;
    let ai = find(&columns.amount)?;
    let mut out = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(file, &e)),
        }
        let line = record.position().map_or(0, csv::Position::line);
        if record.iter().all(str::is_empty) {
            continue;
        }
        let bad = |column: &str, problem: String| TransactionsCsvError::BadValue {
            file: file.into(),
            line,
            column: column.into(),
            problem,
        };
        let id = record.get(ci).unwrap_or("");
        if id.is_empty() {
            return Err(bad(&columns.customer_id, "the customer id is empty".into()));
        }
        let date_text = record.get(di).unwrap_or("");
        let date = parse_date(date_text).ok_or_else(|| {
            bad(
                &columns.date,
                format!("\"{date_text}\" is not a date (use YYYY-MM-DD or YYYYMMDD)"),
            )
        })?;
        let amount_text = record.get(ai).unwrap_or("");
        let amount = parse_amount(amount_text).map_err(|e| {
            bad(
                &columns.amount,
                format!("\"{amount_text}\" is not an amount: {e}"),
            )
        })?;
        out.push(Transaction {
            customer_id: id.to_owned(),
            date,
            amount,
        });
    }
    if out.is_empty() {
        return Err(TransactionsCsvError::NoRows { file: file.into() });
    }
    Ok(out)
}

fn csv_error(file: &str, e: &csv::Error) -> TransactionsCsvError {
    let line = e.position().map_or(0, csv::Position::line);
    match e.kind() {
        csv::ErrorKind::Io(io) => TransactionsCsvError::Io {
            file: file.into(),
            message: io.to_string(),
        },
        csv::ErrorKind::Utf8 { .. } => TransactionsCsvError::Malformed {
            file: file.into(),
            line,
            message: "the text is not valid UTF-8".into(),
        },
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => TransactionsCsvError::Malformed {
            file: file.into(),
            line,
            message: format!("{len} fields where the header has {expected_len}"),
        },
        _ => TransactionsCsvError::Malformed {
            file: file.into(),
            line,
            message: e.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_exactly() {
        assert_eq!(parse_amount("12.3"), Ok(1230));
        assert_eq!(parse_amount("-5"), Ok(-500));
        assert_eq!(parse_amount(" 0.05 "), Ok(5));
        assert_eq!(parse_amount("+7.00"), Ok(700));
        assert_eq!(parse_amount(".5"), Ok(50));
        assert_eq!(parse_amount("1.234"), Err(AmountError::TooPrecise));
        assert_eq!(parse_amount("abc"), Err(AmountError::Invalid));
        assert_eq!(parse_amount("1,5"), Err(AmountError::Invalid));
        assert_eq!(parse_amount("1."), Err(AmountError::Invalid));
        assert_eq!(parse_amount("."), Err(AmountError::Invalid));
        assert_eq!(parse_amount(""), Err(AmountError::Empty));
        assert_eq!(parse_amount("-"), Err(AmountError::Empty));
        assert_eq!(parse_amount("1e5"), Err(AmountError::Invalid));
        assert_eq!(parse_amount("92233720368547758.07"), Ok(i64::MAX));
        assert_eq!(
            parse_amount("92233720368547758.08"),
            Err(AmountError::Overflow)
        );
        assert_eq!(
            parse_amount("99999999999999999999999"),
            Err(AmountError::Overflow)
        );
    }

    #[test]
    fn amounts_format_back() {
        assert_eq!(format_amount(1230), "12.30");
        assert_eq!(format_amount(-5), "-0.05");
        assert_eq!(format_amount(0), "0.00");
        assert_eq!(format_amount(i64::MIN), "-92233720368547758.08");
    }

    #[test]
    fn dates_parse_in_both_forms() {
        assert_eq!(parse_date("19970101"), NaiveDate::from_ymd_opt(1997, 1, 1));
        assert_eq!(
            parse_date("1997-01-31"),
            NaiveDate::from_ymd_opt(1997, 1, 31)
        );
        assert_eq!(parse_date("1997-02-30"), None);
        assert_eq!(parse_date("1997/01/01"), None);
    }

    #[test]
    fn reader_names_line_and_column() {
        let text = "customer_id,date,amount\na,2024-01-01,1.50\nb,2024-13-01,2\n";
        let e = read_transactions(text.as_bytes(), "t.csv", &Columns::default());
        let msg = e.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("t.csv, line 3, column \"date\""), "{msg}");
        let text = "id,date,amount\na,2024-01-01,1.50\n";
        let e = read_transactions(text.as_bytes(), "t.csv", &Columns::default());
        assert!(matches!(e, Err(TransactionsCsvError::MissingColumn { .. })));
        let e = read_transactions("".as_bytes(), "t.csv", &Columns::default());
        assert!(
            matches!(e, Err(TransactionsCsvError::Empty { .. })),
            "{e:?}"
        );
        let ok = read_transactions(
            "amount,customer_id,date\n1.5,a,20240101\n".as_bytes(),
            "t.csv",
            &Columns::default(),
        );
        assert_eq!(ok.map(|v| v[0].amount), Ok(150));
    }
}
