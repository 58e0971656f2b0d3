//! Bulk segments and tombstones: how a large dataset is stored fast.
//!
//! IndexedDB costs roughly the same per record whatever its size, so a million small records take
//! minutes to write and tens of seconds to read (see `tests/storage_bench.rs`). [`Db::replace_all`]
//! therefore writes each entity store's records as *segments*: one IndexedDB record per
//! [`SEGMENT_LEN`] records holding their JSON text, in the `segments` store with keys
//! `"{store}:{seq:08}"`. Single changes from [`Db::apply`] go to the entity's own store, one
//! readable object per record, and win over a segment's copy of the same id; a delete also writes a
//! *tombstone* (`tombstones` store, key `"{store}:{id}"`) that hides the segment's copy. A later put of
//! the same id removes the tombstone. [`Db::load`] merges the three: segments in their order, each
//! record replaced by its individually stored version if there is one, tombstoned ones dropped, and
//! records that exist only individually appended in key order.
//!
//! [`Db::replace_all`]: super::Db::replace_all
//! [`Db::apply`]: super::Db::apply
//! [`Db::load`]: super::Db::load

use std::collections::{HashMap, HashSet};

use js_sys::{Array, Object, Reflect};
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{IdbKeyRange, IdbObjectStore, IdbRequest, IdbTransaction};

use kehu_core::datafile::runs::Run;

use super::codec::{self, Entity};
use super::{js, StorageError, StoreName};

/// The store of bulk segments.
pub(crate) const SEGMENTS: &str = "segments";
/// The store of tombstones (deletions of records that may sit in a segment).
pub(crate) const TOMBSTONES: &str = "tombstones";
/// Records per segment.
pub(crate) const SEGMENT_LEN: usize = 5_000;
/// Segments fetched per `getAll`.
const SEGMENTS_PER_READ: u32 = 8;
/// Segments written between waits for the browser to catch up.
const SEGMENTS_PER_WAIT: usize = 20;
/// Individually stored records fetched per `getAll`.
const RECORDS_PER_READ: u32 = 20_000;

/// The key range of everything in `segments` or `tombstones` that belongs to `store`.
fn prefix_range(store: StoreName) -> Result<IdbKeyRange, JsValue> {
    // ';' is the character after ':', so this covers exactly the keys "store:…".
    IdbKeyRange::bound(
        &JsValue::from_str(&format!("{store}:")),
        &JsValue::from_str(&format!("{store};")),
    )
}

/// The tombstone key of a record.
pub(crate) fn tombstone_key(store: StoreName, id: &Uuid) -> JsValue {
    JsValue::from_str(&format!("{store}:{id}"))
}

fn set(object: &Object, key: &str, value: &JsValue) -> Result<(), StorageError> {
    Reflect::set(object, &JsValue::from_str(key), value)
        .map(|_| ())
        .map_err(|e| js::write_error(&e))
}

/// A segment object: `count` records of `store` as the UTF-8 bytes of one JSON array.
///
/// Segments written before schema version 2 hold the array as text (`json`); [`read_entity`]
/// reads both. Bytes cross from Wasm to the browser as one copy, with no text decoding, and are
/// stored as they are (text that is not Latin-1 would be stored as UTF-16, twice the size).
pub(crate) fn segment(
    store: StoreName,
    seq: u64,
    count: usize,
    bytes: &js_sys::Uint8Array,
) -> Result<Object, StorageError> {
    let segment = Object::new();
    set(
        &segment,
        "id",
        &JsValue::from_str(&format!("{store}:{seq:08}")),
    )?;
    set(&segment, "store", &JsValue::from_str(store.as_str()))?;
    set(&segment, "count", &JsValue::from(count as u32))?;
    set(&segment, "bytes", bytes)?;
    Ok(segment)
}

/// Writes `items` as segments (after `segments` was cleared).
pub(crate) async fn put_segments<T: Entity>(
    tx: &IdbTransaction,
    items: &[T],
) -> Result<(), StorageError> {
    let store = tx.object_store(SEGMENTS).map_err(|e| js::write_error(&e))?;
    let refs: Vec<&T> = items.iter().collect();
    write_segments(&store, T::STORE, 0, encoded(&refs)).await
}

/// `records` as segment contents (count, JSON bytes), [`SEGMENT_LEN`] records each, each encoded
/// only when it is written.
pub(crate) fn encoded<'a, T: Entity>(
    records: &'a [&'a T],
) -> impl Iterator<Item = Result<(usize, js_sys::Uint8Array), StorageError>> + 'a {
    records.chunks(SEGMENT_LEN).map(|chunk| {
        let json = codec::encode_json(chunk)?;
        Ok((chunk.len(), js_sys::Uint8Array::from(json.as_bytes())))
    })
}

