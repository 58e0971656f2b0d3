//! Times the parts of reading a data file natively: `datafile_parts write FILE` writes the Large
//! demo's data file; `datafile_parts MODE FILE [runs]` times parse / read / ignore on it.
use std::time::Instant;

use chrono::NaiveDate;
use kehu_core::datafile::{self, DataFile};
use kehu_core::demo::{generate, DemoSize};

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_default();
    let path = std::env::args()
        .nth(2)
        .unwrap_or_else(|| "/tmp/large.json".into());
    let runs: usize = std::env::args()
        .nth(3)
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
    if mode == "write" {
        let data = generate(DemoSize::Large, 42, today);
        let at = "2026-11-22T08:00:00Z".parse().unwrap_or_default();
        let text = datafile::export(&data, at, "bench").unwrap_or_default();
        std::fs::write(&path, text).unwrap_or_default();
        return;
    }
    let text = std::fs::read(&path).unwrap_or_default();
    for _ in 0..runs {
        if mode == "parse" || mode == "all" {
            let t = Instant::now();
            let f: Result<DataFile, _> = serde_json::from_slice(&text);
            println!("parse {:.2} s ok {}", t.elapsed().as_secs_f64(), f.is_ok());
            let t = Instant::now();
            drop(f);
            println!("drop {:.2} s", t.elapsed().as_secs_f64());
        }
        if mode == "read" || mode == "all" {
            let t = Instant::now();
            let r = datafile::read(&text, today);
            println!(
                "read+check {:.2} s ok {}",
                t.elapsed().as_secs_f64(),
                r.is_ok()
            );
        }
        if mode == "withruns" || mode == "all" {
            let t = Instant::now();
            let r = datafile::read_with_runs(&text, today, 5_000);
            println!(
                "read+check with runs {:.2} s ok {} runs {}",
                t.elapsed().as_secs_f64(),
                r.is_ok(),
                r.as_ref().is_ok_and(|(_, runs)| runs.is_some())
            );
        }
        if mode == "runs" || mode == "all" {
            let t = Instant::now();
            let r = datafile::runs::record_runs(&text, 5_000, None);
            println!("runs {:.2} s ok {}", t.elapsed().as_secs_f64(), r.is_some());
        }
        if mode == "ignore" || mode == "all" {
            let t = Instant::now();
            let r: Result<serde::de::IgnoredAny, _> = serde_json::from_slice(&text);
            println!(
                "ignored {:.2} s ok {}",
                t.elapsed().as_secs_f64(),
                r.is_ok()
            );
        }
    }
}
