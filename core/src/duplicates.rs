//! Customers kept twice: finding likely duplicates and merging two into one.
//!
//! Likely duplicates share a normalised phone or e-mail, or have (nearly) the same name: equal
//! after dropping case, spaces and punctuation, or — for names of five or more letters — one
//! edit apart. Merging keeps one customer (the survivor) with a value chosen per field, and moves
//! the other's orders, interactions, deals, tasks, surveys and points to it; [`CustomerMerge`]
//! holds the records before and after so that the app can write it in one transaction and undo it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use thiserror::Error;
use uuid::Uuid;

use crate::model::{
    Customer, Dataset, Deal, Interaction, LedgerEntry, Order, SurveyResponse, Task, Timestamp,
};
use crate::validate::{normalize_email, normalize_phone};

/// Most pairs [`find`] returns.
pub const MAX_PAIRS: usize = 500;

/// Groups larger than this (a shop's own number on many cards) are not paired up.
const MAX_GROUP: usize = 20;

/// Why two customers look like one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Phone,
    Email,
    Name,
    SimilarName,
}

/// Two customers that are probably the same person, `a` created first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DuplicatePair {
    pub a: Uuid,
    pub b: Uuid,
    pub reasons: Vec<Reason>,
}

fn name_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Likely duplicate pairs, strongest first (most reasons, contact matches before names).
pub fn find(customers: &[Customer]) -> Vec<DuplicatePair> {
    let mut groups: HashMap<(Reason, String), Vec<usize>> = HashMap::new();
    for (i, c) in customers.iter().enumerate() {
        let phone = normalize_phone(&c.phone);
        if !phone.is_empty() {
            groups.entry((Reason::Phone, phone)).or_default().push(i);
        }
        let email = normalize_email(&c.email);
        if !email.is_empty() {
            groups.entry((Reason::Email, email)).or_default().push(i);
        }
        let name = name_key(&c.name);
        let letters = name.chars().count();
        if letters >= 5 {
            // Every one-letter deletion: two names one edit apart share one of these.
            for skip in 0..letters {
                let key: String = name
                    .chars()
                    .enumerate()
                    .filter(|(j, _)| *j != skip)
                    .map(|(_, ch)| ch)
                    .collect();
                groups
                    .entry((Reason::SimilarName, key))
                    .or_default()
                    .push(i);
            }
        }
        if !name.is_empty() {
            groups.entry((Reason::Name, name)).or_default().push(i);
        }
    }
    let mut pairs: BTreeMap<(usize, usize), BTreeSet<Reason>> = BTreeMap::new();
    for ((reason, _), mut members) in groups {
        members.dedup();
        if members.len() < 2 || members.len() > MAX_GROUP {
            continue;
        }
        for (x, &i) in members.iter().enumerate() {
            for &j in &members[x + 1..] {
                let (a, b) = (i.min(j), i.max(j));
                if reason == Reason::SimilarName {
                    let (na, nb) = (name_key(&customers[a].name), name_key(&customers[b].name));
                    if na == nb || strsim::damerau_levenshtein(&na, &nb) > 1 {
                        continue;
                    }
                }
                pairs.entry((a, b)).or_default().insert(reason);
            }
        }
    }
    let mut out: Vec<DuplicatePair> = pairs
        .into_iter()
        .map(|((i, j), reasons)| {
            let (a, b) = (&customers[i], &customers[j]);
            let (a, b) = if (b.created_at, b.id) < (a.created_at, a.id) {
                (b, a)
            } else {
                (a, b)
            };
            DuplicatePair {
                a: a.id,
                b: b.id,
                reasons: reasons.into_iter().collect(),
            }
        })
        .collect();
    let strength = |p: &DuplicatePair| {
        let contact = p
            .reasons
            .iter()
            .filter(|r| matches!(r, Reason::Phone | Reason::Email))
            .count();
        (
            std::cmp::Reverse(contact),
            std::cmp::Reverse(p.reasons.len()),
        )
    };
    out.sort_by_key(|p| (strength(p), p.a, p.b));
    out.truncate(MAX_PAIRS);
    out
}

