//! The subcommands.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;

use chrono::{Days, NaiveDate};
use kehu_core::analytics::abc::{abc_of, AbcOptions};
use kehu_core::analytics::clv::{clv_report, workspace_clv, ClvOptions, TimeUnit};
use kehu_core::analytics::history::CustomerId;
use kehu_core::analytics::rfm::{rfm_of_transactions, RfmOptions, RfmScoring};
use kehu_core::analytics::{analyze as analyze_all, Transaction};
use kehu_core::datafile;
use kehu_core::demo::{generate, DemoSize};
use kehu_core::transactions_csv::{format_amount, read_transactions, Columns};
use serde::Serialize;

use crate::errors::CliError;
use crate::output::{major, Sink};
use crate::{
    AbcArgs, AnalyzeArgs, ClvArgs, DemoArgs, Format, RfmArgs, Size, TransactionsArgs, Unit,
    ValidateArgs,
};

fn load(args: &TransactionsArgs) -> Result<(String, Vec<Transaction>), CliError> {
    let name = args.transactions.display().to_string();
    let file = File::open(&args.transactions).map_err(|e| CliError::Read {
        file: name.clone(),
        message: e.to_string(),
    })?;
    let columns = Columns {
        customer_id: args.customer_col.clone(),
        date: args.date_col.clone(),
        amount: args.amount_col.clone(),
    };
    let tx = read_transactions(std::io::BufReader::new(file), &name, &columns)?;
    Ok((name, tx))
}

fn day_after_last(tx: &[Transaction]) -> Option<NaiveDate> {
    tx.iter()
        .map(|t| t.date)
        .max()
        .and_then(|d| d.checked_add_days(Days::new(1)))
}

#[derive(Serialize)]
struct RfmRow {
    customer_id: CustomerId,
    recency: i64,
    frequency: u32,
    monetary: f64,
    r: u8,
    f: u8,
    m: u8,
    segment: &'static str,
}

#[derive(Serialize)]
struct RfmCsvRow {
    customer_id: CustomerId,
    recency: i64,
    frequency: u32,
    monetary: String,
    r: u8,
    f: u8,
    m: u8,
    segment: &'static str,
}

#[derive(Serialize)]
struct SegmentRow {
    segment: &'static str,
    customers: u32,
    revenue: f64,
}

#[derive(Serialize)]
struct RfmJson {
    as_of: NaiveDate,
    bins: u8,
    customers: Vec<RfmRow>,
    segments: Vec<SegmentRow>,
}

/// `kehu rfm`.
pub fn rfm(args: &RfmArgs) -> Result<(), CliError> {
    let (_, tx) = load(&args.tx)?;
    let as_of = match args.as_of {
        Some(d) => d,
        None => day_after_last(&tx).ok_or_else(|| {
            CliError::Parameter("no analysis date can follow the last date".into())
        })?,
    };
    let options = RfmOptions {
        scoring: RfmScoring::Quantiles { bins: args.bins },
        ..RfmOptions::default()
    };
    let result = rfm_of_transactions(&tx, as_of, None, &options)?;
    let sink = Sink::open(None)?;
    match args.format {
        Format::Json => sink.json(&RfmJson {
            as_of,
            bins: args.bins,
            customers: result
                .customers
                .iter()
                .map(|c| RfmRow {
                    customer_id: c.customer_id.clone(),
                    recency: c.recency,
                    frequency: c.frequency,
                    monetary: major(c.monetary),
                    r: c.r,
                    f: c.f,
                    m: c.m,
                    segment: c.segment.id(),
                })
                .collect(),
            segments: result
                .segments
                .iter()
                .map(|s| SegmentRow {
                    segment: s.segment.id(),
                    customers: s.customers,
                    revenue: major(s.revenue),
                })
                .collect(),
        }),
        Format::Csv => sink.csv(
            &result
                .customers
                .iter()
                .map(|c| RfmCsvRow {
                    customer_id: c.customer_id.clone(),
                    recency: c.recency,
                    frequency: c.frequency,
                    monetary: format_amount(c.monetary),
                    r: c.r,
                    f: c.f,
                    m: c.m,
                    segment: c.segment.id(),
                })
                .collect::<Vec<_>>(),
        ),
    }
}

fn parse_thresholds(text: &str) -> Result<AbcOptions, CliError> {
    let bad = || {
        CliError::Parameter(format!(
            "--thresholds \"{text}\": expected two percentages A,B with 0 ≤ A ≤ B ≤ 100, e.g. 80,95"
        ))
    };
    let (a, b) = text.split_once(',').ok_or_else(bad)?;
    let a: f64 = a.trim().parse().map_err(|_| bad())?;
    let b: f64 = b.trim().parse().map_err(|_| bad())?;
    if !(a.is_finite() && b.is_finite() && 0.0 <= a && a <= b && b <= 100.0) {
        return Err(bad());
    }
    Ok(AbcOptions { a, b })
}

