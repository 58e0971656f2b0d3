//! Each segmentation method on small hand-checked data, and on degenerate data.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use chrono::{NaiveDate, TimeZone, Utc};
use kehu_core::analytics::abc::{abc, AbcClass, AbcError, AbcOptions};
use kehu_core::analytics::churn::{churn, ChurnOptions, IntervalBasis};
use kehu_core::analytics::explain::Method;
use kehu_core::analytics::history::{DateWindow, Histories, HistoryError};
use kehu_core::analytics::lifecycle::Stage;
use kehu_core::analytics::loyalty::{LoyaltyError, LoyaltyQuadrant, LoyaltyWeights};
use kehu_core::analytics::rfm::{
    grid_position, quantile_score, rfm, rfm_of_transactions, RfmError, RfmOptions, RfmScoring,
    RfmThresholds, Segment,
};
use kehu_core::analytics::value_matrix::{value_matrix, ValueCell, ValueMatrixOptions};
use kehu_core::analytics::{analyze, Analysis, AnalysisError, Transaction};
use kehu_core::model::{
    AnalysisSettings, Customer, Dataset, Order, SatisfactionScores, SurveyResponse,
};
use uuid::Uuid;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn tx(id: &str, date: &str, amount: i64) -> Transaction {
    Transaction {
        customer_id: id.into(),
        date: d(date),
        amount,
    }
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn dataset(customers: u128, orders: &[(u128, &str, i64, &str)]) -> Dataset {
    let now = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let mut data = Dataset::default();
    for n in 1..=customers {
        data.customers
            .push(Customer::new(id(n), format!("c{n}"), now));
    }
    for (k, &(c, date, amount, category)) in orders.iter().enumerate() {
        data.orders.push(Order {
            id: id(1000 + k as u128),
            customer_id: id(c),
            date: d(date).and_hms_opt(12, 0, 0).unwrap(),
            amount,
            category: category.into(),
            quantity: 1,
            note: String::new(),
            points_redeemed: 0,
            created_at: now,
            updated_at: now,
        });
    }
    data
}

fn survey(c: u128, date: &str, nps: u8, score: u8) -> SurveyResponse {
    let now = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    SurveyResponse {
        id: id(5000 + c * 100 + u128::from(nps)),
        customer_id: id(c),
        date: d(date),
        nps,
        scores: SatisfactionScores {
            reliability: score,
            professionalism: score,
            tangibles: score,
            empathy: score,
            responsiveness: score,
        },
        comment: String::new(),
        created_at: now,
        updated_at: now,
    }
}

/// Every float an analysis outputs is finite, and every method explains itself.
fn check(a: &Analysis) {
    let f = |x: f64, what: &str| assert!(x.is_finite(), "{what} = {x}");
    for s in &a.rfm.segments {
        f(s.customer_share, "segment share");
        f(s.revenue_share, "segment revenue share");
    }
    for p in &a.abc.curve {
        f(p.customers, "curve x");
        f(p.revenue, "curve y");
    }
    for c in &a.abc.classes {
        f(c.customer_share, "class share");
        f(c.revenue_share, "class revenue share");
    }
    f(a.value_matrix.aov_split, "aov split");
    f(a.value_matrix.frequency_split, "frequency split");
    for c in &a.value_matrix.customers {
        f(c.aov, "aov");
    }
    for c in &a.churn.customers {
        f(c.interval_days, "interval");
        f(c.threshold_days, "threshold");
    }
    for c in &a.loyalty.customers {
        f(c.score, "score");
        f(c.behaviour, "behaviour");
        assert!((0.0..=100.0).contains(&c.score), "score {}", c.score);
    }
    f(a.loyalty.mean_score, "mean score");
    for h in &a.histories.customers {
        for m in [
            Method::Rfm,
            Method::Abc,
            Method::ValueMatrix,
            Method::Lifecycle,
            Method::Churn,
            Method::Loyalty,
        ] {
            let e = a.explain(m, &h.customer_id);
            let expected = h.orders > 0 || matches!(m, Method::Lifecycle | Method::Loyalty);
            assert_eq!(e.is_some(), expected, "{m:?} {}", h.customer_id);
            if let Some(e) = e {
                let json = serde_json::to_string(&e).unwrap();
                assert!(!json.contains("NaN") && !json.contains("null,\"steps\""));
            }
        }
    }
    assert!(a.explain(Method::Satisfaction, "").is_some());
    serde_json::to_string(a).unwrap();
}

fn run(data: &Dataset, as_of: &str) -> Analysis {
    let a = analyze(data, d(as_of), &AnalysisSettings::default()).unwrap();
    check(&a);
    a
}

#[test]
fn quantile_scores_follow_pandas_qcut_of_rank() {
    // n = 10, 5 bins: edges 1, 2.8, 4.6, 6.4, 8.2, 10.
    let got: Vec<u8> = (1..=10).map(|k| quantile_score(k, 10, 5)).collect();
    assert_eq!(got, vec![1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    // n = 6: edges 1, 2, 3, 4, 5, 6 (rank 2 is on an edge and stays in bin 1).
    let got: Vec<u8> = (1..=6).map(|k| quantile_score(k, 6, 5)).collect();
    assert_eq!(got, vec![1, 1, 2, 3, 4, 5]);
    // n < bins: the edges stay distinct.
    assert_eq!(quantile_score(1, 2, 5), 1);
    assert_eq!(quantile_score(2, 2, 5), 5);
    assert_eq!(quantile_score(1, 1, 5), 3);
    assert_eq!(quantile_score(1, 1, 4), 2);
    // Grid placement of 3 and 4 bins.
    assert_eq!(
        (1..=3).map(|s| grid_position(s, 3)).collect::<Vec<_>>(),
        vec![1, 3, 5]
    );
    assert_eq!(
        (1..=4).map(|s| grid_position(s, 4)).collect::<Vec<_>>(),
        vec![1, 2, 4, 5]
    );
    assert_eq!(
        (1..=5).map(|s| grid_position(s, 5)).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5]
    );
}

#[test]
fn rfm_ties_break_by_customer_id_and_recency_is_reversed() {
    let t = vec![
        tx("b", "2024-01-10", 100),
        tx("a", "2024-01-10", 100),
        tx("c", "2024-01-01", 100),
    ];
    let r = rfm_of_transactions(&t, d("2024-01-11"), None, &RfmOptions::default()).unwrap();
    let ids: Vec<String> = r
        .customers
        .iter()
        .map(|c| c.customer_id.to_string())
        .collect();
    assert_eq!(ids, ["a", "b", "c"]);
    // Recency ranks: a (1 day) rank 1, b (1 day) rank 2, c (10 days) rank 3.
    assert_eq!(
        r.customers.iter().map(|c| c.r_rank).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    // qcut(rank) over n = 3, 5 bins: 1, 3, 5; reversed: 5, 3, 1.
    assert_eq!(
        r.customers.iter().map(|c| c.r).collect::<Vec<_>>(),
        [5, 3, 1]
    );
    // Frequency all 1: ranks by id, so 1, 3, 5.
    assert_eq!(
        r.customers.iter().map(|c| c.f).collect::<Vec<_>>(),
        [1, 3, 5]
    );
    assert_eq!(r.customers[0].segment, Segment::NewCustomers);
    let e = r
        .explain(
            "a",
            &Histories::from_transactions(&t, d("2024-01-11"), None).unwrap(),
        )
        .unwrap();
    assert_eq!(e.method, Method::Rfm);
    assert!(e.steps.iter().any(|s| s.key == "rfm.r_reverse"));
}

#[test]
fn rfm_single_customer_gets_the_middle_score() {
    let t = vec![tx("only", "2024-01-01", 500)];
    let r = rfm_of_transactions(&t, d("2024-02-01"), None, &RfmOptions::default()).unwrap();
    let c = &r.customers[0];
    assert_eq!((c.r, c.f, c.m), (3, 3, 3));
    assert_eq!(c.segment, Segment::NeedAttention);
    assert_eq!(r.segments.iter().map(|s| s.customers).sum::<u32>(), 1);
}

#[test]
fn rfm_fixed_thresholds() {
    let t = vec![
        tx("a", "2024-01-30", 10_000),
        tx("a", "2024-01-29", 10_000),
        tx("a", "2024-01-28", 10_000),
        tx("b", "2023-06-01", 500),
    ];
    let opts = RfmOptions {
        scoring: RfmScoring::Thresholds(RfmThresholds {
            recency_days: vec![7, 30, 90, 180],
            frequency: vec![2, 3, 5, 10],
            monetary: vec![1_000, 5_000, 10_000, 50_000],
        }),
        ..RfmOptions::default()
    };
    let r = rfm_of_transactions(&t, d("2024-02-01"), None, &opts).unwrap();
    let a = &r.customers[0];
    assert_eq!((a.r, a.f, a.m), (5, 3, 4));
    let b = &r.customers[1];
    assert_eq!((b.r, b.f, b.m), (1, 1, 1));
    assert_eq!(b.segment, Segment::Hibernating);
    let bad = RfmOptions {
        scoring: RfmScoring::Thresholds(RfmThresholds {
            recency_days: vec![30, 7],
            frequency: vec![2],
            monetary: vec![1],
        }),
        ..RfmOptions::default()
    };
    assert!(matches!(
        rfm_of_transactions(&t, d("2024-02-01"), None, &bad),
        Err(RfmError::InvalidThresholds {
            dimension: "recency"
        })
    ));
    let bins = RfmOptions {
        scoring: RfmScoring::Quantiles { bins: 1 },
        ..RfmOptions::default()
    };
    assert_eq!(
        rfm_of_transactions(&t, d("2024-02-01"), None, &bins).err(),
        Some(RfmError::InvalidBins(1))
    );
}

#[test]
fn window_and_future_orders() {
    let t = vec![
        tx("a", "2023-12-31", 1),
        tx("a", "2024-01-05", 10),
        tx("a", "2024-03-01", 100),
    ];
    let w = Some(DateWindow {
        from: d("2024-01-01"),
        to: d("2024-12-31"),
    });
    // As of 2024-02-01: the March order is in the future, the 2023 one outside the window.
    let h = Histories::from_transactions(&t, d("2024-02-01"), w).unwrap();
    assert_eq!(h.customers[0].orders, 1);
    assert_eq!(h.customers[0].revenue, 10);
    let bad = Some(DateWindow {
        from: d("2024-12-31"),
        to: d("2024-01-01"),
    });
    assert!(matches!(
        Histories::from_transactions(&t, d("2024-02-01"), bad),
        Err(HistoryError::EmptyWindow { .. })
    ));
}

#[test]
fn abc_classes_and_degenerate_totals() {
    let t = vec![
        tx("a", "2024-01-01", 70),
        tx("b", "2024-01-01", 20),
        tx("c", "2024-01-01", 6),
        tx("d", "2024-01-01", 4),
        tx("e", "2024-01-01", 0),
        tx("f", "2024-01-01", -5),
    ];
    let h = Histories::from_transactions(&t, d("2024-02-01"), None).unwrap();
    let r = abc(&h, &AbcOptions::default()).unwrap();
    let texts: Vec<String> = r
        .customers
        .iter()
        .map(|c| c.customer_id.to_string())
        .collect();
    let classes: Vec<(&str, AbcClass)> = r
        .customers
        .iter()
        .zip(&texts)
        .map(|(c, t)| (t.as_str(), c.class))
        .collect();
    // Shares before: a 0 %, b 70 %, c 90 %, d 96 %.
    assert_eq!(
        classes,
        [
            ("a", AbcClass::A),
            ("b", AbcClass::A),
            ("c", AbcClass::B),
            ("d", AbcClass::C),
            ("e", AbcClass::C),
            ("f", AbcClass::C),
        ]
    );
    assert_eq!(r.positive_total, 100);
    assert_eq!(r.curve.len(), 7);
    assert!(r.explain("c").is_some());
    // Exactly on the threshold: share before = 80 % is not under 80 %.
    let t = vec![tx("a", "2024-01-01", 80), tx("b", "2024-01-01", 20)];
    let h = Histories::from_transactions(&t, d("2024-02-01"), None).unwrap();
    let r = abc(&h, &AbcOptions::default()).unwrap();
    assert_eq!(r.customers[1].class, AbcClass::B);
    // Only refunds: everyone C, shares 0.
    let t = vec![tx("a", "2024-01-01", -80), tx("b", "2024-01-01", 0)];
    let h = Histories::from_transactions(&t, d("2024-02-01"), None).unwrap();
    let r = abc(&h, &AbcOptions::default()).unwrap();
    assert!(r.customers.iter().all(|c| c.class == AbcClass::C));
    assert!(r.curve.iter().all(|p| p.revenue == 0.0));
    assert!(matches!(
        abc(&h, &AbcOptions { a: 90.0, b: 80.0 }),
        Err(AbcError::InvalidThresholds { .. })
    ));
    assert!(abc(
        &h,
        &AbcOptions {
            a: f64::NAN,
            b: 80.0
        }
    )
    .is_err());
}

#[test]
fn value_matrix_cells() {
    let t = vec![
        tx("best", "2024-01-01", 100),
        tx("best", "2024-01-02", 100),
        tx("best", "2024-01-03", 100),
        tx("spender", "2024-01-01", 500),
        tx("frequent", "2024-01-01", 10),
        tx("frequent", "2024-01-02", 10),
        tx("frequent", "2024-01-03", 10),
        tx("small", "2024-01-01", 10),
    ];
    let h = Histories::from_transactions(&t, d("2024-02-01"), None).unwrap();
    let m = value_matrix(&h, &ValueMatrixOptions::default()).unwrap();
    // AOV medians: (10, 10, 100, 500) → 55; frequency (1, 1, 3, 3) → 2.
    assert_eq!(m.aov_split, 55.0);
    assert_eq!(m.frequency_split, 2.0);
    let cell = |id: &str| m.customer(id).unwrap().cell;
    assert_eq!(cell("best"), ValueCell::Best);
    assert_eq!(cell("spender"), ValueCell::Spenders);
    assert_eq!(cell("frequent"), ValueCell::Frequent);
    assert_eq!(cell("small"), ValueCell::Uncertain);
    assert_eq!(ValueCell::Spenders.strategy().id(), "increase_frequency");
    let set = ValueMatrixOptions {
        aov_split: Some(5.0),
        frequency_split: Some(0.0),
    };
    let m = value_matrix(&h, &set).unwrap();
    assert!(m.customers.iter().all(|c| c.cell == ValueCell::Best));
    assert!(value_matrix(
        &h,
        &ValueMatrixOptions {
            aov_split: Some(f64::INFINITY),
            frequency_split: None
        }
    )
    .is_err());
}

#[test]
fn churn_uses_own_interval_or_the_shop_median() {
    let t = vec![
        // Every 10 days, last 25 days ago: 25 > 2 × 10 → overdue.
        tx("late", "2024-01-01", 1000),
        tx("late", "2024-01-11", 1000),
        tx("late", "2024-01-21", 1000),
        // Every 30 days, last 25 days ago → fine.
        tx("fine", "2023-12-16", 500),
        tx("fine", "2024-01-15", 500),
        tx("fine", "2024-01-21", 500),
        // One purchase 70 days ago vs shop median of (10, 18) = 14 → overdue.
        tx("once", "2023-12-07", 300),
    ];
    let h = Histories::from_transactions(&t, d("2024-02-15"), None).unwrap();
    let mut p = HashMap::new();
    p.insert("fine".to_owned(), 0.2);
    let c = churn(&h, &ChurnOptions::default(), Some(&p)).unwrap();
    assert_eq!(c.shop_median_interval, Some(14.0));
    let late = c.customer("late").unwrap();
    assert_eq!(late.basis, IntervalBasis::Own);
    assert!(late.overdue && late.warning);
    let fine = c.customer("fine").unwrap();
    assert!(!fine.overdue && fine.unlikely_alive && fine.warning);
    let once = c.customer("once").unwrap();
    assert_eq!(once.basis, IntervalBasis::ShopMedian);
    assert!(once.overdue);
    // Value at risk: late 3000 over a 20-day span → 3000 a year; fine 1500; once 300.
    assert_eq!(late.value_at_risk, 3000);
    assert_eq!(
        c.warnings.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        ["late", "fine", "once"]
    );
    assert!(churn(
        &h,
        &ChurnOptions {
            k: 0.0,
            p_alive_below: 0.5
        },
        None
    )
    .is_err());
    assert!(churn(
        &h,
        &ChurnOptions {
            k: 2.0,
            p_alive_below: 1.5
        },
        None
    )
    .is_err());
    // Only one-time buyers: no interval, no overdue warning.
    let t = vec![tx("a", "2020-01-01", 1), tx("b", "2020-01-01", 1)];
    let h = Histories::from_transactions(&t, d("2024-02-15"), None).unwrap();
    let c = churn(&h, &ChurnOptions::default(), None).unwrap();
    assert_eq!(c.shop_median_interval, None);
    assert!(c
        .customers
        .iter()
        .all(|x| !x.warning && x.basis == IntervalBasis::None));
}

#[test]
fn lifecycle_stages() {
    let data = dataset(
        7,
        &[
            // 2: new (first purchase 10 days ago)
            (2, "2024-06-20", 100, "coffee"),
            // 3: lost (last purchase > 365 days ago)
            (3, "2023-01-01", 100, "coffee"),
            // 4: loyal, one category, regular monthly, last 20 days ago
            (4, "2024-02-10", 100, "coffee"),
            (4, "2024-03-10", 100, "coffee"),
            (4, "2024-04-10", 100, "coffee"),
            (4, "2024-05-10", 100, "coffee"),
            (4, "2024-06-10", 100, "coffee"),
            // 5: expanding: loyal with a second category
            (5, "2024-02-11", 100, "coffee"),
            (5, "2024-03-11", 100, "coffee"),
            (5, "2024-04-11", 100, "coffee"),
            (5, "2024-05-11", 100, "coffee"),
            (5, "2024-06-11", 100, "beans"),
            // 6: at risk: weekly buyer silent for 60 days
            (6, "2024-03-01", 100, "coffee"),
            (6, "2024-03-08", 100, "coffee"),
            (6, "2024-03-15", 100, "coffee"),
            (6, "2024-03-22", 100, "coffee"),
            (6, "2024-04-01", 100, "coffee"),
            // 7: active: two purchases, a month apart
            (7, "2024-02-15", 100, ""),
            (7, "2024-03-15", 100, ""),
            (7, "2024-05-15", 100, ""),
        ],
    );
    let a = run(&data, "2024-06-30");
    let stage = |n: u128| a.lifecycle.customer(id(n).to_string()).unwrap().stage;
    assert_eq!(stage(1), Stage::Potential);
    assert_eq!(stage(2), Stage::New);
    assert_eq!(stage(3), Stage::Lost);
    assert_eq!(stage(4), Stage::Loyal);
    assert_eq!(stage(5), Stage::Expanding);
    assert_eq!(stage(6), Stage::AtRisk);
    assert_eq!(stage(7), Stage::Active);
    assert_eq!(
        a.lifecycle.stages.iter().map(|s| s.customers).sum::<u32>(),
        7
    );
}

#[test]
fn loyalty_and_satisfaction() {
    let mut data = dataset(
        3,
        &[
            (1, "2023-01-10", 100, "coffee"),
            (1, "2023-07-10", 100, "coffee"),
            (1, "2024-01-10", 100, "cake"),
            (1, "2024-06-10", 100, "beans"),
            (2, "2024-06-01", 100, "coffee"),
        ],
    );
    data.customers[2].referred_by = Some(id(1));
    data.surveys = vec![
        survey(1, "2024-05-01", 3, 1),
        survey(1, "2024-06-01", 10, 5), // latest answer of customer 1
        survey(2, "2024-06-02", 8, 3),
        survey(3, "2024-06-03", 0, 2),
        survey(3, "2024-07-03", 10, 5), // after the analysis date: ignored
        survey(2, "2024-06-04", 11, 9), // invalid answers
    ];
    let a = run(&data, "2024-06-30");
    let l1 = a.loyalty.customer(id(1).to_string()).unwrap();
    assert_eq!(l1.components.nps, Some(1.0));
    assert_eq!(l1.components.satisfaction, Some(1.0));
    assert_eq!(l1.components.categories, 1.0);
    assert!((l1.components.referrals - 1.0 / 3.0).abs() < 1e-12);
    assert_eq!(l1.quadrant, Some(LoyaltyQuadrant::True));
    let l3 = a.loyalty.customer(id(3).to_string()).unwrap();
    assert_eq!(l3.quadrant, Some(LoyaltyQuadrant::None));
    // NPS over 4 valid answers (3, 10, 8, 0): promoters 1, detractors 2 → −25.
    let s = &a.satisfaction;
    assert_eq!(s.nps.responses, 4);
    assert_eq!(s.nps.nps, Some(-25.0));
    assert_eq!(s.invalid_nps, 1);
    // CSI: scores 1, 5, 3, 2 (and an invalid 9) → mean 2.75 → 43.75.
    assert_eq!(s.csi.dimensions[0].mean, Some(2.75));
    assert_eq!(s.csi.overall, Some(43.75));
    assert_eq!(
        s.by_month
            .iter()
            .map(|g| g.key.as_str())
            .collect::<Vec<_>>(),
        ["2024-05", "2024-06"]
    );
    assert!(s.by_group.iter().any(|g| g.key == "none"));
    let bad = AnalysisSettings {
        loyalty_weights: LoyaltyWeights {
            repeat: -1.0,
            ..LoyaltyWeights::default()
        },
        ..AnalysisSettings::default()
    };
    assert!(matches!(
        analyze(&data, d("2024-06-30"), &bad),
        Err(AnalysisError::Loyalty(LoyaltyError::InvalidWeights))
    ));
}

#[test]
fn degenerate_datasets_give_defined_results() {
    // Nothing at all.
    let a = run(&Dataset::default(), "2024-01-01");
    assert!(a.rfm.customers.is_empty() && a.abc.curve.len() == 1);
    assert_eq!(a.satisfaction.nps.nps, None);
    // Customers without orders.
    let a = run(&dataset(3, &[]), "2024-01-01");
    assert_eq!(a.lifecycle.stages[0].customers, 3);
    assert!(a.rfm.customers.is_empty());
    // One customer, one order.
    let a = run(&dataset(1, &[(1, "2023-12-01", 100, "")]), "2024-01-01");
    assert_eq!(a.rfm.customers.len(), 1);
    // Everything on one day, zero amounts.
    let orders: Vec<(u128, &str, i64, &str)> =
        (1..=20).map(|c| (c, "2023-12-01", 0, "x")).collect();
    let a = run(&dataset(20, &orders), "2023-12-01");
    assert!(a.abc.customers.iter().all(|c| c.class == AbcClass::C));
    assert_eq!(a.churn.shop_median_interval, None);
    // Several orders of one customer on one day: one purchase day, no interval.
    let a = run(
        &dataset(1, &[(1, "2023-12-01", 5, ""), (1, "2023-12-01", 7, "")]),
        "2024-01-01",
    );
    assert_eq!(a.histories.customers[0].purchase_days, 1);
    assert_eq!(a.histories.customers[0].mean_interval_days, None);
    // Refunds only, and huge values that would overflow a naive sum.
    let a = run(
        &dataset(
            3,
            &[
                (1, "2023-12-01", -500, ""),
                (2, "2023-12-01", i64::MAX, ""),
                (2, "2023-12-02", i64::MAX, ""),
                (3, "2023-12-03", i64::MIN, ""),
                (3, "2023-12-04", i64::MIN, ""),
            ],
        ),
        "2024-01-01",
    );
    let h = |n: u128| a.histories.get(id(n).to_string()).unwrap().revenue;
    assert_eq!(h(1), -500);
    assert_eq!(h(2), i64::MAX);
    assert_eq!(h(3), i64::MIN);
    // Analysis date before every order: nothing is known yet.
    let a = run(&dataset(1, &[(1, "2024-05-01", 100, "")]), "2024-01-01");
    assert!(a.rfm.customers.is_empty());
    // Bad settings are typed errors.
    let bad = AnalysisSettings {
        rfm_bins: 0,
        ..AnalysisSettings::default()
    };
    let e = analyze(&Dataset::default(), d("2024-01-01"), &bad).unwrap_err();
    assert!(e.to_string().contains("bins"), "{e}");
    let bad = AnalysisSettings {
        abc_a: 99.0,
        abc_b: 10.0,
        ..AnalysisSettings::default()
    };
    assert!(analyze(&Dataset::default(), d("2024-01-01"), &bad).is_err());
}

#[test]
fn settings_round_trip_and_old_settings_still_load() {
    let s = AnalysisSettings::default();
    let json = serde_json::to_string(&s).unwrap();
    let back: AnalysisSettings = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s);
    let old: AnalysisSettings = serde_json::from_str(r#"{"rfm_bins":3,"churn_k":1.5}"#).unwrap();
    assert_eq!(old.rfm_bins, 3);
    assert_eq!(old.loyalty_weights, LoyaltyWeights::default());
    let _ = rfm(
        &Histories::from_transactions(&[], d("2024-01-01"), None).unwrap(),
        &RfmOptions::default(),
    )
    .unwrap();
}

#[test]
fn workspace_and_transaction_histories_agree() {
    let now = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let spread =
        |i: u128| Uuid::from_u128(i.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835));
    let mut data = Dataset::default();
    for i in 0..300u128 {
        data.customers
            .push(Customer::new(spread(i), format!("c{i}"), now));
    }
    // A duplicate record and a customer that only orders name.
    data.customers.push(Customer::new(spread(5), "again", now));
    let mut x = 7u64;
    for k in 0..3000u128 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let c = if k % 97 == 0 {
            spread(10_000)
        } else {
            spread(u128::from(x % 250))
        };
        data.orders.push(Order {
            id: Uuid::from_u128(k),
            customer_id: c,
            date: (d("2023-01-01") + chrono::Days::new(x % 700))
                .and_hms_opt(9, 0, 0)
                .unwrap(),
            amount: (x % 20_000) as i64 - 1_000,
            category: String::new(),
            quantity: 1,
            note: String::new(),
            points_redeemed: 0,
            created_at: now,
            updated_at: now,
        });
    }
    let as_of = d("2024-10-01");
    let w = Some(DateWindow {
        from: d("2023-03-01"),
        to: d("2024-12-31"),
    });
    let a = Histories::from_dataset(&data, as_of, w).unwrap();
    let tx = kehu_core::analytics::transactions_of(&data);
    let b = Histories::from_transactions(&tx, as_of, w).unwrap();
    assert_eq!(a.customers.len(), 301);
    let ids: Vec<String> = a
        .customers
        .iter()
        .map(|h| h.customer_id.to_string())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted, "ascending ids");
    let buyers_a: Vec<_> = a.purchasers().collect();
    let buyers_b: Vec<_> = b.purchasers().collect();
    assert_eq!(buyers_a, buyers_b);
    assert_eq!(
        a.customers.iter().filter(|h| h.orders == 0).count(),
        301 - buyers_a.len()
    );
}

