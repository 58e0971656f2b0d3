//! Customers and orders as CSV, in and out.
//!
//! **Out**: UTF-8 with a byte-order mark, so Excel opens Chinese text correctly; headers in
//! Chinese or English; free text that Excel would take for a formula (`=`, `+`, `-`, `@` first) is
//! led by `'` so it stays text.
//!
//! **In**: UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030 (what Excel in China
//! writes); `,` `;` or tab between fields; a header row whose names are guessed into fields in
//! Chinese and English (姓名, 电话/手机, 邮箱, 生日, 金额, 日期, name, phone, …) and which the user
//! may change; dates in the common forms, asking for day/month order when a column cannot tell.
//! [`prepare`] turns the rows into records and lists every row's problems with its line number;
//! the app imports either all rows or, when the user says so, only the valid ones.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::Serialize;
use thiserror::Error;
use uuid::Uuid;

use crate::analytics::abc::AbcClass;
use crate::analytics::analyze::Analysis;
use crate::analytics::customer_id::CustomerId;
use crate::analytics::lifecycle::Stage;
use crate::analytics::rfm::RfmCustomer;
use crate::analytics::value_matrix::ValueCell;
use crate::model::{
    Customer, CustomerKind, Dataset, Gender, LedgerEntry, LoyaltyProgramme, Money, Order,
    SourceChannel, Timestamp,
};
use crate::points::{entries_for_imported_orders, points_state, rolling_spend, tier_index};
use crate::transactions_csv::{format_amount, parse_amount, AmountError};
use crate::validate::{
    normalize_email, normalize_phone, parse_tags, validate_customer, CustomerError,
};

/// The byte-order mark that tells Excel the file is UTF-8.
pub const BOM: &str = "\u{FEFF}";

/// Most data rows read from one file.
pub const MAX_ROWS: usize = 500_000;

// ---------------------------------------------------------------- export

/// The language of exported headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderLanguage {
    Chinese,
    English,
}

fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

fn write_rows(headers: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let _ = w.write_record(headers);
    for row in rows {
        let _ = w.write_record(&row);
    }
    let body = w.into_inner().unwrap_or_default();
    let mut out = String::from(BOM);
    out.push_str(&String::from_utf8_lossy(&body));
    out
}

fn kind_key(k: CustomerKind) -> &'static str {
    match k {
        CustomerKind::Individual => "individual",
        CustomerKind::Business => "business",
    }
}

fn gender_key(g: Option<Gender>) -> &'static str {
    match g {
        Some(Gender::Female) => "female",
        Some(Gender::Male) => "male",
        Some(Gender::Other) => "other",
        None => "",
    }
}

fn source_key(s: SourceChannel) -> &'static str {
    match s {
        SourceChannel::WalkIn => "walk_in",
        SourceChannel::Referral => "referral",
        SourceChannel::Phone => "phone",
        SourceChannel::Online => "online",
        SourceChannel::Exhibition => "exhibition",
        SourceChannel::SocialMedia => "social_media",
        SourceChannel::Other => "other",
    }
}

const CUSTOMER_HEADERS_ZH: [&str; 17] = [
    "编号",
    "姓名",
    "电话",
    "邮箱",
    "其他联系方式",
    "公司",
    "类型",
    "性别",
    "生日",
    "地区",
    "行业",
    "来源",
    "标签",
    "备注",
    "营销许可",
    "已归档",
    "创建时间",
];

const CUSTOMER_HEADERS_EN: [&str; 17] = [
    "id",
    "name",
    "phone",
    "email",
    "other contact",
    "company",
    "kind",
    "gender",
    "birthday",
    "region",
    "industry",
    "source",
    "tags",
    "notes",
    "marketing consent",
    "archived",
    "created at",
];

fn customer_headers(lang: HeaderLanguage) -> [&'static str; 17] {
    match lang {
        HeaderLanguage::Chinese => CUSTOMER_HEADERS_ZH,
        HeaderLanguage::English => CUSTOMER_HEADERS_EN,
    }
}

/// A customer's own columns.
fn customer_cells(c: &Customer) -> Vec<String> {
    vec![
        c.id.to_string(),
        cell(&c.name),
        c.phone.clone(),
        c.email.clone(),
        cell(&c.other_contact),
        cell(&c.company),
        kind_key(c.kind).into(),
        gender_key(c.gender).into(),
        c.birthday.map(|d| d.to_string()).unwrap_or_default(),
        cell(&c.region),
        cell(&c.industry),
        source_key(c.source).into(),
        cell(&c.tags.join(", ")),
        cell(&c.notes),
        c.marketing_consent.to_string(),
        c.archived.to_string(),
        c.created_at.to_rfc3339(),
    ]
}

/// Customers as CSV (UTF-8 with BOM).
pub fn customers_csv(customers: &[Customer], lang: HeaderLanguage) -> String {
    write_rows(
        &customer_headers(lang),
        customers.iter().map(customer_cells),
    )
}

