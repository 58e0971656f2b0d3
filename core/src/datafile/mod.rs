//! The Kehu data file: one versioned JSON envelope around everything a workspace holds, how to
//! write it, and how to read one back with every problem named by its JSON path.
//!
//! ```json
//! {"format": "kehu-crm", "version": 1, "exported_at": "2026-11-22T08:00:00Z",
//!  "app_version": "0.1.0", "currency": "CNY",
//!  "customers": [...], "orders": [...], "interactions": [...], "deals": [...], "tasks": [...],
//!  "surveys": [...], "loyalty": {"programme": {...}, "ledger": [...]}, "settings": {...}}
//! ```
//!
//! Reading never trusts the file: [`read`] refuses anything that is not JSON, not this format, of a
//! newer version, of the wrong shape, or with impossible values, and lists each [`Problem`] with
//! the path of the value (`customers[12].email`). Version 0 — the bare workspace object that
//! `kehu demo --format json` wrote before the envelope existed — is migrated.

mod check;
mod fast;
pub mod merge;
mod path;
pub mod runs;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use uuid::Uuid;

use crate::model::{
    Customer, Dataset, Deal, Interaction, LedgerEntry, LoyaltyProgramme, Order, Settings,
    SurveyResponse, Task, Timestamp,
};
use crate::segment_explorer::FilterError;
use crate::validate::CustomerError;

/// The value of the `format` field.
pub const FORMAT: &str = "kehu-crm";

/// The newest version of the data file this code reads and the one it writes.
pub const VERSION: u32 = 1;

/// Largest file [`read`] accepts, in bytes (the large demo, 100,000 customers and about
/// 1,000,000 orders, is about 300 MB).
pub const MAX_BYTES: usize = 768 * 1024 * 1024;

/// At most this many problems are listed; the rest are counted.
pub const MAX_PROBLEMS: usize = 200;

/// Above this size an invalid file is not walked record by record for further problems: the
/// first one is reported (the walk holds the whole file as a JSON tree).
const WALK_LIMIT: usize = 64 * 1024 * 1024;

/// The only value of `format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
pub enum FormatName {
    #[default]
    #[serde(rename = "kehu-crm")]
    KehuCrm,
}

/// The loyalty part of a data file: the programme and the points ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
pub struct LoyaltySection {
    /// Points per unit, tiers, bonuses, expiry.
    #[serde(default)]
    pub programme: LoyaltyProgramme,
    /// Every change to a customer's points balance.
    #[serde(default)]
    pub ledger: Vec<LedgerEntry>,
}

/// A Kehu data file (version 1): everything a workspace holds, or a selection of its customers
/// with their records.
///
/// Ids are UUID strings; money is an integer in minor units (fen, cents) of `currency`; dates are
/// ISO 8601 (`2026-11-22`), local date-times `2026-11-22T14:30:00`, timestamps RFC 3339 in UTC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "Kehu data file")]
pub struct DataFile {
    /// Always `kehu-crm`.
    pub format: FormatName,
    /// The version of this layout; readers refuse versions newer than they know.
    #[schemars(range(min = 1))]
    pub version: u32,
    /// When the file was written.
    pub exported_at: Timestamp,
    /// The version of Kehu that wrote it.
    #[serde(default)]
    pub app_version: String,
    /// ISO 4217 code of every amount in the file; equals `settings.currency`.
    pub currency: String,
    #[serde(default)]
    pub customers: Vec<Customer>,
    #[serde(default)]
    pub orders: Vec<Order>,
    #[serde(default)]
    pub interactions: Vec<Interaction>,
    #[serde(default)]
    pub deals: Vec<Deal>,
    #[serde(default)]
    pub tasks: Vec<Task>,
    #[serde(default)]
    pub surveys: Vec<SurveyResponse>,
    #[serde(default)]
    pub loyalty: LoyaltySection,
    #[serde(default)]
    pub settings: Settings,
}

impl DataFile {
    /// Wraps a workspace for writing.
    pub fn new(data: Dataset, exported_at: Timestamp, app_version: &str) -> DataFile {
        let Dataset {
            customers,
            orders,
            interactions,
            deals,
            tasks,
            surveys,
            loyalty,
            ledger,
            settings,
        } = data;
        DataFile {
            format: FormatName::KehuCrm,
            version: VERSION,
            exported_at,
            app_version: app_version.to_string(),
            currency: settings.currency.clone(),
            customers,
            orders,
            interactions,
            deals,
            tasks,
            surveys,
            loyalty: LoyaltySection {
                programme: loyalty,
                ledger,
            },
            settings,
        }
    }

