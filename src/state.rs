//! The app's in-memory state and the one way to change it.
//!
//! IndexedDB is read once at start into these signals. Every change is written to IndexedDB in one
//! transaction first and applied to the signals only when that transaction has completed, so a
//! failed write leaves both the store and the screen as they were.

mod import;
mod sync;

use leptos::prelude::*;
use uuid::Uuid;

use kehu_core::{
    Customer, Dataset, Deal, Interaction, LedgerEntry, LoyaltyProgramme, Order, Settings,
    SurveyResponse, Task,
};

use crate::i18n::Key;
use crate::storage::tabs::{Notice, Tabs};
use crate::storage::{Base, Change, Db, Record, StorageError, StoreName, Unsaved};

/// Every record of the workspace, one signal per kind so a change to one list does not recompute
/// what depends only on another.
#[derive(Clone, Copy)]
pub struct Data {
    pub customers: RwSignal<Vec<Customer>>,
    pub orders: RwSignal<Vec<Order>>,
    pub interactions: RwSignal<Vec<Interaction>>,
    pub deals: RwSignal<Vec<Deal>>,
    pub tasks: RwSignal<Vec<Task>>,
    pub surveys: RwSignal<Vec<SurveyResponse>>,
    pub ledger: RwSignal<Vec<LedgerEntry>>,
    pub loyalty: RwSignal<LoyaltyProgramme>,
    pub settings: RwSignal<Settings>,
}

impl Data {
    fn new() -> Self {
        Data {
            customers: RwSignal::new(Vec::new()),
            orders: RwSignal::new(Vec::new()),
            interactions: RwSignal::new(Vec::new()),
            deals: RwSignal::new(Vec::new()),
            tasks: RwSignal::new(Vec::new()),
            surveys: RwSignal::new(Vec::new()),
            ledger: RwSignal::new(Vec::new()),
            loyalty: RwSignal::new(LoyaltyProgramme::default()),
            settings: RwSignal::new(Settings::default()),
        }
    }

    /// Replaces every signal's content with `data`.
    fn set_all(&self, data: Dataset) {
        let Dataset {
            customers,
            orders,
            interactions,
            deals,
            tasks,
            surveys,
            loyalty,
            ledger,
            settings,
        } = data;
        self.customers.set(customers);
        self.set_rest(orders, interactions, deals, tasks, surveys, ledger, loyalty);
        self.settings.set(settings);
    }

    #[allow(clippy::too_many_arguments)]
    fn set_rest(
        &self,
        orders: Vec<Order>,
        interactions: Vec<Interaction>,
        deals: Vec<Deal>,
        tasks: Vec<Task>,
        surveys: Vec<SurveyResponse>,
        ledger: Vec<LedgerEntry>,
        loyalty: LoyaltyProgramme,
    ) {
        self.orders.set(orders);
        self.interactions.set(interactions);
        self.deals.set(deals);
        self.tasks.set(tasks);
        self.surveys.set(surveys);
        self.ledger.set(ledger);
        self.loyalty.set(loyalty);
    }

    /// Applies stored `changes` to the signals, each kind's signal updated once.
    fn show(&self, changes: Vec<Change>) {
        let mut customers = Vec::new();
        let mut orders = Vec::new();
        let mut interactions = Vec::new();
        let mut deals = Vec::new();
        let mut tasks = Vec::new();
        let mut surveys = Vec::new();
        let mut ledger = Vec::new();
        for change in changes {
            match change {
                Change::Put(Record::Customer(r)) => customers.push(Ok(r)),
                Change::Put(Record::Order(r)) => orders.push(Ok(r)),
                Change::Put(Record::Interaction(r)) => interactions.push(Ok(r)),
                Change::Put(Record::Deal(r)) => deals.push(Ok(r)),
                Change::Put(Record::Task(r)) => tasks.push(Ok(r)),
                Change::Put(Record::Survey(r)) => surveys.push(Ok(r)),
                Change::Put(Record::Ledger(r)) => ledger.push(Ok(r)),
                Change::Put(Record::Settings(s)) => self.settings.set(s),
                Change::Put(Record::Loyalty(l)) => self.loyalty.set(l),
                Change::Delete(StoreName::Customers, id) => customers.push(Err(id)),
                Change::Delete(StoreName::Orders, id) => orders.push(Err(id)),
                Change::Delete(StoreName::Interactions, id) => interactions.push(Err(id)),
                Change::Delete(StoreName::Deals, id) => deals.push(Err(id)),
                Change::Delete(StoreName::Tasks, id) => tasks.push(Err(id)),
                Change::Delete(StoreName::Surveys, id) => surveys.push(Err(id)),
                Change::Delete(StoreName::Ledger, id) => ledger.push(Err(id)),
                Change::Delete(..) => {}
            }
        }
        merge(self.customers, customers, |r| r.id);
        merge(self.orders, orders, |r| r.id);
        merge(self.interactions, interactions, |r| r.id);
        merge(self.deals, deals, |r| r.id);
        merge(self.tasks, tasks, |r| r.id);
        merge(self.surveys, surveys, |r| r.id);
        merge(self.ledger, ledger, |r| r.id);
    }