/// What the customers CSV adds to each customer: the analysis and the points programme.
#[derive(Debug, Clone, Copy)]
pub struct CustomerFacts<'a> {
    /// The workspace's analysis; `None` (e.g. while records are read, or with invalid analysis
    /// settings) leaves its columns empty.
    pub analysis: Option<&'a Analysis>,
    /// The points programme (tiers).
    pub programme: &'a LoyaltyProgramme,
    /// Every order (for the 12-month spend that decides the tier).
    pub orders: &'a [Order],
    /// Every ledger entry (for the points balance).
    pub ledger: &'a [LedgerEntry],
    /// The moment tier and balance are worked out for (the shop's local time).
    pub at: NaiveDateTime,
}

const ANALYTICS_HEADERS_ZH: [&str; 11] = [
    "R分",
    "F分",
    "M分",
    "RFM细分",
    "ABC分类",
    "价值矩阵象限",
    "生命周期阶段",
    "流失预警",
    "忠诚度得分",
    "会员等级",
    "积分余额",
];

const ANALYTICS_HEADERS_EN: [&str; 11] = [
    "R score",
    "F score",
    "M score",
    "RFM segment",
    "ABC class",
    "value matrix cell",
    "lifecycle stage",
    "churn warning",
    "loyalty score",
    "tier",
    "points balance",
];

/// Customers as CSV (UTF-8 with BOM) with their analytics columns after the customer's own: RFM R,
/// F and M scores and segment, ABC class, value-matrix cell, lifecycle stage, churn warning,
/// loyalty score (0–100), tier and points balance. Segment, cell and stage are their stable ids
/// (`champions`, `best`, `at_risk`, …); a customer without a result for a method (no purchase yet)
/// has that cell empty.
pub fn customers_analytics_csv(
    customers: &[Customer],
    lang: HeaderLanguage,
    facts: &CustomerFacts<'_>,
) -> String {
    let mut headers: Vec<&str> = customer_headers(lang).to_vec();
    headers.extend(match lang {
        HeaderLanguage::Chinese => ANALYTICS_HEADERS_ZH,
        HeaderLanguage::English => ANALYTICS_HEADERS_EN,
    });
    let a = facts.analysis;
    let rfm: HashMap<&CustomerId, &RfmCustomer> = a
        .map(|a| {
            a.rfm
                .customers
                .iter()
                .map(|c| (&c.customer_id, c))
                .collect()
        })
        .unwrap_or_default();
    let abc: HashMap<&CustomerId, AbcClass> = a
        .map(|a| {
            a.abc
                .customers
                .iter()
                .map(|c| (&c.customer_id, c.class))
                .collect()
        })
        .unwrap_or_default();
    let cells: HashMap<&CustomerId, ValueCell> = a
        .map(|a| {
            a.value_matrix
                .customers
                .iter()
                .map(|c| (&c.customer_id, c.cell))
                .collect()
        })
        .unwrap_or_default();
    let stages: HashMap<&CustomerId, Stage> = a
        .map(|a| {
            a.lifecycle
                .customers
                .iter()
                .map(|c| (&c.customer_id, c.stage))
                .collect()
        })
        .unwrap_or_default();
    let churn: HashMap<&CustomerId, bool> = a
        .map(|a| {
            a.churn
                .customers
                .iter()
                .map(|c| (&c.customer_id, c.warning))
                .collect()
        })
        .unwrap_or_default();
    let loyalty: HashMap<&CustomerId, f64> = a
        .map(|a| {
            a.loyalty
                .customers
                .iter()
                .map(|c| (&c.customer_id, c.score))
                .collect()
        })
        .unwrap_or_default();
    let mut spend_of: HashMap<Uuid, Vec<(NaiveDateTime, Money)>> = HashMap::new();
    for o in facts.orders {
        spend_of
            .entry(o.customer_id)
            .or_default()
            .push((o.date, o.amount));
    }
    let mut ledger_of: HashMap<Uuid, Vec<&LedgerEntry>> = HashMap::new();
    for e in facts.ledger {
        ledger_of.entry(e.customer_id).or_default().push(e);
    }
    // Orders up to this minute count, as on the customer's page.
    let spend_at = facts.at + chrono::Duration::minutes(1);
    write_rows(
        &headers,
        customers.iter().map(|c| {
            let id = CustomerId::from_uuid(c.id);
            let key = &id;
            let mut row = customer_cells(c);
            let r = rfm.get(key);
            row.push(r.map(|r| r.r.to_string()).unwrap_or_default());
            row.push(r.map(|r| r.f.to_string()).unwrap_or_default());
            row.push(r.map(|r| r.m.to_string()).unwrap_or_default());
            row.push(r.map(|r| r.segment.id().to_string()).unwrap_or_default());
            row.push(abc.get(key).map(|x| x.id().to_string()).unwrap_or_default());
            row.push(
                cells
                    .get(key)
                    .map(|x| x.id().to_string())
                    .unwrap_or_default(),
            );
            row.push(
                stages
                    .get(key)
                    .map(|x| x.id().to_string())
                    .unwrap_or_default(),
            );
            row.push(churn.get(key).map(|x| x.to_string()).unwrap_or_default());
            row.push(
                loyalty
                    .get(key)
                    .map(|x| format!("{x:.1}"))
                    .unwrap_or_default(),
            );
            let spend = rolling_spend(spend_of.get(&c.id).into_iter().flatten().copied(), spend_at);
            row.push(
                facts
                    .programme
                    .tiers
                    .get(tier_index(facts.programme, spend))
                    .map(|t| cell(&t.name))
                    .unwrap_or_default(),
            );
            let balance = points_state(
                facts.programme,
                ledger_of.get(&c.id).into_iter().flatten().copied(),
                facts.at,
            )
            .balance;
            row.push(balance.to_string());
            row
        }),
    )
}

