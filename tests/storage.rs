//! Browser tests of `kehu::storage` (IndexedDB and localStorage) in headless Chromium.
//!
//! Run with `scripts/test-wasm.sh` (or `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
//! cargo test --target wasm32-unknown-unknown --test storage`). Every test uses its own database name
//! and deletes it at the end.

#![cfg(target_arch = "wasm32")] // browser tests only; nothing to run natively
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure should panic

use chrono::{NaiveDate, NaiveDateTime};
use idb::{DatabaseEvent, Factory, IndexParams, KeyPath, ObjectStoreParams, TransactionMode};
use kehu::storage::schema::{MigrationStep, Upgrade, MIGRATIONS};
use kehu::storage::{
    delete_database, prefs, Change, Db, FileText, Record, StorageError, StoreName, SCHEMA_VERSION,
};
use kehu_core::model::*;
use serde::Serialize;
use uuid::Uuid;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const MARKUP: &str = "<script>alert(1)</script>";

fn unique(label: &str) -> String {
    // A fresh database per test; random bits are enough to keep names apart.
    format!(
        "kehu-test-{label}-{:016x}",
        js_sys::Math::random().to_bits()
    )
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn dt(s: &str) -> NaiveDateTime {
    s.parse().unwrap()
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn customer(n: u128, name: &str) -> Customer {
    let mut c = Customer::new(id(n), name, ts("2026-01-02T03:04:05Z"));
    c.phone = "+86 138 0013 8000".into();
    c.email = format!("User{n}@Example.CN");
    c.notes = format!("备注 {MARKUP} & \"quotes\" 'single' \u{1F600}");
    c.tags = vec!["VIP".into(), "<b>bold</b>".into(), "老客户".into()];
    c.birthday = NaiveDate::from_ymd_opt(1990, 5, 17);
    c.gender = Some(Gender::Female);
    c.kind = CustomerKind::Business;
    c.source = SourceChannel::SocialMedia;
    c.referred_by = Some(id(999));
    c.marketing_consent = true;
    c.custom_fields
        .insert("鞋码".into(), CustomValue::Number(37.5));
    c.custom_fields
        .insert("微信".into(), CustomValue::Text(MARKUP.into()));
    c.custom_fields.insert(
        "since".into(),
        CustomValue::Date(NaiveDate::from_ymd_opt(2020, 2, 29).unwrap()),
    );
    c
}

fn order(n: u128, customer: u128) -> Order {
    Order {
        id: id(n),
        customer_id: id(customer),
        date: dt("2026-03-04T12:30:00"),
        amount: 12_345,
        category: "咖啡 ☕".into(),
        quantity: 2,
        note: MARKUP.into(),
        points_redeemed: 10,
        created_at: ts("2026-03-04T04:30:00Z"),
        updated_at: ts("2026-03-04T04:30:00Z"),
    }
}

fn sample() -> Dataset {
    let now = ts("2026-04-01T00:00:00Z");
    Dataset {
        customers: vec![customer(1, "王芳"), customer(2, MARKUP)],
        orders: vec![order(11, 1), order(12, 2)],
        interactions: vec![Interaction {
            id: id(21),
            customer_id: id(1),
            date: dt("2026-03-05T09:00:00"),
            channel: Channel::InstantMessaging,
            direction: Direction::Inbound,
            purpose: Purpose::Complaint,
            summary: "顾客投诉 <img src=x onerror=alert(1)>".into(),
            outcome: "已解决".into(),
            follow_up: NaiveDate::from_ymd_opt(2026, 3, 12),
            created_at: now,
            updated_at: now,
        }],
        deals: vec![Deal {
            id: id(31),
            customer_id: id(2),
            title: "年度合同".into(),
            value: 5_000_000,
            stage: DealStage::HandlingObjections,
            expected_close: NaiveDate::from_ymd_opt(2026, 6, 30),
            objections: vec!["价格太高".into(), MARKUP.into()],
            history: vec![
                StageChange {
                    from: None,
                    to: DealStage::Prospecting,
                    at: now,
                },
                StageChange {
                    from: Some(DealStage::Prospecting),
                    to: DealStage::HandlingObjections,
                    at: now,
                },
            ],
            sale_id: None,
            created_at: now,
            updated_at: now,
        }],
        tasks: vec![
            Task {
                id: id(41),
                customer_id: Some(id(1)),
                title: "生日问候 🎂".into(),
                due: NaiveDate::from_ymd_opt(2026, 5, 17),
                done: false,
                origin: TaskOrigin::Birthday,
                dismissed: false,
                created_at: now,
                updated_at: now,
            },
            Task {
                id: id(42),
                customer_id: None,
                title: MARKUP.into(),
                due: None,
                done: true,
                origin: TaskOrigin::Manual,
                dismissed: true,
                created_at: now,
                updated_at: now,
            },
        ],
        surveys: vec![SurveyResponse {
            id: id(51),
            customer_id: id(1),
            date: NaiveDate::from_ymd_opt(2026, 3, 20).unwrap(),
            nps: 9,
            scores: SatisfactionScores {
                reliability: 5,
                professionalism: 4,
                tangibles: 3,
                empathy: 5,
                responsiveness: 4,
            },
            comment: "很好 👍 </script>".into(),
            created_at: now,
            updated_at: now,
        }],
        loyalty: LoyaltyProgramme {
            points_per_unit: 1.5,
            expiry_months: None,
            ..LoyaltyProgramme::default()
        },
        ledger: vec![LedgerEntry {
            id: id(61),
            customer_id: id(1),
            date: dt("2026-03-04T12:30:00"),
            kind: LedgerKind::Earned,
            points: 185,
            order_id: Some(id(11)),
            reason: "消费积分".into(),
            created_at: now,
            updated_at: now,
        }],
        settings: Settings {
            shop_name: "小王咖啡 <i>Café</i>".into(),
            currency: "CNY".into(),
            analysis: AnalysisSettings {
                churn_k: 2.5,
                ..AnalysisSettings::default()
            },
            segments: vec![kehu_core::segment_explorer::SavedSegment {
                id: id(40),
                name: "回头客 Returning".into(),
                filter: kehu_core::segment_explorer::SegmentFilter {
                    tags: vec!["VIP".into()],
                    spend_min: Some(10_000),
                    ..Default::default()
                },
                created_at: now,
                updated_at: now,
            }],
        },
    }
}

fn puts(data: &Dataset) -> Vec<Change> {
    let mut changes = Vec::new();
    changes.extend(data.customers.iter().cloned().map(Record::Customer));
    changes.extend(data.orders.iter().cloned().map(Record::Order));
    changes.extend(data.interactions.iter().cloned().map(Record::Interaction));
    changes.extend(data.deals.iter().cloned().map(Record::Deal));
    changes.extend(data.tasks.iter().cloned().map(Record::Task));
    changes.extend(data.surveys.iter().cloned().map(Record::Survey));
    changes.extend(data.ledger.iter().cloned().map(Record::Ledger));
    changes.push(Record::Settings(data.settings.clone()));
    changes.push(Record::Loyalty(data.loyalty.clone()));
    changes.into_iter().map(Change::Put).collect()
}

async fn cleanup(db: Db) {
    let name = db.name();
    db.close();
    delete_database(&name).await.unwrap();
}

fn json_value<T: Serialize>(value: &T) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap()
}

/// Reads one stored object the raw way (idb), bypassing `kehu::storage`.
async fn raw_get(name: &str, store: &str, key: &str) -> Option<JsValue> {
    let factory = Factory::new().unwrap();
    let db = factory.open(name, None).unwrap().await.unwrap();
    let tx = db.transaction(&[store], TransactionMode::ReadOnly).unwrap();
    let value = tx
        .object_store(store)
        .unwrap()
        .get(JsValue::from_str(key))
        .unwrap()
        .await
        .unwrap();
    db.close();
    value
}

fn prop(object: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(object, &JsValue::from_str(key)).unwrap()
}

#[wasm_bindgen_test]
async fn fresh_database_has_every_store_and_index() {
    let name = unique("fresh");
    let db = Db::open_named(&name).await.unwrap();
    assert_eq!(db.version(), SCHEMA_VERSION);
    let mut stores = db.store_names();
    stores.sort();
    let mut expected: Vec<String> = StoreName::ALL.iter().map(|s| s.to_string()).collect();
    expected.extend(["segments".to_string(), "tombstones".to_string()]);
    expected.sort();
    assert_eq!(stores, expected);

    let has = |store: StoreName, index: &str| {
        let names = db.index_names(store).unwrap();
        assert!(
            names.iter().any(|n| n == index),
            "{store} lacks index {index}: {names:?}"
        );
    };
    has(StoreName::Customers, "phone_key");
    has(StoreName::Customers, "email_key");
    has(StoreName::Orders, "customer_id");
    has(StoreName::Orders, "date");
    has(StoreName::Interactions, "customer_id");
    has(StoreName::Deals, "customer_id");
    has(StoreName::Tasks, "due");
    has(StoreName::Tasks, "customer_id");
    has(StoreName::Surveys, "customer_id");
    has(StoreName::Ledger, "customer_id");

    // An empty database loads as an empty workspace with default settings.
    assert_eq!(db.load().await.unwrap(), Dataset::default());
    let version = raw_get(&name, "meta", "schema_version").await.unwrap();
    assert_eq!(version.as_f64(), Some(f64::from(SCHEMA_VERSION)));
    cleanup(db).await;
}

#[wasm_bindgen_test]
async fn every_record_kind_round_trips_with_unicode_and_markup_literal() {
    let name = unique("roundtrip");
    let db = Db::open_named(&name).await.unwrap();
    let data = sample();
    db.apply(&puts(&data)).await.unwrap();
    assert_eq!(db.load().await.unwrap(), data);

    // Stored as plain, readable objects with the text kept literally (nothing escaped or executed),
    // plus the normalised lookup keys.
    let raw = raw_get(&name, "customers", &id(2).to_string())
        .await
        .unwrap();
    assert_eq!(prop(&raw, "name").as_string().as_deref(), Some(MARKUP));
    assert!(
        prop(&raw, "customer_id").is_undefined(),
        "customers have no customer_id"
    );
    assert_eq!(
        prop(&raw, "phone_key").as_string().as_deref(),
        Some("13800138000")
    );
    assert_eq!(
        prop(&raw, "email_key").as_string().as_deref(),
        Some("user2@example.cn")
    );
    let raw_order = raw_get(&name, "orders", &id(11).to_string()).await.unwrap();
    assert_eq!(prop(&raw_order, "amount").as_f64(), Some(12_345.0));
    assert_eq!(
        prop(&raw_order, "customer_id").as_string(),
        Some(id(1).to_string())
    );
    assert_eq!(
        prop(&raw_order, "note").as_string().as_deref(),
        Some(MARKUP)
    );

    // Survives closing and reopening.
    db.close();
    let db = Db::open_named(&name).await.unwrap();
    assert_eq!(db.load().await.unwrap(), data);
    cleanup(db).await;
}

#[wasm_bindgen_test]
async fn indexes_find_records_by_customer_and_phone() {
    let name = unique("index");
    let db = Db::open_named(&name).await.unwrap();
    db.apply(&puts(&sample())).await.unwrap();
    db.close();

    let factory = Factory::new().unwrap();
    let raw = factory.open(&name, None).unwrap().await.unwrap();
    let tx = raw
        .transaction(&["orders", "customers", "tasks"], TransactionMode::ReadOnly)
        .unwrap();
    let by_customer = tx
        .object_store("orders")
        .unwrap()
        .index("customer_id")
        .unwrap()
        .count(Some(JsValue::from_str(&id(2).to_string()).into()))
        .unwrap()
        .await
        .unwrap();
    assert_eq!(by_customer, 1);
    let by_phone = tx
        .object_store("customers")
        .unwrap()
        .index("phone_key")
        .unwrap()
        .count(Some(JsValue::from_str("13800138000").into()))
        .unwrap()
        .await
        .unwrap();
    assert_eq!(by_phone, 2);
    // A task without a due date is simply not in the `due` index.
    let due = tx
        .object_store("tasks")
        .unwrap()
        .index("due")
        .unwrap()
        .count(None)
        .unwrap()
        .await
        .unwrap();
    assert_eq!(due, 1);
    raw.close();
    delete_database(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn delete_removes_only_the_named_record() {
    let name = unique("delete");
    let db = Db::open_named(&name).await.unwrap();
    let mut data = sample();
    db.apply(&puts(&data)).await.unwrap();
    db.apply(&[
        Change::Delete(StoreName::Orders, id(11)),
        Change::Delete(StoreName::Tasks, id(42)),
        Change::Delete(StoreName::Deals, id(123_456)), // missing: not an error
    ])
    .await
    .unwrap();
    data.orders.retain(|o| o.id != id(11));
    data.tasks.retain(|t| t.id != id(42));
    assert_eq!(db.load().await.unwrap(), data);
    cleanup(db).await;
}

#[wasm_bindgen_test]
async fn changes_apply_in_order_within_a_batch() {
    let name = unique("order");
    let db = Db::open_named(&name).await.unwrap();
    db.apply(&[
        Change::Put(Record::Customer(customer(1, "first"))),
        Change::Delete(StoreName::Customers, id(1)),
        Change::Put(Record::Customer(customer(2, "two"))),
        Change::Delete(StoreName::Customers, id(2)),
        Change::Put(Record::Customer(customer(2, "two again"))),
    ])
    .await
    .unwrap();
    let (customers, settings) = db.load_customers().await.unwrap();
    assert_eq!(customers, vec![customer(2, "two again")]);
    assert_eq!(settings, Settings::default());
    cleanup(db).await;
}

#[wasm_bindgen_test]
async fn load_customers_returns_customers_and_settings() {
    let name = unique("first-paint");
    let db = Db::open_named(&name).await.unwrap();
    let data = sample();
    db.replace_all(&data).await.unwrap();
    let (customers, settings) = db.load_customers().await.unwrap();
    assert_eq!(customers, data.customers);
    assert_eq!(settings, data.settings);
    cleanup(db).await;
}

#[wasm_bindgen_test]
async fn replace_all_replaces_everything() {
    let name = unique("replace");
    let db = Db::open_named(&name).await.unwrap();
    db.apply(&puts(&sample())).await.unwrap();

    let now = ts("2026-05-01T00:00:00Z");
    let other = Dataset {
        customers: vec![Customer::new(id(500), "李雷", now)],
        orders: vec![order(501, 500)],
        settings: Settings {
            shop_name: "新店".into(),
            ..Settings::default()
        },
        ..Dataset::default()
    };
    db.replace_all(&other).await.unwrap();
    assert_eq!(db.load().await.unwrap(), other);

    db.replace_all(&Dataset::default()).await.unwrap();
    assert_eq!(db.load().await.unwrap(), Dataset::default());
    // The schema version survives the clear of `meta`.
    let version = raw_get(&name, "meta", "schema_version").await.unwrap();
    assert_eq!(version.as_f64(), Some(f64::from(SCHEMA_VERSION)));
    cleanup(db).await;
}

#[wasm_bindgen_test]
async fn replace_all_from_a_data_file_stores_its_text_and_reads_back_the_same() {
    let name = unique("replace-file");
    let db = Db::open_named(&name).await.unwrap();
    db.apply(&puts(&sample())).await.unwrap();
    let mut data = sample();
    for n in 0..7u128 {
        data.orders.push(order(600 + n, 1 + n % 2));
    }
    // Pretty-printed, with a BOM: the runs are the file's own bytes, spaces and all.
    let mut text = b"\xEF\xBB\xBF".to_vec();
    let file = kehu_core::datafile::DataFile::new(data.clone(), ts("2026-05-01T00:00:00Z"), "t");
    text.extend(serde_json::to_vec_pretty(&file).unwrap());
    // (The sample refers to a customer it does not hold: not a file `read` accepts.)
    let runs = kehu_core::datafile::runs::record_runs(&text, 3, None).unwrap();
    assert_eq!(runs.orders.len(), 3);
    db.replace_all_from(
        &data,
        Some(FileText {
            bytes: &text,
            runs: &runs,
        }),
    )
    .await
    .unwrap();
    assert_eq!(db.load().await.unwrap(), data);
    // Customers are stored as the file spells them (pretty-printed), with the lookup keys added.
    let segment = raw_get(&name, "segments", "customers:00000000")
        .await
        .unwrap();
    let bytes: js_sys::Uint8Array =
        wasm_bindgen::JsCast::dyn_into(prop(&segment, "bytes")).unwrap();
    let stored = String::from_utf8(bytes.to_vec()).unwrap();
    assert!(stored.contains("\n"), "{stored}");
    assert!(stored.contains(r#""phone_key":"13800138000""#), "{stored}");
    assert!(
        stored.contains(r#""email_key":"user2@example.cn""#),
        "{stored}"
    );
    let back: Vec<Customer> = serde_json::from_str(&stored).unwrap();
    assert_eq!(back, data.customers);

    // Runs that do not hold the list's records (here: one record short) are not used.
    let mut short = runs.clone();
    short.orders.pop();
    db.replace_all(&Dataset::default()).await.unwrap();
    db.replace_all_from(
        &data,
        Some(FileText {
            bytes: &text,
            runs: &short,
        }),
    )
    .await
    .unwrap();
    assert_eq!(db.load().await.unwrap(), data);
    cleanup(db).await;
}

#[wasm_bindgen_test]
async fn text_segments_written_before_version_2_still_load() {
    let name = unique("text-segments");
    let data = Dataset {
        customers: vec![customer(1, "王芳"), customer(2, MARKUP)],
        orders: vec![order(11, 1), order(12, 2)],
        ..Dataset::default()
    };
    create_raw_v1(&name, &Dataset::default()).await;
    // Version 1 wrote segments as JSON text.
    let factory = Factory::new().unwrap();
    let raw = factory.open(&name, Some(1)).unwrap().await.unwrap();
    let tx = raw
        .transaction(&["segments"], TransactionMode::ReadWrite)
        .unwrap();
    for (key, store, json) in [
        (
            "customers:00000000",
            "customers",
            serde_json::to_string(&data.customers).unwrap(),
        ),
        (
            "orders:00000000",
            "orders",
            serde_json::to_string(&data.orders[..1]).unwrap(),
        ),
        (
            "orders:00000001",
            "orders",
            serde_json::to_string(&data.orders[1..]).unwrap(),
        ),
    ] {
        let segment = js_sys::Object::new();
        js_sys::Reflect::set(&segment, &"id".into(), &key.into()).unwrap();
        js_sys::Reflect::set(&segment, &"store".into(), &store.into()).unwrap();
        js_sys::Reflect::set(&segment, &"count".into(), &1.into()).unwrap();
        js_sys::Reflect::set(&segment, &"json".into(), &json.into()).unwrap();
        tx.object_store("segments")
            .unwrap()
            .put(&segment, None)
            .unwrap()
            .await
            .unwrap();
    }
    tx.await.unwrap();
    raw.close();

    let db = Db::open_named(&name).await.unwrap();
    assert_eq!(db.version(), SCHEMA_VERSION);
    assert_eq!(db.load().await.unwrap(), data);
    // New segments (bytes) after the old ones (text) read back in order.
    let more = order(13, 1);
    db.apply_appending(
        &[],
        &Dataset {
            orders: vec![more.clone()],
            ..Dataset::default()
        },
    )
    .await
    .unwrap();
    let mut expected = data.clone();
    expected.orders.push(more);
    assert_eq!(db.load().await.unwrap(), expected);
    cleanup(db).await;
}

#[wasm_bindgen_test]
async fn large_stores_load_across_read_batches() {
    let name = unique("batches");
    let db = Db::open_named(&name).await.unwrap();
    // Ten bulk segments of 5,000, read eight at a time.
    let n = 45_001u128;
    let orders: Vec<Order> = (0..n).map(|i| order(1_000_000 + i, i % 97)).collect();
    let data = Dataset {
        orders,
        ..Dataset::default()
    };
    db.replace_all(&data).await.unwrap();
    let loaded = db.load().await.unwrap();
    assert_eq!(loaded.orders.len(), data.orders.len());
    assert_eq!(loaded.orders, data.orders);

    // More than one read batch (20,000) of individually stored records, after the bulk ones.
    let extra: Vec<Order> = (0..20_001u128).map(|i| order(5_000_000 + i, 3)).collect();
    let changes: Vec<Change> = extra
        .iter()
        .cloned()
        .map(|o| Change::Put(Record::Order(o)))
        .collect();
    db.apply(&changes).await.unwrap();
    let loaded = db.load().await.unwrap();
    let mut expected = data.orders.clone();
    expected.extend(extra);
    assert_eq!(loaded.orders, expected);
    cleanup(db).await;
}

/// A migration table whose second step adds a unique index, so a put can fail inside a transaction
/// the way a real constraint violation does.
fn with_unique_email() -> Vec<MigrationStep> {
    fn unique_email(up: &Upgrade) -> Result<(), StorageError> {
        up.create_index("customers", "unique_email", "email_key", true)
    }
    let mut steps = MIGRATIONS.to_vec();
    steps.push(unique_email);
    steps
}

#[wasm_bindgen_test]
async fn a_failing_change_rolls_back_the_whole_batch() {
    let name = unique("atomic");
    let db = Db::open_with_migrations(&name, &with_unique_email())
        .await
        .unwrap();
    let before = Dataset {
        customers: vec![customer(1, "existing")],
        ..Dataset::default()
    };
    db.apply(&puts(&before)).await.unwrap();

    let mut renamed = customer(1, "renamed in the failed batch");
    renamed.email = "renamed@example.cn".into();
    let mut clash = customer(3, "clashes");
    // Normalises to the same email_key as customer 2 below: the unique index rejects it.
    clash.email = "  USER2@example.cn ".into();
    let batch = vec![
        Change::Put(Record::Customer(renamed)),
        Change::Put(Record::Order(order(11, 1))),
        Change::Put(Record::Deal(sample().deals[0].clone())),
        Change::Put(Record::Settings(Settings {
            shop_name: "never saved".into(),
            ..Settings::default()
        })),
        Change::Delete(StoreName::Customers, id(1)),
        Change::Put(Record::Customer(customer(2, "two"))),
        Change::Put(Record::Customer(clash)),
    ];
    let err = db.apply(&batch).await.unwrap_err();
    match &err {
        StorageError::Write(message) => {
            assert!(message.contains("ConstraintError"), "{message}")
        }
        other => panic!("expected a write error, got {other:?}"),
    }
    assert_eq!(
        db.load().await.unwrap(),
        before,
        "nothing of the batch remains"
    );

    // The same batch without the clash goes through.
    db.apply(&batch[..batch.len() - 1]).await.unwrap();
    let after = db.load().await.unwrap();
    assert_eq!(after.customers, vec![customer(2, "two")]);
    assert_eq!(after.orders.len(), 1);
    assert_eq!(after.settings.shop_name, "never saved");
    cleanup(db).await;
}

#[wasm_bindgen_test]
async fn a_failing_replace_all_keeps_the_old_data() {
    // A test schema where each store may have only one bulk segment, so a large replace fails
    // half-way with a real ConstraintError inside the transaction.
    fn one_segment_per_store(up: &Upgrade) -> Result<(), StorageError> {
        up.create_index("segments", "unique_store", "store", true)
    }
    let mut steps = MIGRATIONS.to_vec();
    steps.push(one_segment_per_store);
    let name = unique("atomic-replace");
    let db = Db::open_with_migrations(&name, &steps).await.unwrap();
    let before = Dataset {
        customers: vec![customer(1, "one")],
        orders: vec![order(11, 1)],
        ..Dataset::default()
    };
    db.replace_all(&before).await.unwrap();
    let bad = Dataset {
        customers: vec![customer(2, "two")],
        orders: (0..5_001).map(|i| order(100 + i, 2)).collect(),
        ..Dataset::default()
    };
    match db.replace_all(&bad).await {
        Err(StorageError::Write(message)) => {
            assert!(message.contains("ConstraintError"), "{message}")
        }
        other => panic!("expected a write error, got {other:?}"),
    }
    assert_eq!(db.load().await.unwrap(), before);
    cleanup(db).await;
}

#[wasm_bindgen_test]
async fn edits_after_a_bulk_replace_win_over_the_bulk_copy() {
    let name = unique("overlay");
    let db = Db::open_named(&name).await.unwrap();
    let mut data = sample();
    db.replace_all(&data).await.unwrap();

    let mut edited = data.customers[1].clone();
    edited.name = "改名 <b>x</b>".into();
    let new_order = order(13, 1);
    db.apply(&[
        Change::Put(Record::Customer(edited.clone())),
        Change::Delete(StoreName::Orders, id(11)),
        Change::Delete(StoreName::Tasks, id(41)),
        Change::Put(Record::Order(new_order.clone())),
    ])
    .await
    .unwrap();
    data.customers[1] = edited;
    data.orders.retain(|o| o.id != id(11));
    data.orders.push(new_order);
    data.tasks.retain(|t| t.id != id(41));
    assert_eq!(db.load().await.unwrap(), data);

    // A deleted bulk record put back is visible again, in its old place.
    let task = sample().tasks[0].clone();
    db.apply(&[Change::Put(Record::Task(task.clone()))])
        .await
        .unwrap();
    data.tasks.insert(0, task);
    db.close();
    let db = Db::open_named(&name).await.unwrap();
    assert_eq!(db.load().await.unwrap(), data);
    assert_eq!(db.load_customers().await.unwrap().0, data.customers);

    // Deleted again, and a replace clears every edit and tombstone.
    db.apply(&[Change::Delete(StoreName::Tasks, id(41))])
        .await
        .unwrap();
    data.tasks.remove(0);
    assert_eq!(db.load().await.unwrap(), data);
    let fresh = sample();
    db.replace_all(&fresh).await.unwrap();
    assert_eq!(db.load().await.unwrap(), fresh);
    cleanup(db).await;
}

/// Creates a database at version 1 the raw way, as version 1 of Kehu laid it out, with some data
/// written as `json_compatible()` objects.
async fn create_raw_v1(name: &str, data: &Dataset) {
    let factory = Factory::new().unwrap();
    let mut request = factory.open(name, Some(1)).unwrap();
    request.on_upgrade_needed(|event| {
        let db = event.database().unwrap();
        for store in [
            "customers",
            "orders",
            "interactions",
            "deals",
            "tasks",
            "surveys",
            "ledger",
        ] {
            let mut params = ObjectStoreParams::new();
            params.key_path(Some(KeyPath::new_single("id")));
            db.create_object_store(store, params).unwrap();
        }
        db.create_object_store("meta", ObjectStoreParams::new())
            .unwrap();
        for store in ["segments", "tombstones"] {
            let mut params = ObjectStoreParams::new();
            params.key_path(Some(KeyPath::new_single("id")));
            db.create_object_store(store, params).unwrap();
        }
    });
    let db = request.await.unwrap();
    let tx = db
        .transaction(&["customers", "orders", "meta"], TransactionMode::ReadWrite)
        .unwrap();
    for c in &data.customers {
        tx.object_store("customers")
            .unwrap()
            .put(&json_value(c), None)
            .unwrap()
            .await
            .unwrap();
    }
    for o in &data.orders {
        tx.object_store("orders")
            .unwrap()
            .put(&json_value(o), None)
            .unwrap()
            .await
            .unwrap();
    }
    tx.object_store("meta")
        .unwrap()
        .put(
            &json_value(&data.settings),
            Some(&JsValue::from_str("settings")),
        )
        .unwrap()
        .await
        .unwrap();
    tx.await.unwrap();
    db.close();
}

#[wasm_bindgen_test]
async fn a_raw_v1_database_opens_with_its_data() {
    let name = unique("raw-v1");
    let data = Dataset {
        customers: vec![customer(1, "王芳")],
        orders: vec![order(11, 1)],
        settings: Settings {
            shop_name: "旧店".into(),
            ..Settings::default()
        },
        ..Dataset::default()
    };
    create_raw_v1(&name, &data).await;
    let db = Db::open_named(&name).await.unwrap();
    assert_eq!(db.version(), SCHEMA_VERSION);
    assert_eq!(db.load().await.unwrap(), data);
    cleanup(db).await;
}

fn add_notes_store(up: &Upgrade) -> Result<(), StorageError> {
    up.create_store("notes", Some("id"))
}

fn index_notes(up: &Upgrade) -> Result<(), StorageError> {
    // Needs the store of the previous step: fails if that step was skipped.
    up.create_index("notes", "customer_id", "customer_id", false)
}

fn skipped_step(_: &Upgrade) -> Result<(), StorageError> {
    Ok(())
}

fn failing_step(up: &Upgrade) -> Result<(), StorageError> {
    up.create_store("half_done", None)?;
    Err(StorageError::Write("deliberate failure".into()))
}

#[wasm_bindgen_test]
async fn migrations_run_step_by_step_from_the_version_found() {
    let steps: Vec<MigrationStep> = vec![MIGRATIONS[0], add_notes_store, index_notes];
    let name = unique("migrate");

    // Version 1 with data.
    let db = Db::open_with_migrations(&name, &steps[..1]).await.unwrap();
    assert_eq!(db.version(), 1);
    let data = sample();
    db.replace_all(&data).await.unwrap();
    db.close();

    // 1 → 2 runs only step 2 (re-running step 1 would fail: its stores exist).
    let db = Db::open_with_migrations(&name, &steps[..2]).await.unwrap();
    assert_eq!(db.version(), 2);
    assert!(db.store_names().contains(&"notes".to_string()));
    assert!(db.index_names(StoreName::Customers).unwrap().len() >= 2);
    db.close();

    // 2 → 3 runs only step 3.
    let db = Db::open_with_migrations(&name, &steps).await.unwrap();
    assert_eq!(db.version(), 3);
    assert_eq!(db.load().await.unwrap(), data);
    db.close();
    let factory = Factory::new().unwrap();
    let raw = factory.open(&name, None).unwrap().await.unwrap();
    let tx = raw
        .transaction(&["notes"], TransactionMode::ReadOnly)
        .unwrap();
    assert_eq!(
        tx.object_store("notes").unwrap().index_names(),
        vec!["customer_id".to_string()]
    );
    drop(tx);
    raw.close();
    delete_database(&name).await.unwrap();

    // 0 → 3 in one open runs all three, in order.
    let name = unique("migrate-all");
    let db = Db::open_with_migrations(&name, &steps).await.unwrap();
    assert_eq!(db.version(), 3);
    assert!(db.store_names().contains(&"customers".to_string()));
    cleanup(db).await;

    // A step skipped makes the next one fail: the runner really runs them one by one.
    let name = unique("migrate-skip");
    let db = Db::open_with_migrations(&name, &steps[..1]).await.unwrap();
    db.close();
    let skipping: Vec<MigrationStep> = vec![MIGRATIONS[0], skipped_step, index_notes];
    assert!(Db::open_with_migrations(&name, &skipping).await.is_err());
    delete_database(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_failed_migration_leaves_the_old_version_and_data() {
    let name = unique("migrate-fail");
    let db = Db::open_named(&name).await.unwrap();
    let data = sample();
    db.replace_all(&data).await.unwrap();
    db.close();

    let mut steps: Vec<MigrationStep> = MIGRATIONS.to_vec();
    steps.push(failing_step);
    match Db::open_with_migrations(&name, &steps).await {
        Err(StorageError::Write(message)) => assert!(message.contains("deliberate"), "{message}"),
        other => panic!("expected the step's error, got {other:?}"),
    }
    let db = Db::open_named(&name).await.unwrap();
    assert_eq!(db.version(), SCHEMA_VERSION);
    assert!(!db.store_names().contains(&"half_done".to_string()));
    assert_eq!(db.load().await.unwrap(), data);
    cleanup(db).await;
}

#[wasm_bindgen_test]
async fn a_newer_database_is_refused_and_left_untouched() {
    let name = unique("newer");
    let newer = SCHEMA_VERSION + 1;
    let factory = Factory::new().unwrap();
    let mut request = factory.open(&name, Some(newer)).unwrap();
    request.on_upgrade_needed(|event| {
        let db = event.database().unwrap();
        let mut params = ObjectStoreParams::new();
        params.key_path(Some(KeyPath::new_single("id")));
        let store = db.create_object_store("future_customers", params).unwrap();
        store
            .create_index("by_x", KeyPath::new_single("x"), Some(IndexParams::new()))
            .unwrap();
    });
    let raw = request.await.unwrap();
    let tx = raw
        .transaction(&["future_customers"], TransactionMode::ReadWrite)
        .unwrap();
    let record = js_sys::JSON::parse(r#"{"id":"a","x":1}"#).unwrap();
    tx.object_store("future_customers")
        .unwrap()
        .put(&record, None)
        .unwrap()
        .await
        .unwrap();
    tx.await.unwrap();
    raw.close();

    assert_eq!(
        Db::open_named(&name).await.unwrap_err(),
        StorageError::NewerVersion {
            found: newer,
            supported: SCHEMA_VERSION
        }
    );

    let raw = factory.open(&name, None).unwrap().await.unwrap();
    assert_eq!(raw.version().unwrap(), newer);
    assert_eq!(raw.store_names(), vec!["future_customers".to_string()]);
    raw.close();
    let kept = raw_get(&name, "future_customers", "a").await.unwrap();
    assert_eq!(prop(&kept, "x").as_f64(), Some(1.0));
    delete_database(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn an_upgrade_blocked_by_an_old_tab_reports_blocked() {
    let name = unique("blocked");
    create_raw_v1(&name, &Dataset::default()).await;
    // An "old tab": a connection that ignores versionchange.
    let factory = Factory::new().unwrap();
    let old_tab = factory.open(&name, Some(1)).unwrap().await.unwrap();

    let steps: Vec<MigrationStep> = vec![MIGRATIONS[0], add_notes_store];
    assert_eq!(
        Db::open_with_migrations(&name, &steps).await.unwrap_err(),
        StorageError::Blocked
    );
    old_tab.close();
    // The queued upgrade then goes through and its connection is closed, so deletion is not blocked.
    delete_database(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_damaged_record_is_reported_with_its_key() {
    let name = unique("corrupt");
    let db = Db::open_named(&name).await.unwrap();
    db.apply(&puts(&sample())).await.unwrap();
    db.close();

    let factory = Factory::new().unwrap();
    let raw = factory.open(&name, None).unwrap().await.unwrap();
    let tx = raw
        .transaction(&["orders"], TransactionMode::ReadWrite)
        .unwrap();
    let bad =
        js_sys::JSON::parse(r#"{"id":"bad-order","customer_id":"x","amount":"lots"}"#).unwrap();
    tx.object_store("orders")
        .unwrap()
        .put(&bad, None)
        .unwrap()
        .await
        .unwrap();
    tx.await.unwrap();
    raw.close();

    let db = Db::open_named(&name).await.unwrap();
    match db.load().await {
        Err(StorageError::Corrupt { store, key, .. }) => {
            assert_eq!(store, "orders");
            assert_eq!(key, "bad-order");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
    // The customers are still readable for a first paint.
    assert_eq!(db.load_customers().await.unwrap().0.len(), 2);
    cleanup(db).await;
}

#[wasm_bindgen_test]
async fn errors_have_clear_messages() {
    let e = StorageError::NewerVersion {
        found: 3,
        supported: 1,
    };
    assert!(e.to_string().contains("newer"), "{e}");
    assert!(StorageError::QuotaExceeded.to_string().contains("quota"));
}

#[wasm_bindgen_test]
fn prefs_round_trip() {
    prefs::set_language("zh-CN");
    assert_eq!(prefs::language().as_deref(), Some("zh-CN"));
    prefs::set_language("en");
    assert_eq!(prefs::language().as_deref(), Some("en"));

    prefs::set_theme("dark");
    assert_eq!(prefs::theme().as_deref(), Some("dark"));
    prefs::set_theme("neon"); // not a theme: ignored
    assert_eq!(prefs::theme().as_deref(), Some("dark"));

    // Stored under prefixed keys, language and theme as plain strings.
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    assert_eq!(
        storage.get_item("kehu.theme").unwrap().as_deref(),
        Some("dark")
    );

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Columns {
        visible: Vec<String>,
        width: u32,
    }
    let columns = Columns {
        visible: vec!["姓名".into(), MARKUP.into()],
        width: 120,
    };
    prefs::set_json("test.columns", &columns);
    assert_eq!(prefs::get_json::<Columns>("test.columns"), Some(columns));
    assert!(storage.get_item("kehu.test.columns").unwrap().is_some());
    assert_eq!(prefs::get_json::<Columns>("test.missing"), None);
    // Wrong shape reads as None rather than panicking.
    prefs::set_json("test.columns", &"text");
    assert_eq!(prefs::get_json::<Columns>("test.columns"), None);
    prefs::remove("test.columns");
    assert_eq!(prefs::get_json::<String>("test.columns"), None);
}

#[wasm_bindgen_test]
async fn numbers_json_cannot_carry_are_refused_not_stored() {
    let name = unique("nan");
    let db = Db::open_named(&name).await.unwrap();
    let mut bad = customer(7, "NaN");
    bad.custom_fields
        .insert("size".into(), CustomValue::Number(f64::NAN));
    let err = db
        .apply(&[
            Change::Put(Record::Order(order(11, 7))),
            Change::Put(Record::Customer(bad)),
        ])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StorageError::Write(m) if m.contains("size")),
        "{err:?}"
    );
    let mut settings = Settings::default();
    settings.analysis.churn_k = f64::INFINITY;
    assert!(db
        .apply(&[Change::Put(Record::Settings(settings))])
        .await
        .is_err());
    assert_eq!(db.load().await.unwrap(), Dataset::default());
    cleanup(db).await;
}