    /// The workspace this file holds.
    pub fn into_dataset(self) -> Dataset {
        Dataset {
            customers: self.customers,
            orders: self.orders,
            interactions: self.interactions,
            deals: self.deals,
            tasks: self.tasks,
            surveys: self.surveys,
            loyalty: self.loyalty.programme,
            ledger: self.loyalty.ledger,
            settings: self.settings,
        }
    }
}

/// A data file that borrows the workspace's lists, to write one without copying them; it writes
/// exactly what [`DataFile`] does.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct DataFileRef<'a> {
    pub format: FormatName,
    pub version: u32,
    pub exported_at: Timestamp,
    pub app_version: &'a str,
    pub currency: &'a str,
    pub customers: &'a [Customer],
    pub orders: &'a [Order],
    pub interactions: &'a [Interaction],
    pub deals: &'a [Deal],
    pub tasks: &'a [Task],
    pub surveys: &'a [SurveyResponse],
    pub loyalty: LoyaltySectionRef<'a>,
    pub settings: &'a Settings,
}

/// The borrowed loyalty part of [`DataFileRef`].
#[derive(Debug, Clone, Copy, Serialize)]
pub struct LoyaltySectionRef<'a> {
    pub programme: &'a LoyaltyProgramme,
    pub ledger: &'a [LedgerEntry],
}

impl DataFileRef<'_> {
    /// Compact JSON, UTF-8.
    ///
    /// # Errors
    /// Only if serialisation fails, which the model's types do not do.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }

    /// The same compact JSON written to `out` as it is made, so a large file need not be one
    /// string in memory.
    ///
    /// # Errors
    /// When `out` fails to take the bytes.
    pub fn write_json<W: std::io::Write>(&self, out: W) -> Result<(), serde_json::Error> {
        serde_json::to_writer(out, self)
    }
}

/// Writes `data` as a data file (compact JSON, UTF-8).
///
/// # Errors
/// Only if serialisation fails, which the model's types do not do.
pub fn export(
    data: &Dataset,
    exported_at: Timestamp,
    app_version: &str,
) -> Result<String, serde_json::Error> {
    DataFileRef {
        format: FormatName::KehuCrm,
        version: VERSION,
        exported_at,
        app_version,
        currency: &data.settings.currency,
        customers: &data.customers,
        orders: &data.orders,
        interactions: &data.interactions,
        deals: &data.deals,
        tasks: &data.tasks,
        surveys: &data.surveys,
        loyalty: LoyaltySectionRef {
            programme: &data.loyalty,
            ledger: &data.ledger,
        },
        settings: &data.settings,
    }
    .to_json()
}

/// The JSON Schema of the data file, as committed at `schema/kehu-crm.schema.json`.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(DataFile);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// The customers with these ids and everything that belongs to them: their orders, interactions,
/// deals, tasks, surveys and points. A referral to a customer outside the selection is dropped,
/// so the selection is a valid data file on its own. Settings and programme come along.
pub fn select_customers(data: &Dataset, ids: &std::collections::HashSet<Uuid>) -> Dataset {
    let of = |id: &Uuid| ids.contains(id);
    Dataset {
        customers: data
            .customers
            .iter()
            .filter(|c| of(&c.id))
            .map(|c| Customer {
                referred_by: c.referred_by.filter(of),
                ..c.clone()
            })
            .collect(),
        orders: data
            .orders
            .iter()
            .filter(|r| of(&r.customer_id))
            .cloned()
            .collect(),
        interactions: data
            .interactions
            .iter()
            .filter(|r| of(&r.customer_id))
            .cloned()
            .collect(),
        deals: data
            .deals
            .iter()
            .filter(|r| of(&r.customer_id))
            .cloned()
            .collect(),
        tasks: data
            .tasks
            .iter()
            .filter(|r| r.customer_id.as_ref().is_some_and(of))
            .cloned()
            .collect(),
        surveys: data
            .surveys
            .iter()
            .filter(|r| of(&r.customer_id))
            .cloned()
            .collect(),
        loyalty: data.loyalty.clone(),
        ledger: data
            .ledger
            .iter()
            .filter(|r| of(&r.customer_id))
            .cloned()
            .collect(),
        settings: data.settings.clone(),
    }
}

