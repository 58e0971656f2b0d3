//! Checks on a data file's records once their types are right: unique ids, references that point
//! at records in the file, values in range, customers as the form would accept them.
//!
//! Cheap on a large file: ids go into maps with a fast id hasher, and a problem's JSON path is
//! only formatted when there is a problem.

use std::collections::HashMap;

use chrono::NaiveDate;
use uuid::Uuid;

use super::{ProblemKind, Problems};
use crate::analytics::history::FastMap;
use crate::model::Dataset;
use crate::segment_explorer::SavedSegment;
use crate::validate::validate_customer;

/// Records every id of one list, reporting repeats.
fn ids<'a>(
    list: impl Iterator<Item = Uuid> + 'a,
    path: &str,
    problems: &mut Problems,
) -> FastMap<Uuid, usize> {
    let mut seen = FastMap::with_capacity_and_hasher(list.size_hint().0, Default::default());
    for (i, id) in list.enumerate() {
        if let Some(first) = seen.insert(id, i) {
            seen.insert(id, first);
            problems.push(
                ProblemKind::DuplicateId {
                    id,
                    first: format!("{path}[{first}].id"),
                }
                .at(format!("{path}[{i}].id")),
            );
        }
    }
    seen
}

fn reference(
    id: Uuid,
    known: &FastMap<Uuid, usize>,
    target: &'static str,
    path: impl FnOnce() -> String,
    problems: &mut Problems,
) {
    if !known.contains_key(&id) {
        problems.push(ProblemKind::DanglingReference { id, target }.at(path()));
    }
}

fn not_negative(value: i64, path: impl FnOnce() -> String, problems: &mut Problems) {
    if value < 0 {
        problems.push(ProblemKind::Negative { value }.at(path()));
    }
}

fn finite_not_negative(value: f64, path: impl FnOnce() -> String, problems: &mut Problems) {
    if !value.is_finite() || value < 0.0 {
        problems.push(ProblemKind::BadNumber { value }.at(path()));
    }
}

fn in_range(
    value: i64,
    min: i64,
    max: i64,
    path: impl FnOnce() -> String,
    problems: &mut Problems,
) {
    if value < min || value > max {
        problems.push(ProblemKind::OutOfRange { value, min, max }.at(path()));
    }
}

