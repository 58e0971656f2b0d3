//! Storage benchmark (ignored in normal runs): 1,000,000 small orders written with
//! `Db::replace_all` and read back with `Db::load` in headless Chromium, against the per-record
//! `serde_wasm_bindgen::Serializer::json_compatible()` encoding over the same object store.
//!
//! Run: `scripts/test-wasm.sh --bench` (release build, `--include-ignored`). Set `KEHU_BENCH_ORDERS`
//! at compile time for another size. Timings come from `performance.now()` and are printed to the
//! runner's output.

#![cfg(target_arch = "wasm32")] // browser tests only; nothing to run natively
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure should panic

use chrono::NaiveDateTime;
use js_sys::{Array, Function, Promise};
use kehu::storage::{delete_database, Change, Db, Record};
use kehu_core::model::{Customer, Dataset, Order, Timestamp};
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{IdbDatabase, IdbKeyRange, IdbRequest, IdbTransaction, IdbTransactionMode};

wasm_bindgen_test_configure!(run_in_browser);

fn now_ms() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

fn orders(n: usize) -> Vec<Order> {
    let base: NaiveDateTime = "2020-01-01T09:00:00".parse().unwrap();
    let created: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
    let categories = ["咖啡", "茶", "蛋糕", "三明治", "果汁"];
    (0..n)
        .map(|i| Order {
            id: Uuid::from_u128(0x1000_0000 + i as u128),
            customer_id: Uuid::from_u128((i % 100_000) as u128),
            date: base + chrono::Duration::minutes(i as i64 * 3),
            amount: 1_000 + (i as i64 * 37) % 50_000,
            category: categories[i % categories.len()].to_string(),
            quantity: 1 + (i % 3) as u32,
            note: String::new(),
            points_redeemed: 0,
            created_at: created,
            updated_at: created,
        })
        .collect()
}

async fn wait(promise: Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(promise).await
}

async fn request(req: &IdbRequest) -> JsValue {
    let p = Promise::new(&mut |resolve: Function, reject: Function| {
        req.set_onsuccess(Some(&resolve));
        req.set_onerror(Some(&reject));
    });
    wait(p).await.unwrap();
    req.result().unwrap()
}

async fn finish(tx: &IdbTransaction, done: Promise) {
    let _ = tx;
    wait(done).await.unwrap();
}

fn watch(tx: &IdbTransaction) -> Promise {
    Promise::new(&mut |resolve: Function, reject: Function| {
        tx.set_oncomplete(Some(&resolve));
        tx.set_onabort(Some(&reject));
    })
}

/// The baseline: one `serde_wasm_bindgen` json_compatible conversion and one `put` per record.
async fn swb_write(db: &IdbDatabase, items: &[Order]) -> f64 {
    let start = now_ms();
    let tx = db
        .transaction_with_str_and_mode("orders", IdbTransactionMode::Readwrite)
        .unwrap();
    let done = watch(&tx);
    let store = tx.object_store("orders").unwrap();
    store.clear().unwrap();
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    for chunk in items.chunks(10_000) {
        let mut last = None;
        for o in chunk {
            let value = serde::Serialize::serialize(o, &ser).unwrap();
            last = Some(store.put(&value).unwrap());
        }
        request(&last.unwrap()).await;
    }
    finish(&tx, done).await;
    now_ms() - start
}

/// The baseline's read: batched `getAll`, one `serde_wasm_bindgen::from_value` per record.
async fn swb_read(db: &IdbDatabase) -> (f64, usize) {
    let start = now_ms();
    let tx = db
        .transaction_with_str_and_mode("orders", IdbTransactionMode::Readonly)
        .unwrap();
    let done = watch(&tx);
    let store = tx.object_store("orders").unwrap();
    let mut out: Vec<Order> = Vec::new();
    let mut after: Option<JsValue> = None;
    loop {
        let range: JsValue = match &after {
            None => JsValue::NULL,
            Some(k) => IdbKeyRange::lower_bound_with_open(k, true).unwrap().into(),
        };
        let req = store.get_all_with_key_and_limit(&range, 20_000).unwrap();
        let array: Array = request(&req).await.dyn_into().unwrap();
        let n = array.length();
        for v in array.iter() {
            out.push(serde_wasm_bindgen::from_value(v).unwrap());
        }
        if n < 20_000 {
            break;
        }
        after = Some(js_sys::Reflect::get(&array.get(n - 1), &"id".into()).unwrap());
    }
    finish(&tx, done).await;
    (now_ms() - start, out.len())
}