/// A field whose surviving value the user chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MergeField {
    Name,
    Phone,
    Email,
    OtherContact,
    Company,
    Kind,
    Gender,
    Birthday,
    Region,
    Industry,
    Source,
    ReferredBy,
    Tags,
    Notes,
    MarketingConsent,
    CustomFields,
    Archived,
}

impl MergeField {
    /// Every field, in form order.
    pub const ALL: [MergeField; 17] = [
        MergeField::Name,
        MergeField::Phone,
        MergeField::Email,
        MergeField::OtherContact,
        MergeField::Company,
        MergeField::Kind,
        MergeField::Gender,
        MergeField::Birthday,
        MergeField::Region,
        MergeField::Industry,
        MergeField::Source,
        MergeField::ReferredBy,
        MergeField::Tags,
        MergeField::Notes,
        MergeField::MarketingConsent,
        MergeField::CustomFields,
        MergeField::Archived,
    ];

    /// The field's value as the data file writes it (for comparing and showing).
    pub fn value(self, c: &Customer) -> String {
        fn v<T: Serialize>(x: &T) -> String {
            match serde_json::to_value(x).unwrap_or_default() {
                serde_json::Value::String(s) => s,
                serde_json::Value::Null => String::new(),
                serde_json::Value::Object(o) if o.is_empty() => String::new(),
                other => other.to_string(),
            }
        }
        match self {
            MergeField::Name => c.name.clone(),
            MergeField::Phone => c.phone.clone(),
            MergeField::Email => c.email.clone(),
            MergeField::OtherContact => c.other_contact.clone(),
            MergeField::Company => c.company.clone(),
            MergeField::Kind => v(&c.kind),
            MergeField::Gender => v(&c.gender),
            MergeField::Birthday => v(&c.birthday),
            MergeField::Region => c.region.clone(),
            MergeField::Industry => c.industry.clone(),
            MergeField::Source => v(&c.source),
            MergeField::ReferredBy => v(&c.referred_by),
            MergeField::Tags => c.tags.join(", "),
            MergeField::Notes => c.notes.clone(),
            MergeField::MarketingConsent => c.marketing_consent.to_string(),
            MergeField::CustomFields => v(&c.custom_fields),
            MergeField::Archived => c.archived.to_string(),
        }
    }

    fn take(self, to: &mut Customer, from: &Customer) {
        match self {
            MergeField::Name => to.name = from.name.clone(),
            MergeField::Phone => to.phone = from.phone.clone(),
            MergeField::Email => to.email = from.email.clone(),
            MergeField::OtherContact => to.other_contact = from.other_contact.clone(),
            MergeField::Company => to.company = from.company.clone(),
            MergeField::Kind => to.kind = from.kind,
            MergeField::Gender => to.gender = from.gender,
            MergeField::Birthday => to.birthday = from.birthday,
            MergeField::Region => to.region = from.region.clone(),
            MergeField::Industry => to.industry = from.industry.clone(),
            MergeField::Source => to.source = from.source,
            MergeField::ReferredBy => to.referred_by = from.referred_by,
            MergeField::Tags => to.tags = from.tags.clone(),
            MergeField::Notes => to.notes = from.notes.clone(),
            MergeField::MarketingConsent => to.marketing_consent = from.marketing_consent,
            MergeField::CustomFields => to.custom_fields = from.custom_fields.clone(),
            MergeField::Archived => to.archived = from.archived,
        }
    }
}

/// The fields where two customers differ.
pub fn differing_fields(a: &Customer, b: &Customer) -> Vec<MergeField> {
    MergeField::ALL
        .into_iter()
        .filter(|f| f.value(a) != f.value(b))
        .collect()
}

/// The suggested choice per differing field: the other's value where the survivor's is empty.
pub fn suggested_choices(survivor: &Customer, other: &Customer) -> Vec<(MergeField, bool)> {
    differing_fields(survivor, other)
        .into_iter()
        .map(|f| {
            (
                f,
                f.value(survivor).is_empty() && !f.value(other).is_empty(),
            )
        })
        .collect()
}

