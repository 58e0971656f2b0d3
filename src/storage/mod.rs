//! Storage: the only code in Kehu that touches IndexedDB or localStorage.
//!
//! Every record lives in IndexedDB (database [`DB_NAME`]); small preferences (language, theme) live in
//! localStorage through [`prefs`]. The app reads everything once at start ([`Db::load`] or the faster
//! [`Db::load_customers`] first) and persists each change in one transaction ([`Db::apply`]) before it
//! updates its in-memory state.
//!
//! # Layout
//! One object store per entity (`customers`, `orders`, `interactions`, `deals`, `tasks`, `surveys`,
//! `ledger`) with key path `id`; `meta` with out-of-line keys `"settings"`, `"loyalty"` and
//! `"schema_version"`; and two internal stores, `segments` and `tombstones`.
//!
//! * [`Db::replace_all`] (a demo dataset, an import, a restore) writes each entity's records as
//!   *bulk segments*: one IndexedDB record per 5,000 records holding their JSON as UTF-8 bytes
//!   (a `Uint8Array`; schema version 1 wrote text, which is still read). A Replace from a data file
//!   ([`Db::replace_all_from`]) stores the file's own bytes of each list's records.
//! * [`Db::apply`] (everyday edits) writes each record as one plain JS object in its entity store —
//!   exactly the fields of its JSON form, what `serde_wasm_bindgen`'s `json_compatible()` would make,
//!   readable in devtools — and these win over a segment's copy of the same id; a delete also leaves a
//!   tombstone that hides the segment's copy.
//! * [`Db::load`] merges them (see `bulk.rs`).
//!
//! Why: IndexedDB costs about the same per record whatever its size. Measured in headless Chromium
//! (release build, shared 2-core machine under load; `tests/storage_bench.rs`): one object per order
//! took 149 s to write and 25 s to load for 1,000,000 orders (217 s / 45 s with a
//! `serde_wasm_bindgen` conversion per record); a `{id, customer_id, date, json}` record per order
//! was no faster (100,000: 19.7 s write, 4.3 s read). With segments, 100,000 customers plus
//! 1,000,000 orders take 4.9 s to `replace_all` and 5.2 s to `load`; `load_customers` 0.7 s; one
//! `apply` of a single put 3 ms; `load` after 100,000 individual edits 5.7 s.
//!
//! The indexes (`customer_id`, `date`, `due`, `phone_key`, `email_key`, …) exist on the entity stores
//! and cover the individually written records only; the app never queries IndexedDB by index — it
//! reads everything once into memory — so they serve devtools and future partial reads. Customers
//! carry `phone_key` and `email_key` (normalised phone and e-mail, absent when empty).
//!
//! Records cross the Wasm–JS boundary a batch at a time as one JSON text (`serde_json` in Wasm,
//! `JSON.parse`/`JSON.stringify` in the browser), which is about 3× cheaper than one
//! `serde_wasm_bindgen` conversion per field. JSON cannot carry NaN or infinities: such numbers are
//! refused with [`StorageError::Write`] instead of being stored as `null`. Integers beyond ±2⁵³ would
//! lose precision (amounts are far below that).
//!
//! # Schema versions
//! [`SCHEMA_VERSION`] is the current layout; [`schema::MIGRATIONS`] holds one step per version,
//! step `n` upgrading a database from version `n` to `n + 1`. Opening runs the missing steps in order
//! inside the `upgradeneeded` transaction. A database written by a newer Kehu is never touched:
//! opening it returns [`StorageError::NewerVersion`].

pub mod backup;
mod bulk;
mod codec;
mod db;
pub mod device;
mod js;
pub mod prefs;
pub mod schema;
pub mod tabs;

use kehu_core::model::{
    Customer, Deal, Interaction, LedgerEntry, LoyaltyProgramme, Order, Settings, SurveyResponse,
    Task,
};

pub(crate) use bulk::SEGMENT_LEN;
pub use db::{delete_database, Db, FileText};
pub use tabs::{Base, Unsaved};

/// The name of the app's IndexedDB database.
pub const DB_NAME: &str = "kehu";

/// The current schema version: the number of steps in [`schema::MIGRATIONS`].
pub const SCHEMA_VERSION: u32 = 2;

