//! The database connection: open (with migrations), load, apply, replace, delete.

mod append;

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use js_sys::{Array, Function, Promise};
use kehu_core::datafile::runs::{self, RecordRuns, Run};
use kehu_core::model::{
    Customer, Dataset, Deal, Interaction, LedgerEntry, LoyaltyProgramme, Order, Settings,
    SurveyResponse, Task,
};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Event, IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransaction, IdbTransactionMode,
    IdbVersionChangeEvent,
};

use super::bulk::{self, SEGMENTS, TOMBSTONES};
use super::codec::{self, Entity};
use super::js::{self, Watched};
use super::schema::{self, MigrationStep, Upgrade};
use super::tabs::{new_generation, META_GENERATION};
use super::{
    Change, Record, StorageError, StoreName, DB_NAME, META_LOYALTY, META_SCHEMA_VERSION,
    META_SETTINGS,
};

/// Records encoded (and `put`) per step of [`Db::apply`]; after each step the write waits for the
/// browser to catch up, so memory stays bounded however large the batch.
const WRITE_BATCH: usize = 10_000;

/// An open connection to the app's IndexedDB database. Cheap to clone (a JS handle).
///
/// The connection closes itself when another tab asks to upgrade the database (`versionchange`), so
/// a newer Kehu is never blocked by an old tab; after that every operation returns an error and the
/// UI should ask the user to reload.
#[derive(Clone, Debug)]
pub struct Db {
    db: IdbDatabase,
    /// The generation (see `tabs.rs`) this connection last read or wrote.
    pub(super) generation: Rc<RefCell<Option<String>>>,
    /// Set when another tab upgraded (or deleted) the database and this connection let go: the
    /// version it asked for (0 for a deletion).
    pub(super) outdated: Rc<std::cell::Cell<Option<u32>>>,
}

fn as_u32(value: f64) -> u32 {
    if (0.0..=f64::from(u32::MAX)).contains(&value) {
        value as u32
    } else {
        u32::MAX
    }
}

/// How long an open or delete waits after `blocked` for the other connections to close before it
/// reports [`StorageError::Blocked`]. A connection closed by `close()` stays open until its last
/// transaction ends, so a short `blocked` is common and harmless.
const BLOCKED_GRACE_MS: i32 = 2_000;

/// How an open or delete request ended.
enum Settled {
    Success,
    /// The `error` event (or the value the promise was rejected with).
    Failed(JsValue),
    /// Still blocked after the grace period; the request stays queued.
    Blocked,
}

/// A promise resolved with `undefined` after `ms` milliseconds (window or worker).
fn sleep(ms: i32) -> Promise {
    Promise::new(&mut |resolve: Function, _reject: Function| {
        let global = js_sys::global();
        let set_timeout = js_sys::Reflect::get(&global, &JsValue::from_str("setTimeout"))
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok());
        match set_timeout {
            Some(set_timeout) => {
                let _ = set_timeout.call2(&global, &resolve, &JsValue::from(ms));
            }
            None => {
                let _ = resolve.call0(&JsValue::NULL);
            }
        }
    })
}

/// Waits for an open or delete request to succeed or fail, giving a `blocked` one a grace period.
async fn settle(req: &IdbOpenDbRequest) -> Settled {
    let first = Promise::new(&mut |resolve: Function, reject: Function| {
        req.set_onsuccess(Some(&resolve));
        req.set_onerror(Some(&reject));
        req.set_onblocked(Some(&reject));
    });
    match JsFuture::from(first).await {
        Ok(_) => Settled::Success,
        Err(event) if is_blocked(&event) => {
            req.set_onblocked(None);
            let second = Promise::new(&mut |resolve: Function, reject: Function| {
                req.set_onsuccess(Some(&resolve));
                req.set_onerror(Some(&reject));
            });
            let race = Promise::race(&Array::of2(&second, &sleep(BLOCKED_GRACE_MS)));
            match JsFuture::from(race).await {
                // The timer resolves with `undefined`, the request with its event.
                Ok(value) if value.is_undefined() => Settled::Blocked,
                Ok(_) => Settled::Success,
                Err(event) => Settled::Failed(event),
            }
        }
        Err(event) => Settled::Failed(event),
    }
}

