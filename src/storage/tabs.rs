//! Several tabs on one database: telling the others what changed, reading back what another tab
//! changed, and refusing a write that would overwrite another tab's newer change.
//!
//! * After each committed transaction the writer posts a [`Notice`] on a `BroadcastChannel` named
//!   after the database: the `(store, id)` of every record it put or deleted, whether it changed
//!   `meta`, or that it replaced everything. A receiving tab reads those records back with
//!   [`Db::read_changed`] (a record absent from its entity store was deleted: [`Db::apply`] keeps
//!   every put record there) or reloads everything.
//! * [`Db::apply_checked`] is [`Db::apply`] with checks made inside the same readwrite transaction,
//!   before anything is written: for every [`Base`] (the `updated_at` of the version an edit started
//!   from), the stored record must not be newer and must not have been deleted, else
//!   [`StorageError::Stale`]; and the database's *generation* (a random id written by each
//!   [`Db::replace_all`]) must be the one this connection last read or wrote, else
//!   [`StorageError::Replaced`]. IndexedDB runs overlapping readwrite transactions one after the
//!   other, so no other tab can write between the check and the write.

use js_sys::{Array, Reflect};
use kehu_core::model::{
    Customer, Deal, Interaction, LedgerEntry, LoyaltyProgramme, Order, Settings, SurveyResponse,
    Task,
};
use kehu_core::Timestamp;
use uuid::Uuid;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BroadcastChannel, IdbTransaction, IdbTransactionMode, MessageEvent};

use super::bulk::{self, TOMBSTONES};
use super::codec::{self, Entity};
use super::db::{fail, issue_changes, read_meta};
use super::js::{self, Watched};
use super::{Change, Db, Record, StorageError, StoreName, META_LOYALTY, META_SETTINGS};

/// The key in `meta` of the generation: a random id written by every [`Db::replace_all`].
pub const META_GENERATION: &str = "generation";

/// The version of a record an edit started from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Base {
    /// The record's store (an entity store, not `meta`).
    pub store: StoreName,
    /// The record's id.
    pub id: Uuid,
    /// Its `updated_at` when the edit started.
    pub updated_at: Timestamp,
}

/// What a failed write would have saved, for the message that tells the user.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Unsaved {
    /// Records put, per store (`meta` counts settings and the loyalty programme).
    pub puts: Vec<(StoreName, usize)>,
    /// Records deleted, per store.
    pub deletes: Vec<(StoreName, usize)>,
    /// The customer's name when the write was about one customer.
    pub customer: Option<String>,
    /// True when the write was to replace everything (an import or demo data).
    pub replace: bool,
}

fn bump(list: &mut Vec<(StoreName, usize)>, store: StoreName, n: usize) {
    match list.iter_mut().find(|(s, _)| *s == store) {
        Some((_, count)) => *count += n,
        None => list.push((store, n)),
    }
}

impl Unsaved {
    /// What a batch of changes holds.
    pub fn of_changes(changes: &[Change]) -> Unsaved {
        let mut out = Unsaved::default();
        let mut names = Vec::new();
        for change in changes {
            match change {
                Change::Put(record) => {
                    bump(&mut out.puts, record.store(), 1);
                    if let Record::Customer(c) = record {
                        names.push(c.name.clone());
                    }
                }
                Change::Delete(store, _) => bump(&mut out.deletes, *store, 1),
            }
        }
        if let [name] = &names[..] {
            out.customer = Some(name.clone());
        }
        out
    }

    /// What a replacement of everything holds.
    pub fn of_dataset(data: &kehu_core::Dataset) -> Unsaved {
        let mut out = Unsaved {
            replace: true,
            ..Unsaved::default()
        };
        for (store, n) in [
            (StoreName::Customers, data.customers.len()),
            (StoreName::Orders, data.orders.len()),
            (StoreName::Interactions, data.interactions.len()),
            (StoreName::Deals, data.deals.len()),
            (StoreName::Tasks, data.tasks.len()),
            (StoreName::Surveys, data.surveys.len()),
            (StoreName::Ledger, data.ledger.len()),
        ] {
            if n > 0 {
                out.puts.push((store, n));
            }
        }
        out
    }
}

