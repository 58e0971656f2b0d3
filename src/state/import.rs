//! Large batches of records (imports): records that are new everywhere are stored as bulk
//! segments ([`crate::storage::Db::apply_appending`]) instead of one IndexedDB object each, and
//! every list signal is updated once.

use std::collections::{HashMap, HashSet};

use leptos::prelude::*;
use uuid::Uuid;

use kehu_core::Dataset;

use super::{AppState, LoadState};
use crate::browser::mark;
use crate::storage::{Change, Record, StorageError};

/// Moves the puts of `kind` whose ids are in neither `known` nor seen earlier in this batch to `new`;
/// the others stay in `rest`.
fn sort_out<T>(
    list: &RwSignal<Vec<T>>,
    id: fn(&T) -> Uuid,
    puts: Vec<T>,
    new: &mut Vec<T>,
    rest: &mut Vec<T>,
) where
    T: Send + Sync + 'static,
{
    if puts.is_empty() {
        return;
    }
    let known: HashSet<Uuid> = list.with_untracked(|l| l.iter().map(id).collect());
    let mut seen: HashSet<Uuid> = HashSet::with_capacity(puts.len());
    // An id given twice in the batch goes the ordinary way (the later put wins there).
    let mut twice: HashSet<Uuid> = HashSet::new();
    for r in &puts {
        if !seen.insert(id(r)) {
            twice.insert(id(r));
        }
    }
    for r in puts {
        let k = id(&r);
        if known.contains(&k) || twice.contains(&k) {
            rest.push(r);
        } else {
            new.push(r);
        }
    }
}

impl AppState {
    /// Writes a large batch (an import) in one transaction and then shows it, each list signal
    /// updated once: records whose ids exist nowhere yet are stored as bulk segments, the rest
    /// (changed records, deletions, settings) as [`AppState::apply`] stores them.
    ///
    /// # Errors
    /// The storage error when the write failed; nothing changed then.
    pub async fn import(self, changes: Vec<Change>) -> Result<(), StorageError> {
        if changes.is_empty() {
            return Ok(());
        }
        // Whether an id is new can only be told with every record in memory.
        if self.load.get_untracked() != LoadState::Ready {
            return self.apply(changes).await;
        }
        let (puts, others) = split(changes);
        let d = self.data;
        let mut new = Dataset::default();
        let mut rest = Dataset::default();
        sort_out(
            &d.customers,
            |r| r.id,
            puts.customers,
            &mut new.customers,
            &mut rest.customers,
        );
        sort_out(
            &d.orders,
            |r| r.id,
            puts.orders,
            &mut new.orders,
            &mut rest.orders,
        );
        sort_out(
            &d.interactions,
            |r| r.id,
            puts.interactions,
            &mut new.interactions,
            &mut rest.interactions,
        );
        sort_out(
            &d.deals,
            |r| r.id,
            puts.deals,
            &mut new.deals,
            &mut rest.deals,
        );
        sort_out(
            &d.tasks,
            |r| r.id,
            puts.tasks,
            &mut new.tasks,
            &mut rest.tasks,
        );
        sort_out(
            &d.surveys,
            |r| r.id,
            puts.surveys,
            &mut new.surveys,
            &mut rest.surveys,
        );
        sort_out(
            &d.ledger,
            |r| r.id,
            puts.ledger,
            &mut new.ledger,
            &mut rest.ledger,
        );
        let mut plain: Vec<Change> = Vec::new();
        plain.extend(
            rest.customers
                .into_iter()
                .map(|r| Change::Put(Record::Customer(r))),
        );
        plain.extend(
            rest.orders
                .into_iter()
                .map(|r| Change::Put(Record::Order(r))),
        );
        plain.extend(
            rest.interactions
                .into_iter()
                .map(|r| Change::Put(Record::Interaction(r))),
        );
        plain.extend(rest.deals.into_iter().map(|r| Change::Put(Record::Deal(r))));
        plain.extend(rest.tasks.into_iter().map(|r| Change::Put(Record::Task(r))));
        plain.extend(
            rest.surveys
                .into_iter()
                .map(|r| Change::Put(Record::Survey(r))),
        );
        plain.extend(
            rest.ledger
                .into_iter()
                .map(|r| Change::Put(Record::Ledger(r))),
        );
        plain.extend(others);

        mark("kehu:import-sorted");
        self.db()?.apply_appending(&plain, &new).await?;
        mark("kehu:import-stored");
        // Records appended as segments cannot be read back by id: the other tabs read everything.
        self.after_write(&crate::storage::tabs::Notice::Replaced);

        // Each list signal once: changed records replaced in place, new ones appended.
        let (rest, others) = split(plain);
        put_all(d.customers, rest.customers, new.customers, |r| r.id);
        put_all(d.orders, rest.orders, new.orders, |r| r.id);
        put_all(d.interactions, rest.interactions, new.interactions, |r| {
            r.id
        });
        put_all(d.deals, rest.deals, new.deals, |r| r.id);
        put_all(d.tasks, rest.tasks, new.tasks, |r| r.id);
        put_all(d.surveys, rest.surveys, new.surveys, |r| r.id);
        put_all(d.ledger, rest.ledger, new.ledger, |r| r.id);
        self.data.show(others);
        mark("kehu:import-shown");
        Ok(())
    }
}

/// The puts of entity records in `changes`, by kind, and every other change.
fn split(changes: Vec<Change>) -> (Dataset, Vec<Change>) {
    let mut puts = Dataset::default();
    let mut others: Vec<Change> = Vec::new();
    for change in changes {
        match change {
            Change::Put(Record::Customer(r)) => puts.customers.push(r),
            Change::Put(Record::Order(r)) => puts.orders.push(r),
            Change::Put(Record::Interaction(r)) => puts.interactions.push(r),
            Change::Put(Record::Deal(r)) => puts.deals.push(r),
            Change::Put(Record::Task(r)) => puts.tasks.push(r),
            Change::Put(Record::Survey(r)) => puts.surveys.push(r),
            Change::Put(Record::Ledger(r)) => puts.ledger.push(r),
            other => others.push(other),
        }
    }
    (puts, others)
}

/// Shows stored puts in one update of a list signal: `changed` replace the records with their ids
/// (or are appended), `new` are appended.
fn put_all<T: Send + Sync + 'static>(
    signal: RwSignal<Vec<T>>,
    changed: Vec<T>,
    new: Vec<T>,
    id: fn(&T) -> Uuid,
) {
    if changed.is_empty() && new.is_empty() {
        return;
    }
    signal.update(|list| {
        if !changed.is_empty() {
            let mut at: HashMap<Uuid, usize> =
                list.iter().enumerate().map(|(i, r)| (id(r), i)).collect();
            for r in changed {
                match at.get(&id(&r)) {
                    Some(&i) => list[i] = r,
                    None => {
                        at.insert(id(&r), list.len());
                        list.push(r);
                    }
                }
            }
        }
        list.extend(new);
    });
}