/// What is wrong with a data file, at one place in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// The JSON path of the value (`customers[12].email`); empty for the file as a whole.
    pub path: String,
    /// What is wrong.
    pub kind: ProblemKind,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "{}: {}", self.path, self.kind)
        }
    }
}

/// The kinds of problem a data file can have.
#[derive(Debug, Clone, PartialEq, Error, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ProblemKind {
    #[error("the file is empty")]
    Empty,
    #[error("the file is {bytes} bytes, more than the {limit} bytes Kehu can import at once")]
    TooLarge { bytes: usize, limit: usize },
    #[error("not JSON (line {line}, column {column}): {detail}")]
    NotJson {
        line: usize,
        column: usize,
        detail: String,
    },
    #[error("a number that is not finite (NaN or infinity) at line {line}, column {column}; JSON numbers must be finite")]
    NonFinite { line: usize, column: usize },
    #[error("a number too large to handle")]
    NumberTooLarge,
    #[error(
        "not a Kehu data file: expected an object with \"format\": \"kehu-crm\", found {found}"
    )]
    WrongFormat { found: String },
    #[error("version {found} is not a valid version: expected a whole number from 1")]
    BadVersion { found: String },
    #[error("the file is version {found}, newer than this version of Kehu reads ({supported}); update Kehu to import it")]
    NewerVersion { found: u64, supported: u32 },
    #[error("required field is missing")]
    Missing,
    #[error("wrong type or value: {detail}")]
    WrongType { detail: String },
    #[error("not a valid date or time: {detail}")]
    InvalidDate { detail: String },
    #[error("id {id} is used twice (first at {first})")]
    DuplicateId { id: Uuid, first: String },
    #[error("refers to {target} {id}, which is not in the file")]
    DanglingReference { id: Uuid, target: &'static str },
    #[error("{value} is outside {min}–{max}")]
    OutOfRange { value: i64, min: i64, max: i64 },
    #[error("{value} is negative; only an order's amount (a refund) may be negative")]
    Negative { value: i64 },
    #[error("number {value} must be finite and not negative")]
    BadNumber { value: f64 },
    #[error("the currency {envelope} differs from settings.currency {settings}")]
    CurrencyMismatch { envelope: String, settings: String },
    #[error("{0}")]
    Customer(CustomerError),
    #[error("a saved segment needs a name")]
    SegmentNameEmpty,
    #[error("another saved segment ({first}) is already named \"{name}\"")]
    SegmentNameTaken { name: String, first: String },
    #[error("{0}")]
    SegmentFilter(FilterError),
    #[error("and {more} more problems")]
    More { more: usize },
}

impl ProblemKind {
    fn at(self, path: impl Into<String>) -> Problem {
        Problem {
            path: path.into(),
            kind: self,
        }
    }
}

/// Why a data file was refused: every problem found (at most [`MAX_PROBLEMS`], then a count).
#[derive(Debug, Clone, PartialEq, Error, Serialize)]
#[error("{} problem(s), the first: {}", .problems.len(), .problems.first().map(ToString::to_string).unwrap_or_default())]
pub struct Rejection {
    pub problems: Vec<Problem>,
}

/// What a valid file told about itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileInfo {
    /// The version the file was written in.
    pub version: u32,
    /// `Some(v)` when the file was migrated from version `v`.
    pub migrated_from: Option<u32>,
    pub exported_at: Option<Timestamp>,
    pub app_version: String,
    pub currency: String,
}

/// A valid data file, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub data: Dataset,
    pub info: FileInfo,
}

impl Imported {
    /// One line per kind of record, e.g. for `kehu validate`.
    pub fn summary(&self) -> String {
        let d = &self.data;
        let mut s = format!(
            "Kehu data file version {}{}, currency {}: {} customers, {} orders, {} interactions, {} deals, {} tasks, {} surveys, {} points entries",
            self.info.version,
            self.info
                .migrated_from
                .map(|v| format!(" (migrated from version {v})"))
                .unwrap_or_default(),
            self.info.currency,
            d.customers.len(),
            d.orders.len(),
            d.interactions.len(),
            d.deals.len(),
            d.tasks.len(),
            d.surveys.len(),
            d.ledger.len()
        );
        if let Some(at) = self.info.exported_at {
            s.push_str(&format!("; exported {}", at.format("%Y-%m-%d %H:%M UTC")));
        }
        s
    }
}

