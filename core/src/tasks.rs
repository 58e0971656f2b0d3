//! Tasks and reminders: which list a task belongs in on a given day, and the tasks Kehu suggests
//! (churn warnings, birthdays in the coming week, follow-ups due) for the user to accept or dismiss.
//!
//! Accepting a suggestion stores it as a task (with the suggestion's origin, customer and due
//! date); dismissing it stores the same task with `dismissed = true`. Either way the stored task
//! *covers* the suggestion, so it is not suggested again (see [`suggest_tasks`] for the rules).

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::analytics::churn::Churn;
use crate::model::{Customer, Interaction, Money, Task, TaskOrigin, Timestamp};

/// Birthdays this many days ahead (today included) are suggested.
pub const BIRTHDAY_DAYS_AHEAD: i64 = 7;
/// Follow-ups due at most this many days ago are suggested; older ones are stale.
pub const FOLLOW_UP_DAYS_BACK: i64 = 30;

/// Where a task is listed on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskBucket {
    /// Not done, due before today.
    Overdue,
    /// Not done, due today.
    Today,
    /// Not done, due after today or without a due date.
    Upcoming,
    /// Done.
    Done,
    /// A dismissed suggestion: not listed.
    Dismissed,
}

/// The list `task` belongs in on `today`.
pub fn bucket(task: &Task, today: NaiveDate) -> TaskBucket {
    if task.dismissed {
        TaskBucket::Dismissed
    } else if task.done {
        TaskBucket::Done
    } else {
        match task.due {
            Some(d) if d < today => TaskBucket::Overdue,
            Some(d) if d == today => TaskBucket::Today,
            _ => TaskBucket::Upcoming,
        }
    }
}

/// Why a task is suggested, with the facts to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SuggestionReason {
    /// The churn warning fired: no purchase for longer than k × the usual interval.
    ChurnWarning {
        /// Day of the last purchase.
        last_purchase: NaiveDate,
        /// Days since then.
        days_since_last: i64,
        /// k × interval, days.
        threshold_days: f64,
        /// Average annual spend at risk, minor units.
        value_at_risk: Money,
    },
    /// A birthday in the coming week.
    Birthday {
        /// The birthday this year (or next, around new year).
        on: NaiveDate,
        /// Age reached on that day, when the birth year is plausible.
        age: Option<i32>,
    },
    /// An interaction's follow-up date has come and no task or later contact covers it.
    FollowUp {
        /// The interaction that asked for the follow-up.
        interaction_id: Uuid,
        /// Its summary.
        summary: String,
    },
}

/// A task Kehu suggests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The origin the task gets when accepted.
    pub origin: TaskOrigin,
    pub customer_id: Uuid,
    /// Due date of the task when accepted.
    pub due: NaiveDate,
    pub reason: SuggestionReason,
}

impl Suggestion {
    /// The task this suggestion becomes: accepted (`dismissed = false`) or dismissed.
    pub fn to_task(&self, id: Uuid, title: String, dismissed: bool, now: Timestamp) -> Task {
        Task {
            id,
            customer_id: Some(self.customer_id),
            title,
            due: Some(self.due),
            done: false,
            origin: self.origin,
            dismissed,
            created_at: now,
            updated_at: now,
        }
    }
}

/// The next occurrence of a birthday on or after `from` (29 February falls on 28 February in other
/// years).
pub fn next_birthday(birthday: NaiveDate, from: NaiveDate) -> Option<NaiveDate> {
    let on = |year: i32| {
        NaiveDate::from_ymd_opt(year, birthday.month(), birthday.day())
            .or_else(|| NaiveDate::from_ymd_opt(year, birthday.month(), birthday.day() - 1))
    };
    let this_year = on(from.year())?;
    if this_year >= from {
        Some(this_year)
    } else {
        on(from.year() + 1)
    }
}