/// Orders as CSV (UTF-8 with BOM), with each customer's name and phone beside the id.
pub fn orders_csv(orders: &[Order], customers: &[Customer], lang: HeaderLanguage) -> String {
    let headers: &[&str] = match lang {
        HeaderLanguage::Chinese => &[
            "订单编号",
            "客户编号",
            "姓名",
            "电话",
            "日期",
            "金额",
            "品类",
            "数量",
            "备注",
            "使用积分",
        ],
        HeaderLanguage::English => &[
            "order id",
            "customer id",
            "name",
            "phone",
            "date",
            "amount",
            "category",
            "quantity",
            "note",
            "points redeemed",
        ],
    };
    let by_id: HashMap<Uuid, &Customer> = customers.iter().map(|c| (c.id, c)).collect();
    write_rows(
        headers,
        orders.iter().map(|o| {
            let c = by_id.get(&o.customer_id);
            vec![
                o.id.to_string(),
                o.customer_id.to_string(),
                cell(c.map(|c| c.name.as_str()).unwrap_or_default()),
                c.map(|c| c.phone.clone()).unwrap_or_default(),
                o.date.format("%Y-%m-%d %H:%M:%S").to_string(),
                format_amount(o.amount),
                cell(&o.category),
                o.quantity.to_string(),
                cell(&o.note),
                o.points_redeemed.to_string(),
            ]
        }),
    )
}

// ---------------------------------------------------------------- reading a table

/// The text encoding a file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TextEncoding {
    Utf8,
    Utf8Bom,
    Utf16,
    /// GBK or GB18030 (GB18030 is a superset of GBK).
    Gb18030,
}

impl TextEncoding {
    /// A short name for the user.
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 (BOM)",
            TextEncoding::Utf16 => "UTF-16",
            TextEncoding::Gb18030 => "GBK/GB18030",
        }
    }
}

/// Why a CSV file cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
#[non_exhaustive]
pub enum CsvError {
    #[error("the file is empty")]
    Empty,
    #[error("the text is neither UTF-8 nor GBK/GB18030")]
    Undecodable,
    #[error("line {line}: {detail}")]
    Malformed { line: u64, detail: String },
    #[error("the file has a header row but no data rows")]
    NoRows,
    #[error("the file has more than {MAX_ROWS} rows")]
    TooManyRows,
    #[error("the header row has an empty or repeated column name \"{0}\"")]
    BadHeader(String),
}

/// Decodes GBK/GB18030 bytes (no BOM handling); `None` when they are not valid GB18030.
///
/// The core decodes UTF-8 and UTF-16 itself; GB18030 needs large tables, which the app takes from
/// the browser (`TextDecoder`) instead of carrying them in its Wasm. With the `encoding` feature
/// (on by default: CLI, native tests) [`decode_gb18030`] is one made with encoding_rs.
pub type Gb18030Decoder<'a> = &'a dyn Fn(&[u8]) -> Option<String>;

/// GBK/GB18030 decoded with encoding_rs, as the browser's `TextDecoder("gb18030", {fatal: true})`
/// decodes it (both follow the WHATWG Encoding Standard).
#[cfg(feature = "encoding")]
pub fn decode_gb18030(bytes: &[u8]) -> Option<String> {
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    (!had_errors).then(|| text.into_owned())
}

/// Decodes a file's bytes into text.
///
/// # Errors
/// [`CsvError::Undecodable`] when no supported encoding reads it cleanly.
#[cfg(feature = "encoding")]
pub fn decode(bytes: &[u8]) -> Result<(String, TextEncoding), CsvError> {
    decode_with(bytes, &decode_gb18030)
}

/// Decodes a file's bytes into text: a byte-order mark says UTF-8 or UTF-16 (little or big
/// endian); without one the bytes are UTF-8 when valid, else GBK/GB18030 read by `gb18030`.
///
/// # Errors
/// [`CsvError::Undecodable`] when no supported encoding reads it cleanly.
pub fn decode_with(
    bytes: &[u8],
    gb18030: Gb18030Decoder<'_>,
) -> Result<(String, TextEncoding), CsvError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        let text = std::str::from_utf8(rest).map_err(|_| CsvError::Undecodable)?;
        return Ok((text.to_string(), TextEncoding::Utf8Bom));
    }
    let utf16 = match bytes {
        [0xFF, 0xFE, rest @ ..] => Some((rest, u16::from_le_bytes as fn([u8; 2]) -> u16)),
        [0xFE, 0xFF, rest @ ..] => Some((rest, u16::from_be_bytes as fn([u8; 2]) -> u16)),
        _ => None,
    };
    if let Some((rest, unit)) = utf16 {
        if rest.len() % 2 != 0 {
            return Err(CsvError::Undecodable);
        }
        let units = rest.chunks_exact(2).map(|p| unit([p[0], p[1]]));
        let text = char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|_| CsvError::Undecodable)?;
        return Ok((text, TextEncoding::Utf16));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.to_string(), TextEncoding::Utf8));
    }
    let text = gb18030(bytes).ok_or(CsvError::Undecodable)?;
    Ok((text, TextEncoding::Gb18030))
}