#[test]
fn rfm_explanation_is_a_worked_example() {
    let t: Vec<Transaction> = (0..10)
        .map(|i| {
            tx(
                &format!("c{i}"),
                &format!("2024-01-{:02}", i + 1),
                100 * (i + 1),
            )
        })
        .collect();
    let h = Histories::from_transactions(&t, d("2024-02-01"), None).unwrap();
    let r = rfm(&h, &RfmOptions::default()).unwrap();
    let e = r.explain("c7", &h).unwrap();
    let json = serde_json::to_value(&e).unwrap();
    if std::env::var_os("KEHU_SHOW_EXPLANATION").is_some() {
        println!("{}", serde_json::to_string(&json).unwrap());
    }
    // c7 bought on 2024-01-08: recency 24 days, the 3rd smallest of 10 → rank 3 → bin 2 → R = 4.
    let step = |key: &str| {
        json["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["key"] == key)
            .unwrap()
            .clone()
    };
    assert_eq!(step("rfm.recency")["result"]["value"]["value"], 24);
    assert_eq!(step("rfm.r_rank")["result"]["value"]["value"], 3);
    assert_eq!(step("rfm.r_bin")["result"]["value"]["value"], 2);
    assert_eq!(step("rfm.r_reverse")["result"]["value"]["value"], 4);
    assert_eq!(step("rfm.r_bin")["inputs"][3]["value"]["kind"], "number");
    assert_eq!(step("rfm.segment")["result"]["value"]["kind"], "id");
}
