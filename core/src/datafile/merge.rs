//! Merging a data file into the workspace: which records are new, which the file updates, which
//! are the same, and where both sides changed the same record.
//!
//! Records are matched by id; a customer from another device (another id) also by normalised
//! phone or e-mail. Per record the newer `updated_at` wins. A *conflict* is a record present on
//! both sides with different content where this device's copy is as new or newer: it is kept, and
//! the conflict is listed so the user sees what the file's copy would have changed. A record is
//! *rejected* when it cannot be placed: a customer whose phone matches one customer here and whose
//! e-mail matches another, a second file customer matching the same one here, and the records
//! belonging to a rejected customer or order. Settings and the loyalty programme of this device
//! are kept, except its saved segments: the file's are merged in like records (by id, newer wins),
//! and a new one whose name another segment here already has is given a numbered name.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use uuid::Uuid;

use crate::model::{
    Customer, Dataset, Deal, Interaction, LedgerEntry, Order, SurveyResponse, Task, Timestamp,
};
use crate::segment_explorer::SavedSegment;
use crate::validate::{normalize_email, normalize_phone};

/// A kind of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Customer,
    Order,
    Interaction,
    Deal,
    Task,
    Survey,
    Ledger,
    /// A saved segment (kept in the settings).
    Segment,
}

impl Entity {
    /// Every kind, in the order previews list them.
    pub const ALL: [Entity; 8] = [
        Entity::Customer,
        Entity::Order,
        Entity::Interaction,
        Entity::Deal,
        Entity::Task,
        Entity::Survey,
        Entity::Ledger,
        Entity::Segment,
    ];
}

/// How many records of one kind fall in each outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Counts {
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub conflicts: usize,
    pub rejected: usize,
}

/// A record changed on both sides where this device's copy wins.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    pub entity: Entity,
    /// The record's id here.
    pub id: Uuid,
    /// A name or title to recognise it by.
    pub label: String,
    /// The fields whose values differ.
    pub fields: Vec<String>,
    pub local_updated_at: Timestamp,
    pub incoming_updated_at: Timestamp,
}

/// Why a record of the file is left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum RejectReason {
    /// Its phone matches one customer here and its e-mail another.
    Ambiguous { by_phone: Uuid, by_email: Uuid },
    /// Another customer of the file already matched the same customer here.
    MatchedTwice { other: Uuid },
    /// The customer (or order) it belongs to was rejected.
    OwnerRejected { owner: Uuid },
}

/// A record of the file left out of the merge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejected {
    pub entity: Entity,
    /// Its id in the file.
    pub id: Uuid,
    pub label: String,
    pub reason: RejectReason,
}

/// What merging would do; nothing is written until the app applies [`MergePlan::writes`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MergePlan {
    pub counts: Vec<(Entity, Counts)>,
    pub conflicts: Vec<Conflict>,
    pub rejected: Vec<Rejected>,
    /// New and updated records, with references moved to the matched customers' ids here.
    /// Settings and programme are this device's, with the saved segments merged.
    pub writes: Dataset,
}

impl MergePlan {
    /// The counts of one kind.
    pub fn counts_of(&self, entity: Entity) -> Counts {
        self.counts
            .iter()
            .find(|(e, _)| *e == entity)
            .map(|(_, c)| *c)
            .unwrap_or_default()
    }

    /// Total over every kind.
    pub fn total(&self) -> Counts {
        self.counts.iter().fold(Counts::default(), |mut t, (_, c)| {
            t.new += c.new;
            t.updated += c.updated;
            t.unchanged += c.unchanged;
            t.conflicts += c.conflicts;
            t.rejected += c.rejected;
            t
        })
    }

    /// Number of records that would be written.
    pub fn write_count(&self) -> usize {
        let w = &self.writes;
        w.customers.len()
            + w.orders.len()
            + w.interactions.len()
            + w.deals.len()
            + w.tasks.len()
            + w.surveys.len()
            + w.ledger.len()
            + self.segment_writes()
    }

    /// Saved segments the merge adds or updates (written with the settings).
    pub fn segment_writes(&self) -> usize {
        let c = self.counts_of(Entity::Segment);
        c.new + c.updated
    }
}