/// The field separator most used in the first line, outside quotes (`,` when none).
pub fn sniff_delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or_default();
    let mut counts = [(b',', 0), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for b in first.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for (d, n) in counts.iter_mut() {
                if *d == b {
                    *n += 1;
                }
            }
        }
    }
    counts
        .iter()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n > 0)
        .map(|(d, _)| *d)
        .unwrap_or(b',')
}

/// A CSV file read into text cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub encoding: TextEncoding,
    pub delimiter: u8,
    pub headers: Vec<String>,
    /// Each data row with its line number in the file (the header is line 1).
    pub rows: Vec<(u64, Vec<String>)>,
}

/// Reads a CSV file.
///
/// # Errors
/// [`CsvError`] when the file is empty, undecodable, malformed, or has no data rows.
#[cfg(feature = "encoding")]
pub fn read_table(bytes: &[u8]) -> Result<Table, CsvError> {
    read_table_with(bytes, &decode_gb18030)
}

/// Reads a CSV file, decoding GBK/GB18030 with `gb18030` (see [`decode_with`]).
///
/// # Errors
/// [`CsvError`] when the file is empty, undecodable, malformed, or has no data rows.
pub fn read_table_with(bytes: &[u8], gb18030: Gb18030Decoder<'_>) -> Result<Table, CsvError> {
    let (text, encoding) = decode_with(bytes, gb18030)?;
    if text.trim().is_empty() {
        return Err(CsvError::Empty);
    }
    let delimiter = sniff_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| CsvError::Malformed {
            line: 1,
            detail: e.to_string(),
        })?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut seen = HashSet::new();
    for h in &headers {
        if h.is_empty() || !seen.insert(h.clone()) {
            return Err(CsvError::BadHeader(h.clone()));
        }
    }
    let mut rows = Vec::new();
    // Newlines counted so far and up to where: each record counts only the bytes since the last.
    let (mut counted_to, mut newlines) = (0usize, 0u64);
    for record in reader.records() {
        let record = record.map_err(|e| CsvError::Malformed {
            line: e.position().map(|p| p.line()).unwrap_or(0),
            detail: e.to_string(),
        })?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(CsvError::TooManyRows);
        }
        // The line the record starts on, counted from its byte offset (the csv crate's own line
        // count is off by one with CRLF line ends).
        let line = record
            .position()
            .map(|p| {
                let bytes = text.as_bytes();
                let mut at = (p.byte() as usize).min(bytes.len());
                // With CRLF ends the offset is that of the previous line's `\n`.
                while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
                    at += 1;
                }
                if at > counted_to {
                    newlines += memchr::memchr_iter(b'\n', &bytes[counted_to..at]).count() as u64;
                    counted_to = at;
                }
                newlines + 1
            })
            .unwrap_or(0);
        rows.push((line, record.iter().map(str::to_string).collect()));
    }
    if rows.is_empty() {
        return Err(CsvError::NoRows);
    }
    Ok(Table {
        encoding,
        delimiter,
        headers,
        rows,
    })
}

// ---------------------------------------------------------------- mapping

/// What a CSV file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CsvKind {
    Customers,
    Orders,
}

/// A field a column can be read into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The customer's Kehu id (customers), or the order's (orders).
    Id,
    Name,
    Phone,
    Email,
    OtherContact,
    Company,
    Gender,
    Birthday,
    Region,
    Industry,
    Tags,
    Notes,
    /// Orders: the customer's Kehu id.
    CustomerId,
    Date,
    Amount,
    Category,
    Quantity,
}