fn is_blocked(event: &JsValue) -> bool {
    event
        .dyn_ref::<Event>()
        .is_some_and(|e| e.type_() == "blocked")
}

/// An `onsuccess` handler that closes the connection it receives (for opens nobody waits for any more).
fn closer() -> JsValue {
    Closure::once_into_js(|event: Event| {
        let db = event
            .target()
            .and_then(|t| t.dyn_into::<IdbOpenDbRequest>().ok())
            .and_then(|r| r.result().ok())
            .and_then(|r| r.dyn_into::<IdbDatabase>().ok());
        if let Some(db) = db {
            db.close();
        }
    })
}

/// Reads the version of an existing database without changing it.
async fn probe_version(name: &str) -> Result<u32, StorageError> {
    let factory = js::factory()?;
    let req = factory
        .open(name)
        .map_err(|e| StorageError::Unavailable(js::describe(&e)))?;
    // The database exists (we only get here after a VersionError); should it vanish meanwhile, do not
    // create it.
    let guard = req.clone();
    let on_upgrade = Closure::once_into_js(move |_: IdbVersionChangeEvent| {
        if let Some(tx) = guard.transaction() {
            let _ = tx.abort();
        }
    });
    req.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
    let outcome = settle(&req).await;
    req.set_onupgradeneeded(None);
    if !matches!(outcome, Settled::Success) {
        return Err(StorageError::Read(req.error().ok().flatten().map_or_else(
            || "cannot read the database version".into(),
            |e| js::describe(&e),
        )));
    }
    let db: IdbDatabase = req
        .result()
        .and_then(|r| r.dyn_into())
        .map_err(|e| StorageError::Read(js::describe(&e)))?;
    let version = as_u32(db.version());
    db.close();
    Ok(version)
}

/// Deletes a database (all its data). Open connections are asked to close first; if one refuses,
/// returns [`StorageError::Blocked`] (the deletion then happens once it closes).
pub async fn delete_database(name: &str) -> Result<(), StorageError> {
    let factory = js::factory()?;
    let req = factory
        .delete_database(name)
        .map_err(|e| StorageError::Unavailable(js::describe(&e)))?;
    match settle(&req).await {
        Settled::Success => Ok(()),
        Settled::Blocked => {
            req.set_onsuccess(None);
            req.set_onerror(None);
            Err(StorageError::Blocked)
        }
        Settled::Failed(event) => Err(StorageError::Write(
            req.error()
                .ok()
                .flatten()
                .map_or_else(|| js::describe(&event), |e| js::describe(&e)),
        )),
    }
}

/// Aborts a failed write and returns the error to report: the browser's (e.g. a constraint or quota
/// error, which explains a later request's `AbortError`) if it has one, else our own.
pub(super) async fn fail(watched: Watched, own: StorageError) -> StorageError {
    let _ = watched.tx.abort();
    match watched.finish().await {
        Err(e) if js::dom_name(&e).is_some() => js::write_error(&e),
        _ => own,
    }
}

fn store_of(tx: &IdbTransaction, store: StoreName) -> Result<web_sys::IdbObjectStore, JsValue> {
    tx.object_store(store.as_str())
}

/// Puts a batch of records (encoded together); returns the last request.
fn put_batch<T: Entity>(
    store: &web_sys::IdbObjectStore,
    items: &[&T],
) -> Result<Option<IdbRequest>, StorageError> {
    let array = codec::encode_batch(items)?;
    let mut last = None;
    for value in array.iter() {
        last = Some(store.put(&value).map_err(|e| js::write_error(&e))?);
    }
    Ok(last)
}