/// The tasks to suggest on `today`, by due date, then kind (churn, birthday, follow-up), then (for
/// churn warnings) value at risk, largest first, then customer id.
///
/// * **Churn warning**: every customer `churn` warns about (computed as of `today`; see
///   [`crate::analytics::churn`]), due today. Covered by any churn-warning task of that customer
///   (accepted, done or dismissed) due on or after the customer's last purchase, so the same
///   lapse is suggested once, and a new lapse after a new purchase again.
/// * **Birthday**: customers whose birthday falls in the next [`BIRTHDAY_DAYS_AHEAD`] days, today
///   included; due on the birthday. Covered by a birthday task of that customer due that day.
/// * **Follow-up due**: interactions whose follow-up date is today or in the last
///   [`FOLLOW_UP_DAYS_BACK`] days; due on the follow-up date. Covered by a follow-up task of that customer due that day (recording an
///   interaction with a follow-up date creates one), or by a later interaction with the customer
///   dated on or after the follow-up date (the follow-up happened).
///
/// Archived customers and ids naming no customer get no suggestion.
pub fn suggest_tasks(
    customers: &[Customer],
    interactions: &[Interaction],
    tasks: &[Task],
    churn: Option<&Churn>,
    today: NaiveDate,
) -> Vec<Suggestion> {
    let active: HashMap<Uuid, &Customer> = customers
        .iter()
        .filter(|c| !c.archived)
        .map(|c| (c.id, c))
        .collect();
    let mut covered: HashMap<(Uuid, TaskOrigin), Vec<NaiveDate>> = HashMap::new();
    for t in tasks {
        if let (Some(c), Some(due)) = (t.customer_id, t.due) {
            covered.entry((c, t.origin)).or_default().push(due);
        }
    }
    let dues = |c: Uuid, origin: TaskOrigin| covered.get(&(c, origin)).map(Vec::as_slice);
    let mut out = Vec::new();

    if let Some(churn) = churn {
        for id in &churn.warnings {
            let Some(cid) = id.as_uuid() else {
                continue;
            };
            let Some(c) = churn.customer(id) else {
                continue;
            };
            if !active.contains_key(&cid) {
                continue;
            }
            let last_purchase = today - Duration::days(c.days_since_last);
            let done_before = dues(cid, TaskOrigin::ChurnWarning)
                .is_some_and(|d| d.iter().any(|due| *due >= last_purchase));
            if done_before {
                continue;
            }
            out.push(Suggestion {
                origin: TaskOrigin::ChurnWarning,
                customer_id: cid,
                due: today,
                reason: SuggestionReason::ChurnWarning {
                    last_purchase,
                    days_since_last: c.days_since_last,
                    threshold_days: c.threshold_days,
                    value_at_risk: c.value_at_risk,
                },
            });
        }
    }

    for c in active.values() {
        let Some(b) = c.birthday else { continue };
        let Some(on) = next_birthday(b, today) else {
            continue;
        };
        if (on - today).num_days() > BIRTHDAY_DAYS_AHEAD {
            continue;
        }
        if dues(c.id, TaskOrigin::Birthday).is_some_and(|d| d.contains(&on)) {
            continue;
        }
        let age = on.year() - b.year();
        out.push(Suggestion {
            origin: TaskOrigin::Birthday,
            customer_id: c.id,
            due: on,
            reason: SuggestionReason::Birthday {
                on,
                age: (1..=130).contains(&age).then_some(age),
            },
        });
    }

    // The latest contact day with each customer.
    let mut last_contact: HashMap<Uuid, NaiveDate> = HashMap::new();
    for x in interactions {
        let day = x.date.date();
        last_contact
            .entry(x.customer_id)
            .and_modify(|d| *d = (*d).max(day))
            .or_insert(day);
    }
    for x in interactions {
        let Some(due) = x.follow_up else { continue };
        if due > today
            || (today - due).num_days() > FOLLOW_UP_DAYS_BACK
            || !active.contains_key(&x.customer_id)
        {
            continue;
        }
        if dues(x.customer_id, TaskOrigin::FollowUp).is_some_and(|d| d.contains(&due)) {
            continue;
        }
        let contacted_since = last_contact
            .get(&x.customer_id)
            .is_some_and(|last| *last >= due && *last > x.date.date());
        if contacted_since {
            continue;
        }
        out.push(Suggestion {
            origin: TaskOrigin::FollowUp,
            customer_id: x.customer_id,
            due,
            reason: SuggestionReason::FollowUp {
                interaction_id: x.id,
                summary: x.summary.clone(),
            },
        });
    }

    let rank = |o: TaskOrigin| match o {
        TaskOrigin::ChurnWarning => 0,
        TaskOrigin::Birthday => 1,
        TaskOrigin::FollowUp => 2,
        TaskOrigin::Manual => 3,
    };
    let at_risk = |s: &Suggestion| match s.reason {
        SuggestionReason::ChurnWarning { value_at_risk, .. } => value_at_risk,
        _ => 0,
    };
    out.sort_by(|a, b| {
        a.due
            .cmp(&b.due)
            .then_with(|| rank(a.origin).cmp(&rank(b.origin)))
            .then_with(|| at_risk(b).cmp(&at_risk(a)))
            .then_with(|| a.customer_id.cmp(&b.customer_id))
            .then_with(|| match (&a.reason, &b.reason) {
                (
                    SuggestionReason::FollowUp {
                        interaction_id: x, ..
                    },
                    SuggestionReason::FollowUp {
                        interaction_id: y, ..
                    },
                ) => x.cmp(y),
                _ => std::cmp::Ordering::Equal,
            })
    });
    out
}