impl Field {
    /// The fields of one kind of file, in the order the mapping step lists them.
    pub fn of(kind: CsvKind) -> &'static [Field] {
        match kind {
            CsvKind::Customers => &[
                Field::Name,
                Field::Phone,
                Field::Email,
                Field::OtherContact,
                Field::Company,
                Field::Gender,
                Field::Birthday,
                Field::Region,
                Field::Industry,
                Field::Tags,
                Field::Notes,
                Field::Id,
            ],
            CsvKind::Orders => &[
                Field::Date,
                Field::Amount,
                Field::Name,
                Field::Phone,
                Field::Email,
                Field::CustomerId,
                Field::Category,
                Field::Quantity,
                Field::Notes,
                Field::Id,
            ],
        }
    }

    /// Header names (normalised: lower case, no spaces, `_` or `-`) that mean this field.
    fn synonyms(self, kind: CsvKind) -> &'static [&'static str] {
        match (self, kind) {
            (Field::Id, CsvKind::Customers) => &["id", "编号", "客户编号", "customerid"],
            (Field::Id, CsvKind::Orders) => &["orderid", "订单编号", "订单号", "单号"],
            (Field::CustomerId, _) => &["customerid", "客户编号", "会员编号", "clientid"],
            (Field::Name, _) => &[
                "name",
                "姓名",
                "名字",
                "客户",
                "客户名",
                "客户名称",
                "客户姓名",
                "会员",
                "会员姓名",
                "fullname",
                "customer",
                "customername",
                "联系人",
            ],
            (Field::Phone, _) => &[
                "phone",
                "电话",
                "手机",
                "手机号",
                "手机号码",
                "电话号码",
                "联系电话",
                "mobile",
                "tel",
                "telephone",
                "phonenumber",
                "cell",
            ],
            (Field::Email, _) => &[
                "email",
                "邮箱",
                "电子邮件",
                "电子邮箱",
                "邮件",
                "mail",
                "emailaddress",
            ],
            (Field::OtherContact, _) => &["微信", "wechat", "其他联系方式", "othercontact", "qq"],
            (Field::Company, _) => &[
                "company",
                "公司",
                "单位",
                "企业",
                "organisation",
                "organization",
            ],
            (Field::Gender, _) => &["gender", "sex", "性别"],
            (Field::Birthday, _) => &[
                "birthday",
                "生日",
                "出生日期",
                "birthdate",
                "dob",
                "dateofbirth",
            ],
            (Field::Region, _) => &["region", "city", "地区", "城市", "区域", "所在地"],
            (Field::Industry, _) => &["industry", "行业"],
            (Field::Tags, _) => &["tags", "tag", "标签"],
            (Field::Notes, _) => &[
                "notes", "note", "备注", "说明", "remark", "remarks", "comment",
            ],
            (Field::Date, _) => &[
                "date",
                "日期",
                "时间",
                "下单日期",
                "下单时间",
                "购买日期",
                "交易日期",
                "orderdate",
                "purchasedate",
                "datetime",
            ],
            (Field::Amount, _) => &[
                "amount",
                "金额",
                "实付金额",
                "消费金额",
                "订单金额",
                "总价",
                "total",
                "price",
                "sum",
                "value",
            ],
            (Field::Category, _) => &[
                "category",
                "品类",
                "类别",
                "商品",
                "商品名称",
                "产品",
                "item",
                "product",
            ],
            (Field::Quantity, _) => &["quantity", "qty", "数量", "件数"],
        }
    }
}

fn normalise_header(h: &str) -> String {
    h.trim()
        .trim_start_matches('\u{FEFF}')
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '.' | '(' | ')' | '（' | '）'))
        .collect()
}

/// The field each column probably holds (`None`: not imported); each field at most once.
pub fn guess_mapping(kind: CsvKind, headers: &[String]) -> Vec<Option<Field>> {
    let mut used = HashSet::new();
    headers
        .iter()
        .map(|h| {
            let n = normalise_header(h);
            let found = Field::of(kind)
                .iter()
                .copied()
                .find(|f| !used.contains(f) && f.synonyms(kind).contains(&n.as_str()));
            if let Some(f) = found {
                used.insert(f);
            }
            found
        })
        .collect()
}

// ---------------------------------------------------------------- values

/// Which comes first in a date like `03/04/2026`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    DayFirst,
    MonthFirst,
}

/// Why a cell is not a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateIssue {
    Invalid,
    /// `03/04/2026`-like, and no day/month order was chosen.
    Ambiguous,
}

/// Parses a date with an optional time: `2026-03-04`, `2026/3/4`, `2026.03.04`, `20260304`,
/// `2026年3月4日`, `04/03/2026` (order as given or as the numbers tell), each optionally followed
/// by ` 14:30` or `T14:30:00`.
pub fn parse_datetime(text: &str, order: Option<DateOrder>) -> Result<NaiveDateTime, DateIssue> {
    let t = text.trim();
    let (date_part, time_part) = match t.split_once([' ', 'T']) {
        Some((d, rest)) => (d, Some(rest.trim())),
        None => (t, None),
    };
    let time = match time_part {
        None | Some("") => NaiveTime::MIN,
        Some(s) => NaiveTime::parse_from_str(s, "%H:%M:%S")
            .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M"))
            .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M:%S%.f"))
            .map_err(|_| DateIssue::Invalid)?,
    };
    Ok(NaiveDateTime::new(parse_date_part(date_part, order)?, time))
}

fn parse_date_part(t: &str, order: Option<DateOrder>) -> Result<NaiveDate, DateIssue> {
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(t, "%Y%m%d").map_err(|_| DateIssue::Invalid);
    }
    let cleaned = t.replace(['年', '月'], "-").replace('日', "");
    let parts: Vec<&str> = cleaned.split(['-', '/', '.']).collect();
    let [a, b, c] = parts.as_slice() else {
        return Err(DateIssue::Invalid);
    };
    let num = |s: &str| -> Result<u32, DateIssue> {
        if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DateIssue::Invalid);
        }
        s.parse().map_err(|_| DateIssue::Invalid)
    };
    let (y, m, d) = if a.len() == 4 {
        (num(a)?, num(b)?, num(c)?)
    } else if c.len() == 4 {
        let (x, y2) = (num(a)?, num(b)?);
        let (m, d) = match order {
            _ if x == y2 => (x, y2),
            _ if x > 12 => (y2, x),
            _ if y2 > 12 => (x, y2),
            Some(DateOrder::DayFirst) => (y2, x),
            Some(DateOrder::MonthFirst) => (x, y2),
            None => return Err(DateIssue::Ambiguous),
        };
        (num(c)?, m, d)
    } else {
        return Err(DateIssue::Invalid);
    };
    NaiveDate::from_ymd_opt(y as i32, m, d).ok_or(DateIssue::Invalid)
}