/// Why a storage operation failed. `Display` gives a clear English message; the UI maps variants to
/// its own localised text.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StorageError {
    /// IndexedDB cannot be used here (private mode, blocked by the browser, file:// policy, …).
    #[error("browser storage (IndexedDB) is not available: {0}")]
    Unavailable(String),
    /// Another tab holds the database open at an older version and did not let go.
    #[error("another tab with an older version of Kehu is keeping the database open; close it and reload")]
    Blocked,
    /// The database was written by a newer version of Kehu; it was left untouched.
    #[error("the stored data uses schema version {found}, newer than this version of Kehu supports ({supported}); it was left untouched")]
    NewerVersion {
        /// The version found in the browser.
        found: u32,
        /// [`SCHEMA_VERSION`] of this build.
        supported: u32,
    },
    /// The browser's storage quota is used up; nothing was written.
    #[error("the browser's storage quota is exhausted; nothing was saved")]
    QuotaExceeded,
    /// A write failed; the whole transaction was rolled back.
    #[error("saving failed and nothing was changed: {0}")]
    Write(String),
    /// A read failed.
    #[error("reading the stored data failed: {0}")]
    Read(String),
    /// The record was changed (or removed) in another tab after this edit started from it; nothing
    /// was written. `stored_at` is when the stored version was saved (`None`: it was deleted).
    #[error(
        "{store} record {id} was changed in another tab since this edit started; nothing was saved"
    )]
    Stale {
        /// The record's store.
        store: StoreName,
        /// The record's id.
        id: uuid::Uuid,
        /// `updated_at` of the newer stored version, `None` when it was deleted.
        stored_at: Option<kehu_core::Timestamp>,
    },
    /// Everything was replaced (an import, demo data) in another tab since this tab read it; nothing
    /// was written.
    #[error("all data was replaced in another tab since this tab read it; nothing was saved")]
    Replaced,
    /// A write failed: what it would have saved, and why.
    #[error("{cause} (not saved: {unsaved})")]
    NotSaved {
        /// What the write held.
        unsaved: Unsaved,
        /// Why it failed.
        cause: Box<StorageError>,
    },
    /// A stored record could not be decoded.
    #[error("a stored record in `{store}` (key {key}) is damaged: {detail}")]
    Corrupt {
        /// The object store holding the record.
        store: &'static str,
        /// The record's key.
        key: String,
        /// What was wrong with it.
        detail: String,
    },
}

/// The object stores of the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StoreName {
    /// `customers`
    Customers,
    /// `orders`
    Orders,
    /// `interactions`
    Interactions,
    /// `deals`
    Deals,
    /// `tasks`
    Tasks,
    /// `surveys`
    Surveys,
    /// `ledger` (loyalty points entries)
    Ledger,
    /// `meta`: settings, loyalty programme and schema version under fixed keys.
    Meta,
}

impl StoreName {
    /// Every store, in a fixed order.
    pub const ALL: [StoreName; 8] = [
        StoreName::Customers,
        StoreName::Orders,
        StoreName::Interactions,
        StoreName::Deals,
        StoreName::Tasks,
        StoreName::Surveys,
        StoreName::Ledger,
        StoreName::Meta,
    ];

    /// The object store's name in IndexedDB.
    pub const fn as_str(self) -> &'static str {
        match self {
            StoreName::Customers => "customers",
            StoreName::Orders => "orders",
            StoreName::Interactions => "interactions",
            StoreName::Deals => "deals",
            StoreName::Tasks => "tasks",
            StoreName::Surveys => "surveys",
            StoreName::Ledger => "ledger",
            StoreName::Meta => "meta",
        }
    }
}

impl std::fmt::Display for StoreName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The key of the settings in the `meta` store.
pub const META_SETTINGS: &str = "settings";
/// The key of the loyalty programme in the `meta` store.
pub const META_LOYALTY: &str = "loyalty";
/// The key of the schema version number in the `meta` store.
pub const META_SCHEMA_VERSION: &str = "schema_version";

/// One record to store.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    /// A customer.
    Customer(Customer),
    /// An order (sale).
    Order(Order),
    /// An interaction (contact).
    Interaction(Interaction),
    /// A deal (opportunity).
    Deal(Deal),
    /// A task.
    Task(Task),
    /// A survey response.
    Survey(SurveyResponse),
    /// A loyalty ledger entry.
    Ledger(LedgerEntry),
    /// The workspace settings (stored in `meta`).
    Settings(Settings),
    /// The loyalty programme (stored in `meta`).
    Loyalty(LoyaltyProgramme),
}

impl Record {
    /// The store this record lives in.
    pub fn store(&self) -> StoreName {
        match self {
            Record::Customer(_) => StoreName::Customers,
            Record::Order(_) => StoreName::Orders,
            Record::Interaction(_) => StoreName::Interactions,
            Record::Deal(_) => StoreName::Deals,
            Record::Task(_) => StoreName::Tasks,
            Record::Survey(_) => StoreName::Surveys,
            Record::Ledger(_) => StoreName::Ledger,
            Record::Settings(_) | Record::Loyalty(_) => StoreName::Meta,
        }
    }
}

/// One change in a batch given to [`Db::apply`].
// Nearly every change is a `Put`, so boxing the record would add an allocation per change to save
// space only in the rare `Delete`.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// Insert or replace a record (by id; settings and loyalty programme by their fixed key).
    Put(Record),
    /// Delete the record with this id from this store (a missing id is not an error).
    Delete(StoreName, uuid::Uuid),
}

impl Change {
    /// The store this change touches.
    pub fn store(&self) -> StoreName {
        match self {
            Change::Put(record) => record.store(),
            Change::Delete(store, _) => *store,
        }
    }
}
