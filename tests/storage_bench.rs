//! Storage benchmark (ignored in normal runs): 1,000,000 small orders written with
//! `Db::replace_all` and read back with `Db::load` in headless Chromium, against the per-record
//! `serde_wasm_bindgen::Serializer::json_compatible()` encoding over the same object store.
//!
//! Run: `scripts/test-wasm.sh --bench` (release build, `--include-ignored`). Set `KEHU_BENCH_ORDERS`
//! at compile time for another size. Timings come from `performance.now()` and are printed to the
//! runner's output.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure should panic

use chrono::NaiveDateTime;
use js_sys::{Array, Function, Promise};
use kehu::storage::{delete_database, Change, Db, Record};
use kehu_core::model::{Dataset, Order, Timestamp};
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
    let name = format!("kehu-bench-{:016x}", js_sys::Math::random().to_bits());
    let t = now_ms();
    let data = Dataset {
        orders: orders(n),
        ..Dataset::default()
    };
    console_log!("bench: generated {n} orders in {:.0} ms", now_ms() - t);

    let db = Db::open_named(&name).await.unwrap();

    // Encoding cost alone, in Wasm (no IndexedDB): JSON text vs per-record JS objects.
    let t = now_ms();
    let mut bytes = 0;
    for chunk in data.orders.chunks(10_000) {
        let json = serde_json::to_string(chunk).unwrap();
        bytes += json.len();
        let _ = js_sys::JSON::parse(&json).unwrap();
    }
    console_log!(
        "bench: encode only, JSON batches + JSON.parse: {:.0} ms ({} MB of JSON)",
        now_ms() - t,
        bytes / 1_000_000
    );
    let t = now_ms();
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    for o in &data.orders {
        let _ = serde::Serialize::serialize(o, &ser).unwrap();
    }
    console_log!(
        "bench: encode only, serde_wasm_bindgen json_compatible per record: {:.0} ms",
        now_ms() - t
    );

    // The chosen layout, through the public API.
    let t = now_ms();
    db.replace_all(&data).await.unwrap();
    console_log!("bench: Db::replace_all({n} orders): {:.0} ms", now_ms() - t);
    let t = now_ms();
    let loaded = db.load().await.unwrap();
    console_log!(
        "bench: Db::load ({} orders): {:.0} ms",
        loaded.orders.len(),
        now_ms() - t
    );
    assert_eq!(loaded.orders.len(), n);
    assert_eq!(loaded.orders[n / 2], data.orders[n / 2]);
    drop(loaded);
    let t = now_ms();
    let (customers, _) = db.load_customers().await.unwrap();
    console_log!(
        "bench: Db::load_customers with 0 customers beside {n} orders: {:.0} ms",
        now_ms() - t
    );
    assert!(customers.is_empty());
    let k = n.min(100_000);
    let changes: Vec<Change> = data.orders[..k]
        .iter()
        .cloned()
        .map(|o| Change::Put(Record::Order(o)))
        .collect();
    let t = now_ms();
    db.apply(&changes).await.unwrap();
    console_log!(
        "bench: Db::apply({k} order puts in one batch): {:.0} ms",
        now_ms() - t
    );
    db.close();

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