/// The day/month order the cells of a date column show: `Ok(Some(order))` when some cell tells
/// (a first number over 12 means day first), `Ok(None)` when no cell needs it, `Err(())` when
/// cells are ambiguous and none tells — then the user must choose.
#[allow(clippy::result_unit_err)]
pub fn infer_date_order<'a>(cells: impl Iterator<Item = &'a str>) -> Result<Option<DateOrder>, ()> {
    let mut ambiguous = false;
    for cell in cells {
        match parse_datetime(cell, None) {
            Err(DateIssue::Ambiguous) => ambiguous = true,
            Ok(_) => {
                // Did the numbers decide it?
                let date = cell.trim().split([' ', 'T']).next().unwrap_or_default();
                let parts: Vec<&str> = date.split(['-', '/', '.']).collect();
                if let [a, b, c] = parts.as_slice() {
                    if c.len() == 4 {
                        let (x, y): (u32, u32) = (a.parse().unwrap_or(0), b.parse().unwrap_or(0));
                        if x > 12 {
                            return Ok(Some(DateOrder::DayFirst));
                        }
                        if y > 12 {
                            return Ok(Some(DateOrder::MonthFirst));
                        }
                    }
                }
            }
            Err(DateIssue::Invalid) => {}
        }
    }
    if ambiguous {
        Err(())
    } else {
        Ok(None)
    }
}

/// Parses an amount in major units: `1234.5`, `1,234.50`, `¥12`, `12.50元`, `12,5` (decimal
/// comma), `-3` (a refund).
///
/// # Errors
/// [`AmountError`] as for the transactions file.
pub fn parse_money(text: &str) -> Result<i64, AmountError> {
    let mut t: String = text
        .trim()
        .trim_start_matches(['¥', '￥', '$', '€', '£'])
        .trim_end_matches('元')
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\'')
        .collect();
    for code in ["RMB", "CNY", "USD", "EUR"] {
        t = t
            .trim_start_matches(code)
            .trim_end_matches(code)
            .to_string();
    }
    let t = t.replace('，', ",");
    let t = match (t.rfind(','), t.contains('.')) {
        (Some(i), false) if (1..=2).contains(&(t.len() - i - 1)) => t.replacen(',', ".", 1),
        _ => t.replace(',', ""),
    };
    parse_amount(&t)
}

// ---------------------------------------------------------------- rows into records

/// What is wrong with one cell or row.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RowProblem {
    #[error("{0:?} is required")]
    Required(Field),
    #[error("\"{0}\" is not a date")]
    InvalidDate(String),
    #[error("\"{0}\" could be day/month or month/day: choose the order")]
    AmbiguousDate(String),
    #[error("\"{0}\" is not an amount")]
    InvalidAmount(String),
    #[error("\"{0}\" is not a whole number of at least 1")]
    InvalidQuantity(String),
    #[error("\"{0}\" is not a Kehu id")]
    InvalidId(String),
    #[error("no customer here matches \"{0}\"")]
    CustomerNotFound(String),
    #[error("more than one customer here matches \"{0}\"; add a phone, e-mail or id column")]
    CustomerAmbiguous(String),
    #[error("the id is used by an earlier row")]
    RepeatedId,
    #[error("{0}")]
    Customer(CustomerError),
}

/// A problem of one row, with its line number in the file and the column's header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub line: u64,
    pub column: Option<String>,
    pub problem: RowProblem,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(c) => write!(f, "line {}, column \"{c}\": {}", self.line, self.problem),
            None => write!(f, "line {}: {}", self.line, self.problem),
        }
    }
}

/// Records made from the rows, and every row's problems.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Prepared {
    /// New or changed customers from valid rows.
    pub customers: Vec<Customer>,
    /// New or changed orders from valid rows.
    pub orders: Vec<Order>,
    /// The points ledger entries the new orders earn as sales
    /// ([`crate::points::entries_for_imported_orders`]), to store with them.
    pub ledger: Vec<LedgerEntry>,
    /// Number of data rows.
    pub rows: usize,
    /// Number of rows without problems.
    pub valid_rows: usize,
    pub errors: Vec<RowError>,
}

/// Options of one import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrepareOptions {
    /// Day/month order for ambiguous dates; required when a date column needs it.
    pub date_order: Option<DateOrder>,
    /// The user's local date (birthdays may not be later).
    pub today: NaiveDate,
    /// The moment of the import (`created_at`/`updated_at`).
    pub now: Timestamp,
}