/// What every record kind offers the merge.
trait Rec: Clone + PartialEq + Serialize {
    const ENTITY: Entity;
    fn id(&self) -> Uuid;
    fn set_id(&mut self, id: Uuid);
    fn updated_at(&self) -> Timestamp;
    fn label(&self) -> String;
    /// Moves references to matched ids; `Err(owner)` when the owner was rejected.
    fn remap(&mut self, refs: &Refs) -> Result<(), Uuid>;
}

/// Where the file's customer and order ids go.
#[derive(Default)]
struct Refs {
    customers: HashMap<Uuid, Uuid>,
    rejected_customers: HashSet<Uuid>,
    rejected_orders: HashSet<Uuid>,
}

impl Refs {
    fn customer(&self, id: Uuid) -> Result<Uuid, Uuid> {
        if self.rejected_customers.contains(&id) {
            Err(id)
        } else {
            Ok(self.customers.get(&id).copied().unwrap_or(id))
        }
    }
}

macro_rules! rec {
    ($t:ty, $entity:expr, $label:expr, $remap:expr) => {
        impl Rec for $t {
            const ENTITY: Entity = $entity;
            fn id(&self) -> Uuid {
                self.id
            }
            fn set_id(&mut self, id: Uuid) {
                self.id = id;
            }
            fn updated_at(&self) -> Timestamp {
                self.updated_at
            }
            fn label(&self) -> String {
                let f: fn(&$t) -> String = $label;
                f(self)
            }
            fn remap(&mut self, refs: &Refs) -> Result<(), Uuid> {
                let f: fn(&mut $t, &Refs) -> Result<(), Uuid> = $remap;
                f(self, refs)
            }
        }
    };
}

fn owner(customer_id: &mut Uuid, refs: &Refs) -> Result<(), Uuid> {
    *customer_id = refs.customer(*customer_id)?;
    Ok(())
}

rec!(Customer, Entity::Customer, |c| c.name.clone(), |c, refs| {
    c.referred_by = c.referred_by.and_then(|r| refs.customer(r).ok());
    Ok(())
});
rec!(
    Order,
    Entity::Order,
    |r| format!("{} {}", r.date.format("%Y-%m-%d"), r.category),
    |r, refs| owner(&mut r.customer_id, refs)
);
rec!(
    Interaction,
    Entity::Interaction,
    |r| format!("{} {}", r.date.format("%Y-%m-%d"), r.summary),
    |r, refs| owner(&mut r.customer_id, refs)
);
rec!(Deal, Entity::Deal, |r| r.title.clone(), |r, refs| owner(
    &mut r.customer_id,
    refs
));
rec!(Task, Entity::Task, |r| r.title.clone(), |r, refs| {
    if let Some(c) = r.customer_id {
        r.customer_id = Some(refs.customer(c)?);
    }
    Ok(())
});
rec!(
    SurveyResponse,
    Entity::Survey,
    |r| format!("{} NPS {}", r.date, r.nps),
    |r, refs| owner(&mut r.customer_id, refs)
);
rec!(
    SavedSegment,
    Entity::Segment,
    |s| s.name.clone(),
    |_, _| Ok(())
);
rec!(
    LedgerEntry,
    Entity::Ledger,
    |r| format!("{} {:+}", r.date.format("%Y-%m-%d"), r.points),
    |r, refs| {
        if let Some(o) = r.order_id {
            if refs.rejected_orders.contains(&o) {
                return Err(o);
            }
        }
        owner(&mut r.customer_id, refs)
    }
);

/// The top-level fields whose values differ (ignoring `id`, `created_at`, `updated_at`).
fn differing_fields<T: Serialize>(a: &T, b: &T) -> Vec<String> {
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(a), serde_json::to_value(b))
    else {
        return Vec::new();
    };
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| !matches!(k.as_str(), "id" | "created_at" | "updated_at"))
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect()
}

/// One kind's outcome.
struct Outcome<T> {
    counts: Counts,
    writes: Vec<T>,
}

