//! CLV fitting speed: BG/NBD on the CDNOW sample, and BG/NBD + Gamma-Gamma on a synthetic log of
//! 100,000 customers and about a million orders (drawn from the models with a fixed seed).
//!
//! `cargo bench -p kehu-core --bench clv_fit`

use std::hint::black_box;
use std::time::Duration;

use chrono::{Days, NaiveDate};
use criterion::{criterion_group, criterion_main, Criterion};
use kehu_core::analytics::clv::{
    fit_bgnbd, fit_gamma_gamma, simulate_transactions, summarize, CustomerSummary, SimulationSpec,
    TimeUnit,
};
use kehu_core::analytics::Transaction;

fn cdnow() -> Vec<Transaction> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/CDNOW_sample.txt");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let date = NaiveDate::parse_from_str(f.get(2)?, "%Y%m%d").ok()?;
            let (whole, frac) = f.get(4)?.split_once('.').unwrap_or((f.get(4)?, "0"));
            let cents: i64 = format!("{frac:0<2}").parse().ok()?;
            Some(Transaction {
                customer_id: f.get(1)?.to_string(),
                date,
                amount: whole.parse::<i64>().ok()? * 100 + cents,
            })
        })
        .collect()
}

fn synthetic() -> (Vec<Transaction>, NaiveDate) {
    let start = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap_or_default();
    let spec = SimulationSpec::shop(100_000, start, 42);
    let end = start
        .checked_add_days(Days::new(u64::from(spec.observation_days)))
        .unwrap_or(start);
    (simulate_transactions(&spec), end)
}

fn benches(c: &mut Criterion) {
    let end = NaiveDate::from_ymd_opt(1997, 9, 30).unwrap_or_default();
    let cdnow: Vec<CustomerSummary> = summarize(&cdnow(), end, TimeUnit::Week);
    assert_eq!(cdnow.len(), 2357, "CDNOW sample not found");

    let mut g = c.benchmark_group("clv");
    g.sample_size(20).measurement_time(Duration::from_secs(5));
    g.bench_function("bgnbd_fit_cdnow_2357", |b| {
        b.iter(|| fit_bgnbd(black_box(&cdnow)))
    });
    g.bench_function("gamma_gamma_fit_cdnow_946", |b| {
        b.iter(|| fit_gamma_gamma(black_box(&cdnow)))
    });

    let (log, end) = synthetic();
    eprintln!("synthetic log: {} orders", log.len());
    let synth = summarize(&log, end, TimeUnit::Day);
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("summarize_synthetic_1m_orders", |b| {
        b.iter(|| summarize(black_box(&log), end, TimeUnit::Day))
    });
    g.bench_function("bgnbd_fit_synthetic_100k", |b| {
        b.iter(|| fit_bgnbd(black_box(&synth)))
    });
    g.bench_function("gamma_gamma_fit_synthetic_100k", |b| {
        b.iter(|| fit_gamma_gamma(black_box(&synth)))
    });
    g.finish();
}

criterion_group!(clv, benches);
criterion_main!(clv);
