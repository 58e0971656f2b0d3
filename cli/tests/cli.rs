//! The `kehu` binary on small fixtures: every command, both formats, and each kind of bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

fn kehu(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kehu"))
        .args(args)
        .output()
        .expect("run kehu")
}

fn ok_json(args: &[&str]) -> Value {
    let out = kehu(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

fn ok_text(args: &[&str]) -> String {
    let out = kehu(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fails(args: &[&str]) -> String {
    let out = kehu(args);
    assert_eq!(out.status.code(), Some(1), "{args:?} should exit 1");
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

fn cdnow_csv() -> String {
    let text = include_str!("../../core/tests/data/CDNOW_sample.txt");
    let mut csv = String::from("customer_id,date,amount\n");
    for l in text.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = l.split_whitespace().collect();
        csv.push_str(&format!("{},{},{}\n", f[1], f[2], f[4]));
    }
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cdnow.csv");
    std::fs::write(&path, csv).unwrap();
    path.display().to_string()
}

#[test]
fn rfm_json_has_the_agreed_shape() {
    let tx = fixture("tx.csv");
    let v = ok_json(&["rfm", "--transactions", &tx]);
    let customers = v["customers"].as_array().unwrap();
    assert_eq!(customers.len(), 4);
    let alice = &customers[0];
    assert_eq!(alice["customer_id"], "alice");
    // As of the day after the last date, 2024-03-02; alice's last purchase 2024-02-20.
    assert_eq!(alice["recency"], 11);
    assert_eq!(alice["frequency"], 3);
    assert_eq!(alice["monetary"].as_f64(), Some(21.3));
    for key in ["r", "f", "m", "segment"] {
        assert!(alice.get(key).is_some(), "{key}");
    }
    let segments = v["segments"].as_array().unwrap();
    assert_eq!(segments.len(), 10);
    let total: u64 = segments
        .iter()
        .map(|s| s["customers"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 4);
}

#[test]
fn rfm_csv_and_options() {
    let tx = fixture("tx.csv");
    let text = ok_text(&[
        "rfm",
        "--transactions",
        &tx,
        "--format",
        "csv",
        "--bins",
        "3",
        "--as-of",
        "2024-04-01",
    ]);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("customer_id,recency,frequency,monetary,r,f,m,segment")
    );
    assert!(text.contains("alice,41,3,21.30,"), "{text}");
    assert!(text.contains("dave,31,1,0.00,"), "{text}");
    assert_eq!(text.lines().count(), 5);
}

#[test]
fn rfm_on_cdnow_matches_the_pandas_reference_counts() {
    let csv = cdnow_csv();
    let v = ok_json(&["rfm", "--transactions", &csv, "--as-of", "1998-07-01"]);
    let reference: Value = serde_json::from_str(include_str!(
        "../../core/tests/data/rfm_reference_cdnow.json"
    ))
    .unwrap();
    for (g, w) in v["segments"]
        .as_array()
        .unwrap()
        .iter()
        .zip(reference["rfm"]["5"]["segments"].as_array().unwrap())
    {
        assert_eq!(g["segment"], w["segment"]);
        assert_eq!(g["customers"], w["customers"]);
    }
}

#[test]
fn abc_json_and_csv() {
    let tx = fixture("tx.csv");
    let v = ok_json(&["abc", "--transactions", &tx]);
    let customers = v["customers"].as_array().unwrap();
    assert_eq!(customers[0]["customer_id"], "carol");
    assert_eq!(customers[0]["class"], "A");
    assert_eq!(customers[0]["revenue"].as_f64(), Some(100.0));
    let classes = v["classes"].as_array().unwrap();
    assert_eq!(classes.len(), 3);
    assert_eq!(classes[0]["class"], "A");
    let text = ok_text(&[
        "abc",
        "--transactions",
        &tx,
        "--thresholds",
        "50,90",
        "--format",
        "csv",
    ]);
    assert_eq!(text.lines().next(), Some("customer_id,revenue,class"));
    assert!(text.contains("carol,100.00,A"), "{text}");
    assert!(text.contains("dave,0.00,C"), "{text}");
}

#[test]
fn renamed_columns() {
    let tx = fixture("renamed.csv");
    let v = ok_json(&[
        "abc",
        "--transactions",
        &tx,
        "--customer-col",
        "who",
        "--date-col",
        "when",
        "--amount-col",
        "paid",
    ]);
    assert_eq!(v["customers"][0]["customer_id"], "y");
    assert_eq!(v["customers"][0]["revenue"].as_f64(), Some(7.25));
}

#[test]
fn clv_json_and_csv_on_cdnow() {
    let csv = cdnow_csv();
    let v = ok_json(&[
        "clv",
        "--transactions",
        &csv,
        "--calibration-end",
        "1997-09-30",
        "--time-unit",
        "week",
    ]);
    for key in ["r", "alpha", "a", "b", "log_likelihood"] {
        assert!(v["bgnbd"][key].is_number(), "{key}");
    }
    for key in ["p", "q", "v"] {
        assert!(v["gamma_gamma"][key].is_number(), "{key}");
    }
    let c = &v["customers"][0];
    for key in [
        "customer_id",
        "frequency",
        "recency",
        "T",
        "p_alive",
        "expected_purchases",
        "clv",
    ] {
        assert!(c.get(key).is_some(), "{key}");
    }
    assert_eq!(v["customers"].as_array().unwrap().len(), 2357);
    let text = ok_text(&[
        "clv",
        "--transactions",
        &csv,
        "--calibration-end",
        "1997-09-30",
        "--format",
        "csv",
        "--predict-periods",
        "10",
        "--horizon-months",
        "6",
        "--discount-rate",
        "0.02",
    ]);
    assert_eq!(
        text.lines().next(),
        Some("customer_id,frequency,recency,T,p_alive,expected_purchases,clv")
    );
}

#[test]
fn clv_with_too_little_data_is_a_clear_error() {
    let err = fails(&[
        "clv",
        "--transactions",
        &fixture("one_time.csv"),
        "--calibration-end",
        "2024-03-01",
    ]);
    assert!(
        err.contains("one_time.csv") && err.contains("bought again"),
        "{err}"
    );
}

#[test]
fn demo_then_analyze() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let json = dir.join("demo_small.json").display().to_string();
    let out = kehu(&[
        "demo",
        "--seed",
        "7",
        "--size",
        "small",
        "--today",
        "2026-01-01",
        "--output",
        &json,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = ok_json(&["analyze", "--input", &json, "--as-of", "2026-01-01"]);
    for key in [
        "rfm",
        "abc",
        "value_matrix",
        "churn",
        "lifecycle",
        "loyalty",
        "satisfaction",
    ] {
        assert!(v.get(key).is_some(), "{key}");
    }
    assert_eq!(v["as_of"], "2026-01-01");
    // The CLV fit, as the app's CLV page shows it: calibration ends on the analysis date.
    assert_eq!(v["clv"]["calibration_end"], "2026-01-01");
    assert_eq!(v["clv"]["time_unit"], "week");
    assert!(v["clv"]["bgnbd"]["r"].as_f64().is_some_and(|r| r > 0.0));
    assert!(v["clv"]["gamma_gamma"]["p"]
        .as_f64()
        .is_some_and(|p| p > 0.0));
    assert!(v["clv"]["error"].is_null());
    let csv = ok_text(&[
        "demo",
        "--seed",
        "7",
        "--size",
        "small",
        "--today",
        "2026-01-01",
        "--format",
        "csv",
    ]);
    assert_eq!(csv.lines().next(), Some("customer_id,date,amount"));
    assert!(csv.lines().count() > 10);
    // The same seed gives the same data.
    let again = ok_text(&[
        "demo",
        "--seed",
        "7",
        "--size",
        "small",
        "--today",
        "2026-01-01",
        "--format",
        "csv",
    ]);
    assert_eq!(csv, again);
    // The demo CSV reads back as transactions.
    let path = dir.join("demo_small.csv");
    std::fs::write(&path, &csv).unwrap();
    let v = ok_json(&["rfm", "--transactions", &path.display().to_string()]);
    assert!(!v["customers"].as_array().unwrap().is_empty());
}

#[test]
fn missing_file() {
    let err = fails(&["rfm", "--transactions", "no/such/file.csv"]);
    assert!(
        err.contains("no/such/file.csv") && err.contains("cannot read"),
        "{err}"
    );
    let err = fails(&["analyze", "--input", "no/such/export.json"]);
    assert!(err.contains("no/such/export.json"), "{err}");
}

#[test]
fn missing_column() {
    let err = fails(&["rfm", "--transactions", &fixture("missing_col.csv")]);
    assert!(
        err.contains("missing_col.csv") && err.contains("no column \"date\""),
        "{err}"
    );
}

#[test]
fn bad_amount_names_line_and_column() {
    let err = fails(&["abc", "--transactions", &fixture("bad_amount.csv")]);
    assert!(
        err.contains("bad_amount.csv, line 3, column \"amount\"") && err.contains("1.234"),
        "{err}"
    );
    let err = fails(&["rfm", "--transactions", &fixture("bad_text_amount.csv")]);
    assert!(
        err.contains("line 2, column \"amount\"") && err.contains("abc"),
        "{err}"
    );
}

#[test]
fn bad_date_names_line_and_column() {
    let err = fails(&[
        "rfm",
        "--transactions",
        &fixture("bad_date.csv"),
        "--format",
        "csv",
    ]);
    assert!(
        err.contains("bad_date.csv, line 4, column \"date\"") && err.contains("2024-13-40"),
        "{err}"
    );
}

#[test]
fn empty_files() {
    let err = fails(&["rfm", "--transactions", &fixture("empty.csv")]);
    assert!(err.contains("empty.csv") && err.contains("empty"), "{err}");
    let err = fails(&["abc", "--transactions", &fixture("header_only.csv")]);
    assert!(
        err.contains("header_only.csv") && err.contains("no transactions"),
        "{err}"
    );
    let err = fails(&["analyze", "--input", &fixture("empty.csv")]);
    assert!(err.contains("empty.csv") && err.contains("empty"), "{err}");
}

#[test]
fn bad_parameters() {
    let tx = fixture("tx.csv");
    let err = fails(&["rfm", "--transactions", &tx, "--bins", "1"]);
    assert!(err.contains("bins"), "{err}");
    let err = fails(&["abc", "--transactions", &tx, "--thresholds", "95,80"]);
    assert!(err.contains("--thresholds"), "{err}");
    let err = fails(&["analyze", "--input", &tx]);
    assert!(err.contains("not a Kehu data file"), "{err}");
    // Usage errors are the argument parser's (exit 2).
    let out = kehu(&["rfm", "--transactions", &tx, "--as-of", "yesterday"]);
    assert_eq!(out.status.code(), Some(2));
}

fn data_file(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/data")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn validate_accepts_both_format_versions_with_a_summary() {
    for name in ["datafile_v1.json", "datafile_v0.json"] {
        let file = data_file(name);
        let text = ok_text(&["validate", &file]);
        assert!(text.contains("valid"), "{text}");
        assert!(text.contains("2 customers, 1 orders"), "{text}");
    }
    let text = ok_text(&["validate", &data_file("datafile_v0.json")]);
    assert!(text.contains("migrated from version 0"), "{text}");
}

#[test]
fn validate_lists_every_problem_with_its_json_path_and_exits_1() {
    let text = std::fs::read_to_string(data_file("datafile_v1.json")).unwrap();
    let bad = text
        .replace("\"wang.fang@example.cn\"", "\"not an email\"")
        .replace("\"amount\": 12300", "\"amount\": \"12.30\"");
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bad_datafile.json");
    std::fs::write(&path, bad).unwrap();
    let out = kehu(&["validate", &path.display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("orders[0].amount: wrong type or value"),
        "{err}"
    );
    // A wrong type stops typed reading, so only the record-by-record walk found it; the e-mail
    // check runs on a well-typed file.
    let fixed = std::fs::read_to_string(data_file("datafile_v1.json"))
        .unwrap()
        .replace("\"wang.fang@example.cn\"", "\"not an email\"");
    std::fs::write(&path, fixed).unwrap();
    let out = kehu(&["validate", &path.display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("customers[0].email: e-mail address \"not an email\" is not valid"),
        "{err}"
    );
    let newer = std::fs::read_to_string(data_file("datafile_v1.json"))
        .unwrap()
        .replace("\"version\": 1", "\"version\": 9");
    std::fs::write(&path, newer).unwrap();
    let out = kehu(&["validate", &path.display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("version: the file is version 9, newer"),
        "{err}"
    );
    let err = fails(&["validate", "no/such/file.json"]);
    assert!(err.contains("no/such/file.json"), "{err}");
    let out = kehu(&["validate", &fixture("tx.csv")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not JSON"));
}

#[test]
fn schema_command_prints_the_committed_schema() {
    let text = ok_text(&["schema"]);
    let committed = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schema/kehu-crm.schema.json"),
    )
    .unwrap();
    assert_eq!(text, committed);
}

#[test]
fn analyze_reads_the_apps_data_file() {
    let v = ok_json(&[
        "analyze",
        "--input",
        &data_file("datafile_v1.json"),
        "--as-of",
        "2026-11-22",
    ]);
    assert!(v.get("rfm").is_some());
}