/// Puts the segments `first`, `first + 1`, … of `store`, one per item of `parts` (its record
/// count and bytes), waiting for every [`SEGMENTS_PER_WAIT`]-th request and for the last.
pub(crate) async fn write_segments(
    segments: &IdbObjectStore,
    store: StoreName,
    first: u64,
    parts: impl IntoIterator<Item = Result<(usize, js_sys::Uint8Array), StorageError>>,
) -> Result<(), StorageError> {
    let mut last: Option<IdbRequest> = None;
    for (i, part) in parts.into_iter().enumerate() {
        let (count, bytes) = part?;
        let segment = segment(store, first + i as u64, count, &bytes)?;
        let req = segments.put(&segment).map_err(|e| js::write_error(&e))?;
        if (i + 1) % SEGMENTS_PER_WAIT == 0 {
            last = None;
            js::request(&req).await.map_err(|e| js::write_error(&e))?;
        } else {
            last = Some(req);
        }
    }
    if let Some(req) = last {
        js::request(&req).await.map_err(|e| js::write_error(&e))?;
    }
    Ok(())
}

/// Writes a data file's own text of `runs` (records of `T`, at most [`SEGMENT_LEN`] each) as the
/// segments of `T`'s store (after `segments` was cleared): the records are stored as the file
/// spells them, not written again. The file was read as valid JSON (so UTF-8) before.
pub(crate) async fn put_text_segments<T: Entity>(
    tx: &IdbTransaction,
    bytes: &[u8],
    runs: &[Run],
) -> Result<(), StorageError> {
    let store = tx.object_store(SEGMENTS).map_err(|e| js::write_error(&e))?;
    let parts = runs.iter().map(|run| {
        let text = bytes.get(run.bytes.clone()).ok_or_else(|| {
            StorageError::Write(format!("the file's `{}` records are not in it", T::STORE))
        })?;
        // `[` + the records + `]`, made in the browser's memory (no copy in Wasm).
        let len = u32::try_from(text.len() + 2)
            .map_err(|_| StorageError::Write("a segment is too large".into()))?;
        let array = js_sys::Uint8Array::new_with_length(len);
        array.set_index(0, b'[');
        array.subarray(1, len - 1).copy_from(text);
        array.set_index(len - 1, b']');
        Ok((run.count, array))
    });
    write_segments(&store, T::STORE, 0, parts).await
}

/// Writes customers as the segments of their store (after `segments` was cleared) from a data
/// file's text of each (`places[i]` is where `customers[i]` is in `bytes`), with their lookup
/// keys added (see [`codec::customers_json_from_text`]); a segment whose text is not as expected
/// is encoded instead.
pub(crate) async fn put_customer_text_segments(
    tx: &IdbTransaction,
    bytes: &[u8],
    places: &[std::ops::Range<usize>],
    customers: &[kehu_core::model::Customer],
) -> Result<(), StorageError> {
    let store = tx.object_store(SEGMENTS).map_err(|e| js::write_error(&e))?;
    let parts = places
        .chunks(SEGMENT_LEN)
        .zip(customers.chunks(SEGMENT_LEN))
        .map(|(places, records)| {
            let json = match codec::customers_json_from_text(bytes, places, records)? {
                Some(json) => json,
                None => {
                    let refs: Vec<&kehu_core::model::Customer> = records.iter().collect();
                    codec::encode_json(&refs)?.into_bytes()
                }
            };
            Ok((records.len(), js_sys::Uint8Array::from(json.as_slice())))
        });
    write_segments(&store, StoreName::Customers, 0, parts).await
}

/// Calls `each` with successive `getAll` batches over `range` (in key order).
async fn batches(
    store: &IdbObjectStore,
    range: &IdbKeyRange,
    limit: u32,
    each: &mut dyn FnMut(&Array) -> Result<(), StorageError>,
) -> Result<(), StorageError> {
    let upper = range.upper().map_err(|e| js::read_error(&e))?;
    let mut query: JsValue = range.clone().into();
    loop {
        let req = store
            .get_all_with_key_and_limit(&query, limit)
            .map_err(|e| js::read_error(&e))?;
        let array: Array = js::request(&req)
            .await
            .map_err(|e| js::read_error(&e))?
            .dyn_into()
            .map_err(|_| StorageError::Read("getAll did not return an array".into()))?;
        let n = array.length();
        each(&array)?;
        if n < limit {
            return Ok(());
        }
        let last = Reflect::get(&array.get(n - 1), &JsValue::from_str("id"))
            .map_err(|e| js::read_error(&e))?;
        query = if upper.is_undefined() {
            IdbKeyRange::lower_bound_with_open(&last, true)
        } else {
            IdbKeyRange::bound_with_lower_open_and_upper_open(&last, &upper, true, false)
        }
        .map_err(|e| js::read_error(&e))?
        .into();
    }
}