/// Follow-up tasks for the churn warnings a user picked: one per customer, due `due`, origin
/// [`TaskOrigin::ChurnWarning`]. A customer who already has an open churn task (not done, not
/// dismissed) gets none, nor does an id listed twice; those ids are returned as skipped.
/// `make` gives each new task its id and title.
pub fn churn_tasks(
    chosen: &[Uuid],
    tasks: &[Task],
    due: NaiveDate,
    now: Timestamp,
    mut make: impl FnMut(Uuid) -> (Uuid, String),
) -> (Vec<Task>, Vec<Uuid>) {
    let mut taken: std::collections::HashSet<Uuid> = tasks
        .iter()
        .filter(|t| t.origin == TaskOrigin::ChurnWarning && !t.done && !t.dismissed)
        .filter_map(|t| t.customer_id)
        .collect();
    let mut created = Vec::new();
    let mut skipped = Vec::new();
    for &c in chosen {
        if !taken.insert(c) {
            skipped.push(c);
            continue;
        }
        let (id, title) = make(c);
        created.push(Task {
            id,
            customer_id: Some(c),
            title,
            due: Some(due),
            done: false,
            origin: TaskOrigin::ChurnWarning,
            dismissed: false,
            created_at: now,
            updated_at: now,
        });
    }
    (created, skipped)
}

#[cfg(test)]
mod churn_task_tests {
    use super::*;