/// Puts the run of consecutive `Put`s of one record type at the start of `changes` (at most
/// [`WRITE_BATCH`]); returns the last request and how many changes it covered.
fn put_run<'a, T: Entity>(
    tx: &IdbTransaction,
    changes: &'a [Change],
    pick: fn(&'a Change) -> Option<&'a T>,
    stones: &HashSet<StoreName>,
) -> Result<(Option<IdbRequest>, usize), StorageError> {
    let items: Vec<&T> = changes.iter().take(WRITE_BATCH).map_while(pick).collect();
    let store = store_of(tx, T::STORE).map_err(|e| js::write_error(&e))?;
    let last = put_batch(&store, &items)?;
    if stones.contains(&T::STORE) {
        // A record put back after a delete: its tombstone must not hide it.
        let tombstones = tx
            .object_store(TOMBSTONES)
            .map_err(|e| js::write_error(&e))?;
        for item in &items {
            tombstones
                .delete(&bulk::tombstone_key(T::STORE, &item.id()))
                .map_err(|e| js::write_error(&e))?;
        }
    }
    Ok((last, items.len().max(1)))
}

/// Puts a value under a fixed key in `meta`.
fn put_meta<T: codec::MetaValue>(
    tx: &IdbTransaction,
    key: &str,
    value: &T,
) -> Result<IdbRequest, StorageError> {
    let value = codec::encode_value(value)?;
    store_of(tx, StoreName::Meta)
        .and_then(|s| s.put_with_key(&value, &JsValue::from_str(key)))
        .map_err(|e| js::write_error(&e))
}

/// Reads one value from `meta`.
pub(super) async fn read_meta<T: serde::de::DeserializeOwned>(
    tx: &IdbTransaction,
    key: &str,
) -> Result<Option<T>, StorageError> {
    let req = store_of(tx, StoreName::Meta)
        .and_then(|s| s.get(&JsValue::from_str(key)))
        .map_err(|e| js::read_error(&e))?;
    let value = js::request(&req).await.map_err(|e| js::read_error(&e))?;
    codec::decode_value(&value, key)
}