/// Why two customers cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
#[non_exhaustive]
pub enum MergeError {
    #[error("a customer cannot be merged with itself")]
    Same,
    #[error("customer {0} does not exist")]
    NotFound(Uuid),
}

/// Records as they are before a merge and as it writes them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Records {
    pub customers: Vec<Customer>,
    pub orders: Vec<Order>,
    pub interactions: Vec<Interaction>,
    pub deals: Vec<Deal>,
    pub tasks: Vec<Task>,
    pub surveys: Vec<SurveyResponse>,
    pub ledger: Vec<LedgerEntry>,
}

/// A merge of two customers: what to write, what to delete, and what to put back to undo it.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerMerge {
    /// The survivor and every moved record as the merge leaves them.
    pub after: Records,
    /// The same records as they were (the survivor, moved records and referrers).
    pub before: Records,
    /// The customer merged away (deleted), as it was.
    pub removed: Customer,
}

/// Merges customer `other_id` into `survivor_id`: `take_other` lists the fields whose value comes
/// from the other customer; the survivor keeps its own elsewhere. Every record of the other moves
/// to the survivor; customers it referred now name the survivor.
///
/// # Errors
/// [`MergeError`] when the ids are the same or not found.
pub fn merge_customers(
    data: &Dataset,
    survivor_id: Uuid,
    other_id: Uuid,
    take_other: &[MergeField],
    now: Timestamp,
) -> Result<CustomerMerge, MergeError> {
    if survivor_id == other_id {
        return Err(MergeError::Same);
    }
    let find = |id| {
        data.customers
            .iter()
            .find(|c| c.id == id)
            .ok_or(MergeError::NotFound(id))
    };
    let (survivor, other) = (find(survivor_id)?, find(other_id)?);
    let mut merged = survivor.clone();
    for f in take_other {
        f.take(&mut merged, other);
    }
    if merged.referred_by == Some(other_id) || merged.referred_by == Some(survivor_id) {
        merged.referred_by = None;
    }
    merged.created_at = survivor.created_at.min(other.created_at);
    merged.updated_at = now;

    let mut before = Records {
        customers: vec![survivor.clone()],
        ..Records::default()
    };
    let mut after = Records {
        customers: vec![merged],
        ..Records::default()
    };
    for c in &data.customers {
        if c.referred_by == Some(other_id) && c.id != survivor_id && c.id != other_id {
            before.customers.push(c.clone());
            after.customers.push(Customer {
                referred_by: Some(survivor_id),
                updated_at: now,
                ..c.clone()
            });
        }
    }
    macro_rules! move_all {
        ($list:ident) => {
            for r in data.$list.iter().filter(|r| r.customer_id == other_id) {
                before.$list.push(r.clone());
                let mut moved = r.clone();
                moved.customer_id = survivor_id;
                moved.updated_at = now;
                after.$list.push(moved);
            }
        };
    }
    move_all!(orders);
    move_all!(interactions);
    move_all!(deals);
    move_all!(surveys);
    move_all!(ledger);
    for r in data
        .tasks
        .iter()
        .filter(|r| r.customer_id == Some(other_id))
    {
        before.tasks.push(r.clone());
        after.tasks.push(Task {
            customer_id: Some(survivor_id),
            updated_at: now,
            ..r.clone()
        });
    }
    Ok(CustomerMerge {
        after,
        before,
        removed: other.clone(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::demo::{generate, DemoSize};

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn customer(n: u128, name: &str) -> Customer {
        Customer::new(Uuid::from_u128(n), name, at("2026-01-01T00:00:00Z"))
    }

    #[test]
    fn finds_by_phone_email_and_near_identical_names() {
        let mut a = customer(1, "Wang Fang");
        a.phone = "+86 138 0013 8000".into();
        let mut b = customer(2, "王芳");
        b.phone = "13800138000".into();
        let mut c = customer(3, "Zhang Wei");
        c.email = "ZW@example.cn".into();
        let mut d = customer(4, "zhang  wei.");
        d.email = "zw@example.cn ".into();
        let e = customer(5, "Jonathan Smith");
        let f = customer(6, "Jonathon Smith");
        let g = customer(7, "Someone Else");
        let pairs = find(&[a, b, c, d, e, f, g]);
        assert_eq!(pairs.len(), 3, "{pairs:#?}");
        assert_eq!(pairs[0].reasons, [Reason::Email, Reason::Name]);
        assert_eq!(
            (pairs[0].a, pairs[0].b),
            (Uuid::from_u128(3), Uuid::from_u128(4))
        );
        assert_eq!(pairs[1].reasons, [Reason::Phone]);
        assert_eq!(pairs[2].reasons, [Reason::SimilarName]);
        assert_eq!(pairs[2].a, Uuid::from_u128(5));
    }

    #[test]
    fn finding_scales_to_the_classroom_demo() {
        let data = generate(
            DemoSize::Classroom,
            3,
            chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        );
        let pairs = find(&data.customers);
        assert!(pairs.len() <= MAX_PAIRS);
    }

    #[test]
    fn merge_moves_every_record_and_keeps_chosen_values() {
        let data = generate(
            DemoSize::Small,
            9,
            chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        );
        let count = |d: &Dataset, id| d.orders.iter().filter(|o| o.customer_id == id).count();
        let (s, o) = (data.customers[0].clone(), data.customers[1].clone());
        let fields = differing_fields(&s, &o);
        assert!(fields.contains(&MergeField::Name));
        let m = merge_customers(
            &data,
            s.id,
            o.id,
            &[MergeField::Phone],
            at("2026-11-22T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(m.after.customers[0].phone, o.phone);
        assert_eq!(m.after.customers[0].name, s.name);
        assert_eq!(m.removed, o);
        assert_eq!(m.after.orders.len(), count(&data, o.id));
        assert!(m.after.orders.iter().all(|r| r.customer_id == s.id));
        assert_eq!(m.before.orders.len(), m.after.orders.len());
        assert!(m.before.orders.iter().all(|r| r.customer_id == o.id));
        // Applying the merge leaves a valid workspace with every order kept.
        let mut merged = data.clone();
        merged.customers.retain(|c| c.id != o.id);
        for c in &m.after.customers {
            if let Some(x) = merged.customers.iter_mut().find(|x| x.id == c.id) {
                *x = c.clone();
            }
        }
        for r in &m.after.orders {
            if let Some(x) = merged.orders.iter_mut().find(|x| x.id == r.id) {
                *x = r.clone();
            }
        }
        for r in &m.after.ledger {
            if let Some(x) = merged.ledger.iter_mut().find(|x| x.id == r.id) {
                *x = r.clone();
            }
        }
        for r in &m.after.surveys {
            if let Some(x) = merged.surveys.iter_mut().find(|x| x.id == r.id) {
                *x = r.clone();
            }
        }
        for r in &m.after.interactions {
            if let Some(x) = merged.interactions.iter_mut().find(|x| x.id == r.id) {
                *x = r.clone();
            }
        }
        for r in &m.after.deals {
            if let Some(x) = merged.deals.iter_mut().find(|x| x.id == r.id) {
                *x = r.clone();
            }
        }
        for r in &m.after.tasks {
            if let Some(x) = merged.tasks.iter_mut().find(|x| x.id == r.id) {
                *x = r.clone();
            }
        }
        assert_eq!(merged.orders.len(), data.orders.len());
        assert_eq!(
            count(&merged, s.id),
            count(&data, s.id) + count(&data, o.id)
        );
        let text = crate::datafile::export(&merged, at("2026-11-22T00:00:00Z"), "x").unwrap();
        crate::datafile::read(
            text.as_bytes(),
            chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        )
        .unwrap_or_else(|r| panic!("{r:#?}"));
        assert_eq!(
            merge_customers(&data, s.id, s.id, &[], at("2026-11-22T00:00:00Z")),
            Err(MergeError::Same)
        );
    }

    #[test]
    fn suggestions_fill_empty_fields_from_the_other() {
        let a = customer(1, "A");
        let mut b = customer(2, "A");
        b.email = "a@b.cn".into();
        assert_eq!(suggested_choices(&a, &b), [(MergeField::Email, true)]);
    }
}
