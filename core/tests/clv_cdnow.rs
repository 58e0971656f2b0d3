//! The CLV models on the CDNOW sample, against the published figures (Fader, Hardie & Lee 2005)
//! and lifetimes 0.11.3 (core/tests/data/clv_reference.json, from bench/reference_clv.py).

// Test helpers outside #[test] functions are not covered by clippy.toml's test allowance.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use kehu_core::analytics::clv::{
    clv_report, customer_lifetime_value, fit_bgnbd, fit_gamma_gamma, summarize, ClvOptions,
    TimeUnit,
};
use kehu_core::analytics::Transaction;
use serde_json::Value;

fn cdnow() -> Vec<Transaction> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/CDNOW_sample.txt"
    ))
    .unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let (dollars, cents) = f[4].split_once('.').unwrap_or((f[4], "0"));
            let cents = format!("{cents:0<2}");
            assert_eq!(cents.len(), 2, "{l}");
            Transaction {
                customer_id: f[1].to_string(),
                date: NaiveDate::parse_from_str(f[2], "%Y%m%d").unwrap(),
                amount: dollars.parse::<i64>().unwrap() * 100 + cents.parse::<i64>().unwrap(),
            }
        })
        .collect()
}

fn reference() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/clv_reference.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn end() -> NaiveDate {
    NaiveDate::from_ymd_opt(1997, 9, 30).unwrap()
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

fn num(v: &Value, k: &str) -> f64 {
    v[k].as_f64().unwrap_or_else(|| panic!("{k} missing"))
}

#[test]
fn summary_matches_lifetimes() {
    let s = summarize(&cdnow(), end(), TimeUnit::Week);
    let r = reference();
    let rc = r["customers"].as_array().unwrap();
    assert_eq!(s.len(), 2357);
    assert_eq!(rc.len(), 2357);
    for (c, e) in s.iter().zip(rc) {
        assert_eq!(c.customer_id, e["customer_id"].as_str().unwrap());
        assert_eq!(c.frequency, num(e, "frequency"));
        assert!((c.recency - num(e, "recency")).abs() < 1e-12, "{c:?}");
        assert!((c.t - num(e, "t")).abs() < 1e-12, "{c:?}");
        assert!(
            (c.monetary_value - num(e, "monetary_value")).abs() < 1e-9,
            "{c:?}"
        );
    }
    assert_eq!(s.iter().filter(|c| c.frequency > 0.0).count(), 946);
}

#[test]
fn bgnbd_matches_paper_and_lifetimes() {
    let s = summarize(&cdnow(), end(), TimeUnit::Week);
    let p = fit_bgnbd(&s).unwrap();
    eprintln!("BG/NBD: {p:?}");
    // The paper, at its precision.
    assert!((p.r - 0.243).abs() < 5e-4, "{p:?}");
    assert!((p.alpha - 4.414).abs() < 5e-4, "{p:?}");
    assert!((p.a - 0.793).abs() < 5e-4, "{p:?}");
    assert!((p.b - 2.426).abs() < 5e-4, "{p:?}");
    assert!((p.log_likelihood - -9582.4).abs() < 0.05, "{p:?}");
    // lifetimes 0.11.3.
    let r = reference();
    let b = &r["bgnbd"];
    for (ours, key) in [(p.r, "r"), (p.alpha, "alpha"), (p.a, "a"), (p.b, "b")] {
        assert!(
            rel(ours, num(b, key)) < 1e-4,
            "{key}: {ours} vs {}",
            num(b, key)
        );
    }
    assert!(rel(p.log_likelihood, num(b, "log_likelihood")) < 1e-8);
    assert!((p.log_likelihood_of(&s) - p.log_likelihood).abs() < 1e-6);
    // The paper's customer.
    let e = p.expected_purchases(39.0, 2.0, 30.43, 38.86);
    assert!((e - 1.226).abs() < 5e-4, "{e}");
    assert!(rel(e, num(&r, "paper_customer_expected_39")) < 1e-4);
}

#[test]
fn gamma_gamma_matches_paper_and_lifetimes() {
    let s = summarize(&cdnow(), end(), TimeUnit::Week);
    let g = fit_gamma_gamma(&s).unwrap();
    eprintln!("Gamma-Gamma: {g:?}");
    assert!((g.p - 6.25).abs() < 5e-3, "{g:?}");
    assert!((g.q - 3.74).abs() < 5e-3, "{g:?}");
    assert!((g.v - 15.44).abs() < 5e-3, "{g:?}");
    let r = reference();
    let e = &r["gamma_gamma"];
    for (ours, key) in [(g.p, "p"), (g.q, "q"), (g.v, "v")] {
        assert!(
            rel(ours, num(e, key)) < 1e-4,
            "{key}: {ours} vs {}",
            num(e, key)
        );
    }
}

#[test]
fn per_customer_figures_match_lifetimes() {
    let tx = cdnow();
    let opts = ClvOptions::new(end(), TimeUnit::Week);
    let report = clv_report(&tx, &opts).unwrap();
    let r = reference();
    let rc = r["customers"].as_array().unwrap();
    assert_eq!(report.customers.len(), rc.len());
    let (mut worst_alive, mut worst_exp, mut worst_clv) = (0.0_f64, 0.0_f64, 0.0_f64);
    for (c, e) in report.customers.iter().zip(rc) {
        assert_eq!(c.customer_id, e["customer_id"].as_str().unwrap());
        worst_alive = worst_alive.max(rel(c.p_alive, num(e, "p_alive")));
        worst_exp = worst_exp.max(rel(c.expected_purchases, num(e, "expected_purchases_39")));
        worst_clv = worst_clv.max(rel(c.clv.unwrap(), num(e, "clv")));
    }
    eprintln!("worst relative differences from lifetimes: P(alive) {worst_alive:.2e}, expected purchases {worst_exp:.2e}, CLV {worst_clv:.2e}");
    assert!(
        worst_alive < 1e-4,
        "P(alive) worst relative difference {worst_alive}"
    );
    assert!(
        worst_exp < 1e-4,
        "expected purchases worst relative difference {worst_exp}"
    );
    assert!(
        worst_clv < 1e-3,
        "CLV worst relative difference {worst_clv}"
    );
    // The standalone CLV function agrees with the report.
    let s = summarize(&tx, end(), TimeUnit::Week);
    let gg = report.gamma_gamma.unwrap();
    for (c, sm) in report.customers.iter().zip(&s).take(50) {
        let v = customer_lifetime_value(&report.bgnbd, &gg, sm, TimeUnit::Week, 12, 0.01);
        assert_eq!(Some(v), c.clv);
    }
    let ex = report.explanation.example.as_ref().unwrap();
    assert_eq!(ex.months.len(), 12);
    let sum: f64 = ex.months.iter().map(|m| m.value).sum();
    assert!((sum - ex.clv.unwrap()).abs() < 1e-9);
    // Every output is a finite number, and the report round-trips through JSON.
    let json = serde_json::to_string(&report).unwrap();
    let back: kehu_core::analytics::clv::ClvReport = serde_json::from_str(&json).unwrap();
    assert_eq!(back.customers.len(), report.customers.len());
}

#[test]
fn daily_units_give_the_same_model() {
    let tx = cdnow();
    let w = fit_bgnbd(&summarize(&tx, end(), TimeUnit::Week)).unwrap();
    let d = fit_bgnbd(&summarize(&tx, end(), TimeUnit::Day)).unwrap();
    assert!(rel(d.r, w.r) < 1e-5);
    assert!(rel(d.alpha, 7.0 * w.alpha) < 1e-5);
    assert!(rel(d.a, w.a) < 1e-5);
    assert!(rel(d.b, w.b) < 1e-5);
}