    #[test]
    fn one_task_per_customer_without_an_open_churn_task() {
        let now: Timestamp = "2026-06-01T08:00:00Z".parse().unwrap_or_default();
        let due = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default();
        let (a, b, c, d) = (
            Uuid::from_u128(1),
            Uuid::from_u128(2),
            Uuid::from_u128(3),
            Uuid::from_u128(4),
        );
        let task = |customer: Uuid, origin: TaskOrigin, done: bool, dismissed: bool| Task {
            id: Uuid::from_u128(100 + customer.as_u128()),
            customer_id: Some(customer),
            title: String::new(),
            due: Some(due),
            done,
            origin,
            dismissed,
            created_at: now,
            updated_at: now,
        };
        let existing = vec![
            // Open churn task: a is skipped.
            task(a, TaskOrigin::ChurnWarning, false, false),
            // Done, dismissed, or of another origin: no obstacle.
            task(b, TaskOrigin::ChurnWarning, true, false),
            task(c, TaskOrigin::ChurnWarning, false, true),
            task(d, TaskOrigin::Manual, false, false),
        ];
        let mut n = 0u128;
        let (created, skipped) = churn_tasks(&[a, b, c, d, b], &existing, due, now, |cid| {
            n += 1;
            (Uuid::from_u128(1000 + n), format!("call {cid}"))
        });
        assert_eq!(skipped, vec![a, b]);
        let who: Vec<_> = created.iter().map(|t| t.customer_id).collect();
        assert_eq!(who, vec![Some(b), Some(c), Some(d)]);
        assert!(created.iter().all(|t| t.origin == TaskOrigin::ChurnWarning
            && !t.done
            && !t.dismissed
            && t.due == Some(due)
            && t.created_at == now));
        assert_eq!(created[0].id, Uuid::from_u128(1001));
        assert_eq!(created[0].title, format!("call {b}"));
        // Nothing chosen: nothing made.
        assert_eq!(
            churn_tasks(&[], &existing, due, now, |_| unreachable!())
                .0
                .len(),
            0
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::churn::{churn, ChurnOptions};
    use crate::analytics::history::Histories;
    use crate::analytics::Transaction;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    fn now() -> Timestamp {
        "2026-06-01T08:00:00Z".parse().unwrap_or_default()
    }

    fn customer(n: u128, birthday: Option<&str>) -> Customer {
        let mut c = Customer::new(Uuid::from_u128(n), format!("C{n}"), now());
        c.birthday = birthday.map(day);
        c
    }

    fn task(customer: u128, origin: TaskOrigin, due: &str, dismissed: bool) -> Task {
        Task {
            id: Uuid::from_u128(9000 + customer),
            customer_id: Some(Uuid::from_u128(customer)),
            title: "t".into(),
            due: Some(day(due)),
            done: false,
            origin,
            dismissed,
            created_at: now(),
            updated_at: now(),
        }
    }

    fn interaction(n: u128, customer: u128, on: &str, follow_up: Option<&str>) -> Interaction {
        Interaction {
            id: Uuid::from_u128(n),
            customer_id: Uuid::from_u128(customer),
            date: day(on).and_hms_opt(10, 0, 0).unwrap_or_default(),
            channel: crate::model::Channel::Phone,
            direction: crate::model::Direction::Outbound,
            purpose: crate::model::Purpose::FollowUp,
            summary: format!("call {n}"),
            outcome: String::new(),
            follow_up: follow_up.map(day),
            created_at: now(),
            updated_at: now(),
        }
    }

    #[test]
    fn tasks_are_bucketed_by_due_date() {
        let today = day("2026-06-10");
        let mut t = task(1, TaskOrigin::Manual, "2026-06-09", false);
        assert_eq!(bucket(&t, today), TaskBucket::Overdue);
        t.due = Some(today);
        assert_eq!(bucket(&t, today), TaskBucket::Today);
        t.due = Some(day("2026-06-11"));
        assert_eq!(bucket(&t, today), TaskBucket::Upcoming);
        t.due = None;
        assert_eq!(bucket(&t, today), TaskBucket::Upcoming);
        t.done = true;
        assert_eq!(bucket(&t, today), TaskBucket::Done);
        t.dismissed = true;
        assert_eq!(bucket(&t, today), TaskBucket::Dismissed);
    }

    #[test]
    fn birthdays_in_the_next_seven_days_are_suggested() {
        let today = day("2026-06-10");
        let customers = [
            customer(1, Some("1990-06-10")), // today, turns 36
            customer(2, Some("1985-06-17")), // in 7 days
            customer(3, Some("1985-06-18")), // in 8 days: not yet
            customer(4, Some("1985-06-09")), // yesterday: next year
            customer(5, None),
        ];
        let s = suggest_tasks(&customers, &[], &[], None, today);
        let got: Vec<(u128, NaiveDate)> =
            s.iter().map(|s| (s.customer_id.as_u128(), s.due)).collect();
        assert_eq!(got, vec![(1, today), (2, day("2026-06-17"))]);
        assert_eq!(
            s[0].reason,
            SuggestionReason::Birthday {
                on: today,
                age: Some(36)
            }
        );
        // Across the new year, and 29 February in a common year.
        assert_eq!(
            next_birthday(day("2000-01-02"), day("2026-12-30")),
            Some(day("2027-01-02"))
        );
        assert_eq!(
            next_birthday(day("2000-02-29"), day("2026-02-25")),
            Some(day("2026-02-28"))
        );
    }

    #[test]
    fn an_accepted_or_dismissed_suggestion_is_not_suggested_again() {
        let today = day("2026-06-10");
        let customers = [
            customer(1, Some("1990-06-12")),
            customer(2, Some("1990-06-12")),
        ];
        let tasks = [
            task(1, TaskOrigin::Birthday, "2026-06-12", true),
            // last year's birthday task does not cover this year's
            task(2, TaskOrigin::Birthday, "2025-06-12", false),
        ];
        let s = suggest_tasks(&customers, &[], &tasks, None, today);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].customer_id, Uuid::from_u128(2));
        let accepted = s[0].to_task(Uuid::from_u128(5), "Birthday".into(), false, now());
        assert_eq!(accepted.origin, TaskOrigin::Birthday);
        assert_eq!(accepted.due, Some(day("2026-06-12")));
        let s2 = suggest_tasks(&customers, &[], &[tasks[0].clone(), accepted], None, today);
        assert!(s2.is_empty(), "{s2:?}");
        // An archived customer gets no suggestion.
        let mut archived = customers[1].clone();
        archived.archived = true;
        assert!(suggest_tasks(&[archived], &[], &[], None, today).is_empty());
    }