/// Collects problems up to [`MAX_PROBLEMS`].
#[derive(Default)]
struct Problems {
    list: Vec<Problem>,
    more: usize,
}

impl Problems {
    fn push(&mut self, p: Problem) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(p);
        } else {
            self.more += 1;
        }
    }

    fn into_rejection(mut self) -> Option<Rejection> {
        if self.list.is_empty() {
            return None;
        }
        if self.more > 0 {
            self.list.push(ProblemKind::More { more: self.more }.at(""));
        }
        Some(Rejection {
            problems: self.list,
        })
    }
}

fn reject(p: Problem) -> Rejection {
    Rejection { problems: vec![p] }
}

/// The top of a file: enough to know which format and version it is.
#[derive(Deserialize)]
struct Head {
    format: Option<serde_json::Value>,
    version: Option<serde_json::Value>,
    customers: Option<IgnoredAny>,
    orders: Option<IgnoredAny>,
}

/// Reads and checks a data file. `today` (the user's local date) bounds birthdays.
///
/// Nothing is returned unless the whole file is valid.
///
/// # Errors
/// A [`Rejection`] listing every problem with its JSON path.
pub fn read(bytes: &[u8], today: NaiveDate) -> Result<Imported, Rejection> {
    read_limited(bytes, today, MAX_BYTES)
}

/// [`read`], also telling where each list's records are in `bytes`, in runs of at most `per`
/// records (as [`runs::record_runs`] finds them), when the file was read in one pass — a
/// well-formed file of the current version, the common case; `None` for another file (an older
/// version, an unknown member, …), whose runs [`runs::record_runs`] can still find.
///
/// # Errors
/// A [`Rejection`] listing every problem with its JSON path.
pub fn read_with_runs(
    bytes: &[u8],
    today: NaiveDate,
    per: usize,
) -> Result<(Imported, Option<runs::RecordRuns>), Rejection> {
    read_inner(bytes, today, MAX_BYTES, per)
}

/// [`read`] with another size limit in bytes.
///
/// # Errors
/// A [`Rejection`] listing every problem with its JSON path.
pub fn read_limited(bytes: &[u8], today: NaiveDate, limit: usize) -> Result<Imported, Rejection> {
    read_inner(bytes, today, limit, usize::MAX).map(|(imported, _)| imported)
}

fn read_inner(
    bytes: &[u8],
    today: NaiveDate,
    limit: usize,
    per: usize,
) -> Result<(Imported, Option<runs::RecordRuns>), Rejection> {
    if bytes.len() > limit {
        return Err(reject(
            ProblemKind::TooLarge {
                bytes: bytes.len(),
                limit,
            }
            .at(""),
        ));
    }
    let given = bytes.len();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(reject(ProblemKind::Empty.at("")));
    }
    // The common case in one pass: a well-formed file of the current version, its records'
    // places noted on the way. Anything else is read again as a whole, and if that fails too,
    // step by step, to say exactly what is wrong (or to migrate an older version).
    let (data, info, runs) = match fast::read(bytes, given - bytes.len(), per) {
        Some((file, runs)) => {
            let (data, info) = current(file);
            (data, info, Some(runs))
        }
        None => match serde_json::from_slice::<DataFile>(bytes) {
            Ok(file) if file.version == VERSION => {
                let (data, info) = current(file);
                (data, info, None)
            }
            _ => {
                let (data, info) = read_slowly(bytes)?;
                (data, info, None)
            }
        },
    };
    let mut problems = Problems::default();
    if info.currency != data.settings.currency {
        problems.push(
            ProblemKind::CurrencyMismatch {
                envelope: info.currency.clone(),
                settings: data.settings.currency.clone(),
            }
            .at("currency"),
        );
    }
    check::check(&data, today, &mut problems);
    match problems.into_rejection() {
        Some(r) => Err(r),
        None => Ok((Imported { data, info }, runs)),
    }
}

/// Reads a file that is not a well-formed current one: which format and version it is, the
/// migration of an older version, or the problems of a broken one.
/// The records and the facts of a file of the current version.
fn current(file: DataFile) -> (Dataset, FileInfo) {
    let info = FileInfo {
        version: file.version,
        migrated_from: None,
        exported_at: Some(file.exported_at),
        app_version: file.app_version.clone(),
        currency: file.currency.clone(),
    };
    (file.into_dataset(), info)
}