/// Compares the file's records of one kind with this device's, after matching `target` ids.
fn merge_kind<T: Rec>(
    local: &[T],
    incoming: &[T],
    refs: &Refs,
    target: impl Fn(&T) -> Option<Uuid>,
    conflicts: &mut Vec<Conflict>,
    rejected: &mut Vec<Rejected>,
) -> Outcome<T> {
    let here: HashMap<Uuid, &T> = local.iter().map(|r| (r.id(), r)).collect();
    let mut counts = Counts::default();
    let mut writes = Vec::new();
    for original in incoming {
        let mut r = original.clone();
        if let Err(owner) = r.remap(refs) {
            counts.rejected += 1;
            rejected.push(Rejected {
                entity: T::ENTITY,
                id: original.id(),
                label: original.label(),
                reason: RejectReason::OwnerRejected { owner },
            });
            continue;
        }
        let id = target(original).unwrap_or(original.id());
        r.set_id(id);
        match here.get(&id) {
            None => {
                counts.new += 1;
                writes.push(r);
            }
            Some(mine) if **mine == r => counts.unchanged += 1,
            Some(mine) if r.updated_at() > mine.updated_at() => {
                counts.updated += 1;
                writes.push(r);
            }
            Some(mine) => {
                let fields = differing_fields(*mine, &r);
                if fields.is_empty() {
                    // Only timestamps differ: the same content.
                    counts.unchanged += 1;
                } else {
                    counts.conflicts += 1;
                    conflicts.push(Conflict {
                        entity: T::ENTITY,
                        id,
                        label: mine.label(),
                        fields,
                        local_updated_at: mine.updated_at(),
                        incoming_updated_at: r.updated_at(),
                    });
                }
            }
        }
    }
    Outcome { counts, writes }
}

/// Plans merging `incoming` (a valid data file) into `local` (this device's workspace).
pub fn plan(local: &Dataset, incoming: &Dataset) -> MergePlan {
    let mut refs = Refs::default();
    let mut rejected = Vec::new();
    let mut conflicts = Vec::new();

    // Customers: by id, else by normalised phone or e-mail.
    let by_id: HashSet<Uuid> = local.customers.iter().map(|c| c.id).collect();
    let mut by_phone: HashMap<String, Uuid> = HashMap::new();
    let mut by_email: HashMap<String, Uuid> = HashMap::new();
    for c in &local.customers {
        let p = normalize_phone(&c.phone);
        if !p.is_empty() {
            by_phone.entry(p).or_insert(c.id);
        }
        let e = normalize_email(&c.email);
        if !e.is_empty() {
            by_email.entry(e).or_insert(c.id);
        }
    }
    let mut taken: HashMap<Uuid, Uuid> = HashMap::new();
    let mut accepted = Vec::new();
    for c in &incoming.customers {
        let matched = if by_id.contains(&c.id) {
            Ok(Some(c.id))
        } else {
            let p = by_phone.get(&normalize_phone(&c.phone)).copied();
            let e = by_email.get(&normalize_email(&c.email)).copied();
            match (p, e) {
                (Some(a), Some(b)) if a != b => Err(RejectReason::Ambiguous {
                    by_phone: a,
                    by_email: b,
                }),
                (Some(a), _) | (None, Some(a)) => Ok(Some(a)),
                (None, None) => Ok(None),
            }
        };
        let matched = matched.and_then(|m| match m {
            Some(here) => match taken.get(&here) {
                Some(&other) if other != c.id => Err(RejectReason::MatchedTwice { other }),
                _ => {
                    taken.insert(here, c.id);
                    Ok(Some(here))
                }
            },
            None => Ok(None),
        });
        match matched {
            Ok(Some(here)) => {
                refs.customers.insert(c.id, here);
                accepted.push(c.clone());
            }
            Ok(None) => accepted.push(c.clone()),
            Err(reason) => {
                refs.rejected_customers.insert(c.id);
                rejected.push(Rejected {
                    entity: Entity::Customer,
                    id: c.id,
                    label: c.name.clone(),
                    reason,
                });
            }
        }
    }
    let customer_target = |c: &Customer| refs.customers.get(&c.id).copied();
    let customers = merge_kind(
        &local.customers,
        &accepted,
        &refs,
        customer_target,
        &mut conflicts,
        &mut rejected,
    );
    let mut customer_counts = customers.counts;
    customer_counts.rejected += refs.rejected_customers.len();

    let orders = merge_kind(
        &local.orders,
        &incoming.orders,
        &refs,
        |_| None,
        &mut conflicts,
        &mut rejected,
    );
    refs.rejected_orders = rejected
        .iter()
        .filter(|r| r.entity == Entity::Order)
        .map(|r| r.id)
        .collect();
    let interactions = merge_kind(
        &local.interactions,
        &incoming.interactions,
        &refs,
        |_| None,
        &mut conflicts,
        &mut rejected,
    );
    let deals = merge_kind(
        &local.deals,
        &incoming.deals,
        &refs,
        |_| None,
        &mut conflicts,
        &mut rejected,
    );
    let tasks = merge_kind(
        &local.tasks,
        &incoming.tasks,
        &refs,
        |_| None,
        &mut conflicts,
        &mut rejected,
    );
    let surveys = merge_kind(
        &local.surveys,
        &incoming.surveys,
        &refs,
        |_| None,
        &mut conflicts,
        &mut rejected,
    );
    let ledger = merge_kind(
        &local.ledger,
        &incoming.ledger,
        &refs,
        |_| None,
        &mut conflicts,
        &mut rejected,
    );
    let segments = merge_kind(
        &local.settings.segments,
        &incoming.settings.segments,
        &refs,
        |_| None,
        &mut conflicts,
        &mut rejected,
    );
    let mut settings = local.settings.clone();
    settings.segments = merged_segments(&local.settings.segments, segments.writes);
    MergePlan {
        counts: vec![
            (Entity::Customer, customer_counts),
            (Entity::Order, orders.counts),
            (Entity::Interaction, interactions.counts),
            (Entity::Deal, deals.counts),
            (Entity::Task, tasks.counts),
            (Entity::Survey, surveys.counts),
            (Entity::Ledger, ledger.counts),
            (Entity::Segment, segments.counts),
        ],
        conflicts,
        rejected,
        writes: Dataset {
            customers: customers.writes,
            orders: orders.writes,
            interactions: interactions.writes,
            deals: deals.writes,
            tasks: tasks.writes,
            surveys: surveys.writes,
            ledger: ledger.writes,
            loyalty: local.loyalty.clone(),
            settings,
        },
    }
}