/// Every problem of `data`, with paths as in a version 1 file.
pub(super) fn check(data: &Dataset, today: NaiveDate, problems: &mut Problems) {
    let customers = ids(data.customers.iter().map(|c| c.id), "customers", problems);
    let orders = ids(data.orders.iter().map(|r| r.id), "orders", problems);
    ids(
        data.interactions.iter().map(|r| r.id),
        "interactions",
        problems,
    );
    ids(data.deals.iter().map(|r| r.id), "deals", problems);
    ids(data.tasks.iter().map(|r| r.id), "tasks", problems);
    ids(data.surveys.iter().map(|r| r.id), "surveys", problems);
    ids(data.ledger.iter().map(|r| r.id), "loyalty.ledger", problems);

    for (i, c) in data.customers.iter().enumerate() {
        for e in validate_customer(c, today) {
            let field = e.field().key();
            problems.push(ProblemKind::Customer(e).at(format!("customers[{i}].{field}")));
        }
        if let Some(r) = c.referred_by {
            if r != c.id {
                reference(
                    r,
                    &customers,
                    "customer",
                    || format!("customers[{i}].referred_by"),
                    problems,
                );
            }
        }
        for (key, value) in &c.custom_fields {
            if let crate::model::CustomValue::Number(n) = value {
                if !n.is_finite() {
                    problems.push(
                        ProblemKind::BadNumber { value: *n }
                            .at(format!("customers[{i}].custom_fields.{key}")),
                    );
                }
            }
        }
    }
    for (i, r) in data.orders.iter().enumerate() {
        reference(
            r.customer_id,
            &customers,
            "customer",
            || format!("orders[{i}].customer_id"),
            problems,
        );
        not_negative(
            r.points_redeemed,
            || format!("orders[{i}].points_redeemed"),
            problems,
        );
    }
    for (i, r) in data.interactions.iter().enumerate() {
        reference(
            r.customer_id,
            &customers,
            "customer",
            || format!("interactions[{i}].customer_id"),
            problems,
        );
    }
    for (i, r) in data.deals.iter().enumerate() {
        reference(
            r.customer_id,
            &customers,
            "customer",
            || format!("deals[{i}].customer_id"),
            problems,
        );
        not_negative(r.value, || format!("deals[{i}].value"), problems);
        if let Some(o) = r.sale_id {
            reference(
                o,
                &orders,
                "order",
                || format!("deals[{i}].sale_id"),
                problems,
            );
        }
    }
    for (i, r) in data.tasks.iter().enumerate() {
        if let Some(c) = r.customer_id {
            reference(
                c,
                &customers,
                "customer",
                || format!("tasks[{i}].customer_id"),
                problems,
            );
        }
    }
    for (i, r) in data.surveys.iter().enumerate() {
        reference(
            r.customer_id,
            &customers,
            "customer",
            || format!("surveys[{i}].customer_id"),
            problems,
        );
        in_range(
            i64::from(r.nps),
            0,
            10,
            || format!("surveys[{i}].nps"),
            problems,
        );
        let s = &r.scores;
        for (name, v) in [
            ("reliability", s.reliability),
            ("professionalism", s.professionalism),
            ("tangibles", s.tangibles),
            ("empathy", s.empathy),
            ("responsiveness", s.responsiveness),
        ] {
            in_range(
                i64::from(v),
                1,
                5,
                || format!("surveys[{i}].scores.{name}"),
                problems,
            );
        }
    }
    for (i, r) in data.ledger.iter().enumerate() {
        reference(
            r.customer_id,
            &customers,
            "customer",
            || format!("loyalty.ledger[{i}].customer_id"),
            problems,
        );
        if let Some(o) = r.order_id {
            reference(
                o,
                &orders,
                "order",
                || format!("loyalty.ledger[{i}].order_id"),
                problems,
            );
        }
    }
    let p = &data.loyalty;
    finite_not_negative(
        p.points_per_unit,
        || "loyalty.programme.points_per_unit".into(),
        problems,
    );
    not_negative(
        p.birthday_bonus,
        || "loyalty.programme.birthday_bonus".into(),
        problems,
    );
    not_negative(
        p.referral_bonus,
        || "loyalty.programme.referral_bonus".into(),
        problems,
    );
    for (i, t) in p.tiers.iter().enumerate() {
        not_negative(
            t.threshold,
            || format!("loyalty.programme.tiers[{i}].threshold"),
            problems,
        );
        finite_not_negative(
            t.multiplier,
            || format!("loyalty.programme.tiers[{i}].multiplier"),
            problems,
        );
    }
    let a = &data.settings.analysis;
    for (name, v) in [
        ("abc_a", a.abc_a),
        ("abc_b", a.abc_b),
        ("churn_k", a.churn_k),
        ("churn_p_alive_below", a.churn_p_alive_below),
    ] {
        finite_not_negative(v, || format!("settings.analysis.{name}"), problems);
    }
    segments(&data.settings.segments, problems);
}

/// Saved segments as the segment explorer would save them: unique ids, a name unique without
/// regard to case, ranges that are not backwards.
fn segments(list: &[SavedSegment], problems: &mut Problems) {
    ids(list.iter().map(|s| s.id), "settings.segments", problems);
    let mut names: HashMap<String, usize> = HashMap::new();
    for (i, s) in list.iter().enumerate() {
        let name = s.name.trim();
        if name.is_empty() {
            problems.push(ProblemKind::SegmentNameEmpty.at(format!("settings.segments[{i}].name")));
        } else if let Some(first) = names.insert(name.to_lowercase(), i) {
            names.insert(name.to_lowercase(), first);
            problems.push(
                ProblemKind::SegmentNameTaken {
                    name: name.to_string(),
                    first: format!("settings.segments[{first}].name"),
                }
                .at(format!("settings.segments[{i}].name")),
            );
        }
        if let Err(e) = s.filter.check() {
            problems
                .push(ProblemKind::SegmentFilter(e).at(format!("settings.segments[{i}].filter")));
        }
    }
}