#[wasm_bindgen_test]
#[ignore = "benchmark: run with scripts/test-wasm.sh --bench"]
async fn bench_one_million_orders() {
    let n: usize = option_env!("KEHU_BENCH_ORDERS")
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let mut lines: Vec<String> = Vec::new();
    macro_rules! report {
        ($($t:tt)*) => {{
            let line = format!($($t)*);
            console_log!("{line}");
            lines.push(line);
        }};
    }
    let name = format!("kehu-bench-{:016x}", js_sys::Math::random().to_bits());
    let t = now_ms();
    let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
    let customers: Vec<Customer> = (0..100_000u128)
        .map(|i| {
            let mut c = Customer::new(Uuid::from_u128(i), format!("顾客 {i}"), now);
            c.phone = format!("138{:08}", i);
            c.email = format!("c{i}@example.cn");
            c.region = "上海".into();
            c.tags = vec!["VIP".into()];
            c
        })
        .collect();
    let data = Dataset {
        customers,
        orders: orders(n),
        ..Dataset::default()
    };
    report!(
        "bench: generated 100000 customers and {n} orders in {:.0} ms",
        now_ms() - t
    );

    let db = Db::open_named(&name).await.unwrap();

    // Encoding cost alone, in Wasm (no IndexedDB): JSON text vs per-record JS objects.
    let t = now_ms();
    let mut bytes = 0;
    for chunk in data.orders.chunks(10_000) {
        let json = serde_json::to_string(chunk).unwrap();
        bytes += json.len();
        let _ = js_sys::JSON::parse(&json).unwrap();
    }
    report!(
        "bench: encode only, JSON batches + JSON.parse: {:.0} ms ({} MB of JSON)",
        now_ms() - t,
        bytes / 1_000_000
    );
    let t = now_ms();
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    for o in &data.orders {
        let _ = serde::Serialize::serialize(o, &ser).unwrap();
    }
    report!(
        "bench: encode only, serde_wasm_bindgen json_compatible per record: {:.0} ms",
        now_ms() - t
    );

    // The chosen layout, through the public API.
    let t = now_ms();
    db.replace_all(&data).await.unwrap();
    report!(
        "bench: Db::replace_all(100000 customers + {n} orders): {:.0} ms",
        now_ms() - t
    );
    let t = now_ms();
    let loaded = db.load().await.unwrap();
    report!(
        "bench: Db::load ({} customers + {} orders): {:.0} ms",
        loaded.customers.len(),
        loaded.orders.len(),
        now_ms() - t
    );
    assert_eq!(loaded.customers, data.customers);
    assert_eq!(loaded.orders.len(), n);
    assert_eq!(loaded.orders[n / 2], data.orders[n / 2]);
    drop(loaded);
    let t = now_ms();
    let (customers, _) = db.load_customers().await.unwrap();
    report!(
        "bench: Db::load_customers (100000 customers, first paint): {:.0} ms",
        now_ms() - t
    );
    assert_eq!(customers.len(), 100_000);
    let k = n.min(100_000);
    let changes: Vec<Change> = data.orders[..k]
        .iter()
        .cloned()
        .map(|o| Change::Put(Record::Order(o)))
        .collect();
    let t = now_ms();
    db.apply(&changes).await.unwrap();
    report!(
        "bench: Db::apply({k} order puts in one batch): {:.0} ms",
        now_ms() - t
    );
    let t = now_ms();
    db.apply(&[Change::Put(Record::Order(data.orders[7].clone()))])
        .await
        .unwrap();
    report!("bench: Db::apply(1 order put): {:.0} ms", now_ms() - t);
    let t = now_ms();
    let loaded = db.load().await.unwrap();
    report!(
        "bench: Db::load after those {k} individual edits: {:.0} ms",
        now_ms() - t
    );
    assert_eq!(loaded.orders.len(), n);
    drop(loaded);
    db.close();

    delete_database(&name).await.unwrap();
    console_log!("bench summary:\n{}", lines.join("\n"));
}

