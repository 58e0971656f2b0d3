//! The large demo dataset: 100,000 customers and about a million orders.
//!
//! The full check takes 10–20 s in a debug build, so it is ignored by default; run it with
//! `cargo test -p kehu-core --release --test demo_large -- --ignored`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod demo_common;

use std::collections::BTreeSet;

use demo_common::*;
use kehu_core::demo::{generate, DemoSize};

#[test]
#[ignore = "10–20 s in debug; run with --release -- --ignored"]
fn large_dataset_has_its_size_and_keeps_the_promises() {
    let d = generate(DemoSize::Large, 42, today());
    assert_eq!(d.customers.len(), 100_000);
    assert!(
        (900_000..1_100_000).contains(&d.orders.len()),
        "{}",
        d.orders.len()
    );
    assert!(!d.interactions.is_empty() && !d.deals.is_empty() && !d.surveys.is_empty());
    assert!(!d.tasks.is_empty() && !d.ledger.is_empty());
    let phones: BTreeSet<_> = d
        .customers
        .iter()
        .filter(|c| !c.phone.is_empty())
        .map(|c| kehu_core::validate::normalize_phone(&c.phone))
        .collect();
    assert_eq!(
        phones.len(),
        d.customers.iter().filter(|c| !c.phone.is_empty()).count()
    );
    check_dataset(&d, today());
}

/// The cheap stand-in: the large size's customer count, and the per-customer order rate that
/// its million orders rest on (the same calibration runs for every size).
#[test]
fn large_size_is_planned_for_a_million_orders() {
    assert_eq!(DemoSize::Large.customers(), 100_000);
    let d = generate(DemoSize::Classroom, 11, today());
    let per_customer = d.orders.len() as f64 / d.customers.len() as f64;
    assert!((9.0..=11.0).contains(&per_customer), "{per_customer}");
}
