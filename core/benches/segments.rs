//! Full recompute of the segmentation analytics on a synthetic workspace of 100,000 customers and
//! about 1,000,000 orders, generated here from a fixed seed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{NaiveDate, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use kehu_core::analytics::abc::{abc, AbcOptions};
use kehu_core::analytics::analyze;
use kehu_core::analytics::analyze::analyze_tables;
use kehu_core::analytics::churn::{churn, ChurnOptions};
use kehu_core::analytics::history::{CustomerIndex, Histories, OrderTable};
use kehu_core::analytics::lifecycle::{lifecycle, LifecycleOptions};
use kehu_core::analytics::loyalty::{
    attitudes_from_surveys, loyalty, referral_counts, LoyaltyWeights,
};
use kehu_core::analytics::rfm::{rfm, RfmOptions};
use kehu_core::model::{
    AnalysisSettings, Customer, Dataset, Order, SatisfactionScores, SurveyResponse,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

const CATEGORIES: [&str; 4] = ["coffee", "cake", "beans", "gift"];

fn synthetic(customers: usize, orders: usize, seed: u64) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let start = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
    let mut data = Dataset::default();
    for i in 0..customers {
        let mut c = Customer::new(Uuid::from_u128(rng.random()), format!("c{i}"), now);
        if i % 10 == 0 && i > 0 {
            c.referred_by = Some(data.customers[rng.random_range(0..i)].id);
        }
        data.customers.push(c);
    }
    for _ in 0..orders {
        // Skewed: a few customers buy much more often.
        let u: f64 = rng.random();
        let ci = ((u * u) * customers as f64) as usize % customers;
        let day = rng.random_range(0..1095);
        let date = (start + chrono::Days::new(day))
            .and_hms_opt(rng.random_range(8..20), 0, 0)
            .unwrap();
        data.orders.push(Order {
            id: Uuid::from_u128(rng.random()),
            customer_id: data.customers[ci].id,
            date,
            amount: rng.random_range(100..50_000),
            category: CATEGORIES[rng.random_range(0..CATEGORIES.len())].into(),
            quantity: 1,
            note: String::new(),
            points_redeemed: 0,
            created_at: now,
            updated_at: now,
        });
    }
    for i in 0..customers / 10 {
        let s = |r: &mut ChaCha8Rng| r.random_range(1..=5u8);
        data.surveys.push(SurveyResponse {
            id: Uuid::from_u128(rng.random()),
            customer_id: data.customers[i * 10].id,
            date: start + chrono::Days::new(rng.random_range(0..1095)),
            nps: rng.random_range(0..=10),
            scores: SatisfactionScores {
                reliability: s(&mut rng),
                professionalism: s(&mut rng),
                tangibles: s(&mut rng),
                empathy: s(&mut rng),
                responsiveness: s(&mut rng),
            },
            comment: String::new(),
            created_at: now,
            updated_at: now,
        });
    }
    data
}

/// CPU time of this thread in nanoseconds (Linux `/proc/thread-self/schedstat`), so the figure is
/// not inflated when other processes share the cores; `None` elsewhere.
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Runs `f` `iters` times and returns the thread's CPU time (wall time when unavailable).
fn cpu_time<T>(iters: u64, mut f: impl FnMut() -> T) -> std::time::Duration {
    let wall = std::time::Instant::now();
    let start = thread_cpu_ns();
    for _ in 0..iters {
        criterion::black_box(f());
    }
    match (start, thread_cpu_ns()) {
        (Some(a), Some(b)) => std::time::Duration::from_nanos(b.saturating_sub(a)),
        _ => wall.elapsed(),
    }
}

fn bench(c: &mut Criterion) {
    let data = synthetic(100_000, 1_000_000, 42);
    let as_of = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let settings = AnalysisSettings::default();
    let mut g = c.benchmark_group("segments_100k_customers_1m_orders");
    g.sample_size(10);
    g.measurement_time(std::time::Duration::from_secs(3));
    g.warm_up_time(std::time::Duration::from_secs(1));
    g.bench_function("histories", |b| {
        b.iter(|| Histories::from_dataset(&data, as_of, None).unwrap())
    });
    let h = Histories::from_dataset(&data, as_of, None).unwrap();
    g.bench_function("rfm", |b| {
        b.iter(|| rfm(&h, &RfmOptions::default()).unwrap())
    });
    g.bench_function("abc", |b| {
        b.iter(|| abc(&h, &AbcOptions::default()).unwrap())
    });
    g.bench_function("churn_lifecycle", |b| {
        b.iter(|| {
            let c = churn(&h, &ChurnOptions::default(), None).unwrap();
            lifecycle(&h, &LifecycleOptions::default(), &c)
        })
    });
    g.bench_function("loyalty", |b| {
        b.iter(|| {
            let att = attitudes_from_surveys(&data.surveys, as_of);
            let refs = referral_counts(&data.customers);
            loyalty(&h, &LoyaltyWeights::default(), &att, &refs).unwrap()
        })
    });
    g.bench_function("analyze", |b| {
        b.iter(|| analyze(&data, as_of, &settings).unwrap())
    });
    g.bench_function("histories_cpu_time", |b| {
        b.iter_custom(|n| cpu_time(n, || Histories::from_dataset(&data, as_of, None).unwrap()))
    });
    g.bench_function("analyze_cpu_time", |b| {
        b.iter_custom(|n| cpu_time(n, || analyze(&data, as_of, &settings).unwrap()))
    });
    g.finish();

    // The app's case and the figure of issue 3: the Large demo (100,000 customers, ~1 M orders in
    // date order), as `kehu demo --size large --seed 42` generates it.
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let demo = kehu_core::demo::generate(kehu_core::demo::DemoSize::Large, 42, as_of);
    let mut g = c.benchmark_group("large_demo");
    g.sample_size(10);
    g.measurement_time(std::time::Duration::from_secs(3));
    g.warm_up_time(std::time::Duration::from_secs(1));
    g.bench_function("histories", |b| {
        b.iter(|| Histories::from_dataset(&demo, as_of, None).unwrap())
    });
    g.bench_function("analyze", |b| {
        b.iter(|| analyze(&demo, as_of, &settings).unwrap())
    });
    g.bench_function("analyze_cpu_time", |b| {
        b.iter_custom(|n| cpu_time(n, || analyze(&demo, as_of, &settings).unwrap()))
    });
    // The app's memo: the tables kept, the analysis recomputed from them.
    g.bench_function("tables_cpu_time", |b| {
        b.iter_custom(|n| {
            cpu_time(n, || {
                (
                    CustomerIndex::new(&demo.customers),
                    OrderTable::new(&demo.orders),
                )
            })
        })
    });
    let customers = CustomerIndex::new(&demo.customers);
    let orders = OrderTable::new(&demo.orders);
    g.bench_function("analyze_tables_cpu_time", |b| {
        b.iter_custom(|n| {
            cpu_time(n, || {
                analyze_tables(&customers, &orders, &demo.surveys, as_of, &settings).unwrap()
            })
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
