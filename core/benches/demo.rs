//! How long the demo generator takes per size: `cargo bench -p kehu-core --bench demo`.

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use kehu_core::demo::{generate, DemoSize};

fn bench(c: &mut Criterion) {
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
    let mut group = c.benchmark_group("demo");
    group.sample_size(10);
    for size in DemoSize::ALL {
        group.bench_function(size.as_str(), |b| {
            b.iter(|| generate(black_box(size), black_box(42), today))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
