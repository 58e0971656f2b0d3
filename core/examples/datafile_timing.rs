//! Times the Kehu data file on the large demo natively: export (serialise), read (parse + check)
//! and where its records are (the runs a Replace stores as they are). `cargo run --release -p kehu-core --example datafile_timing [runs]`.

use std::time::Instant;

use chrono::NaiveDate;
use kehu_core::datafile;
use kehu_core::demo::{generate, DemoSize};

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
    let data = generate(DemoSize::Large, 42, today);
    let at = "2026-11-22T08:00:00Z".parse().unwrap_or_default();
    for _ in 0..runs {
        let t = Instant::now();
        let text = datafile::export(&data, at, "bench").unwrap_or_default();
        let export_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let read = datafile::read(text.as_bytes(), today);
        let read_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let runs = datafile::runs::record_runs(text.as_bytes(), 5_000, None);
        let runs_s = t.elapsed().as_secs_f64();
        println!(
            "bytes {} export {export_s:.2} s read+check {read_s:.2} s ok {} record runs {runs_s:.2} s ({} orders)",
            text.len(),
            read.is_ok(),
            runs.map_or(0, |r| datafile::runs::count(&r.orders))
        );
    }
}
