//! Writes that know about other tabs: checked against what the edit started from, announced to the
//! other tabs when committed, and read back when another tab announces a change.

use std::collections::HashSet;

use leptos::prelude::*;
use uuid::Uuid;

use kehu_core::Timestamp;

use super::{AppState, Data, LoadState};
use crate::storage::tabs::{Notice, Tabs};
use crate::storage::{device, Base, Change, Db, Record, StorageError, StoreName, Unsaved, DB_NAME};

/// Collects the bases of the listed records of one kind that are in memory.
fn bases_in<T: Send + Sync + 'static>(
    signal: RwSignal<Vec<T>>,
    store: StoreName,
    ids: &HashSet<Uuid>,
    key: fn(&T) -> (Uuid, Timestamp),
    out: &mut Vec<Base>,
) {
    if ids.is_empty() {
        return;
    }
    signal.with_untracked(|list| {
        out.extend(list.iter().map(key).filter(|(id, _)| ids.contains(id)).map(
            |(id, updated_at)| Base {
                store,
                id,
                updated_at,
            },
        ))
    });
}

impl Data {
    /// The version in memory of every record `changes` put or delete: what the edit started from.
    fn bases(&self, changes: &[Change]) -> Vec<Base> {
        let mut ids: [HashSet<Uuid>; 7] = Default::default();
        let slot = |s: StoreName| match s {
            StoreName::Customers => Some(0),
            StoreName::Orders => Some(1),
            StoreName::Interactions => Some(2),
            StoreName::Deals => Some(3),
            StoreName::Tasks => Some(4),
            StoreName::Surveys => Some(5),
            StoreName::Ledger => Some(6),
            StoreName::Meta => None,
        };
        for change in changes {
            let (store, id) = match change {
                Change::Put(Record::Customer(r)) => (StoreName::Customers, r.id),
                Change::Put(Record::Order(r)) => (StoreName::Orders, r.id),
                Change::Put(Record::Interaction(r)) => (StoreName::Interactions, r.id),
                Change::Put(Record::Deal(r)) => (StoreName::Deals, r.id),
                Change::Put(Record::Task(r)) => (StoreName::Tasks, r.id),
                Change::Put(Record::Survey(r)) => (StoreName::Surveys, r.id),
                Change::Put(Record::Ledger(r)) => (StoreName::Ledger, r.id),
                Change::Put(Record::Settings(_) | Record::Loyalty(_)) => continue,
                Change::Delete(store, id) => (*store, *id),
            };
            if let Some(i) = slot(store) {
                ids[i].insert(id);
            }
        }
        let mut out = Vec::new();
        bases_in(
            self.customers,
            StoreName::Customers,
            &ids[0],
            |r| (r.id, r.updated_at),
            &mut out,
        );
        bases_in(
            self.orders,
            StoreName::Orders,
            &ids[1],
            |r| (r.id, r.updated_at),
            &mut out,
        );
        bases_in(
            self.interactions,
            StoreName::Interactions,
            &ids[2],
            |r| (r.id, r.updated_at),
            &mut out,
        );
        bases_in(
            self.deals,
            StoreName::Deals,
            &ids[3],
            |r| (r.id, r.updated_at),
            &mut out,
        );
        bases_in(
            self.tasks,
            StoreName::Tasks,
            &ids[4],
            |r| (r.id, r.updated_at),
            &mut out,
        );
        bases_in(
            self.surveys,
            StoreName::Surveys,
            &ids[5],
            |r| (r.id, r.updated_at),
            &mut out,
        );
        bases_in(
            self.ledger,
            StoreName::Ledger,
            &ids[6],
            |r| (r.id, r.updated_at),
            &mut out,
        );
        out
    }
}

impl AppState {
    /// Writes `changes` in one transaction, refused when another tab changed one of the records
    /// since the version in memory (or since `base`, for the record it names); announces the
    /// committed change to the other tabs. Does not touch the signals.
    ///
    /// # Errors
    /// [`StorageError::NotSaved`] naming what was not saved and why; nothing changed then.
    pub(super) async fn write(
        self,
        changes: &[Change],
        base: Option<Base>,
    ) -> Result<(), StorageError> {
        let mut bases = self.data.bases(changes);
        if let Some(base) = base {
            bases.retain(|b| (b.store, b.id) != (base.store, base.id));
            bases.push(base);
        }
        let outcome = match self.db() {
            Ok(db) => db.apply_checked(changes, &bases).await,
            Err(e) => Err(e),
        };
        match outcome {
            Ok(()) => {
                self.after_write(&Notice::of_changes(changes));
                Ok(())
            }
            Err(e) => {
                match &e {
                    // Show the newer version that made the edit stale.
                    StorageError::Stale { store, id, .. } => {
                        self.refresh(vec![(*store, *id)], false)
                    }
                    StorageError::Replaced => self.reload(),
                    _ => {}
                }
                Err(StorageError::NotSaved {
                    unsaved: Unsaved::of_changes(changes),
                    cause: Box::new(e),
                })
            }
        }
    }

    /// After a committed write: tell the other tabs, and ask once for persistent storage.
    pub(super) fn after_write(self, notice: &Notice) {
        if let Some(tabs) = self.tabs.get_value() {
            tabs.announce(notice);
        }
        leptos::task::spawn_local(device::persist_once());
    }

    /// Joins the channel of the other tabs and follows their changes.
    pub(super) fn join_tabs(self, _db: &Db) {
        let Some(tabs) = Tabs::open(DB_NAME) else {
            return;
        };
        tabs.listen(move |notice| match notice {
            Notice::Changed { records, meta } => self.refresh(records, meta),
            Notice::Replaced => self.reload(),
        });
        self.tabs.set_value(Some(tabs));
    }

    /// Reads the named records (and with `meta`, settings and programme) and shows them.
    fn refresh(self, records: Vec<(StoreName, Uuid)>, meta: bool) {
        let Ok(db) = self.db() else { return };
        leptos::task::spawn_local(async move {
            match db.read_changed(&records, meta).await {
                Ok(changes) => self.data.show(changes),
                Err(e) => leptos::logging::warn!("could not read another tab's change: {e}"),
            }
        });
    }

    /// Reads everything again (another tab replaced it).
    fn reload(self) {
        let Ok(db) = self.db() else { return };
        leptos::task::spawn_local(async move {
            match db.load().await {
                Ok(data) => {
                    self.data.set_all(data);
                    self.load.set(LoadState::Ready);
                }
                Err(e) => self.load.set(LoadState::Failed(e)),
            }
        });
    }
}
