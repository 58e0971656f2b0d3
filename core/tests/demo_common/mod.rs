//! Checks shared by the demo data tests.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Months, NaiveDate};
use kehu_core::model::{Dataset, DealStage, LedgerKind, TaskOrigin};
use kehu_core::{points, validate};
use uuid::Uuid;

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

/// FNV-1a, 64 bits.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Every structural promise of a demo dataset.
pub fn check_dataset(d: &Dataset, today: NaiveDate) {
    let ids: BTreeMap<Uuid, usize> = d
        .customers
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, i))
        .collect();
    assert_eq!(ids.len(), d.customers.len(), "customer ids unique");
    let end_utc = today.and_hms_opt(23, 59, 59).unwrap().and_utc();

    // customers
    let mut phones = BTreeSet::new();
    let mut emails = BTreeSet::new();
    for (i, c) in d.customers.iter().enumerate() {
        assert!(validate::validate_customer(c, today).is_empty(), "{c:?}");
        if !c.phone.is_empty() {
            assert!(validate::is_valid_phone(&c.phone), "{}", c.phone);
            let n = validate::normalize_phone(&c.phone);
            assert_eq!(n.len(), 11, "{}", c.phone);
            assert!(
                n.starts_with('1') && (b'3'..=b'9').contains(&n.as_bytes()[1]),
                "{n}"
            );
            assert!(phones.insert(n), "duplicate phone {}", c.phone);
        }
        if !c.email.is_empty() {
            assert!(validate::is_valid_email(&c.email), "{}", c.email);
            assert!(
                emails.insert(validate::normalize_email(&c.email)),
                "duplicate {}",
                c.email
            );
        }
        if let Some(r) = c.referred_by {
            let j = ids[&r];
            assert!(j < i, "referrer joined earlier");
            assert!(d.customers[j].created_at <= c.created_at);
        }
        assert!(
            c.created_at <= c.updated_at && c.updated_at <= end_utc,
            "{c:?}"
        );
    }
    assert!(
        phones.len() * 10 > d.customers.len() * 9,
        "most customers have a phone"
    );

    // orders
    let start = today.checked_sub_months(Months::new(24)).unwrap();
    let mut by_customer: BTreeMap<Uuid, Vec<usize>> = BTreeMap::new();
    for (k, o) in d.orders.iter().enumerate() {
        assert!(ids.contains_key(&o.customer_id));
        assert!(
            o.date.date() <= today && o.date.date() > start,
            "{}",
            o.date
        );
        assert!(o.created_at <= end_utc && o.created_at <= o.updated_at);
        assert_ne!(o.amount, 0);
        assert!(o.quantity >= 1);
        if k > 0 {
            assert!(d.orders[k - 1].date <= o.date, "orders in time order");
        }
        by_customer.entry(o.customer_id).or_default().push(k);
    }

    // ledger: in time order, balances never negative, consistent with orders
    let order_ix: BTreeMap<Uuid, usize> = d
        .orders
        .iter()
        .enumerate()
        .map(|(k, o)| (o.id, k))
        .collect();
    let mut balance: BTreeMap<Uuid, i64> = BTreeMap::new();
    let mut earned_for: BTreeMap<Uuid, i64> = BTreeMap::new();
    let mut redeemed_for: BTreeMap<Uuid, i64> = BTreeMap::new();
    for (k, e) in d.ledger.iter().enumerate() {
        assert!(ids.contains_key(&e.customer_id));
        assert!(e.date.date() <= today && e.created_at <= end_utc);
        if k > 0 {
            assert!(d.ledger[k - 1].date <= e.date, "ledger in time order");
        }
        let b = balance.entry(e.customer_id).or_default();
        *b += e.points;
        assert!(
            *b >= 0,
            "negative balance for {} at {}",
            e.customer_id,
            e.date
        );
        if let Some(oid) = e.order_id {
            let o = &d.orders[order_ix[&oid]];
            assert_eq!(o.customer_id, e.customer_id);
            assert_eq!(o.date, e.date);
        }
        match e.kind {
            LedgerKind::Earned => {
                let oid = e.order_id.unwrap();
                assert!(earned_for.insert(oid, e.points).is_none());
                // points at the tier of the rolling 12-month spend before the order
                let o = &d.orders[order_ix[&oid]];
                let history = by_customer[&o.customer_id]
                    .iter()
                    .map(|&j| (d.orders[j].date, d.orders[j].amount));
                let spend = points::rolling_spend(history, o.date);
                assert_eq!(e.points, points::points_earned(&d.loyalty, o.amount, spend));
            }
            LedgerKind::Redeemed => {
                assert!(e.points < 0);
                redeemed_for.insert(e.order_id.unwrap(), -e.points);
            }
            _ => {}
        }
    }
    for o in &d.orders {
        assert_eq!(
            o.points_redeemed,
            redeemed_for.get(&o.id).copied().unwrap_or(0)
        );
    }
    // every member's purchase earned points; non-members have no ledger
    let members: BTreeSet<Uuid> = d
        .customers
        .iter()
        .filter(|c| c.tags.iter().any(|t| t == "会员"))
        .map(|c| c.id)
        .collect();
    for o in &d.orders {
        if o.amount >= 100 {
            assert_eq!(
                members.contains(&o.customer_id),
                earned_for.contains_key(&o.id),
                "{o:?}"
            );
        }
    }
    assert!(d.ledger.iter().all(|e| members.contains(&e.customer_id)));

    // interactions, surveys, tasks, deals
    for x in &d.interactions {
        assert!(ids.contains_key(&x.customer_id));
        assert!(x.date.date() <= today && x.date.date() > start);
        assert!(x.created_at <= end_utc);
    }
    for s in &d.surveys {
        assert!(ids.contains_key(&s.customer_id));
        assert!(s.date <= today && s.nps <= 10);
        assert!(s.scores.as_array().iter().all(|v| (1..=5).contains(v)));
    }
    for t in &d.tasks {
        if let Some(c) = t.customer_id {
            assert!(ids.contains_key(&c));
        }
        assert!(
            t.created_at <= t.updated_at && t.updated_at <= end_utc,
            "{t:?}"
        );
        assert!(!t.title.trim().is_empty());
    }
    for deal in &d.deals {
        assert!(ids.contains_key(&deal.customer_id));
        assert!(deal.value > 0);
        let h = &deal.history;
        assert!(!h.is_empty());
        assert_eq!(h[0].from, None);
        for w in h.windows(2) {
            assert_eq!(w[1].from, Some(w[0].to));
            assert!(w[0].at <= w[1].at);
            assert!(w[0].to < w[1].to, "stages move forward: {:?}", deal.history);
            assert_ne!(w[0].to, DealStage::Lost);
        }
        assert_eq!(h.last().unwrap().to, deal.stage);
        assert_eq!(deal.created_at, h[0].at);
        assert_eq!(deal.updated_at, h.last().unwrap().at);
        assert!(deal.updated_at <= end_utc);
        if deal.stage == DealStage::HandlingObjections {
            assert!(!deal.objections.is_empty());
        }
    }
    assert_eq!(d.settings.currency, "CNY");
    assert!(!d.settings.shop_name.is_empty());
}

