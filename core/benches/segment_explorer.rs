//! The segment explorer at the app's scale: profiles of the Large demo's 100,000 customers (made
//! once per analysis) and one filter pass over them (made on every change of the filter).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use kehu_core::analytics::abc::AbcClass;
use kehu_core::analytics::analyze;
use kehu_core::analytics::rfm::Segment;
use kehu_core::model::AnalysisSettings;
use kehu_core::segment_explorer::{profiles, select, SegmentFilter};

fn bench(c: &mut Criterion) {
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let data = kehu_core::demo::generate(kehu_core::demo::DemoSize::Large, 42, as_of);
    let a = analyze(&data, as_of, &AnalysisSettings::default()).unwrap();
    let mut g = c.benchmark_group("segment_explorer_large_demo");
    g.sample_size(10);
    g.measurement_time(std::time::Duration::from_secs(3));
    g.warm_up_time(std::time::Duration::from_secs(1));
    g.bench_function("profiles", |b| {
        b.iter(|| profiles(&data.customers, &a, &data.loyalty))
    });
    let p = profiles(&data.customers, &a, &data.loyalty);
    let everyone = SegmentFilter::default();
    g.bench_function("select_everyone", |b| {
        b.iter(|| select(&data.customers, &p, &everyone, &data.loyalty))
    });
    let narrow = SegmentFilter {
        rfm_segments: vec![Segment::AtRisk, Segment::CantLoseThem],
        abc_classes: vec![AbcClass::A, AbcClass::B],
        spend_min: Some(50_000),
        ..SegmentFilter::default()
    };
    g.bench_function("select_at_risk_ab", |b| {
        b.iter(|| select(&data.customers, &p, &narrow, &data.loyalty))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