/// This device's saved segments with the file's new and updated ones: an update replaces its
/// segment in place, a new one goes at the end, and a name already used by another segment (case
/// aside) gets the first free " (2)", " (3)"… so every name stays unique.
fn merged_segments(local: &[SavedSegment], writes: Vec<SavedSegment>) -> Vec<SavedSegment> {
    let mut out = local.to_vec();
    for w in writes {
        match out.iter().position(|s| s.id == w.id) {
            Some(i) => out[i] = w,
            None => out.push(w),
        }
    }
    // Names here are unique already, so only a segment that clashes with an earlier one is renamed.
    let used = |name: &str, out: &[SavedSegment], others: std::ops::Range<usize>, i: usize| {
        let lower = name.trim().to_lowercase();
        out[others]
            .iter()
            .enumerate()
            .any(|(j, s)| j != i && s.name.trim().to_lowercase() == lower)
    };
    for i in 0..out.len() {
        if used(&out[i].name, &out, 0..i, i) {
            let base = out[i].name.trim().to_string();
            let mut n = 2;
            while used(&format!("{base} ({n})"), &out, 0..out.len(), i) {
                n += 1;
            }
            out[i].name = format!("{base} ({n})");
        }
    }
    out
}

/// `local` with the plan's writes applied, as the app's store will hold it after the merge.
pub fn apply(local: &Dataset, plan: &MergePlan) -> Dataset {
    fn put<T: Rec>(list: &[T], writes: &[T]) -> Vec<T> {
        let mut out = list.to_vec();
        let mut at: HashMap<Uuid, usize> =
            out.iter().enumerate().map(|(i, r)| (r.id(), i)).collect();
        for w in writes {
            match at.get(&w.id()) {
                Some(&i) => out[i] = w.clone(),
                None => {
                    at.insert(w.id(), out.len());
                    out.push(w.clone());
                }
            }
        }
        out
    }
    let w = &plan.writes;
    Dataset {
        customers: put(&local.customers, &w.customers),
        orders: put(&local.orders, &w.orders),
        interactions: put(&local.interactions, &w.interactions),
        deals: put(&local.deals, &w.deals),
        tasks: put(&local.tasks, &w.tasks),
        surveys: put(&local.surveys, &w.surveys),
        ledger: put(&local.ledger, &w.ledger),
        loyalty: local.loyalty.clone(),
        settings: w.settings.clone(),
    }
}