/// The baseline: one `serde_wasm_bindgen` json_compatible object and one `put` per order, in an
/// `orders` store with the `customer_id` and `date` indexes (the first layout tried).
#[wasm_bindgen_test]
#[ignore = "benchmark: run with scripts/test-wasm.sh --bench"]
async fn bench_baseline_per_record_objects() {
    let n: usize = option_env!("KEHU_BENCH_ORDERS")
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let name = format!("kehu-bench-baseline-{}", Uuid::new_v4());
    let data = Dataset {
        orders: orders(n),
        ..Dataset::default()
    };
    Db::open_named(&name).await.unwrap().close();
    // The baseline over the same store layout.
    let factory: web_sys::IdbFactory = js_sys::Reflect::get(&js_sys::global(), &"indexedDB".into())
        .unwrap()
        .dyn_into()
        .unwrap();
    let req = factory.open(&name).unwrap();
    let raw: IdbDatabase = request(&req).await.dyn_into().unwrap();
    let ms = swb_write(&raw, &data.orders).await;
    console_log!("bench: serde_wasm_bindgen per-record write ({n} orders): {ms:.0} ms");
    let (ms, count) = swb_read(&raw).await;
    console_log!("bench: serde_wasm_bindgen per-record load ({count} orders): {ms:.0} ms");
    raw.close();

    delete_database(&name).await.unwrap();
}

