//! Times `analyze` and its steps on the Large demo (or the segments bench's synthetic workload is
//! not built here) with the thread's CPU time, and prints a hash of the full `Analysis` JSON so a
//! change can be checked to give the same bytes.
//!
//!   cargo run --release -p kehu-core --example analyze_timing -- [runs] [large|classroom] [window|-] [reordered] [profile|profile-table]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::hash::{Hash, Hasher};

use chrono::NaiveDate;
use kehu_core::analytics::analyze;
use kehu_core::analytics::analyze::analyze_tables;
use kehu_core::analytics::history::{CustomerIndex, DateWindow, OrderTable};
use kehu_core::demo::{generate, DemoSize};
use kehu_core::model::AnalysisSettings;

fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn minflt() -> u64 {
    std::fs::read_to_string("/proc/thread-self/stat")
        .ok()
        .and_then(|s| {
            s.rsplit(')')
                .next()?
                .split_whitespace()
                .nth(7)?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runs: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(7);
    let size = match args.get(2).map(String::as_str) {
        Some("classroom") => DemoSize::Classroom,
        _ => DemoSize::Large,
    };
    let window = args.get(3).is_some_and(|s| s == "window");
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let mut data = generate(size, 42, as_of);
    if args.iter().any(|a| a == "reordered") {
        // Not in date order: the histories' regrouping path.
        data.orders.sort_by_key(|o| o.id);
    }
    let mut settings = AnalysisSettings::default();
    if window {
        settings.window = Some(DateWindow {
            from: NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 9, 30).unwrap(),
        });
    }
    let a = analyze(&data, as_of, &settings).unwrap();
    // The prepared tables give the same analysis.
    let ct = CustomerIndex::new(&data.customers);
    let ot = OrderTable::new(&data.orders);
    let b = analyze_tables(&ct, &ot, &data.surveys, as_of, &settings).unwrap();
    assert!(a == b, "analyze_tables differs from analyze");
    drop(b);
    let json = serde_json::to_string(&a).unwrap();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    json.hash(&mut h);
    println!(
        "customers {} orders {} json {} bytes hash {:016x}",
        data.customers.len(),
        data.orders.len(),
        json.len(),
        h.finish()
    );
    drop(a);
    if args.iter().any(|a| a == "profile") {
        // Only the recompute, many times (for `perf record`).
        for _ in 0..runs {
            drop(analyze_tables(&ct, &ot, &data.surveys, as_of, &settings).unwrap());
        }
        return;
    }
    if args.iter().any(|a| a == "profile-table") {
        for _ in 0..runs {
            drop(OrderTable::new(&data.orders));
        }
        return;
    }
    let mut cpu = Vec::new();
    let mut wall = Vec::new();
    let mut recompute = Vec::new();
    let mut recompute_wall = Vec::new();
    for _ in 0..runs {
        let w = std::time::Instant::now();
        let c = thread_cpu_ns();
        let a = analyze_tables(&ct, &ot, &data.surveys, as_of, &settings).unwrap();
        drop(a);
        recompute.push((thread_cpu_ns() - c) as f64 / 1e6);
        recompute_wall.push(w.elapsed().as_secs_f64() * 1e3);
        let w = std::time::Instant::now();
        let c = thread_cpu_ns();
        let f = minflt();
        let a = analyze(&data, as_of, &settings).unwrap();
        drop(a);
        eprintln!("minor faults {}", minflt() - f);
        cpu.push((thread_cpu_ns() - c) as f64 / 1e6);
        wall.push(w.elapsed().as_secs_f64() * 1e3);
    }
    if runs == 0 {
        return;
    }
    let med = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    // Steps one by one (the public functions `analyze` calls).
    use kehu_core::analytics::{
        abc, churn, history::Histories, lifecycle, loyalty, rfm, value_matrix,
    };
    let mut steps: Vec<(&str, Vec<f64>)> = Vec::new();
    let mut time = |name: &'static str, f: &mut dyn FnMut()| {
        let w = std::time::Instant::now();
        f();
        let ms = w.elapsed().as_secs_f64() * 1e3;
        match steps.iter_mut().find(|s| s.0 == name) {
            Some(s) => s.1.push(ms),
            None => steps.push((name, vec![ms])),
        }
    };
    for _ in 0..runs {
        time("table: customers (CustomerIndex::new)", &mut || {
            drop(CustomerIndex::new(&data.customers))
        });
        time("table: orders (OrderTable::new)", &mut || {
            drop(OrderTable::new(&data.orders))
        });
        time("floor: read orders", &mut || {
            let mut acc = 0i64;
            for o in &data.orders {
                acc = acc.wrapping_add(o.amount ^ o.customer_id.as_u128() as i64);
                acc = acc.wrapping_add(i64::from(chrono::Datelike::num_days_from_ce(
                    &o.date.date(),
                )));
                acc ^= o.category.as_bytes().first().copied().map_or(0, i64::from);
            }
            std::hint::black_box(acc);
        });
        time("floor: without category", &mut || {
            let mut acc = 0i64;
            for o in &data.orders {
                acc = acc.wrapping_add(o.amount ^ o.customer_id.as_u128() as i64);
                acc = acc.wrapping_add(i64::from(chrono::Datelike::num_days_from_ce(
                    &o.date.date(),
                )));
                acc ^= o.category.len() as i64;
            }
            std::hint::black_box(acc);
        });
        let mut h = None;
        time("histories (from the tables)", &mut || {
            h = Some(
                Histories::from_tables(&ct, &ot, as_of, settings.window)
                    .unwrap()
                    .0,
            )
        });
        let h = h.unwrap();
        time("rfm", &mut || {
            drop(rfm::rfm(&h, &kehu_core::analytics::analyze::rfm_options(&settings)).unwrap())
        });
        time("abc", &mut || {
            drop(abc::abc(&h, &abc::AbcOptions::default()).unwrap())
        });
        time("value_matrix", &mut || {
            drop(value_matrix::value_matrix(&h, &settings.value_matrix).unwrap())
        });
        let mut c = None;
        time("churn", &mut || {
            c = Some(churn::churn(&h, &churn::ChurnOptions::default(), None).unwrap())
        });
        let c = c.unwrap();
        time("lifecycle", &mut || {
            drop(lifecycle::lifecycle(
                &h,
                &lifecycle::LifecycleOptions::default(),
                &c,
            ))
        });
        time("loyalty (public)", &mut || {
            let att = loyalty::attitudes_from_surveys(&data.surveys, as_of);
            let refs = loyalty::referral_counts(&data.customers);
            drop(loyalty::loyalty(&h, &settings.loyalty_weights, &att, &refs).unwrap())
        });
        drop((h, c));
    }
    for (name, mut v) in steps {
        println!("  {name}: wall median {:.1} ms", med(&mut v));
    }
    let wall_min = recompute_wall.iter().copied().fold(f64::INFINITY, f64::min);
    println!(
        "recompute from the tables (analyze_tables): CPU median {:.1} ms, wall median {:.1} ms (min {:.1})",
        med(&mut recompute),
        med(&mut recompute_wall),
        wall_min
    );
    println!(
        "analyze (tables built from the records + recompute): CPU median {:.1} ms (min {:.1}), wall median {:.1} ms (min {:.1})",
        med(&mut cpu),
        cpu[0],
        med(&mut wall),
        wall[0]
    );
}