/// Reads one entity store: segments, individually stored records and tombstones, merged.
pub(crate) async fn read_entity<T: Entity>(tx: &IdbTransaction) -> Result<Vec<T>, StorageError> {
    let range = prefix_range(T::STORE).map_err(|e| js::read_error(&e))?;

    let mut bulk: Vec<T> = Vec::new();
    let segments = tx.object_store(SEGMENTS).map_err(|e| js::read_error(&e))?;
    batches(&segments, &range, SEGMENTS_PER_READ, &mut |array| {
        for segment in array.iter() {
            let key = Reflect::get(&segment, &JsValue::from_str("id"))
                .ok()
                .and_then(|k| k.as_string())
                .unwrap_or_default();
            let bytes = Reflect::get(&segment, &JsValue::from_str("bytes"))
                .ok()
                .and_then(|b| b.dyn_into::<js_sys::Uint8Array>().ok());
            let mut records = match bytes {
                Some(bytes) => codec::decode_json_bytes::<T>(&bytes.to_vec(), &key)?,
                // Written before schema version 2: the array as text.
                None => {
                    let json = Reflect::get(&segment, &JsValue::from_str("json"))
                        .ok()
                        .and_then(|j| j.as_string())
                        .ok_or_else(|| StorageError::Corrupt {
                            store: SEGMENTS,
                            key: key.clone(),
                            detail: "no JSON bytes or text".into(),
                        })?;
                    codec::decode_json::<T>(&json, &key)?
                }
            };
            bulk.append(&mut records);
        }
        Ok(())
    })
    .await?;

    let mut single: Vec<T> = Vec::new();
    let store = tx
        .object_store(T::STORE.as_str())
        .map_err(|e| js::read_error(&e))?;
    let everything =
        IdbKeyRange::lower_bound(&JsValue::from_str("")).map_err(|e| js::read_error(&e))?;
    batches(&store, &everything, RECORDS_PER_READ, &mut |array| {
        codec::decode_batch(array, &mut single)
    })
    .await?;

    let deleted = read_tombstones(tx, T::STORE, &range).await?;
    Ok(merge(bulk, single, &deleted))
}

/// The ids tombstoned in `store` (not generic over the entity, so its code exists once).
async fn read_tombstones(
    tx: &IdbTransaction,
    store: StoreName,
    range: &IdbKeyRange,
) -> Result<HashSet<Uuid>, StorageError> {
    let mut deleted: HashSet<Uuid> = HashSet::new();
    let tombstones = tx
        .object_store(TOMBSTONES)
        .map_err(|e| js::read_error(&e))?;
    let prefix = format!("{store}:");
    batches(&tombstones, range, RECORDS_PER_READ, &mut |array| {
        for stone in array.iter() {
            let id = Reflect::get(&stone, &JsValue::from_str("id"))
                .ok()
                .and_then(|k| k.as_string())
                .and_then(|k| k.strip_prefix(&prefix).and_then(|s| s.parse().ok()));
            if let Some(id) = id {
                deleted.insert(id);
            }
        }
        Ok(())
    })
    .await?;
    Ok(deleted)
}

/// Segments in order, each record replaced by its individually stored version, tombstoned ones
/// dropped, then the records that exist only individually.
fn merge<T: Entity>(bulk: Vec<T>, single: Vec<T>, deleted: &HashSet<Uuid>) -> Vec<T> {
    if single.is_empty() && deleted.is_empty() {
        return bulk;
    }
    let position: HashMap<Uuid, usize> = single
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id(), i))
        .collect();
    let mut single: Vec<Option<T>> = single.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(bulk.len() + single.len());
    for record in bulk {
        let id = record.id();
        match position.get(&id) {
            Some(&i) => {
                if let Some(newer) = single.get_mut(i).and_then(Option::take) {
                    out.push(newer);
                }
            }
            None if deleted.contains(&id) => {}
            None => out.push(record),
        }
    }
    out.extend(single.into_iter().flatten());
    out
}

/// True when `store` has tombstones (so a put must remove a matching one).
pub(crate) async fn has_tombstones(
    tx: &IdbTransaction,
    store: StoreName,
) -> Result<bool, StorageError> {
    let range = prefix_range(store).map_err(|e| js::write_error(&e))?;
    let req = tx
        .object_store(TOMBSTONES)
        .and_then(|s| s.count_with_key(&range))
        .map_err(|e| js::write_error(&e))?;
    let count = js::request(&req).await.map_err(|e| js::write_error(&e))?;
    Ok(count.as_f64().unwrap_or(0.0) > 0.0)
}

/// A tombstone object for `id` in `store`.
pub(crate) fn tombstone(store: StoreName, id: &Uuid) -> Result<JsValue, StorageError> {
    let stone = Object::new();
    set(&stone, "id", &tombstone_key(store, id))?;
    set(&stone, "store", &JsValue::from_str(store.as_str()))?;
    Ok(stone.into())
}