fn read_slowly(bytes: &[u8]) -> Result<(Dataset, FileInfo), Rejection> {
    // Syntax first, over the whole file, so "not JSON" is told apart from "wrong shape".
    let mut de = serde_json::Deserializer::from_slice(bytes);
    if let Err(e) = IgnoredAny::deserialize(&mut de).and_then(|_| de.end()) {
        return Err(reject(syntax_problem(bytes, &e)));
    }
    let head: Head = match serde_json::from_slice(bytes) {
        Ok(h) => h,
        Err(_) => {
            return Err(reject(
                ProblemKind::WrongFormat {
                    found: describe_top(bytes),
                }
                .at(""),
            ))
        }
    };
    let version = match (&head.format, &head.version) {
        (None, _) if head.customers.is_some() || head.orders.is_some() => 0,
        (None, _) => {
            return Err(reject(
                ProblemKind::WrongFormat {
                    found: "an object without \"format\"".into(),
                }
                .at("format"),
            ))
        }
        (Some(serde_json::Value::String(f)), _) if f != FORMAT => {
            return Err(reject(
                ProblemKind::WrongFormat {
                    found: format!("\"{f}\""),
                }
                .at("format"),
            ))
        }
        (Some(serde_json::Value::String(_)), Some(v)) => match v.as_u64() {
            Some(n) if n > u64::from(VERSION) => {
                return Err(reject(
                    ProblemKind::NewerVersion {
                        found: n,
                        supported: VERSION,
                    }
                    .at("version"),
                ))
            }
            Some(n) if n >= 1 => n as u32,
            _ => {
                return Err(reject(
                    ProblemKind::BadVersion {
                        found: v.to_string(),
                    }
                    .at("version"),
                ))
            }
        },
        (Some(serde_json::Value::String(_)), None) => {
            return Err(reject(ProblemKind::Missing.at("version")))
        }
        (Some(other), _) => {
            return Err(reject(
                ProblemKind::WrongFormat {
                    found: other.to_string(),
                }
                .at("format"),
            ))
        }
    };
    let parsed = if version == 0 {
        parse_typed::<Dataset>(bytes).map(|data| {
            let currency = data.settings.currency.clone();
            (
                data,
                FileInfo {
                    version: VERSION,
                    migrated_from: Some(0),
                    exported_at: None,
                    app_version: String::new(),
                    currency,
                },
            )
        })
    } else {
        parse_typed::<DataFile>(bytes).map(current)
    };
    parsed.map_err(|first| {
        let problems = if bytes.len() <= WALK_LIMIT {
            walk(bytes, version).unwrap_or_else(|| vec![first])
        } else {
            vec![first]
        };
        Rejection { problems }
    })
}

/// Reads the whole document as `T`, giving the first problem with its path.
fn parse_typed<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    serde_json::from_slice(bytes).map_err(|e| typed_problem(&path::of_error(bytes, &e), &e))
}

/// Reads one value of a file as `T`; its problem is named from `prefix`, the value's path.
fn parse_value<T: serde::de::DeserializeOwned>(
    value: &serde_json::Value,
    prefix: &str,
) -> Result<T, Problem> {
    T::deserialize(value).map_err(|e| {
        // A value has no positions: where in it the error is, is found in its text.
        let text = serde_json::to_vec(value).unwrap_or_default();
        let inner = match serde_json::from_slice::<T>(&text) {
            Err(at) => path::of_error(&text, &at),
            Ok(_) => String::new(),
        };
        typed_problem(&path::join(prefix, &inner), &e)
    })
}

/// The problem a typed deserialisation error describes, at the value `path`.
fn typed_problem(path: &str, error: &serde_json::Error) -> Problem {
    let full = path.to_string();
    let detail = strip_location(&error.to_string());
    if let Some(rest) = detail.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or_default();
        return ProblemKind::Missing.at(path::join(&full, field));
    }
    const DATE_ERRORS: [&str; 7] = [
        "input is out of range",
        "no possible date and time matching input",
        "input is not enough for unique date and time",
        "input contains invalid characters",
        "premature end of input",
        "trailing input",
        "bad or unsupported format string",
    ];
    if detail.starts_with("number out of range") {
        return ProblemKind::NumberTooLarge.at(full);
    }
    if DATE_ERRORS.iter().any(|d| detail.starts_with(d)) {
        return ProblemKind::InvalidDate { detail }.at(full);
    }
    ProblemKind::WrongType { detail }.at(full)
}

