//! Bulk imports: records that are new everywhere written as bulk segments.
//!
//! [`Db::apply`] stores each record as one IndexedDB object, which costs about 0.1–0.3 ms per record
//! (with the entity store's indexes): an import of 10,000 CSV rows spent seconds there. Records whose
//! ids are stored nowhere yet need none of what individual objects give (replacing an older copy,
//! winning over a segment's copy), so [`Db::apply_appending`] writes them as *new* segments after
//! the store's last one — the layout [`Db::replace_all`] uses, read back by the same merge in
//! `bulk.rs` — in the same transaction as the remaining changes, which go through `apply`'s path.

use std::collections::HashSet;

use js_sys::Array;
use kehu_core::model::Dataset;
use wasm_bindgen::JsValue;
use web_sys::{IdbKeyRange, IdbObjectStore, IdbTransaction, IdbTransactionMode};

use super::super::bulk::{encoded, tombstone_key, write_segments, SEGMENTS, TOMBSTONES};
use super::super::codec::{self, Entity};
use super::super::js::{self, Watched};
use super::super::{Change, StorageError, StoreName};
use super::{fail, issue_changes, Db};

/// Keys `"{store}:…"` of `segments` or `tombstones`.
fn prefix(store: StoreName) -> Result<IdbKeyRange, StorageError> {
    // ';' is the character after ':'.
    IdbKeyRange::bound(
        &JsValue::from_str(&format!("{store}:")),
        &JsValue::from_str(&format!("{store};")),
    )
    .map_err(|e| js::write_error(&e))
}

/// Every key of `store` in `range`, as text.
async fn keys(store: &IdbObjectStore, range: &IdbKeyRange) -> Result<Vec<String>, StorageError> {
    let req = store
        .get_all_keys_with_key(range)
        .map_err(|e| js::write_error(&e))?;
    let all = js::request(&req).await.map_err(|e| js::write_error(&e))?;
    Ok(Array::from(&all)
        .iter()
        .filter_map(|k| k.as_string())
        .collect())
}

/// Writes `items` (ids stored nowhere yet) as segments after the store's last segment. An id that
/// was deleted once (its tombstone still hides a segment's old copy) is put individually instead and
/// its tombstone removed, as [`Db::apply`] does: the individual copy then wins over the old one.
async fn append_segments<T: Entity>(tx: &IdbTransaction, items: &[T]) -> Result<(), StorageError> {
    if items.is_empty() {
        return Ok(());
    }
    let range = prefix(T::STORE)?;
    let stones_store = tx
        .object_store(TOMBSTONES)
        .map_err(|e| js::write_error(&e))?;
    let stones = keys(&stones_store, &range).await?;
    let stones: HashSet<&str> = stones.iter().map(String::as_str).collect();
    let mut bulk: Vec<&T> = Vec::with_capacity(items.len());
    let mut single: Vec<&T> = Vec::new();
    for item in items {
        let key = tombstone_key(T::STORE, &item.id());
        if !stones.is_empty() && key.as_string().is_some_and(|k| stones.contains(k.as_str())) {
            stones_store.delete(&key).map_err(|e| js::write_error(&e))?;
            single.push(item);
        } else {
            bulk.push(item);
        }
    }
    if !single.is_empty() {
        let store = tx
            .object_store(T::STORE.as_str())
            .map_err(|e| js::write_error(&e))?;
        for value in codec::encode_batch(&single)?.iter() {
            store.put(&value).map_err(|e| js::write_error(&e))?;
        }
    }
    if bulk.is_empty() {
        return Ok(());
    }
    let segments = tx.object_store(SEGMENTS).map_err(|e| js::write_error(&e))?;
    let next = keys(&segments, &range)
        .await?
        .last()
        .and_then(|k| k.rsplit(':').next().and_then(|s| s.parse::<u64>().ok()))
        .map_or(0, |last| last + 1);
    write_segments(&segments, T::STORE, next, encoded(&bulk)).await
}

/// The entity stores `new` has records for.
fn stores_of(new: &Dataset) -> Vec<StoreName> {
    [
        (StoreName::Customers, new.customers.is_empty()),
        (StoreName::Orders, new.orders.is_empty()),
        (StoreName::Interactions, new.interactions.is_empty()),
        (StoreName::Deals, new.deals.is_empty()),
        (StoreName::Tasks, new.tasks.is_empty()),
        (StoreName::Surveys, new.surveys.is_empty()),
        (StoreName::Ledger, new.ledger.is_empty()),
    ]
    .into_iter()
    .filter_map(|(s, empty)| (!empty).then_some(s))
    .collect()
}

/// The number of records `new` holds (settings and programme are not part of it).
fn record_count(new: &Dataset) -> usize {
    new.customers.len()
        + new.orders.len()
        + new.interactions.len()
        + new.deals.len()
        + new.tasks.len()
        + new.surveys.len()
        + new.ledger.len()
}

impl Db {
    /// Applies `changes` as [`Db::apply`] does and stores the records of `new` — whose ids must
    /// not be stored now (a deleted one may come back) — as bulk segments after each store's last
    /// one: all in one readwrite transaction, all or nothing. `new`'s settings and loyalty
    /// programme are ignored.
    ///
    /// A record of `new` whose id *is* stored already would be read back twice by [`Db::load`];
    /// the caller (which holds every record in memory) sorts changes into the two arguments.
    pub async fn apply_appending(
        &self,
        changes: &[Change],
        new: &Dataset,
    ) -> Result<(), StorageError> {
        if record_count(new) == 0 {
            return self.apply(changes).await;
        }
        let mut stores: Vec<StoreName> = stores_of(new);
        for change in changes {
            if !stores.contains(&change.store()) {
                stores.push(change.store());
            }
        }
        let tx = self
            .transaction(
                &stores,
                &[SEGMENTS, TOMBSTONES],
                IdbTransactionMode::Readwrite,
            )
            .map_err(|e| js::write_error(&e))?;
        let watched = Watched::new(tx);
        let tx = watched.tx.clone();
        let write = async {
            issue_changes(&tx, changes).await?;
            append_segments(&tx, &new.customers).await?;
            append_segments(&tx, &new.orders).await?;
            append_segments(&tx, &new.interactions).await?;
            append_segments(&tx, &new.deals).await?;
            append_segments(&tx, &new.tasks).await?;
            append_segments(&tx, &new.surveys).await?;
            append_segments(&tx, &new.ledger).await?;
            Ok::<_, StorageError>(())
        };
        match write.await {
            Ok(()) => watched.finish().await.map_err(|e| js::write_error(&e)),
            Err(own) => Err(fail(watched, own).await),
        }
    }
}