/// Issues the requests of `changes`, in order. Consecutive puts of one record type are encoded as
/// one batch.
pub(super) async fn issue_changes(
    tx: &IdbTransaction,
    changes: &[Change],
) -> Result<(), StorageError> {
    // Entity stores with tombstones: a put there must also remove the record's tombstone.
    let mut stones: HashSet<StoreName> = HashSet::new();
    for change in changes {
        if let Change::Put(record) = change {
            let store = record.store();
            if store != StoreName::Meta
                && !stones.contains(&store)
                && bulk::has_tombstones(tx, store).await?
            {
                stones.insert(store);
            }
        }
    }
    let mut i = 0;
    let mut since_wait = 0;
    while i < changes.len() {
        let rest = &changes[i..];
        let (req, n) = match &rest[0] {
            Change::Put(Record::Customer(_)) => put_run(
                tx,
                rest,
                |c| match c {
                    Change::Put(Record::Customer(r)) => Some(r),
                    _ => None,
                },
                &stones,
            )?,
            Change::Put(Record::Order(_)) => put_run(
                tx,
                rest,
                |c| match c {
                    Change::Put(Record::Order(r)) => Some(r),
                    _ => None,
                },
                &stones,
            )?,
            Change::Put(Record::Interaction(_)) => put_run(
                tx,
                rest,
                |c| match c {
                    Change::Put(Record::Interaction(r)) => Some(r),
                    _ => None,
                },
                &stones,
            )?,
            Change::Put(Record::Deal(_)) => put_run(
                tx,
                rest,
                |c| match c {
                    Change::Put(Record::Deal(r)) => Some(r),
                    _ => None,
                },
                &stones,
            )?,
            Change::Put(Record::Task(_)) => put_run(
                tx,
                rest,
                |c| match c {
                    Change::Put(Record::Task(r)) => Some(r),
                    _ => None,
                },
                &stones,
            )?,
            Change::Put(Record::Survey(_)) => put_run(
                tx,
                rest,
                |c| match c {
                    Change::Put(Record::Survey(r)) => Some(r),
                    _ => None,
                },
                &stones,
            )?,
            Change::Put(Record::Ledger(_)) => put_run(
                tx,
                rest,
                |c| match c {
                    Change::Put(Record::Ledger(r)) => Some(r),
                    _ => None,
                },
                &stones,
            )?,
            Change::Put(Record::Settings(r)) => (Some(put_meta(tx, META_SETTINGS, r)?), 1),
            Change::Put(Record::Loyalty(r)) => (Some(put_meta(tx, META_LOYALTY, r)?), 1),
            Change::Delete(store, id) => {
                let req = store_of(tx, *store)
                    .and_then(|s| s.delete(&JsValue::from_str(&id.to_string())))
                    .map_err(|e| js::write_error(&e))?;
                if *store != StoreName::Meta {
                    // The record may also sit in a bulk segment: hide that copy.
                    let stone = bulk::tombstone(*store, id)?;
                    tx.object_store(TOMBSTONES)
                        .and_then(|s| s.put(&stone))
                        .map_err(|e| js::write_error(&e))?;
                    stones.insert(*store);
                }
                (Some(req), 1)
            }
        };
        i += n;
        since_wait += n;
        // Let the browser catch up now and then on very large batches (imports).
        if since_wait >= WRITE_BATCH {
            since_wait = 0;
            if let Some(req) = req {
                js::request(&req).await.map_err(|e| js::write_error(&e))?;
            }
        }
    }
    Ok(())
}

/// A data file's text and where its records are in it (see [`Db::replace_all_from`]).
#[derive(Clone, Copy, Debug)]
pub struct FileText<'a> {
    pub bytes: &'a [u8],
    pub runs: &'a RecordRuns,
}

/// Writes one list as segments: from the file's text when its runs hold exactly the list's
/// records, else encoded.
async fn put_list<T: Entity>(
    tx: &IdbTransaction,
    list: &[T],
    file: Option<FileText<'_>>,
    runs: Option<&[Run]>,
) -> Result<(), StorageError> {
    match (file, runs) {
        (Some(file), Some(runs))
            if runs::count(runs) == list.len()
                && runs.iter().all(|r| r.count <= bulk::SEGMENT_LEN) =>
        {
            bulk::put_text_segments::<T>(tx, file.bytes, runs).await
        }
        _ => bulk::put_segments(tx, list).await,
    }
}

impl Db {
    /// Opens (creating or upgrading as needed) the app's database, [`DB_NAME`].
    pub async fn open() -> Result<Db, StorageError> {
        Db::open_named(DB_NAME).await
    }

    /// Opens (creating or upgrading as needed) the database `name` at [`SCHEMA_VERSION`].
    pub async fn open_named(name: &str) -> Result<Db, StorageError> {
        Db::open_with_migrations(name, schema::MIGRATIONS).await
    }