#[derive(Serialize)]
struct AbcRow {
    customer_id: CustomerId,
    revenue: f64,
    class: &'static str,
}

#[derive(Serialize)]
struct AbcCsvRow {
    customer_id: CustomerId,
    revenue: String,
    class: &'static str,
}

#[derive(Serialize)]
struct ClassRow {
    class: &'static str,
    customers: u32,
    revenue: f64,
}

#[derive(Serialize)]
struct AbcJson {
    thresholds: [f64; 2],
    customers: Vec<AbcRow>,
    classes: Vec<ClassRow>,
}

/// `kehu abc`.
pub fn abc(args: &AbcArgs) -> Result<(), CliError> {
    let options = parse_thresholds(&args.thresholds)?;
    let (_, tx) = load(&args.tx)?;
    let mut revenue: BTreeMap<&str, i128> = BTreeMap::new();
    for t in &tx {
        *revenue.entry(t.customer_id.as_str()).or_default() += i128::from(t.amount);
    }
    let rows: Vec<(CustomerId, i64)> = revenue
        .into_iter()
        .map(|(id, r)| {
            let r = r.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
            (CustomerId::from(id), r)
        })
        .collect();
    let result = abc_of(&rows, &options)?;
    let sink = Sink::open(None)?;
    match args.format {
        Format::Json => sink.json(&AbcJson {
            thresholds: [options.a, options.b],
            customers: result
                .customers
                .iter()
                .map(|c| AbcRow {
                    customer_id: c.customer_id.clone(),
                    revenue: major(c.revenue),
                    class: c.class.id(),
                })
                .collect(),
            classes: result
                .classes
                .iter()
                .map(|c| ClassRow {
                    class: c.class.id(),
                    customers: c.customers,
                    revenue: major(c.revenue),
                })
                .collect(),
        }),
        Format::Csv => sink.csv(
            &result
                .customers
                .iter()
                .map(|c| AbcCsvRow {
                    customer_id: c.customer_id.clone(),
                    revenue: format_amount(c.revenue),
                    class: c.class.id(),
                })
                .collect::<Vec<_>>(),
        ),
    }
}

#[derive(Serialize)]
struct ClvRow {
    customer_id: String,
    frequency: f64,
    recency: f64,
    #[serde(rename = "T")]
    t: f64,
    p_alive: f64,
    expected_purchases: f64,
    clv: Option<f64>,
}

#[derive(Serialize)]
struct ClvJson<'a> {
    bgnbd: &'a kehu_core::analytics::clv::BgNbdParams,
    gamma_gamma: &'a Option<kehu_core::analytics::clv::GammaGammaParams>,
    customers: Vec<ClvRow>,
}

/// `kehu clv`.
pub fn clv(args: &ClvArgs) -> Result<(), CliError> {
    if !(args.predict_periods.is_finite() && args.predict_periods >= 0.0) {
        return Err(CliError::Parameter(format!(
            "--predict-periods {}: expected a number of periods ≥ 0",
            args.predict_periods
        )));
    }
    if !(args.discount_rate.is_finite() && args.discount_rate > -1.0) {
        return Err(CliError::Parameter(format!(
            "--discount-rate {}: expected a monthly rate such as 0.01",
            args.discount_rate
        )));
    }
    let (name, tx) = load(&args.tx)?;
    let options = ClvOptions {
        calibration_end: args.calibration_end,
        time_unit: match args.time_unit {
            Unit::Day => TimeUnit::Day,
            Unit::Week => TimeUnit::Week,
        },
        predict_periods: args.predict_periods,
        horizon_months: args.horizon_months,
        discount_rate: args.discount_rate,
    };
    let report =
        clv_report(&tx, &options).map_err(|source| CliError::Clv { file: name, source })?;
    let rows: Vec<ClvRow> = report
        .customers
        .iter()
        .map(|c| ClvRow {
            customer_id: c.customer_id.clone(),
            frequency: c.frequency,
            recency: c.recency,
            t: c.t,
            p_alive: c.p_alive,
            expected_purchases: c.expected_purchases,
            clv: c.clv,
        })
        .collect();
    let sink = Sink::open(None)?;
    match args.format {
        Format::Json => sink.json(&ClvJson {
            bgnbd: &report.bgnbd,
            gamma_gamma: &report.gamma_gamma,
            customers: rows,
        }),
        Format::Csv => sink.csv(&rows),
    }
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|e| CliError::Read {
        file: path.display().to_string(),
        message: e.to_string(),
    })
}

