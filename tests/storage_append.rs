//! Browser tests of `Db::apply_appending` (bulk imports: records new everywhere stored as extra
//! segments) in headless Chromium. Run with
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test --target wasm32-unknown-unknown --test storage_append`.

#![cfg(target_arch = "wasm32")] // browser tests only; nothing to run natively
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure should panic

use kehu::storage::{delete_database, Change, Db, Record, StoreName};
use kehu_core::model::*;
use uuid::Uuid;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn unique(label: &str) -> String {
    format!(
        "kehu-test-{label}-{:016x}",
        js_sys::Math::random().to_bits()
    )
}

fn now() -> Timestamp {
    "2026-05-01T00:00:00Z".parse().unwrap()
}

fn customer(n: u128, name: &str) -> Customer {
    Customer::new(Uuid::from_u128(n), name, now())
}

fn order(n: u128, customer: u128) -> Order {
    Order {
        id: Uuid::from_u128(n),
        customer_id: Uuid::from_u128(customer),
        date: "2026-04-01T10:00:00".parse().unwrap(),
        amount: 1_000,
        category: String::new(),
        quantity: 1,
        note: String::new(),
        points_redeemed: 0,
        created_at: now(),
        updated_at: now(),
    }
}

#[wasm_bindgen_test]
async fn appended_records_load_once_with_edits_deletes_and_tombstones_respected() {
    let name = unique("append");
    let db = Db::open_named(&name).await.unwrap();
    let base = Dataset {
        customers: vec![customer(1, "甲"), customer(2, "乙")],
        orders: vec![order(10, 1)],
        ..Dataset::default()
    };
    db.replace_all(&base).await.unwrap();
    // Customer 2 is deleted (a tombstone hides its segment copy).
    db.apply(&[Change::Delete(StoreName::Customers, Uuid::from_u128(2))])
        .await
        .unwrap();

    // One batch: customer 1 changed (the ordinary way), and as new records: customer 3, customer 2
    // imported again under its old id, 12,000 orders (three segments) and a ledger entry.
    let mut changed = customer(1, "甲 <b>changed</b>");
    changed.notes = "edited".into();
    let mut new = Dataset {
        customers: vec![customer(3, "丙"), customer(2, "乙 again")],
        ..Dataset::default()
    };
    new.orders = (0..12_000).map(|i| order(1_000 + i, 3)).collect();
    new.ledger.push(LedgerEntry {
        id: Uuid::from_u128(50_000),
        customer_id: Uuid::from_u128(3),
        date: "2026-04-01T10:00:00".parse().unwrap(),
        kind: LedgerKind::Earned,
        points: 10,
        order_id: Some(Uuid::from_u128(1_000)),
        reason: String::new(),
        created_at: now(),
        updated_at: now(),
    });
    db.apply_appending(&[Change::Put(Record::Customer(changed.clone()))], &new)
        .await
        .unwrap();

    let loaded = db.load().await.unwrap();
    let names: Vec<&str> = loaded.customers.iter().map(|c| c.name.as_str()).collect();
    // Customer 2's new copy is stored individually (its old one sits in a segment), so it takes
    // the old one's place.
    assert_eq!(names, ["甲 <b>changed</b>", "乙 again", "丙"]);
    assert_eq!(loaded.customers[0], changed);
    assert_eq!(loaded.orders.len(), 12_001);
    assert_eq!(loaded.orders[0], base.orders[0]);
    assert_eq!(&loaded.orders[1..], &new.orders[..]);
    assert_eq!(loaded.ledger, new.ledger);

    // A second import appends after the segments the first one wrote.
    let more = Dataset {
        orders: vec![order(90_000, 1)],
        ..Dataset::default()
    };
    db.apply_appending(&[], &more).await.unwrap();
    let loaded = db.load().await.unwrap();
    assert_eq!(loaded.orders.len(), 12_002);
    assert_eq!(loaded.orders.last(), more.orders.last());

    db.close();
    delete_database(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_failing_append_writes_nothing() {
    let name = unique("append-fail");
    let db = Db::open_named(&name).await.unwrap();
    let base = Dataset {
        customers: vec![customer(1, "甲")],
        ..Dataset::default()
    };
    db.replace_all(&base).await.unwrap();
    let mut bad = customer(4, "NaN");
    bad.custom_fields
        .insert("score".into(), CustomValue::Number(f64::NAN));
    let new = Dataset {
        customers: vec![customer(3, "丙"), bad],
        orders: vec![order(10, 3)],
        ..Dataset::default()
    };
    let err = db
        .apply_appending(
            &[Change::Put(Record::Customer(customer(1, "甲 changed")))],
            &new,
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not a finite number"), "{err}");
    assert_eq!(db.load().await.unwrap(), base);
    db.close();
    delete_database(&name).await.unwrap();
}