    /// Counts of each kind of record, for the data page.
    pub fn counts(&self) -> [(Key, usize); 7] {
        [
            (Key::CountCustomers, self.customers.with(Vec::len)),
            (Key::CountOrders, self.orders.with(Vec::len)),
            (Key::CountInteractions, self.interactions.with(Vec::len)),
            (Key::CountDeals, self.deals.with(Vec::len)),
            (Key::CountTasks, self.tasks.with(Vec::len)),
            (Key::CountSurveys, self.surveys.with(Vec::len)),
            (Key::CountLedger, self.ledger.with(Vec::len)),
        ]
    }
}

/// Where the start-up read stands.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadState {
    /// Opening the database and reading customers.
    Opening,
    /// Customers are shown; the other records are still being read.
    CustomersReady,
    /// Everything is in memory.
    Ready,
    /// The database could not be opened or read.
    Failed(StorageError),
}

/// A customer removed together with every record that belonged to them, kept so that "Undo"
/// can put back exactly what was there.
#[derive(Clone, Debug, PartialEq)]
pub struct RemovedCustomer {
    pub customer: Customer,
    pub orders: Vec<Order>,
    pub interactions: Vec<Interaction>,
    pub deals: Vec<Deal>,
    pub tasks: Vec<Task>,
    pub surveys: Vec<SurveyResponse>,
    pub ledger: Vec<LedgerEntry>,
    /// Customers who named the removed one as referrer, as they were before it was cleared.
    pub referrers: Vec<Customer>,
}

/// The app's state and its writes, shared through context.
#[derive(Clone, Copy)]
pub struct AppState {
    pub data: Data,
    pub load: RwSignal<LoadState>,
    db: StoredValue<Option<Db>, LocalStorage>,
    /// The channel to other tabs of the app (see `storage::tabs`).
    tabs: StoredValue<Option<Tabs>, LocalStorage>,
}

impl AppState {
    /// Empty state; [`AppState::start`] fills it.
    pub fn new() -> Self {
        AppState {
            data: Data::new(),
            load: RwSignal::new(LoadState::Opening),
            db: StoredValue::new_local(None),
            tabs: StoredValue::new_local(None),
        }
    }

    /// Opens the database, shows customers as soon as they are read, then reads the rest.
    pub async fn start(self) {
        let db = match Db::open().await {
            Ok(db) => db,
            Err(e) => {
                self.load.set(LoadState::Failed(e));
                return;
            }
        };
        self.db.set_value(Some(db.clone()));
        self.join_tabs(&db);
        match db.load_customers().await {
            Ok((customers, settings)) => {
                self.data.customers.set(customers);
                self.data.settings.set(settings);
                self.load.set(LoadState::CustomersReady);
                crate::browser::mark("kehu:customers-ready");
            }
            Err(e) => {
                self.load.set(LoadState::Failed(e));
                return;
            }
        }
        match db.load().await {
            // A replace during the read (e.g. demo data) already set everything: keep that.
            Ok(_) if self.load.get_untracked() == LoadState::Ready => {}
            Ok(all) => {
                let Dataset {
                    orders,
                    interactions,
                    deals,
                    tasks,
                    surveys,
                    loyalty,
                    ledger,
                    ..
                } = all;
                self.data
                    .set_rest(orders, interactions, deals, tasks, surveys, ledger, loyalty);
                self.load.set(LoadState::Ready);
                crate::browser::mark("kehu:ready");
            }
            Err(e) => self.load.set(LoadState::Failed(e)),
        }
    }