impl std::fmt::Display for Unsaved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.replace {
            f.write_str("the replacement of all data")?;
        }
        let list = |l: &[(StoreName, usize)]| {
            l.iter()
                .map(|(s, n)| format!("{n} {s}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut parts = Vec::new();
        if let Some(name) = &self.customer {
            parts.push(format!("customer “{name}”"));
        }
        if !self.puts.is_empty() {
            parts.push(format!("saving {}", list(&self.puts)));
        }
        if !self.deletes.is_empty() {
            parts.push(format!("removing {}", list(&self.deletes)));
        }
        if self.replace && !parts.is_empty() {
            f.write_str(": ")?;
        }
        f.write_str(&parts.join("; "))
    }
}

impl StorageError {
    /// True when the write was refused because another tab changed the data first
    /// ([`StorageError::Stale`] or [`StorageError::Replaced`], also inside
    /// [`StorageError::NotSaved`]).
    pub fn is_stale(&self) -> bool {
        match self {
            StorageError::Stale { .. } | StorageError::Replaced => true,
            StorageError::NotSaved { cause, .. } => cause.is_stale(),
            _ => false,
        }
    }
}

/// What another tab changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// These records were put or deleted; `meta` when the settings or loyalty programme changed.
    Changed {
        /// `(store, id)` of every record put or deleted.
        records: Vec<(StoreName, Uuid)>,
        /// True when settings or the loyalty programme changed.
        meta: bool,
    },
    /// Everything was replaced.
    Replaced,
}

impl Notice {
    /// The notice for a committed batch.
    pub fn of_changes(changes: &[Change]) -> Notice {
        let mut records = Vec::new();
        let mut meta = false;
        for change in changes {
            match change {
                Change::Put(Record::Settings(_) | Record::Loyalty(_))
                | Change::Delete(StoreName::Meta, _) => meta = true,
                Change::Put(record) => {
                    if let Some(id) = record_id(record) {
                        records.push((record.store(), id));
                    }
                }
                Change::Delete(store, id) => records.push((*store, *id)),
            }
        }
        Notice::Changed { records, meta }
    }

    fn to_json(&self) -> String {
        match self {
            Notice::Replaced => r#"{"replaced":true}"#.into(),
            Notice::Changed { records, meta } => {
                let list: Vec<String> = records.iter().map(|(s, id)| format!("{s}:{id}")).collect();
                serde_json::json!({ "changed": list, "meta": meta }).to_string()
            }
        }
    }

    fn from_json(text: &str) -> Option<Notice> {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        if value.get("replaced").and_then(|v| v.as_bool()) == Some(true) {
            return Some(Notice::Replaced);
        }
        let records = value
            .get("changed")?
            .as_array()?
            .iter()
            .filter_map(|v| {
                let (store, id) = v.as_str()?.split_once(':')?;
                Some((store_named(store)?, id.parse().ok()?))
            })
            .collect();
        let meta = value.get("meta").and_then(|v| v.as_bool()) == Some(true);
        Some(Notice::Changed { records, meta })
    }
}

fn store_named(name: &str) -> Option<StoreName> {
    StoreName::ALL.into_iter().find(|s| s.as_str() == name)
}

fn record_id(record: &Record) -> Option<Uuid> {
    Some(match record {
        Record::Customer(r) => r.id,
        Record::Order(r) => r.id,
        Record::Interaction(r) => r.id,
        Record::Deal(r) => r.id,
        Record::Task(r) => r.id,
        Record::Survey(r) => r.id,
        Record::Ledger(r) => r.id,
        Record::Settings(_) | Record::Loyalty(_) => return None,
    })
}

/// The channel between the tabs of one database.
#[derive(Clone, Debug)]
pub struct Tabs {
    channel: BroadcastChannel,
}

impl Tabs {
    /// Joins the channel of database `db_name`; `None` where BroadcastChannel is missing.
    pub fn open(db_name: &str) -> Option<Tabs> {
        BroadcastChannel::new(&format!("kehu-db:{db_name}"))
            .ok()
            .map(|channel| Tabs { channel })
    }

    /// Tells the other tabs (not this one) what was committed.
    pub fn announce(&self, notice: &Notice) {
        let _ = self
            .channel
            .post_message(&JsValue::from_str(&notice.to_json()));
    }

