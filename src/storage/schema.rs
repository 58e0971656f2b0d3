//! Schema versions and their migration steps.
//!
//! [`MIGRATIONS`]`[n]` upgrades a database from version `n` to `n + 1`; its length is
//! [`SCHEMA_VERSION`]. To change the layout, append a step (e.g. `v1_to_v2`) and raise
//! `SCHEMA_VERSION`; never edit a released step, because databases in the field have already run it.
//! Steps run inside the `upgradeneeded` (versionchange) transaction, in order, from the version found
//! on disk; any error aborts the upgrade and leaves the database at its old version.

use wasm_bindgen::JsValue;
use web_sys::{
    IdbDatabase, IdbIndexParameters, IdbObjectStore, IdbObjectStoreParameters, IdbTransaction,
};

use super::bulk::{SEGMENTS, TOMBSTONES};
use super::codec::{EMAIL_KEY, PHONE_KEY};
use super::db::read_meta;
use super::js::Watched;
use super::Db;
use super::{js, StorageError, StoreName, SCHEMA_VERSION};

/// One migration step: upgrades the layout by one version.
pub type MigrationStep = fn(&Upgrade) -> Result<(), StorageError>;

/// The migration steps of the app, oldest first; step `n` upgrades version `n` to `n + 1`.
pub const MIGRATIONS: &[MigrationStep] = &[v0_to_v1, v1_to_v2];

const _: () = assert!(MIGRATIONS.len() == SCHEMA_VERSION as usize);

/// What a migration step may change: the database inside its `upgradeneeded` transaction.
pub struct Upgrade {
    db: IdbDatabase,
    tx: IdbTransaction,
}

fn upgrade_error(what: String, e: &JsValue) -> StorageError {
    StorageError::Write(format!(
        "schema upgrade failed to {what}: {}",
        js::describe(e)
    ))
}

impl Upgrade {
    pub(crate) fn new(db: IdbDatabase, tx: IdbTransaction) -> Self {
        Upgrade { db, tx }
    }

    /// The database being upgraded.
    pub fn database(&self) -> &IdbDatabase {
        &self.db
    }

    /// The versionchange transaction, e.g. to rewrite records with a cursor.
    pub fn transaction(&self) -> &IdbTransaction {
        &self.tx
    }

    /// True when the store exists.
    pub fn has_store(&self, name: &str) -> bool {
        self.db.object_store_names().contains(name)
    }

    /// Creates a store; `key_path` `None` means out-of-line keys.
    pub fn create_store(&self, name: &str, key_path: Option<&str>) -> Result<(), StorageError> {
        let params = IdbObjectStoreParameters::new();
        if let Some(path) = key_path {
            params.set_key_path(&JsValue::from_str(path));
        }
        self.db
            .create_object_store_with_optional_parameters(name, &params)
            .map(|_| ())
            .map_err(|e| upgrade_error(format!("create store `{name}`"), &e))
    }

    /// An existing store, in the upgrade transaction.
    pub fn store(&self, name: &str) -> Result<IdbObjectStore, StorageError> {
        self.tx
            .object_store(name)
            .map_err(|e| upgrade_error(format!("find store `{name}`"), &e))
    }

    /// Creates an index named `name` on `store` over the field `key_path`.
    pub fn create_index(
        &self,
        store: &str,
        name: &str,
        key_path: &str,
        unique: bool,
    ) -> Result<(), StorageError> {
        let params = IdbIndexParameters::new();
        params.set_unique(unique);
        self.store(store)?
            .create_index_with_str_and_optional_parameters(name, key_path, &params)
            .map(|_| ())
            .map_err(|e| upgrade_error(format!("create index `{store}.{name}`"), &e))
    }
}