    fn db(&self) -> Result<Db, StorageError> {
        self.db
            .get_value()
            .ok_or_else(|| StorageError::Unavailable("the database is not open".into()))
    }

    /// Stores `customer` (new or changed) and then shows it.
    ///
    /// # Errors
    /// The storage error when the write failed; nothing changed then.
    pub async fn save_customer(self, customer: Customer) -> Result<(), StorageError> {
        self.save_customer_from(customer, None).await
    }

    /// Stores `customer`, an edit of the version saved at `base` (when the edit started), and then
    /// shows it. Refused with [`StorageError::Stale`] (inside [`StorageError::NotSaved`]) when the
    /// stored customer is newer than `base`, i.e. another tab changed it meanwhile.
    ///
    /// # Errors
    /// The storage error when the write failed or was refused; nothing changed then.
    pub async fn save_customer_from(
        self,
        customer: Customer,
        base: Option<kehu_core::Timestamp>,
    ) -> Result<(), StorageError> {
        let base = base.map(|updated_at| Base {
            store: StoreName::Customers,
            id: customer.id,
            updated_at,
        });
        self.write(&[Change::Put(Record::Customer(customer.clone()))], base)
            .await?;
        self.data
            .customers
            .update(|list| upsert(list, customer, |c| c.id));
        Ok(())
    }

    /// Removes a customer with their orders, interactions, deals, tasks, surveys and points, and
    /// clears them as referrer of others, all in one transaction.
    ///
    /// # Errors
    /// The storage error when the write failed; nothing changed then.
    pub async fn delete_customer(self, id: Uuid) -> Result<RemovedCustomer, StorageError> {
        // Their orders and other records must be in memory to be removed with them.
        if self.load.get_untracked() != LoadState::Ready {
            return Err(StorageError::Write(
                "records are still being read; try again in a moment".into(),
            ));
        }
        let d = self.data;
        let Some(customer) = d
            .customers
            .with_untracked(|l| l.iter().find(|c| c.id == id).cloned())
        else {
            return Err(StorageError::Write(format!("customer {id} does not exist")));
        };
        let of = |cid: Uuid| cid == id;
        let removed = RemovedCustomer {
            customer,
            orders: d
                .orders
                .with_untracked(|l| l.iter().filter(|r| of(r.customer_id)).cloned().collect()),
            interactions: d
                .interactions
                .with_untracked(|l| l.iter().filter(|r| of(r.customer_id)).cloned().collect()),
            deals: d
                .deals
                .with_untracked(|l| l.iter().filter(|r| of(r.customer_id)).cloned().collect()),
            tasks: d.tasks.with_untracked(|l| {
                l.iter()
                    .filter(|r| r.customer_id == Some(id))
                    .cloned()
                    .collect()
            }),
            surveys: d
                .surveys
                .with_untracked(|l| l.iter().filter(|r| of(r.customer_id)).cloned().collect()),
            ledger: d
                .ledger
                .with_untracked(|l| l.iter().filter(|r| of(r.customer_id)).cloned().collect()),
            referrers: d.customers.with_untracked(|l| {
                l.iter()
                    .filter(|c| c.referred_by == Some(id))
                    .cloned()
                    .collect()
            }),
        };
        let mut changes = vec![Change::Delete(StoreName::Customers, id)];
        changes.extend(
            removed
                .orders
                .iter()
                .map(|r| Change::Delete(StoreName::Orders, r.id)),
        );
        changes.extend(
            removed
                .interactions
                .iter()
                .map(|r| Change::Delete(StoreName::Interactions, r.id)),
        );
        changes.extend(
            removed
                .deals
                .iter()
                .map(|r| Change::Delete(StoreName::Deals, r.id)),
        );
        changes.extend(
            removed
                .tasks
                .iter()
                .map(|r| Change::Delete(StoreName::Tasks, r.id)),
        );
        changes.extend(
            removed
                .surveys
                .iter()
                .map(|r| Change::Delete(StoreName::Surveys, r.id)),
        );
        changes.extend(
            removed
                .ledger
                .iter()
                .map(|r| Change::Delete(StoreName::Ledger, r.id)),
        );
        let cleared: Vec<Customer> = removed
            .referrers
            .iter()
            .map(|c| Customer {
                referred_by: None,
                ..c.clone()
            })
            .collect();
        changes.extend(
            cleared
                .iter()
                .cloned()
                .map(|c| Change::Put(Record::Customer(c))),
        );
        self.write(&changes, None).await?;

        d.customers.update(|l| {
            l.retain(|c| c.id != id);
            for c in cleared {
                upsert(l, c, |c| c.id);
            }
        });
        d.orders.update(|l| l.retain(|r| !of(r.customer_id)));
        d.interactions.update(|l| l.retain(|r| !of(r.customer_id)));
        d.deals.update(|l| l.retain(|r| !of(r.customer_id)));
        d.tasks.update(|l| l.retain(|r| r.customer_id != Some(id)));
        d.surveys.update(|l| l.retain(|r| !of(r.customer_id)));
        d.ledger.update(|l| l.retain(|r| !of(r.customer_id)));
        Ok(removed)
    }