/// The variety the course exercises need.
pub fn check_variety(d: &Dataset, today: NaiveDate) {
    let stages: BTreeSet<_> = d.deals.iter().map(|x| x.stage).collect();
    assert_eq!(stages.len(), DealStage::ALL.len(), "every stage present");
    assert!(d.deals.iter().any(|x| !x.objections.is_empty()));
    assert!(d.tasks.iter().any(|t| t.done));
    assert!(
        d.tasks
            .iter()
            .any(|t| !t.done && t.due.is_some_and(|due| due < today)),
        "overdue"
    );
    assert!(
        d.tasks
            .iter()
            .any(|t| !t.done && t.due.is_some_and(|due| due >= today)),
        "upcoming"
    );
    assert!(d.tasks.iter().any(|t| t.customer_id.is_none()));
    for origin in [
        TaskOrigin::Manual,
        TaskOrigin::ChurnWarning,
        TaskOrigin::Birthday,
        TaskOrigin::FollowUp,
    ] {
        assert!(d.tasks.iter().any(|t| t.origin == origin), "{origin:?}");
    }
    assert!(d.orders.iter().any(|o| o.amount < 0), "refunds");
    assert!(
        d.orders.iter().any(|o| o.points_redeemed > 0),
        "redemptions"
    );
    let kinds: BTreeSet<_> = d.ledger.iter().map(|e| format!("{:?}", e.kind)).collect();
    for k in ["Earned", "Redeemed", "Bonus"] {
        assert!(kinds.contains(k), "{k}");
    }
    let categories: BTreeSet<_> = d.orders.iter().map(|o| o.category.as_str()).collect();
    assert!((5..=8).contains(&categories.len()), "{categories:?}");
    let channels: BTreeSet<_> = d
        .interactions
        .iter()
        .map(|x| format!("{:?}", x.channel))
        .collect();
    assert!(channels.len() >= 6, "{channels:?}");
    assert!(d.interactions.iter().any(|x| x.follow_up.is_some()));
    assert!(d.customers.iter().any(|c| c.archived));
    assert!(d.customers.iter().any(|c| c.referred_by.is_some()));
    assert!(d.customers.iter().any(|c| !c.custom_fields.is_empty()));
    assert!(d.customers.iter().any(|c| !c.email.is_empty()));
    assert!(
        d.customers.iter().any(|c| c.name.is_ascii()),
        "some English names"
    );
    let chinese = d.customers.iter().filter(|c| !c.name.is_ascii()).count();
    assert!(chinese * 10 > d.customers.len() * 8, "mostly Chinese names");
    let birthdays_soon = d
        .customers
        .iter()
        .filter_map(|c| c.birthday)
        .filter(|b| {
            (1..=7).any(|k| {
                let day = today + chrono::Duration::days(k);
                chrono::Datelike::month(b) == chrono::Datelike::month(&day)
                    && chrono::Datelike::day(b) == chrono::Datelike::day(&day)
            })
        })
        .count();
    assert!(birthdays_soon >= 2, "birthdays next week: {birthdays_soon}");

    // purchase behaviour: one-time buyers, champions, lapsed and new customers, spend spread
    let mut freq: BTreeMap<Uuid, (u32, chrono::NaiveDate, chrono::NaiveDate, i64)> =
        BTreeMap::new();
    for o in d.orders.iter().filter(|o| o.amount > 0) {
        let e = freq
            .entry(o.customer_id)
            .or_insert((0, o.date.date(), o.date.date(), 0));
        e.0 += 1;
        e.2 = o.date.date();
        e.3 += o.amount;
    }
    let n = freq.len();
    let one_time = freq.values().filter(|v| v.0 == 1).count();
    let champions = freq.values().filter(|v| v.0 >= 30).count();
    let lapsed = freq
        .values()
        .filter(|v| v.0 >= 3 && (today - v.2).num_days() > 180)
        .count();
    let new = freq
        .values()
        .filter(|v| (today - v.1).num_days() <= 90)
        .count();
    assert!(one_time * 20 > n, "one-time buyers {one_time}/{n}");
    assert!(
        champions > 0 && lapsed > 0 && new > 0,
        "{champions} {lapsed} {new}"
    );
    assert!(
        freq.len() < d.customers.len(),
        "some prospects without orders"
    );
    let mut aov: Vec<i64> = freq.values().map(|v| v.3 / i64::from(v.0)).collect();
    aov.sort_unstable();
    assert!(
        aov[aov.len() * 9 / 10] > 2 * aov[aov.len() / 10],
        "spend per order varies by customer"
    );

    // satisfaction goes with loyalty: promoters buy more often than detractors
    let mean_orders = |pred: &dyn Fn(u8) -> bool| {
        let v: Vec<f64> = d
            .surveys
            .iter()
            .filter(|s| pred(s.nps))
            .map(|s| f64::from(freq.get(&s.customer_id).map_or(0, |f| f.0)))
            .collect();
        v.iter().sum::<f64>() / v.len().max(1) as f64
    };
    let promoters = mean_orders(&|n| n >= 9);
    let detractors = mean_orders(&|n| n <= 6);
    assert!(promoters > detractors, "{promoters} vs {detractors}");
    assert!(d.surveys.iter().any(|s| s.nps >= 9) && d.surveys.iter().any(|s| s.nps <= 6));
    assert!(d.surveys.iter().any(|s| !s.comment.is_empty()));
}
