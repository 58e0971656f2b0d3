//! Analytics benchmark in the browser: the full segmentation recompute (`analyze`, which builds
//! the prepared tables from the records; the tables alone; and `analyze_tables`, the recompute
//! from kept tables that the app runs when only the date or settings change) and the
//! BG/NBD + Gamma-Gamma fit (`clv_report`) on the demo workspaces, timed with
//! `performance.now()` in headless Chromium.
//!
//! Run: `scripts/bench-wasm-analytics.sh` (release build, the profile the app ships with). The
//! figures are printed as one console line `ANALYTICS_BENCH {json}`; only correctness is asserted,
//! never timings, because the machine running it may be busy.

#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure should panic

use chrono::NaiveDate;
use kehu_core::analytics::analyze::analyze_tables;
use kehu_core::analytics::clv::{clv_report, workspace_clv, ClvOptions, TimeUnit};
use kehu_core::analytics::history::{CustomerIndex, OrderTable};
use kehu_core::analytics::{analyze, transactions_of};
use kehu_core::demo::{generate, DemoSize};
use kehu_core::model::AnalysisSettings;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn now_ms() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Timings of one demo size, as a JSON object.
fn measure(size: DemoSize, name: &str, as_of: NaiveDate) -> serde_json::Value {
    let start = now_ms();
    let data = generate(size, 42, as_of);
    let generate_ms = now_ms() - start;
    let settings = AnalysisSettings::default();

    let mut runs = Vec::new();
    let mut purchasers = 0;
    for _ in 0..5 {
        let start = now_ms();
        let a = analyze(&data, as_of, &settings).unwrap();
        runs.push(now_ms() - start);
        purchasers = a.rfm.customers.len();
        assert!(a.histories.customers.len() >= data.customers.len());
        assert_eq!(a.abc.customers.len(), purchasers);
        assert_eq!(a.lifecycle.customers.len(), a.histories.customers.len());
        assert_eq!(a.loyalty.customers.len(), a.histories.customers.len());
    }
    assert!(purchasers > 0);
    let analyze_ms = median(runs.clone());

    // What the app does: the tables are built when customers or orders change (and kept), and
    // the analysis is recomputed from them when the date or settings change.
    let mut table_runs = Vec::new();
    let mut tables = None;
    for _ in 0..5 {
        let start = now_ms();
        let t = (
            CustomerIndex::new(&data.customers),
            OrderTable::new(&data.orders),
        );
        table_runs.push(now_ms() - start);
        tables = Some(t);
    }
    let (customers, orders) = tables.unwrap();
    let mut recompute_runs = Vec::new();
    for _ in 0..5 {
        let start = now_ms();
        let a = analyze_tables(&customers, &orders, &data.surveys, as_of, &settings).unwrap();
        drop(a);
        recompute_runs.push(now_ms() - start);
    }
    assert_eq!(
        analyze_tables(&customers, &orders, &data.surveys, as_of, &settings).unwrap(),
        analyze(&data, as_of, &settings).unwrap()
    );
    drop((customers, orders));

    let start = now_ms();
    let tx = transactions_of(&data);
    let transactions_ms = now_ms() - start;
    let opts = ClvOptions::new(as_of, TimeUnit::Week);
    let mut clv_runs = Vec::new();
    for _ in 0..3 {
        let start = now_ms();
        let report = clv_report(&tx, &opts).unwrap();
        clv_runs.push(now_ms() - start);
        assert!(!report.customers.is_empty());
        assert!(report.bgnbd.r > 0.0 && report.bgnbd.alpha > 0.0);
    }
    // What the CLV page runs: the same fit plus the top customers and the textbook inputs.
    let mut page_runs = Vec::new();
    for _ in 0..3 {
        let start = now_ms();
        let w = workspace_clv(&tx, as_of, &settings.clv, 20);
        page_runs.push(now_ms() - start);
        assert!(w.model.is_ok());
        assert_eq!(w.top.len(), 20);
    }
    serde_json::json!({
        "size": name,
        "clv_page_ms_median": median(page_runs.clone()),
        "clv_page_ms_runs": page_runs,
        "customers": data.customers.len(),
        "orders": data.orders.len(),
        "purchasers": purchasers,
        "generate_ms": generate_ms,
        "analyze_ms_median": analyze_ms,
        "analyze_ms_runs": runs,
        "tables_ms_median": median(table_runs.clone()),
        "tables_ms_runs": table_runs,
        "recompute_from_tables_ms_median": median(recompute_runs.clone()),
        "recompute_from_tables_ms_runs": recompute_runs,
        "transactions_of_ms": transactions_ms,
        "clv_report_ms_median": median(clv_runs.clone()),
        "clv_report_ms_runs": clv_runs,
    })
}

#[wasm_bindgen_test]
fn analytics_bench() {
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let classroom = measure(DemoSize::Classroom, "classroom", as_of);
    let large = measure(DemoSize::Large, "large", as_of);
    let line = serde_json::json!({ "large": large, "classroom": classroom });
    web_sys::console::log_1(&format!("ANALYTICS_BENCH {line}").into());
}