    /// Puts back everything [`AppState::delete_customer`] removed, exactly as it was.
    ///
    /// # Errors
    /// The storage error when the write failed; nothing changed then.
    pub async fn restore_customer(self, removed: RemovedCustomer) -> Result<(), StorageError> {
        let RemovedCustomer {
            customer,
            orders,
            interactions,
            deals,
            tasks,
            surveys,
            ledger,
            referrers,
        } = removed;
        let mut changes = vec![Change::Put(Record::Customer(customer.clone()))];
        changes.extend(
            orders
                .iter()
                .cloned()
                .map(|r| Change::Put(Record::Order(r))),
        );
        changes.extend(
            interactions
                .iter()
                .cloned()
                .map(|r| Change::Put(Record::Interaction(r))),
        );
        changes.extend(deals.iter().cloned().map(|r| Change::Put(Record::Deal(r))));
        changes.extend(tasks.iter().cloned().map(|r| Change::Put(Record::Task(r))));
        changes.extend(
            surveys
                .iter()
                .cloned()
                .map(|r| Change::Put(Record::Survey(r))),
        );
        changes.extend(
            ledger
                .iter()
                .cloned()
                .map(|r| Change::Put(Record::Ledger(r))),
        );
        changes.extend(
            referrers
                .iter()
                .cloned()
                .map(|c| Change::Put(Record::Customer(c))),
        );
        self.write(&changes, None).await?;

        let d = self.data;
        d.customers.update(|l| {
            upsert(l, customer, |c| c.id);
            for c in referrers {
                upsert(l, c, |c| c.id);
            }
        });
        d.orders.update(|l| l.extend(orders));
        d.interactions.update(|l| l.extend(interactions));
        d.deals.update(|l| l.extend(deals));
        d.tasks.update(|l| l.extend(tasks));
        d.surveys.update(|l| l.extend(surveys));
        d.ledger.update(|l| l.extend(ledger));
        Ok(())
    }

    /// Writes `changes` to IndexedDB in one transaction and then shows them: the generic write
    /// that every page uses for records other than customers' cascades.
    ///
    /// # Errors
    /// The storage error when the write failed; nothing changed then.
    pub async fn apply(self, changes: Vec<Change>) -> Result<(), StorageError> {
        if changes.is_empty() {
            return Ok(());
        }
        self.write(&changes, None).await?;
        self.data.show(changes);
        Ok(())
    }