/// `kehu validate`: the app's import checks on a data file.
pub fn validate(args: &ValidateArgs) -> Result<(), CliError> {
    let name = args.file.display().to_string();
    let bytes = read_bytes(&args.file)?;
    match datafile::read(&bytes, chrono::Local::now().date_naive()) {
        Ok(file) => {
            println!("{name}: valid. {}", file.summary());
            Ok(())
        }
        Err(rejection) => Err(CliError::Invalid {
            file: name,
            problems: rejection.problems.iter().map(ToString::to_string).collect(),
        }),
    }
}

/// `kehu schema`: the data file's JSON Schema.
pub fn schema() -> Result<(), CliError> {
    use std::io::Write;
    std::io::stdout()
        .write_all(datafile::json_schema().as_bytes())
        .map_err(|e| CliError::Write {
            target: "standard output".into(),
            message: e.to_string(),
        })
}

/// `kehu analyze`.
pub fn analyze(args: &AnalyzeArgs) -> Result<(), CliError> {
    let name = args.input.display().to_string();
    let bytes = read_bytes(&args.input)?;
    // Either version of the data file: the app's export or an older `kehu demo` workspace.
    let data = datafile::read(&bytes, chrono::Local::now().date_naive())
        .map_err(|r| CliError::Json {
            file: name.clone(),
            message: r
                .problems
                .first()
                .map(ToString::to_string)
                .unwrap_or_default(),
        })?
        .data;
    // As the app: a date given here, else the analysis date saved in the settings, else the day
    // after the last order.
    let as_of = args
        .as_of
        .or(data.settings.analysis.as_of)
        .or_else(|| {
            data.orders
                .iter()
                .map(|o| o.date.date())
                .max()
                .and_then(|d| d.checked_add_days(Days::new(1)))
        })
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let result = analyze_all(&data, as_of, &data.settings.analysis)?;
    // The CLV page's figures: the same workspace function the app calls, with the same settings.
    let tx = kehu_core::analytics::clv::transactions_of_orders(&data.orders);
    let clv = workspace_clv(&tx, as_of, &data.settings.analysis.clv, 0);
    let (bgnbd, gamma_gamma, error) = match &clv.model {
        Ok(r) => (Some(r.bgnbd), r.gamma_gamma, None),
        Err(e) => (None, None, Some(e.to_string())),
    };
    Sink::open(None)?.json(&AnalyzeJson {
        analysis: &result,
        clv: AnalyzeClv {
            calibration_end: clv.options.calibration_end,
            time_unit: clv.options.time_unit,
            horizon_months: clv.options.horizon_months,
            discount_rate: clv.options.discount_rate,
            bgnbd,
            gamma_gamma,
            error,
        },
    })
}

/// `kehu analyze`'s output: every method of the analysis, plus the CLV model fit.
#[derive(Serialize)]
struct AnalyzeJson<'a> {
    #[serde(flatten)]
    analysis: &'a kehu_core::analytics::Analysis,
    clv: AnalyzeClv,
}

/// The CLV model as the app's CLV page shows it.
#[derive(Serialize)]
struct AnalyzeClv {
    calibration_end: NaiveDate,
    time_unit: TimeUnit,
    horizon_months: u32,
    discount_rate: f64,
    /// Fitted BG/NBD parameters (`None` when the data are too thin: see `error`).
    bgnbd: Option<kehu_core::analytics::clv::BgNbdParams>,
    /// Fitted Gamma-Gamma parameters, when spend could be modelled.
    gamma_gamma: Option<kehu_core::analytics::clv::GammaGammaParams>,
    /// Why the model could not be fitted.
    error: Option<String>,
}

#[derive(Serialize)]
struct TransactionRow {
    customer_id: String,
    date: NaiveDate,
    amount: String,
}

/// `kehu demo`.
pub fn demo(args: &DemoArgs) -> Result<(), CliError> {
    let today = args
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let size = match args.size {
        Size::Small => DemoSize::Small,
        Size::Classroom => DemoSize::Classroom,
        Size::Large => DemoSize::Large,
    };
    let data = generate(size, args.seed, today);
    let sink = Sink::open(args.output.as_deref())?;
    match args.format {
        Format::Json => sink.json(&data),
        Format::Csv => {
            let mut rows: Vec<TransactionRow> = data
                .orders
                .iter()
                .map(|o| TransactionRow {
                    customer_id: o.customer_id.to_string(),
                    date: o.date.date(),
                    amount: format_amount(o.amount),
                })
                .collect();
            rows.sort_by(|a, b| a.date.cmp(&b.date).then(a.customer_id.cmp(&b.customer_id)));
            sink.csv(&rows)
        }
    }
}
