//! RFM and ABC on the CDNOW sample agree exactly with pandas (bench/reference_rfm.py).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use kehu_core::analytics::abc::{abc, AbcOptions};
use kehu_core::analytics::history::Histories;
use kehu_core::analytics::rfm::{rfm, RfmOptions, RfmScoring};
use kehu_core::analytics::Transaction;
use kehu_core::transactions_csv::{parse_amount, parse_date};
use serde_json::Value;

fn cdnow() -> Vec<Transaction> {
    let text = include_str!("data/CDNOW_sample.txt");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            Transaction {
                customer_id: f[1].to_owned(),
                date: parse_date(f[2]).unwrap(),
                amount: parse_amount(f[4]).unwrap(),
            }
        })
        .collect()
}

fn reference() -> Value {
    serde_json::from_str(include_str!("data/rfm_reference_cdnow.json")).unwrap()
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(1998, 7, 1).unwrap()
}

#[test]
fn rfm_matches_pandas_for_5_and_3_bins() {
    let tx = cdnow();
    let h = Histories::from_transactions(&tx, as_of(), None).unwrap();
    let reference = reference();
    for bins in [5u8, 3] {
        let opts = RfmOptions {
            scoring: RfmScoring::Quantiles { bins },
            ..RfmOptions::default()
        };
        let got = rfm(&h, &opts).unwrap();
        let want = &reference["rfm"][bins.to_string()];
        let rows = want["customers"].as_array().unwrap();
        assert_eq!(got.customers.len(), rows.len());
        assert_eq!(got.customers.len(), 2357);
        for (g, w) in got.customers.iter().zip(rows) {
            let ctx = format!("bins {bins}, customer {}", g.customer_id);
            assert_eq!(
                g.customer_id.to_string(),
                w["customer_id"].as_str().unwrap(),
                "{ctx}"
            );
            assert_eq!(g.recency, w["recency"].as_i64().unwrap(), "{ctx}");
            assert_eq!(
                i64::from(g.frequency),
                w["frequency"].as_i64().unwrap(),
                "{ctx}"
            );
            assert_eq!(g.monetary, w["monetary"].as_i64().unwrap(), "{ctx}");
            assert_eq!(i64::from(g.r), w["r"].as_i64().unwrap(), "{ctx}");
            assert_eq!(i64::from(g.f), w["f"].as_i64().unwrap(), "{ctx}");
            assert_eq!(i64::from(g.m), w["m"].as_i64().unwrap(), "{ctx}");
            assert_eq!(g.segment.id(), w["segment"].as_str().unwrap(), "{ctx}");
        }
        for (g, w) in got
            .segments
            .iter()
            .zip(want["segments"].as_array().unwrap())
        {
            assert_eq!(g.segment.id(), w["segment"].as_str().unwrap());
            assert_eq!(i64::from(g.customers), w["customers"].as_i64().unwrap());
            assert_eq!(g.revenue, w["revenue"].as_i64().unwrap());
        }
    }
}

#[test]
fn abc_matches_the_reference() {
    let tx = cdnow();
    let h = Histories::from_transactions(&tx, as_of(), None).unwrap();
    let got = abc(&h, &AbcOptions::default()).unwrap();
    let reference = reference();
    let want = &reference["abc"];
    for (g, w) in got.classes.iter().zip(want["classes"].as_array().unwrap()) {
        assert_eq!(g.class.id(), w["class"].as_str().unwrap());
        assert_eq!(i64::from(g.customers), w["customers"].as_i64().unwrap());
        assert_eq!(g.revenue, w["revenue"].as_i64().unwrap());
    }
    let classes = want["customers"].as_object().unwrap();
    assert_eq!(classes.len(), got.customers.len());
    for c in &got.customers {
        assert_eq!(
            c.class.id(),
            classes[&c.customer_id.to_string()].as_str().unwrap(),
            "{}",
            c.customer_id
        );
    }
    let last = got.curve.last().unwrap();
    assert!((last.customers - 100.0).abs() < 1e-9 && (last.revenue - 100.0).abs() < 1e-9);
}