    /// [`AppState::apply`] for an edit that started from an earlier version of one record (a form
    /// opened a while ago): refused as stale, with nothing written, when that record has been saved
    /// newer since (e.g. in another tab), instead of overwriting the newer version.
    ///
    /// # Errors
    /// [`StorageError::NotSaved`] around `Stale` in that case, or the storage error of the write.
    pub async fn apply_from(self, changes: Vec<Change>, base: Base) -> Result<(), StorageError> {
        if changes.is_empty() {
            return Ok(());
        }
        self.write(&changes, Some(base)).await?;
        self.data.show(changes);
        Ok(())
    }

    /// Replaces the whole workspace with `data` in one transaction.
    ///
    /// # Errors
    /// The storage error when the write failed; nothing changed then.
    pub async fn replace_all(self, data: Dataset) -> Result<(), StorageError> {
        self.replace_all_from(data, None).await
    }

    /// [`AppState::replace_all`] with `data` read from a data file whose text is `file`: lists are
    /// stored as the file spells them where they can be (see [`crate::storage::Db::replace_all_from`]).
    ///
    /// # Errors
    /// The storage error when the write failed; nothing changed then.
    pub async fn replace_all_from(
        self,
        data: Dataset,
        file: Option<crate::storage::FileText<'_>>,
    ) -> Result<(), StorageError> {
        let db = self.db()?;
        let outcome = match db.check_current() {
            Ok(()) => db.replace_all_from(&data, file).await,
            Err(e) => Err(e),
        };
        if let Err(e) = outcome {
            return Err(StorageError::NotSaved {
                unsaved: Unsaved::of_dataset(&data),
                cause: Box::new(e),
            });
        }
        self.after_write(&Notice::Replaced);
        self.data.set_all(data);
        self.load.set(LoadState::Ready);
        Ok(())
    }

    /// Stores new settings.
    ///
    /// # Errors
    /// The storage error when the write failed; nothing changed then.
    pub async fn save_settings(self, settings: Settings) -> Result<(), StorageError> {
        self.write(&[Change::Put(Record::Settings(settings.clone()))], None)
            .await?;
        self.data.settings.set(settings);
        Ok(())
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}

/// Replaces the item with the same key, or appends it.
fn upsert<T, K: PartialEq>(list: &mut Vec<T>, item: T, key: impl Fn(&T) -> K) {
    let k = key(&item);
    match list.iter().position(|x| key(x) == k) {
        Some(i) => list[i] = item,
        None => list.push(item),
    }
}

/// Applies puts (`Ok`) and deletions (`Err(id)`) to one list signal, touching it only when there
/// is something to apply. Ids are looked up through a map so a large batch stays linear.
fn merge<T: 'static + Send + Sync>(
    signal: RwSignal<Vec<T>>,
    items: Vec<Result<T, Uuid>>,
    key: impl Fn(&T) -> Uuid,
) {
    if items.is_empty() {
        return;
    }
    signal.update(|list| {
        let mut at: std::collections::HashMap<Uuid, usize> =
            list.iter().enumerate().map(|(i, r)| (key(r), i)).collect();
        let mut deleted = std::collections::HashSet::new();
        for item in items {
            match item {
                Ok(r) => {
                    let k = key(&r);
                    deleted.remove(&k);
                    match at.get(&k) {
                        Some(&i) => list[i] = r,
                        None => {
                            at.insert(k, list.len());
                            list.push(r);
                        }
                    }
                }
                Err(id) => {
                    deleted.insert(id);
                }
            }
        }
        if !deleted.is_empty() {
            list.retain(|r| !deleted.contains(&key(r)));
        }
    });
}

/// The app state from context.
pub fn use_app() -> AppState {
    expect_context::<AppState>()
}

/// A fresh random id from the browser's cryptographic generator.
pub fn new_id() -> Uuid {
    let mut bytes = [0u8; 16];
    let filled = window()
        .crypto()
        .and_then(|c| c.get_random_values_with_u8_array(&mut bytes))
        .is_ok();
    if !filled {
        // No Web Crypto (very old browser): fall back to Math.random, still unique in practice.
        for b in bytes.iter_mut() {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// The current moment.
pub fn now() -> kehu_core::Timestamp {
    chrono::Utc::now()
}

/// The user's local date.
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}