    #[test]
    fn follow_ups_due_without_a_task_or_later_contact_are_suggested() {
        let today = day("2026-06-10");
        let customers = [
            customer(1, None),
            customer(2, None),
            customer(3, None),
            customer(4, None),
            customer(5, None),
        ];
        let interactions = [
            interaction(11, 1, "2026-06-01", Some("2026-06-08")), // overdue: suggested
            interaction(12, 2, "2026-06-01", Some("2026-06-10")), // due today, has a task
            interaction(13, 3, "2026-06-01", Some("2026-06-05")), // contacted again on 06-06
            interaction(14, 3, "2026-06-06", None),
            interaction(15, 4, "2026-06-01", Some("2026-06-11")), // not yet due
            interaction(16, 4, "2026-04-01", Some("2026-05-10")), // 31 days ago: stale
            interaction(17, 5, "2026-04-01", Some("2026-05-11")), // 30 days ago: suggested
        ];
        let tasks = [task(2, TaskOrigin::FollowUp, "2026-06-10", false)];
        let s = suggest_tasks(&customers, &interactions, &tasks, None, today);
        assert_eq!(s.len(), 2, "{s:?}");
        assert_eq!(s[0].customer_id, Uuid::from_u128(5));
        assert_eq!(s[0].due, day("2026-05-11"));
        assert_eq!(s[1].customer_id, Uuid::from_u128(1));
        assert_eq!(s[1].due, day("2026-06-08"));
        assert_eq!(
            s[1].reason,
            SuggestionReason::FollowUp {
                interaction_id: Uuid::from_u128(11),
                summary: "call 11".into()
            }
        );
    }

    #[test]
    fn churn_warnings_are_suggested_once_per_lapse() {
        let today = day("2026-06-10");
        let id1 = Uuid::from_u128(1).to_string();
        let id2 = Uuid::from_u128(2).to_string();
        let tx = |c: &str, d: &str| Transaction {
            customer_id: c.to_string(),
            date: day(d),
            amount: 10_000,
        };
        // Customer 1 bought every 10 days and stopped 60 days ago: warned. Customer 2 keeps buying.
        let txs = [
            tx(&id1, "2026-03-22"),
            tx(&id1, "2026-04-01"),
            tx(&id1, "2026-04-11"),
            tx(&id2, "2026-05-21"),
            tx(&id2, "2026-05-31"),
            tx(&id2, "2026-06-09"),
        ];
        let h = Histories::from_transactions(&txs, today, None).unwrap_or_else(|e| panic!("{e}"));
        let ch = churn(&h, &ChurnOptions::default(), None).unwrap_or_else(|e| panic!("{e}"));
        let customers = [customer(1, None), customer(2, None)];
        let s = suggest_tasks(&customers, &[], &[], Some(&ch), today);
        assert_eq!(s.len(), 1, "{s:?}");
        assert_eq!(s[0].origin, TaskOrigin::ChurnWarning);
        assert_eq!(s[0].due, today);
        match &s[0].reason {
            SuggestionReason::ChurnWarning {
                last_purchase,
                days_since_last,
                threshold_days,
                ..
            } => {
                assert_eq!(*last_purchase, day("2026-04-11"));
                assert_eq!(*days_since_last, 60);
                assert_eq!(*threshold_days, 20.0);
            }
            other => panic!("{other:?}"),
        }
        // A dismissed churn task for this lapse covers it; one from before the last purchase does not.
        let old = task(1, TaskOrigin::ChurnWarning, "2026-04-01", false);
        assert_eq!(
            suggest_tasks(&customers, &[], &[old], Some(&ch), today).len(),
            1
        );
        let dismissed = s[0].to_task(Uuid::from_u128(7), "x".into(), true, now());
        assert!(suggest_tasks(&customers, &[], &[dismissed], Some(&ch), today).is_empty());
    }
}