/// v0 → v1: every store (entity stores, `meta`, `segments`, `tombstones`) and the lookup indexes.
fn v0_to_v1(up: &Upgrade) -> Result<(), StorageError> {
    for store in StoreName::ALL {
        let key_path = (store != StoreName::Meta).then_some("id");
        up.create_store(store.as_str(), key_path)?;
    }
    up.create_store(SEGMENTS, Some("id"))?;
    up.create_store(TOMBSTONES, Some("id"))?;
    let indexes: &[(StoreName, &str)] = &[
        (StoreName::Customers, PHONE_KEY),
        (StoreName::Customers, EMAIL_KEY),
        (StoreName::Customers, "referred_by"),
        (StoreName::Orders, "customer_id"),
        (StoreName::Orders, "date"),
        (StoreName::Interactions, "customer_id"),
        (StoreName::Interactions, "date"),
        (StoreName::Interactions, "follow_up"),
        (StoreName::Deals, "customer_id"),
        (StoreName::Deals, "stage"),
        (StoreName::Tasks, "customer_id"),
        (StoreName::Tasks, "due"),
        (StoreName::Surveys, "customer_id"),
        (StoreName::Surveys, "date"),
        (StoreName::Ledger, "customer_id"),
        (StoreName::Ledger, "order_id"),
    ];
    for (store, field) in indexes {
        up.create_index(store.as_str(), field, field, false)?;
    }
    Ok(())
}

/// v1 → v2: bulk segments are written as UTF-8 bytes (`bytes`, a `Uint8Array`) instead of text
/// (`json`). Nothing to convert (this version reads both), but a Kehu that knows only text must
/// not open a database with byte segments: the raised version makes it say "update Kehu" (and an
/// open older tab let go) instead of failing to read them.
#[allow(clippy::unnecessary_wraps)]
fn v1_to_v2(_up: &Upgrade) -> Result<(), StorageError> {
    Ok(())
}

impl Db {
    /// Refuses (and closes) a database whose `meta.schema_version` marker is newer than `supported`
    /// although its IndexedDB version is not: a newer Kehu may change what records mean without
    /// changing stores, and this build must then write nothing.
    pub(super) async fn refuse_newer_marker(&self, supported: u32) -> Result<(), StorageError> {
        let tx = self
            .transaction(
                &[StoreName::Meta],
                &[],
                web_sys::IdbTransactionMode::Readonly,
            )
            .map_err(|e| js::read_error(&e))?;
        let watched = Watched::new(tx);
        let marker = read_meta::<u32>(&watched.tx, super::META_SCHEMA_VERSION).await;
        let _ = watched.finish().await;
        match marker {
            Ok(Some(found)) if found > supported => {
                self.close();
                Err(StorageError::NewerVersion { found, supported })
            }
            // A marker that is not a number was not written by any Kehu we know: leave it alone too.
            Err(StorageError::Corrupt { detail, .. }) => {
                self.close();
                Err(StorageError::Read(format!(
                    "the schema version marker is unreadable ({detail}); the data was left untouched"
                )))
            }
            Err(e) => {
                self.close();
                Err(e)
            }
            Ok(_) => Ok(()),
        }
    }
}

/// Runs `steps[old..new]` in order. Used by the `upgradeneeded` handler.
pub(crate) fn run(
    up: &Upgrade,
    steps: &[MigrationStep],
    old: u32,
    new: u32,
) -> Result<(), StorageError> {
    let from = usize::try_from(old).unwrap_or(usize::MAX);
    let to = usize::try_from(new).unwrap_or(usize::MAX);
    let todo = steps.get(from..to).ok_or_else(|| {
        StorageError::Write(format!("no migration path from version {old} to {new}"))
    })?;
    for step in todo {
        step(up)?;
    }
    if up.has_store(StoreName::Meta.as_str()) {
        up.store(StoreName::Meta.as_str())?
            .put_with_key(
                &JsValue::from(new),
                &JsValue::from_str(super::META_SCHEMA_VERSION),
            )
            .map_err(|e| upgrade_error("record the schema version".into(), &e))?;
    }
    Ok(())
}