/// Turns rows into records according to `mapping` (one entry per column). Customers with a Kehu
/// id that exists in `existing` are updated; orders find their customer in `existing` by id,
/// phone, e-mail or (unique) name, and new orders earn their points as sales do (`ledger`, from
/// `existing`'s programme and ledger).
pub fn prepare(
    kind: CsvKind,
    table: &Table,
    mapping: &[Option<Field>],
    options: PrepareOptions,
    existing: &Dataset,
    new_id: &mut dyn FnMut() -> Uuid,
) -> Prepared {
    let mut out = Prepared {
        rows: table.rows.len(),
        ..Prepared::default()
    };
    let column_of: HashMap<Field, usize> = mapping
        .iter()
        .enumerate()
        .filter_map(|(i, f)| f.map(|f| (f, i)))
        .collect();
    let header = |f: Field| {
        column_of
            .get(&f)
            .and_then(|&i| table.headers.get(i))
            .cloned()
    };
    let mut ids_seen = HashSet::new();
    match kind {
        CsvKind::Customers => {
            let by_id: HashMap<Uuid, &Customer> =
                existing.customers.iter().map(|c| (c.id, c)).collect();
            for (line, cells) in &table.rows {
                let get = |f: Field| {
                    column_of
                        .get(&f)
                        .and_then(|&i| cells.get(i))
                        .map(|s| unformula(s.trim()))
                };
                let mut errors = Vec::new();
                let mut err = |f: Option<Field>, p: RowProblem| {
                    errors.push(RowError {
                        line: *line,
                        column: f.and_then(header),
                        problem: p,
                    })
                };
                let id = match get(Field::Id).filter(|s| !s.is_empty()) {
                    Some(s) => match Uuid::parse_str(&s) {
                        Ok(id) => Some(id),
                        Err(_) => {
                            err(Some(Field::Id), RowProblem::InvalidId(s));
                            None
                        }
                    },
                    None => None,
                };
                if let Some(id) = id {
                    if !ids_seen.insert(id) {
                        err(Some(Field::Id), RowProblem::RepeatedId);
                    }
                }
                let mut c = match id.and_then(|id| by_id.get(&id)) {
                    Some(old) => Customer {
                        updated_at: options.now,
                        ..(*old).clone()
                    },
                    None => Customer::new(id.unwrap_or_else(&mut *new_id), "", options.now),
                };
                let text = |f: Field, target: &mut String| {
                    if let Some(v) = get(f) {
                        *target = v;
                    }
                };
                text(Field::Name, &mut c.name);
                text(Field::Phone, &mut c.phone);
                text(Field::Email, &mut c.email);
                text(Field::OtherContact, &mut c.other_contact);
                text(Field::Company, &mut c.company);
                text(Field::Region, &mut c.region);
                text(Field::Industry, &mut c.industry);
                text(Field::Notes, &mut c.notes);
                if let Some(t) = get(Field::Tags) {
                    c.tags = parse_tags(&t);
                }
                if let Some(g) = get(Field::Gender) {
                    c.gender = match g.to_lowercase().as_str() {
                        "女" | "f" | "female" | "woman" => Some(Gender::Female),
                        "男" | "m" | "male" | "man" => Some(Gender::Male),
                        "" => None,
                        _ => Some(Gender::Other),
                    };
                }
                if let Some(b) = get(Field::Birthday).filter(|s| !s.is_empty()) {
                    match parse_datetime(&b, options.date_order) {
                        Ok(d) => c.birthday = Some(d.date()),
                        Err(DateIssue::Ambiguous) => {
                            err(Some(Field::Birthday), RowProblem::AmbiguousDate(b))
                        }
                        Err(DateIssue::Invalid) => {
                            err(Some(Field::Birthday), RowProblem::InvalidDate(b))
                        }
                    }
                }
                for e in validate_customer(&c, options.today) {
                    let f = match e {
                        CustomerError::NameRequired | CustomerError::NameTooLong => Field::Name,
                        CustomerError::PhoneInvalid(_) => Field::Phone,
                        CustomerError::EmailInvalid(_) => Field::Email,
                        CustomerError::BirthdayInFuture(_) => Field::Birthday,
                        _ => Field::Tags,
                    };
                    err(Some(f), RowProblem::Customer(e));
                }
                if errors.is_empty() {
                    out.valid_rows += 1;
                    out.customers.push(c);
                } else {
                    out.errors.extend(errors);
                }
            }
        }
        CsvKind::Orders => {
            let customers: HashSet<Uuid> = existing.customers.iter().map(|c| c.id).collect();
            let mut by_phone: HashMap<String, Vec<Uuid>> = HashMap::new();
            let mut by_email: HashMap<String, Vec<Uuid>> = HashMap::new();
            let mut by_name: HashMap<String, Vec<Uuid>> = HashMap::new();
            for c in &existing.customers {
                for (map, key) in [
                    (&mut by_phone, normalize_phone(&c.phone)),
                    (&mut by_email, normalize_email(&c.email)),
                    (&mut by_name, c.name.trim().to_string()),
                ] {
                    if !key.is_empty() {
                        map.entry(key).or_default().push(c.id);
                    }
                }
            }
            let orders: HashMap<Uuid, &Order> = existing.orders.iter().map(|o| (o.id, o)).collect();
            for (line, cells) in &table.rows {
                let get = |f: Field| {
                    column_of
                        .get(&f)
                        .and_then(|&i| cells.get(i))
                        .map(|s| unformula(s.trim()))
                        .filter(|s| !s.is_empty())
                };
                let mut errors = Vec::new();
                let mut err = |f: Option<Field>, p: RowProblem| {
                    errors.push(RowError {
                        line: *line,
                        column: f.and_then(header),
                        problem: p,
                    })
                };
                // The customer: by id, phone, e-mail, then a unique name.
                let mut customer = None;
                if let Some(s) = get(Field::CustomerId) {
                    match Uuid::parse_str(&s) {
                        Ok(id) if customers.contains(&id) => customer = Some(id),
                        Ok(_) => err(Some(Field::CustomerId), RowProblem::CustomerNotFound(s)),
                        Err(_) => err(Some(Field::CustomerId), RowProblem::InvalidId(s)),
                    }
                }
                let lookups = [
                    (
                        Field::Phone,
                        &by_phone,
                        get(Field::Phone).map(|p| normalize_phone(&p)),
                    ),
                    (
                        Field::Email,
                        &by_email,
                        get(Field::Email).map(|e| normalize_email(&e)),
                    ),
                    (Field::Name, &by_name, get(Field::Name)),
                ];
                if customer.is_none() && get(Field::CustomerId).is_none() {
                    let mut problem = None;
                    for (field, map, key) in lookups {
                        let Some(key) = key else { continue };
                        match map.get(&key).map(Vec::as_slice) {
                            Some([one]) => {
                                customer = Some(*one);
                                break;
                            }
                            Some([_, _, ..]) => {
                                problem.get_or_insert((field, RowProblem::CustomerAmbiguous(key)));
                            }
                            _ => {
                                problem.get_or_insert((field, RowProblem::CustomerNotFound(key)));
                            }
                        }
                    }
                    if customer.is_none() {
                        match problem {
                            Some((f, p)) => err(Some(f), p),
                            None => err(None, RowProblem::Required(Field::Name)),
                        }
                    }
                }
                let date = match get(Field::Date) {
                    Some(s) => match parse_datetime(&s, options.date_order) {
                        Ok(d) => Some(d),
                        Err(DateIssue::Ambiguous) => {
                            err(Some(Field::Date), RowProblem::AmbiguousDate(s));
                            None
                        }
                        Err(DateIssue::Invalid) => {
                            err(Some(Field::Date), RowProblem::InvalidDate(s));
                            None
                        }
                    },
                    None => {
                        err(None, RowProblem::Required(Field::Date));
                        None
                    }
                };
                let amount = match get(Field::Amount) {
                    Some(s) => match parse_money(&s) {
                        Ok(a) => Some(a),
                        Err(_) => {
                            err(Some(Field::Amount), RowProblem::InvalidAmount(s));
                            None
                        }
                    },
                    None => {
                        err(None, RowProblem::Required(Field::Amount));
                        None
                    }
                };
                let quantity = match get(Field::Quantity) {
                    Some(s) => match s.parse::<u32>() {
                        Ok(q) if q >= 1 => q,
                        _ => {
                            err(Some(Field::Quantity), RowProblem::InvalidQuantity(s));
                            1
                        }
                    },
                    None => 1,
                };
                let id = match get(Field::Id) {
                    Some(s) => match Uuid::parse_str(&s) {
                        Ok(id) => {
                            if !ids_seen.insert(id) {
                                err(Some(Field::Id), RowProblem::RepeatedId);
                            }
                            Some(id)
                        }
                        Err(_) => {
                            err(Some(Field::Id), RowProblem::InvalidId(s));
                            None
                        }
                    },
                    None => None,
                };
                match (customer, date, amount, errors.is_empty()) {
                    (Some(customer_id), Some(date), Some(amount), true) => {
                        let created_at = id
                            .and_then(|id| orders.get(&id))
                            .map(|o| o.created_at)
                            .unwrap_or(options.now);
                        out.valid_rows += 1;
                        out.orders.push(Order {
                            id: id.unwrap_or_else(&mut *new_id),
                            customer_id,
                            date,
                            amount,
                            category: get(Field::Category).unwrap_or_default(),
                            quantity,
                            note: get(Field::Notes).unwrap_or_default(),
                            points_redeemed: 0,
                            created_at,
                            updated_at: options.now,
                        });
                    }
                    _ => out.errors.extend(errors),
                }
            }
        }
    }
    if !out.orders.is_empty() {
        out.ledger = entries_for_imported_orders(
            &existing.loyalty,
            &existing.customers,
            &existing.orders,
            &existing.ledger,
            &out.orders,
            options.now,
            new_id,
        );
    }
    out
}

/// A cell as exported with a leading `'` against formulas, without it.
fn unformula(s: &str) -> String {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest.to_string(),
        _ => s.to_string(),
    }
}

// The tests read GBK fixtures with encoding_rs (the default feature).
#[cfg(all(test, feature = "encoding"))]
mod tests;