    /// Calls `on_notice` for every notice from another tab, as long as the page lives.
    pub fn listen(&self, on_notice: impl Fn(Notice) + 'static) {
        let handler = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(notice) = event.data().as_string().and_then(|t| Notice::from_json(&t)) {
                on_notice(notice);
            }
        });
        self.channel
            .set_onmessage(Some(handler.as_ref().unchecked_ref()));
        // The handler serves the page until it closes.
        handler.forget();
    }

    /// Leaves the channel.
    pub fn close(&self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}

/// A fresh random generation id.
pub(crate) fn new_generation() -> String {
    let mut bytes = [0u8; 16];
    let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))
        .ok()
        .and_then(|c| c.dyn_into::<web_sys::Crypto>().ok());
    let filled = crypto.is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        for b in bytes.iter_mut() {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// The `updated_at` of a stored object, if it has a readable one.
fn stored_updated_at(value: &JsValue) -> Option<Timestamp> {
    Reflect::get(value, &JsValue::from_str("updated_at"))
        .ok()?
        .as_string()?
        .parse()
        .ok()
}

/// Checks every base against what is stored, inside `tx`.
async fn check_bases(tx: &IdbTransaction, bases: &[Base]) -> Result<(), StorageError> {
    // Issue every read first, then collect the answers: one round trip for the lot.
    let mut pending = Vec::with_capacity(bases.len());
    for base in bases {
        let key = JsValue::from_str(&base.id.to_string());
        let req = tx
            .object_store(base.store.as_str())
            .and_then(|s| s.get(&key))
            .map_err(|e| js::read_error(&e))?;
        pending.push(req);
    }
    let mut missing = Vec::new();
    for (base, req) in bases.iter().zip(&pending) {
        let value = js::request(req).await.map_err(|e| js::read_error(&e))?;
        if value.is_undefined() {
            missing.push(base);
            continue;
        }
        if let Some(stored) = stored_updated_at(&value) {
            if stored > base.updated_at {
                return Err(StorageError::Stale {
                    store: base.store,
                    id: base.id,
                    stored_at: Some(stored),
                });
            }
        }
    }
    // Not stored on its own: either still in a bulk segment (unchanged since the last replace, which
    // the generation covers) or deleted (a tombstone).
    let tombstones = tx
        .object_store(TOMBSTONES)
        .map_err(|e| js::read_error(&e))?;
    for base in missing {
        let req = tombstones
            .get(&bulk::tombstone_key(base.store, &base.id))
            .map_err(|e| js::read_error(&e))?;
        if !js::request(&req)
            .await
            .map_err(|e| js::read_error(&e))?
            .is_undefined()
        {
            return Err(StorageError::Stale {
                store: base.store,
                id: base.id,
                stored_at: None,
            });
        }
    }
    Ok(())
}

/// Decodes stored objects of one entity type into records.
fn decode<T: Entity>(
    found: &Array,
    wrap: fn(T) -> Record,
    out: &mut Vec<Change>,
) -> Result<(), StorageError> {
    let mut records: Vec<T> = Vec::new();
    codec::decode_batch(found, &mut records)?;
    out.extend(records.into_iter().map(|r| Change::Put(wrap(r))));
    Ok(())
}

impl Db {
    /// The generation this connection last read or wrote.
    pub fn generation(&self) -> Option<String> {
        self.generation.borrow().clone()
    }

    /// [`StorageError::NewerVersion`] once another tab has upgraded the database and this connection
    /// closed itself (nothing can be written through it any more).
    pub fn check_current(&self) -> Result<(), StorageError> {
        match self.outdated.get() {
            Some(found) => Err(StorageError::NewerVersion {
                found,
                supported: self.version(),
            }),
            None => Ok(()),
        }
    }

    /// [`Db::apply`] after checking, in the same transaction, that no record in `bases` was changed
    /// or deleted since the edit started from it and that nothing was replaced since this
    /// connection read the data. All or nothing.
    ///
    /// # Errors
    /// [`StorageError::Stale`] or [`StorageError::Replaced`] (nothing written), or the errors of
    /// [`Db::apply`].
    pub async fn apply_checked(
        &self,
        changes: &[Change],
        bases: &[Base],
    ) -> Result<(), StorageError> {
        if changes.is_empty() {
            return Ok(());
        }
        self.check_current()?;
        let mut stores: Vec<StoreName> = vec![StoreName::Meta];
        for store in changes
            .iter()
            .map(Change::store)
            .chain(bases.iter().map(|b| b.store))
        {
            if !stores.contains(&store) {
                stores.push(store);
            }
        }
        let tx = self
            .transaction(&stores, &[TOMBSTONES], IdbTransactionMode::Readwrite)
            .map_err(|e| js::write_error(&e))?;
        let watched = Watched::new(tx);
        let known = self.generation();
        let work = async {
            let stored: Option<String> = read_meta(&watched.tx, META_GENERATION).await?;
            if stored != known {
                return Err(StorageError::Replaced);
            }
            check_bases(&watched.tx, bases).await?;
            issue_changes(&watched.tx, changes).await
        };
        match work.await {
            Ok(()) => watched.finish().await.map_err(|e| js::write_error(&e)),
            // Our own refusal: nothing was written yet; abort and report it as it is.
            Err(e @ (StorageError::Stale { .. } | StorageError::Replaced)) => {
                watched.abort().await;
                Err(e)
            }
            Err(own) => Err(fail(watched, own).await),
        }
    }

    /// Reads back records another tab changed: a `Put` of the stored version of each, or a
    /// `Delete` when it is no longer stored; with `meta`, the settings and loyalty programme too.
    /// One readonly transaction.
    ///
    /// # Errors
    /// A read error, or a damaged record.
    pub async fn read_changed(
        &self,
        records: &[(StoreName, Uuid)],
        meta: bool,
    ) -> Result<Vec<Change>, StorageError> {
        let mut stores: Vec<StoreName> = Vec::new();
        for (store, _) in records {
            if *store != StoreName::Meta && !stores.contains(store) {
                stores.push(*store);
            }
        }
        if meta {
            stores.push(StoreName::Meta);
        }
        if stores.is_empty() {
            return Ok(Vec::new());
        }
        let tx = self
            .transaction(&stores, &[], IdbTransactionMode::Readonly)
            .map_err(|e| js::read_error(&e))?;
        let watched = Watched::new(tx);
        let tx = watched.tx.clone();
        let read = async {
            let mut out = Vec::new();
            for store in stores.iter().copied().filter(|s| *s != StoreName::Meta) {
                let object_store = tx
                    .object_store(store.as_str())
                    .map_err(|e| js::read_error(&e))?;
                let ids: Vec<Uuid> = records
                    .iter()
                    .filter(|(s, _)| *s == store)
                    .map(|(_, id)| *id)
                    .collect();
                let mut pending = Vec::with_capacity(ids.len());
                for id in &ids {
                    pending.push(
                        object_store
                            .get(&JsValue::from_str(&id.to_string()))
                            .map_err(|e| js::read_error(&e))?,
                    );
                }
                let found = Array::new();
                for (id, req) in ids.iter().zip(&pending) {
                    let value = js::request(req).await.map_err(|e| js::read_error(&e))?;
                    if value.is_undefined() {
                        out.push(Change::Delete(store, *id));
                    } else {
                        found.push(&value);
                    }
                }
                match store {
                    StoreName::Customers => decode::<Customer>(&found, Record::Customer, &mut out),
                    StoreName::Orders => decode::<Order>(&found, Record::Order, &mut out),
                    StoreName::Interactions => {
                        decode::<Interaction>(&found, Record::Interaction, &mut out)
                    }
                    StoreName::Deals => decode::<Deal>(&found, Record::Deal, &mut out),
                    StoreName::Tasks => decode::<Task>(&found, Record::Task, &mut out),
                    StoreName::Surveys => {
                        decode::<SurveyResponse>(&found, Record::Survey, &mut out)
                    }
                    StoreName::Ledger => decode::<LedgerEntry>(&found, Record::Ledger, &mut out),
                    StoreName::Meta => Ok(()),
                }?;
            }
            if meta {
                out.push(Change::Put(Record::Settings(
                    read_meta::<Settings>(&tx, META_SETTINGS)
                        .await?
                        .unwrap_or_default(),
                )));
                out.push(Change::Put(Record::Loyalty(
                    read_meta::<LoyaltyProgramme>(&tx, META_LOYALTY)
                        .await?
                        .unwrap_or_default(),
                )));
            }
            Ok::<_, StorageError>(out)
        };
        match read.await {
            Ok(out) => {
                watched.finish().await.map_err(|e| js::read_error(&e))?;
                Ok(out)
            }
            Err(e) => {
                watched.abort().await;
                Err(e)
            }
        }
    }
}
