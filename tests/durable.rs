//! Browser tests of durable storage: checked writes between tabs, reading back another tab's
//! changes, the schema marker of a newer version, and encrypted backups. Headless Chromium, through
//! `scripts/test-wasm.sh`. Every test uses its own database name and deletes it at the end.

#![cfg(target_arch = "wasm32")] // browser tests only; nothing to run natively
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure should panic

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use idb::{Factory, TransactionMode};
use kehu::storage::backup::{self, BackupError, ITERATIONS, MIN_ITERATIONS};
use kehu::storage::tabs::Notice;
use kehu::storage::{
    delete_database, Base, Change, Db, Record, StorageError, StoreName, Unsaved, SCHEMA_VERSION,
};
use kehu_core::model::*;
use uuid::Uuid;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn unique(label: &str) -> String {
    format!(
        "kehu-durable-{label}-{:016x}",
        js_sys::Math::random().to_bits()
    )
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn customer(n: u128, name: &str, at: &str) -> Customer {
    let mut c = Customer::new(Uuid::from_u128(n), name, ts("2026-01-01T00:00:00Z"));
    c.updated_at = ts(at);
    c
}

fn order(n: u128, customer: u128) -> Order {
    Order {
        id: Uuid::from_u128(n),
        customer_id: Uuid::from_u128(customer),
        date: "2026-03-01T10:00:00".parse().unwrap(),
        amount: 12_300,
        category: "茶".into(),
        quantity: 1,
        note: String::new(),
        points_redeemed: 0,
        created_at: ts("2026-03-01T10:00:00Z"),
        updated_at: ts("2026-03-01T10:00:00Z"),
    }
}

fn put(c: &Customer) -> Change {
    Change::Put(Record::Customer(c.clone()))
}

fn base(c: &Customer) -> Base {
    Base {
        store: StoreName::Customers,
        id: c.id,
        updated_at: c.updated_at,
    }
}

async fn cleanup(db: Db) {
    let name = db.name();
    db.close();
    delete_database(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_stale_edit_is_refused_and_nothing_of_it_is_written() {
    let name = unique("stale");
    let a = Db::open_named(&name).await.unwrap();
    let b = Db::open_named(&name).await.unwrap();
    let v1 = customer(1, "Li Lei", "2026-05-01T10:00:00Z");
    a.apply_checked(&[put(&v1)], &[]).await.unwrap();
    b.load().await.unwrap();

    // Tab A saves v2 (an edit of v1).
    let v2 = customer(1, "Li Lei (A)", "2026-05-01T10:05:00Z");
    a.apply_checked(&[put(&v2)], &[base(&v1)]).await.unwrap();

    // Tab B's edit also started from v1: refused, and its order is not written either.
    let v3 = customer(1, "Li Lei (B)", "2026-05-01T10:06:00Z");
    let err = b
        .apply_checked(
            &[put(&v3), Change::Put(Record::Order(order(10, 1)))],
            &[base(&v1)],
        )
        .await
        .unwrap_err();
    assert_eq!(
        err,
        StorageError::Stale {
            store: StoreName::Customers,
            id: v1.id,
            stored_at: Some(v2.updated_at),
        }
    );
    assert!(err.is_stale());
    let stored = b.load().await.unwrap();
    assert_eq!(stored.customers, vec![v2.clone()]);
    assert!(stored.orders.is_empty());

    // Started from v2, the same edit goes through; an equal base is not stale.
    b.apply_checked(&[put(&v3)], &[base(&v2)]).await.unwrap();
    b.apply_checked(&[put(&v3)], &[base(&v3)]).await.unwrap();
    assert_eq!(a.load().await.unwrap().customers, vec![v3]);
    a.close();
    cleanup(b).await;
}

#[wasm_bindgen_test]
async fn an_edit_of_a_record_deleted_in_another_tab_is_refused() {
    let name = unique("deleted");
    let a = Db::open_named(&name).await.unwrap();
    let b = Db::open_named(&name).await.unwrap();
    let v1 = customer(2, "Han Meimei", "2026-05-01T10:00:00Z");
    // Stored in a bulk segment, the way an import stores it.
    a.replace_all(&Dataset {
        customers: vec![v1.clone()],
        ..Dataset::default()
    })
    .await
    .unwrap();
    b.load().await.unwrap();
    a.apply_checked(&[Change::Delete(StoreName::Customers, v1.id)], &[base(&v1)])
        .await
        .unwrap();
    let v2 = customer(2, "Han Meimei 2", "2026-05-01T11:00:00Z");
    assert_eq!(
        b.apply_checked(&[put(&v2)], &[base(&v1)])
            .await
            .unwrap_err(),
        StorageError::Stale {
            store: StoreName::Customers,
            id: v1.id,
            stored_at: None,
        }
    );
    assert!(b.load().await.unwrap().customers.is_empty());
    a.close();
    cleanup(b).await;
}

#[wasm_bindgen_test]
async fn a_write_after_another_tab_replaced_everything_is_refused_until_reloaded() {
    let name = unique("replaced");
    let a = Db::open_named(&name).await.unwrap();
    let b = Db::open_named(&name).await.unwrap();
    a.load().await.unwrap();
    b.load().await.unwrap();
    assert_eq!(a.generation(), None);
    let imported = customer(3, "Imported", "2026-05-01T10:00:00Z");
    a.replace_all(&Dataset {
        customers: vec![imported.clone()],
        ..Dataset::default()
    })
    .await
    .unwrap();
    assert!(a.generation().is_some());
    let mine = customer(4, "Mine", "2026-05-01T10:00:00Z");
    assert_eq!(
        b.apply_checked(&[put(&mine)], &[]).await.unwrap_err(),
        StorageError::Replaced
    );
    assert_eq!(b.load().await.unwrap().customers, vec![imported.clone()]);
    assert_eq!(b.generation(), a.generation());
    b.apply_checked(&[put(&mine)], &[]).await.unwrap();
    assert_eq!(a.load().await.unwrap().customers, vec![imported, mine]);
    a.close();
    cleanup(b).await;
}

#[wasm_bindgen_test]
async fn another_tabs_changes_are_read_back_as_puts_and_deletes() {
    let name = unique("read-changed");
    let a = Db::open_named(&name).await.unwrap();
    let b = Db::open_named(&name).await.unwrap();
    let kept = customer(5, "Kept", "2026-05-01T10:00:00Z");
    let gone = customer(6, "Gone", "2026-05-01T10:00:00Z");
    let settings = Settings {
        shop_name: "小店".into(),
        ..Settings::default()
    };
    let changes = vec![
        put(&kept),
        Change::Delete(StoreName::Customers, gone.id),
        Change::Put(Record::Order(order(11, 5))),
        Change::Put(Record::Settings(settings.clone())),
    ];
    a.apply_checked(&changes, &[]).await.unwrap();
    let Notice::Changed { records, meta } = Notice::of_changes(&changes) else {
        panic!("a batch gives a Changed notice");
    };
    assert!(meta);
    assert_eq!(records.len(), 3);
    let read = b.read_changed(&records, meta).await.unwrap();
    assert!(read.contains(&put(&kept)));
    assert!(read.contains(&Change::Delete(StoreName::Customers, gone.id)));
    assert!(read.contains(&Change::Put(Record::Order(order(11, 5)))));
    assert!(read.contains(&Change::Put(Record::Settings(settings))));
    assert!(read
        .iter()
        .any(|c| matches!(c, Change::Put(Record::Loyalty(_)))));
    a.close();
    cleanup(b).await;
}

#[wasm_bindgen_test]
async fn a_newer_schema_marker_is_refused_and_left_untouched() {
    let name = unique("marker");
    let db = Db::open_named(&name).await.unwrap();
    let c = customer(7, "Marker", "2026-05-01T10:00:00Z");
    db.apply_checked(&[put(&c)], &[]).await.unwrap();
    db.close();

    let newer = SCHEMA_VERSION + 1;
    let factory = Factory::new().unwrap();
    let raw = factory.open(&name, None).unwrap().await.unwrap();
    let tx = raw
        .transaction(&["meta"], TransactionMode::ReadWrite)
        .unwrap();
    tx.object_store("meta")
        .unwrap()
        .put(
            &JsValue::from(newer),
            Some(&JsValue::from_str("schema_version")),
        )
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
    let tx = raw
        .transaction(&["meta", "customers"], TransactionMode::ReadOnly)
        .unwrap();
    let marker = tx
        .object_store("meta")
        .unwrap()
        .get(JsValue::from_str("schema_version"))
        .unwrap()
        .await
        .unwrap();
    let count = tx
        .object_store("customers")
        .unwrap()
        .count(None)
        .unwrap()
        .await
        .unwrap();
    raw.close();
    assert_eq!(marker.and_then(|m| m.as_f64()), Some(f64::from(newer)));
    assert_eq!(count, 1);
    delete_database(&name).await.unwrap();
}

#[wasm_bindgen_test]
fn unsaved_names_what_a_failed_write_held() {
    let c = customer(8, "Wang Fang", "2026-05-01T10:00:00Z");
    let changes = vec![
        put(&c),
        Change::Put(Record::Order(order(12, 8))),
        Change::Put(Record::Order(order(13, 8))),
        Change::Delete(StoreName::Tasks, Uuid::from_u128(14)),
    ];
    let unsaved = Unsaved::of_changes(&changes);
    assert_eq!(unsaved.customer.as_deref(), Some("Wang Fang"));
    assert_eq!(
        unsaved.puts,
        vec![(StoreName::Customers, 1), (StoreName::Orders, 2)]
    );
    assert_eq!(unsaved.deletes, vec![(StoreName::Tasks, 1)]);
    let err = StorageError::NotSaved {
        unsaved,
        cause: Box::new(StorageError::QuotaExceeded),
    };
    assert_eq!(
        err.to_string(),
        "the browser's storage quota is exhausted; nothing was saved (not saved: customer “Wang Fang”; saving 1 customers, 2 orders; removing 1 tasks)"
    );
}

const PLAIN: &str = r#"{"format":"kehu-crm","version":1,"customers":[{"name":"秘密 Secret"}]}"#;

#[wasm_bindgen_test]
async fn an_encrypted_backup_opens_only_with_its_passphrase_and_unaltered() {
    const { assert!(ITERATIONS >= 310_000) };
    let sealed = backup::encrypt_with(PLAIN.as_bytes(), "correct horse 马", MIN_ITERATIONS)
        .await
        .unwrap();
    assert!(backup::is_encrypted(sealed.as_bytes()));
    assert!(!backup::is_encrypted(PLAIN.as_bytes()));
    assert!(!sealed.contains("Secret"));
    let envelope: serde_json::Value = serde_json::from_str(&sealed).unwrap();
    assert_eq!(envelope["format"], "kehu-crm-encrypted");
    assert_eq!(envelope["version"], 1);
    assert_eq!(envelope["kdf"], "PBKDF2-SHA-256");
    assert_eq!(envelope["cipher"], "AES-GCM-256");

    // Round trip.
    let plain = backup::decrypt(sealed.as_bytes(), "correct horse 马")
        .await
        .unwrap();
    assert_eq!(plain, PLAIN.as_bytes());

    // Two files of the same data differ (fresh salt and IV).
    let again = backup::encrypt_with(PLAIN.as_bytes(), "correct horse 马", MIN_ITERATIONS)
        .await
        .unwrap();
    let other: serde_json::Value = serde_json::from_str(&again).unwrap();
    assert_ne!(envelope["salt"], other["salt"]);
    assert_ne!(envelope["iv"], other["iv"]);
    assert_ne!(envelope["ciphertext"], other["ciphertext"]);

    // Wrong passphrase.
    assert_eq!(
        backup::decrypt(sealed.as_bytes(), "correct horse").await,
        Err(BackupError::WrongPassphrase)
    );
    assert_eq!(
        backup::decrypt(sealed.as_bytes(), "").await,
        Err(BackupError::EmptyPassphrase)
    );

    // Tampered ciphertext, IV or header field: refused.
    let flip = |field: &str| {
        let mut e = envelope.clone();
        let text = e[field].as_str().unwrap().to_string();
        let mut bytes = base64_decode(&text);
        bytes[0] ^= 1;
        e[field] = serde_json::Value::String(base64_encode(&bytes));
        serde_json::to_vec(&e).unwrap()
    };
    assert_eq!(
        backup::decrypt(&flip("ciphertext"), "correct horse 马").await,
        Err(BackupError::Tampered)
    );
    assert_eq!(
        backup::decrypt(&flip("iv"), "correct horse 马").await,
        Err(BackupError::Tampered)
    );
    let mut truncated = envelope.clone();
    let text = truncated["ciphertext"].as_str().unwrap();
    let bytes = base64_decode(text);
    truncated["ciphertext"] = serde_json::Value::String(base64_encode(&bytes[..bytes.len() - 1]));
    assert_eq!(
        backup::decrypt(&serde_json::to_vec(&truncated).unwrap(), "correct horse 马").await,
        Err(BackupError::Tampered)
    );

    // Not a backup, a newer one, a damaged one.
    assert_eq!(
        backup::decrypt(PLAIN.as_bytes(), "x").await,
        Err(BackupError::NotEncrypted)
    );
    let mut newer = envelope.clone();
    newer["version"] = 2.into();
    assert_eq!(
        backup::decrypt(&serde_json::to_vec(&newer).unwrap(), "x").await,
        Err(BackupError::UnsupportedVersion(2))
    );
    let mut damaged = envelope.clone();
    damaged["salt"] = "not base64!".into();
    assert_eq!(
        backup::decrypt(&serde_json::to_vec(&damaged).unwrap(), "x").await,
        Err(BackupError::Malformed("`salt` is not base64".into()))
    );
    let mut slow = envelope;
    slow["iterations"] = 1_000_000_000u32.into();
    assert!(matches!(
        backup::decrypt(&serde_json::to_vec(&slow).unwrap(), "x").await,
        Err(BackupError::Malformed(_))
    ));
}

fn base64_decode(text: &str) -> Vec<u8> {
    STANDARD.decode(text).unwrap()
}

fn base64_encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}