    /// Opens `name` at version `steps.len()`, running the steps the database has not run yet.
    /// The app uses [`schema::MIGRATIONS`]; tests use it to check the migration machinery.
    pub async fn open_with_migrations(
        name: &str,
        steps: &[MigrationStep],
    ) -> Result<Db, StorageError> {
        let target = u32::try_from(steps.len())
            .ok()
            .filter(|v| *v > 0)
            .ok_or_else(|| StorageError::Write("no schema version to open".into()))?;
        let factory = js::factory()?;
        let req = factory
            .open_with_u32(name, target)
            .map_err(|e| StorageError::Unavailable(js::describe(&e)))?;

        let failure: Rc<RefCell<Option<StorageError>>> = Rc::default();
        let on_upgrade = {
            let req = req.clone();
            let failure = Rc::clone(&failure);
            let steps = steps.to_vec();
            Closure::once_into_js(move |event: IdbVersionChangeEvent| {
                let tx = req.transaction();
                let result = match (req.result(), &tx) {
                    (Ok(db), Some(tx)) => match db.dyn_into::<IdbDatabase>() {
                        Ok(db) => schema::run(
                            &Upgrade::new(db, tx.clone()),
                            &steps,
                            as_u32(event.old_version()),
                            target,
                        ),
                        Err(_) => Err(StorageError::Write("upgrade without a database".into())),
                    },
                    _ => Err(StorageError::Write("upgrade without a transaction".into())),
                };
                if let Err(e) = result {
                    if let Some(tx) = tx {
                        let _ = tx.abort();
                    }
                    *failure.borrow_mut() = Some(e);
                }
            })
        };
        req.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));

        match settle(&req).await {
            Settled::Success => {
                req.set_onupgradeneeded(None);
                let db: IdbDatabase = req
                    .result()
                    .and_then(|r| r.dyn_into())
                    .map_err(|e| StorageError::Unavailable(js::describe(&e)))?;
                let outdated: Rc<std::cell::Cell<Option<u32>>> = Rc::default();
                let mark = Rc::clone(&outdated);
                let on_version_change =
                    Closure::once_into_js(move |event: IdbVersionChangeEvent| {
                        // Another tab opens a newer version (or deletes the database): let go.
                        mark.set(Some(event.new_version().map_or(0, as_u32)));
                        if let Some(db) = event
                            .target()
                            .and_then(|t| t.dyn_into::<IdbDatabase>().ok())
                        {
                            db.close();
                        }
                    });
                db.set_onversionchange(Some(on_version_change.unchecked_ref()));
                let db = Db {
                    db,
                    generation: Rc::default(),
                    outdated,
                };
                db.refuse_newer_marker(target).await?;
                Ok(db)
            }
            Settled::Blocked => {
                // Nobody waits for this open any more: if it goes through later, let go at once.
                req.set_onsuccess(Some(closer().unchecked_ref()));
                req.set_onerror(None);
                Err(StorageError::Blocked)
            }
            Settled::Failed(event) => {
                if let Some(e) = failure.borrow_mut().take() {
                    return Err(e);
                }
                let error = req.error().ok().flatten().map_or(event, JsValue::from);
                match js::dom_name(&error).as_deref() {
                    Some("VersionError") => Err(StorageError::NewerVersion {
                        found: probe_version(name).await?,
                        supported: target,
                    }),
                    Some("QuotaExceededError") => Err(StorageError::QuotaExceeded),
                    Some("AbortError") => Err(StorageError::Write(format!(
                        "the schema upgrade was aborted: {}",
                        js::describe(&error)
                    ))),
                    _ => Err(StorageError::Unavailable(js::describe(&error))),
                }
            }
        }
    }

    /// The database's name.
    pub fn name(&self) -> String {
        self.db.name()
    }

    /// The database's schema version.
    pub fn version(&self) -> u32 {
        as_u32(self.db.version())
    }

    /// The names of the object stores.
    pub fn store_names(&self) -> Vec<String> {
        let list = self.db.object_store_names();
        (0..list.length()).filter_map(|i| list.get(i)).collect()
    }

    /// The names of the indexes of one store.
    pub fn index_names(&self, store: StoreName) -> Result<Vec<String>, StorageError> {
        let list = self
            .db
            .transaction_with_str(store.as_str())
            .and_then(|tx| tx.object_store(store.as_str()))
            .map_err(|e| js::read_error(&e))?
            .index_names();
        Ok((0..list.length()).filter_map(|i| list.get(i)).collect())
    }

    /// A transaction over `stores` plus the internal `extra` stores.
    pub(super) fn transaction(
        &self,
        stores: &[StoreName],
        extra: &[&str],
        mode: IdbTransactionMode,
    ) -> Result<IdbTransaction, JsValue> {
        let names: Array = stores
            .iter()
            .map(|s| s.as_str())
            .chain(extra.iter().copied())
            .map(JsValue::from_str)
            .collect();
        self.db.transaction_with_str_sequence_and_mode(&names, mode)
    }

    /// Reads everything, in one readonly transaction. Missing settings or programme read as defaults.
    ///
    /// Order: records as last given to [`Db::replace_all`] (edited ones in place, deleted ones
    /// dropped), then records added since by [`Db::apply`], in id order.
    pub async fn load(&self) -> Result<Dataset, StorageError> {
        let tx = self
            .transaction(
                &StoreName::ALL,
                &[SEGMENTS, TOMBSTONES],
                IdbTransactionMode::Readonly,
            )
            .map_err(|e| js::read_error(&e))?;
        let watched = Watched::new(tx);
        let tx = watched.tx.clone();
        let read = async {
            *self.generation.borrow_mut() = read_meta(&tx, META_GENERATION).await?;
            Ok::<_, StorageError>(Dataset {
                customers: bulk::read_entity::<Customer>(&tx).await?,
                orders: bulk::read_entity::<Order>(&tx).await?,
                interactions: bulk::read_entity::<Interaction>(&tx).await?,
                deals: bulk::read_entity::<Deal>(&tx).await?,
                tasks: bulk::read_entity::<Task>(&tx).await?,
                surveys: bulk::read_entity::<SurveyResponse>(&tx).await?,
                ledger: bulk::read_entity::<LedgerEntry>(&tx).await?,
                settings: read_meta::<Settings>(&tx, META_SETTINGS)
                    .await?
                    .unwrap_or_default(),
                loyalty: read_meta::<LoyaltyProgramme>(&tx, META_LOYALTY)
                    .await?
                    .unwrap_or_default(),
            })
        };
        match read.await {
            Ok(data) => {
                watched.finish().await.map_err(|e| js::read_error(&e))?;
                Ok(data)
            }
            Err(e) => {
                watched.abort().await;
                Err(e)
            }
        }
    }

    /// Reads the customers and the settings only (for the first paint), in one readonly transaction.
    pub async fn load_customers(&self) -> Result<(Vec<Customer>, Settings), StorageError> {
        let tx = self
            .transaction(
                &[StoreName::Customers, StoreName::Meta],
                &[SEGMENTS, TOMBSTONES],
                IdbTransactionMode::Readonly,
            )
            .map_err(|e| js::read_error(&e))?;
        let watched = Watched::new(tx);
        let tx = watched.tx.clone();
        let read = async {
            *self.generation.borrow_mut() = read_meta(&tx, META_GENERATION).await?;
            let customers = bulk::read_entity::<Customer>(&tx).await?;
            let settings = read_meta::<Settings>(&tx, META_SETTINGS)
                .await?
                .unwrap_or_default();
            Ok::<_, StorageError>((customers, settings))
        };
        match read.await {
            Ok(data) => {
                watched.finish().await.map_err(|e| js::read_error(&e))?;
                Ok(data)
            }
            Err(e) => {
                watched.abort().await;
                Err(e)
            }
        }
    }

    /// Applies the changes in order, in one readwrite transaction over the stores they touch: all or
    /// nothing. Resolves after the transaction's `complete` event; on any failure the transaction is
    /// aborted and nothing of the batch remains.
    ///
    /// Each put is one IndexedDB record (about 0.1–0.2 ms each): fine for edits and small imports;
    /// for tens of thousands of records, merge in memory and use [`Db::replace_all`].
    pub async fn apply(&self, changes: &[Change]) -> Result<(), StorageError> {
        let mut stores: Vec<StoreName> = Vec::new();
        for change in changes {
            if !stores.contains(&change.store()) {
                stores.push(change.store());
            }
        }
        if stores.is_empty() {
            return Ok(());
        }
        let extra: &[&str] = if stores.iter().any(|s| *s != StoreName::Meta) {
            &[TOMBSTONES]
        } else {
            &[]
        };
        let tx = self
            .transaction(&stores, extra, IdbTransactionMode::Readwrite)
            .map_err(|e| js::write_error(&e))?;
        let watched = Watched::new(tx);
        match issue_changes(&watched.tx, changes).await {
            Ok(()) => watched.finish().await.map_err(|e| js::write_error(&e)),
            Err(own) => Err(fail(watched, own).await),
        }
    }

    /// Replaces everything with `data`, in one readwrite transaction: every store is cleared and
    /// rewritten. All or nothing.
    pub async fn replace_all(&self, data: &Dataset) -> Result<(), StorageError> {
        self.replace_all_from(data, None).await
    }

    /// [`Db::replace_all`] with `data` read from a data file whose text is `file`: a list whose
    /// runs in the text hold exactly its records (as many, at most a segment's worth per run) is
    /// stored as the file spells it instead of being written again; customers (stored with
    /// their lookup keys) are each taken as the file spells them with the keys added, when the
    /// runs tell where each one is (`each_customer`), else written again.
    pub async fn replace_all_from(
        &self,
        data: &Dataset,
        file: Option<FileText<'_>>,
    ) -> Result<(), StorageError> {
        let tx = self
            .transaction(
                &StoreName::ALL,
                &[SEGMENTS, TOMBSTONES],
                IdbTransactionMode::Readwrite,
            )
            .map_err(|e| js::write_error(&e))?;
        let watched = Watched::new(tx);
        let tx = watched.tx.clone();
        let generation = new_generation();
        let write = async {
            for store in StoreName::ALL
                .iter()
                .map(|s| s.as_str())
                .chain([SEGMENTS, TOMBSTONES])
            {
                tx.object_store(store)
                    .and_then(|s| s.clear())
                    .map_err(|e| js::write_error(&e))?;
            }
            match file {
                // Customers from the file's text of each, with their lookup keys added.
                Some(f) if f.runs.each_customer.len() == data.customers.len() => {
                    bulk::put_customer_text_segments(
                        &tx,
                        f.bytes,
                        &f.runs.each_customer,
                        &data.customers,
                    )
                    .await?
                }
                _ => bulk::put_segments(&tx, &data.customers).await?,
            }
            let runs = file.as_ref().map(|f| f.runs);
            put_list(&tx, &data.orders, file, runs.map(|r| &r.orders[..])).await?;
            put_list(
                &tx,
                &data.interactions,
                file,
                runs.map(|r| &r.interactions[..]),
            )
            .await?;
            put_list(&tx, &data.deals, file, runs.map(|r| &r.deals[..])).await?;
            put_list(&tx, &data.tasks, file, runs.map(|r| &r.tasks[..])).await?;
            put_list(&tx, &data.surveys, file, runs.map(|r| &r.surveys[..])).await?;
            put_list(&tx, &data.ledger, file, runs.map(|r| &r.ledger[..])).await?;
            put_meta(&tx, META_SETTINGS, &data.settings)?;
            put_meta(&tx, META_LOYALTY, &data.loyalty)?;
            put_meta(&tx, META_SCHEMA_VERSION, &self.version())?;
            put_meta(&tx, META_GENERATION, &generation)?;
            Ok::<_, StorageError>(())
        };
        match write.await {
            Ok(()) => {
                watched.finish().await.map_err(|e| js::write_error(&e))?;
                *self.generation.borrow_mut() = Some(generation);
                Ok(())
            }
            Err(own) => Err(fail(watched, own).await),
        }
    }

    /// Closes the connection (once its running transactions have finished).
    pub fn close(&self) {
        self.db.close();
    }
}