/// serde_json's message without its " at line L column C" suffix.
fn strip_location(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// A syntax error, told apart into NaN/infinity, too-large numbers and other broken JSON.
fn syntax_problem(bytes: &[u8], e: &serde_json::Error) -> Problem {
    let (line, column) = (e.line(), e.column());
    let detail = strip_location(&e.to_string());
    if detail.starts_with("number out of range") {
        return ProblemKind::NumberTooLarge.at("");
    }
    // The error points at (or just after) the offending token.
    let offset = offset_of(bytes, line, column);
    let near = &bytes[offset.saturating_sub(9).min(bytes.len())..(offset + 9).min(bytes.len())];
    let near = String::from_utf8_lossy(near);
    if near.contains("NaN") || near.contains("Infinity") {
        return ProblemKind::NonFinite { line, column }.at("");
    }
    ProblemKind::NotJson {
        line,
        column,
        detail,
    }
    .at("")
}

/// The byte offset of a 1-based line and column.
fn offset_of(bytes: &[u8], line: usize, column: usize) -> usize {
    let mut current = 1;
    for (i, b) in bytes.iter().enumerate() {
        if current == line {
            return (i + column.saturating_sub(1)).min(bytes.len());
        }
        if *b == b'\n' {
            current += 1;
        }
    }
    bytes.len()
}

/// What the top of a (valid JSON) document is, for a "wrong format" message.
fn describe_top(bytes: &[u8]) -> String {
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => "an array".into(),
        Some(b'"') => "a string".into(),
        Some(b'{') => "an object of another shape".into(),
        Some(b't' | b'f') => "a true/false value".into(),
        Some(b'n') => "null".into(),
        _ => "a number".into(),
    }
}

/// Walks a file that failed to deserialise record by record, to list every problem rather than
/// the first. `None` if the walk finds nothing (then the first problem stands).
fn walk(bytes: &[u8], version: u32) -> Option<Vec<Problem>> {
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let object = value.as_object()?;
    let mut problems = Problems::default();
    fn each<T: serde::de::DeserializeOwned>(
        value: Option<&serde_json::Value>,
        path: &str,
        problems: &mut Problems,
    ) {
        let Some(value) = value else { return };
        match value.as_array() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let Err(p) = parse_value::<T>(item, &format!("{path}[{i}]")) {
                        problems.push(p);
                    }
                }
            }
            None => one::<Vec<T>>(Some(value), path, problems),
        }
    }
    fn one<T: serde::de::DeserializeOwned>(
        value: Option<&serde_json::Value>,
        path: &str,
        problems: &mut Problems,
    ) {
        let Some(value) = value else { return };
        if let Err(p) = parse_value::<T>(value, path) {
            problems.push(p);
        }
    }
    let get = |k: &str| object.get(k);
    if version >= 1 {
        one::<FormatName>(get("format"), "format", &mut problems);
        one::<u32>(get("version"), "version", &mut problems);
        match get("exported_at") {
            Some(v) => one::<Timestamp>(Some(v), "exported_at", &mut problems),
            None => problems.push(ProblemKind::Missing.at("exported_at")),
        }
        one::<String>(get("app_version"), "app_version", &mut problems);
        match get("currency") {
            Some(v) => one::<String>(Some(v), "currency", &mut problems),
            None => problems.push(ProblemKind::Missing.at("currency")),
        }
    }
    each::<Customer>(get("customers"), "customers", &mut problems);
    each::<Order>(get("orders"), "orders", &mut problems);
    each::<Interaction>(get("interactions"), "interactions", &mut problems);
    each::<Deal>(get("deals"), "deals", &mut problems);
    each::<Task>(get("tasks"), "tasks", &mut problems);
    each::<SurveyResponse>(get("surveys"), "surveys", &mut problems);
    if version >= 1 {
        match get("loyalty") {
            Some(serde_json::Value::Object(l)) => {
                one::<LoyaltyProgramme>(l.get("programme"), "loyalty.programme", &mut problems);
                each::<LedgerEntry>(l.get("ledger"), "loyalty.ledger", &mut problems);
            }
            Some(other) => one::<LoyaltySection>(Some(other), "loyalty", &mut problems),
            None => {}
        }
    } else {
        one::<LoyaltyProgramme>(get("loyalty"), "loyalty", &mut problems);
        each::<LedgerEntry>(get("ledger"), "ledger", &mut problems);
    }
    one::<Settings>(get("settings"), "settings", &mut problems);
    problems.into_rejection().map(|r| r.problems)
}

#[cfg(test)]
mod tests;
