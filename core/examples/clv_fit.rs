//! Generate the synthetic CLV benchmark log, or time the CLV fits on a CSV log; used by
//! `bench/compare.py` to compare with the Python lifetimes library on the same data.
//!
//! ```text
//! cargo run --release -p kehu-core --example clv_fit -- generate 100000 42 /tmp/synth.csv
//! cargo run --release -p kehu-core --example clv_fit -- fit /tmp/synth.csv 2024-12-31 day 5
//! ```
//! The CSV is `customer_id,date,amount` with the amount in major units (two decimals).
//! `fit` prints one JSON object: times in milliseconds (the best of the given repetitions) and
//! the fitted parameters.

use std::error::Error;
use std::fmt::Write as _;
use std::time::Instant;

use chrono::{Days, NaiveDate};
use kehu_core::analytics::clv::{
    fit_bgnbd, fit_gamma_gamma, simulate_transactions, summarize, SimulationSpec, TimeUnit,
};
use kehu_core::analytics::Transaction;

fn parse_amount(s: &str) -> Result<i64, Box<dyn Error>> {
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if frac.len() > 2 {
        return Err(format!("amount {s} has more than two decimals").into());
    }
    let cents = whole.parse::<i64>()? * 100 + format!("{frac:0<2}").parse::<i64>()?;
    Ok(if neg { -cents } else { cents })
}

fn read_csv(path: &str) -> Result<Vec<Transaction>, Box<dyn Error>> {
    let text = std::fs::read_to_string(path)?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let mut f = line.split(',');
        let (Some(id), Some(date), Some(amount)) = (f.next(), f.next(), f.next()) else {
            return Err(format!("{path}:{}: expected customer_id,date,amount", i + 1).into());
        };
        out.push(Transaction {
            customer_id: id.to_string(),
            date: NaiveDate::parse_from_str(date, "%Y-%m-%d")?,
            amount: parse_amount(amount)?,
        });
    }
    Ok(out)
}

fn best_ms<T>(reps: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..reps.max(1) {
        let t0 = Instant::now();
        let v = f();
        best = best.min(t0.elapsed().as_secs_f64() * 1e3);
        last = Some(v);
    }
    match last {
        Some(v) => (best, v),
        None => (best, f()),
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("generate") => {
            let customers: usize = args.get(2).ok_or("customers?")?.parse()?;
            let seed: u64 = args.get(3).ok_or("seed?")?.parse()?;
            let out = args.get(4).ok_or("output file?")?;
            let start = NaiveDate::from_ymd_opt(2023, 1, 1).ok_or("date")?;
            let spec = SimulationSpec::shop(customers, start, seed);
            let log = simulate_transactions(&spec);
            let mut csv = String::from("customer_id,date,amount\n");
            for t in &log {
                let sign = if t.amount < 0 { "-" } else { "" };
                let a = t.amount.unsigned_abs();
                writeln!(
                    csv,
                    "{},{},{sign}{}.{:02}",
                    t.customer_id,
                    t.date,
                    a / 100,
                    a % 100
                )?;
            }
            std::fs::write(out, csv)?;
            let end = start
                .checked_add_days(Days::new(u64::from(spec.observation_days)))
                .ok_or("date")?;
            println!(
                "{{\"orders\": {}, \"customers\": {customers}, \"calibration_end\": \"{end}\"}}",
                log.len()
            );
        }
        Some("fit") => {
            let path = args.get(2).ok_or("csv file?")?;
            let end: NaiveDate = args.get(3).ok_or("calibration end?")?.parse()?;
            let unit = match args.get(4).map(String::as_str) {
                Some("week") => TimeUnit::Week,
                _ => TimeUnit::Day,
            };
            let reps: usize = args.get(5).map(|s| s.parse()).transpose()?.unwrap_or(3);
            let log = read_csv(path)?;
            let (summary_ms, s) = best_ms(reps, || summarize(&log, end, unit));
            let (bg_ms, bg) = best_ms(reps, || fit_bgnbd(&s));
            let (gg_ms, gg) = best_ms(reps, || fit_gamma_gamma(&s));
            let bg = bg?;
            let gg = gg?;
            println!(
                "{{\"orders\": {}, \"customers\": {}, \"summary_ms\": {summary_ms:.3}, \"bgnbd_ms\": {bg_ms:.3}, \"gamma_gamma_ms\": {gg_ms:.3}, \"bgnbd\": {}, \"gamma_gamma\": {}}}",
                log.len(),
                s.len(),
                serde_json::to_string(&bg)?,
                serde_json::to_string(&gg)?
            );
        }
        _ => {
            return Err("usage: clv_fit generate <customers> <seed> <out.csv> | clv_fit fit <csv> <calibration-end> [day|week] [repetitions]".into());
        }
    }
    Ok(())
}