/// Layout experiments at a smaller size (`KEHU_BENCH_LAYOUT_ORDERS`, default 100,000): where does
/// the time go — object encoding, index maintenance, or the number of IndexedDB records?
#[wasm_bindgen_test]
#[ignore = "benchmark: run with scripts/test-wasm.sh --bench"]
async fn bench_layouts() {
    use kehu::storage::schema::{MigrationStep, Upgrade, MIGRATIONS};
    use kehu::storage::StorageError;
    fn stores(up: &Upgrade) -> Result<(), StorageError> {
        up.create_store("json_indexed", Some("id"))?;
        up.create_index("json_indexed", "customer_id", "customer_id", false)?;
        up.create_index("json_indexed", "date", "date", false)?;
        up.create_store("json_plain", Some("id"))?;
        up.create_store("objects_plain", Some("id"))?;
        up.create_store("chunks", Some("id"))
    }
    let n: usize = option_env!("KEHU_BENCH_LAYOUT_ORDERS")
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let data = orders(n);
    let name = format!("kehu-bench-layout-{}", Uuid::new_v4());
    let steps: Vec<MigrationStep> = vec![MIGRATIONS[0], stores];
    let db = Db::open_with_migrations(&name, &steps).await.unwrap();

    let t = now_ms();
    db.replace_all(&Dataset {
        orders: data.clone(),
        ..Dataset::default()
    })
    .await
    .unwrap();
    console_log!(
        "layout {n}: objects + 2 indexes (chosen) write: {:.0} ms",
        now_ms() - t
    );
    let t = now_ms();
    db.load().await.unwrap();
    console_log!(
        "layout {n}: objects + 2 indexes (chosen) read: {:.0} ms",
        now_ms() - t
    );
    db.close();

    let factory: web_sys::IdbFactory = js_sys::Reflect::get(&js_sys::global(), &"indexedDB".into())
        .unwrap()
        .dyn_into()
        .unwrap();
    let raw: IdbDatabase = request(&factory.open(&name).unwrap())
        .await
        .dyn_into()
        .unwrap();

    // Objects without indexes (JSON batches as in the chosen layout).
    let t = now_ms();
    let tx = raw
        .transaction_with_str_and_mode("objects_plain", IdbTransactionMode::Readwrite)
        .unwrap();
    let done = watch(&tx);
    let store = tx.object_store("objects_plain").unwrap();
    for chunk in data.chunks(10_000) {
        let array: Array = js_sys::JSON::parse(&serde_json::to_string(chunk).unwrap())
            .unwrap()
            .dyn_into()
            .unwrap();
        let mut last = None;
        for v in array.iter() {
            last = Some(store.put(&v).unwrap());
        }
        request(&last.unwrap()).await;
    }
    finish(&tx, done).await;
    console_log!(
        "layout {n}: objects, no index write: {:.0} ms",
        now_ms() - t
    );

    // {id, customer_id, date, json} with and without the two indexes.
    for store_name in ["json_indexed", "json_plain"] {
        let t = now_ms();
        let tx = raw
            .transaction_with_str_and_mode(store_name, IdbTransactionMode::Readwrite)
            .unwrap();
        let done = watch(&tx);
        let store = tx.object_store(store_name).unwrap();
        for chunk in data.chunks(10_000) {
            let mut last = None;
            for o in chunk {
                let obj = js_sys::Object::new();
                js_sys::Reflect::set(&obj, &"id".into(), &o.id.to_string().into()).unwrap();
                js_sys::Reflect::set(
                    &obj,
                    &"customer_id".into(),
                    &o.customer_id.to_string().into(),
                )
                .unwrap();
                js_sys::Reflect::set(&obj, &"date".into(), &o.date.to_string().into()).unwrap();
                js_sys::Reflect::set(
                    &obj,
                    &"json".into(),
                    &serde_json::to_string(o).unwrap().into(),
                )
                .unwrap();
                last = Some(store.put(&obj).unwrap());
            }
            request(&last.unwrap()).await;
        }
        finish(&tx, done).await;
        console_log!("layout {n}: {store_name} write: {:.0} ms", now_ms() - t);
        let t = now_ms();
        let tx = raw
            .transaction_with_str_and_mode(store_name, IdbTransactionMode::Readonly)
            .unwrap();
        let done = watch(&tx);
        let store = tx.object_store(store_name).unwrap();
        let array: Array = request(&store.get_all().unwrap()).await.dyn_into().unwrap();
        let mut out: Vec<Order> = Vec::with_capacity(n);
        for v in array.iter() {
            let json = js_sys::Reflect::get(&v, &"json".into())
                .unwrap()
                .as_string()
                .unwrap();
            out.push(serde_json::from_str(&json).unwrap());
        }
        finish(&tx, done).await;
        console_log!("layout {n}: {store_name} read: {:.0} ms", now_ms() - t);
    }

    // Chunks of 1,000 orders, each one JSON string.
    let t = now_ms();
    let tx = raw
        .transaction_with_str_and_mode("chunks", IdbTransactionMode::Readwrite)
        .unwrap();
    let done = watch(&tx);
    let store = tx.object_store("chunks").unwrap();
    for (i, chunk) in data.chunks(1_000).enumerate() {
        let obj = js_sys::Object::new();
        js_sys::Reflect::set(&obj, &"id".into(), &(i as u32).into()).unwrap();
        js_sys::Reflect::set(
            &obj,
            &"json".into(),
            &serde_json::to_string(chunk).unwrap().into(),
        )
        .unwrap();
        store.put(&obj).unwrap();
    }
    finish(&tx, done).await;
    console_log!("layout {n}: chunks of 1000 write: {:.0} ms", now_ms() - t);
    let t = now_ms();
    let tx = raw
        .transaction_with_str_and_mode("chunks", IdbTransactionMode::Readonly)
        .unwrap();
    let done = watch(&tx);
    let store = tx.object_store("chunks").unwrap();
    let array: Array = request(&store.get_all().unwrap()).await.dyn_into().unwrap();
    let mut out: Vec<Order> = Vec::with_capacity(n);
    for v in array.iter() {
        let json = js_sys::Reflect::get(&v, &"json".into())
            .unwrap()
            .as_string()
            .unwrap();
        out.extend(serde_json::from_str::<Vec<Order>>(&json).unwrap());
    }
    finish(&tx, done).await;
    console_log!(
        "layout {n}: chunks of 1000 read: {:.0} ms ({} orders)",
        now_ms() - t,
        out.len()
    );
    raw.close();
    delete_database(&name).await.unwrap();
}
