//! The CLV models on degenerate and extreme data: a defined result or a typed error, never a
//! panic, never a NaN or infinity in an output.

// Test helpers outside #[test] functions are not covered by clippy.toml's test allowance.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Days, NaiveDate};
use kehu_core::analytics::clv::{
    clv_report, fit_bgnbd, fit_gamma_gamma, simulate_transactions, summarize, BgNbdParams,
    ClvError, ClvOptions, ClvReport, CustomerSummary, GammaGammaParams, SimulationSpec, TimeUnit,
};
use kehu_core::analytics::Transaction;

fn day(n: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1)
        .unwrap()
        .checked_add_days(Days::new(n))
        .unwrap()
}

fn tx(id: &str, d: u64, amount: i64) -> Transaction {
    Transaction {
        customer_id: id.into(),
        date: day(d),
        amount,
    }
}

fn opts(end: u64) -> ClvOptions {
    ClvOptions::new(day(end), TimeUnit::Week)
}

fn assert_all_finite(r: &ClvReport) {
    let b = r.bgnbd;
    for v in [b.r, b.alpha, b.a, b.b, b.log_likelihood] {
        assert!(v.is_finite(), "{b:?}");
    }
    for c in &r.customers {
        assert!(
            c.p_alive.is_finite() && (0.0..=1.0).contains(&c.p_alive),
            "{c:?}"
        );
        assert!(
            c.expected_purchases.is_finite() && c.expected_purchases >= 0.0,
            "{c:?}"
        );
        if let Some(v) = c.clv {
            assert!(v.is_finite(), "{c:?}");
        }
    }
    // serde_json refuses non-finite floats, so this also checks the explanation.
    serde_json::to_string(r).unwrap();
}

/// A small but fittable log: 60 customers with varied repeat behaviour.
fn small_shop(amount: impl Fn(usize, u64) -> i64) -> Vec<Transaction> {
    let mut log = Vec::new();
    for i in 0..60_usize {
        let id = format!("k{i:02}");
        let first = (i as u64 * 7) % 90;
        let gap = 3 + (i as u64 * 13) % 40;
        let repeats = (i * 5) % 7;
        for k in 0..=repeats as u64 {
            let d = first + k * gap;
            if d <= 200 {
                log.push(tx(&id, d, amount(i, k)));
            }
        }
    }
    log
}

#[test]
fn empty_log_is_a_typed_error() {
    assert_eq!(clv_report(&[], &opts(10)), Err(ClvError::NoTransactions));
    assert_eq!(fit_bgnbd(&[]), Err(ClvError::NoTransactions));
    assert_eq!(fit_gamma_gamma(&[]), Err(ClvError::NoTransactions));
    // Everything after the calibration end is as good as nothing.
    let late = vec![tx("a", 20, 100), tx("a", 30, 100)];
    assert_eq!(clv_report(&late, &opts(10)), Err(ClvError::NoTransactions));
}

#[test]
fn one_customer_is_too_few() {
    let log = vec![tx("a", 0, 100), tx("a", 5, 200), tx("a", 9, 300)];
    assert!(matches!(
        clv_report(&log, &opts(20)),
        Err(ClvError::TooFewCustomers {
            customers: 1,
            required: 3,
            ..
        })
    ));
}

#[test]
fn only_one_time_buyers() {
    let log: Vec<_> = (0..50)
        .map(|i| tx(&format!("c{i}"), i % 30, 1000))
        .collect();
    assert_eq!(clv_report(&log, &opts(40)), Err(ClvError::NoRepeatBuyers));
}

#[test]
fn everything_on_one_day() {
    let mut log: Vec<_> = (0..50).map(|i| tx(&format!("c{i}"), 3, 1000)).collect();
    log.extend((0..50).map(|i| tx(&format!("c{i}"), 3, 500)));
    assert_eq!(clv_report(&log, &opts(3)), Err(ClvError::NoRepeatBuyers));
    assert_eq!(clv_report(&log, &opts(30)), Err(ClvError::NoRepeatBuyers));
}

#[test]
fn a_fittable_small_log_gives_finite_figures() {
    let log = small_shop(|i, k| 500 + (i as i64 * 37 + k as i64 * 101) % 900);
    let r = clv_report(&log, &opts(200)).unwrap();
    assert_eq!(r.customers.len(), 60);
    assert!(
        r.gamma_gamma.is_some(),
        "{:?}",
        r.explanation.gamma_gamma_error
    );
    assert_all_finite(&r);
    assert!(r
        .customers
        .windows(2)
        .all(|w| w[0].customer_id < w[1].customer_id));
}

#[test]
fn zero_amounts_leave_clv_undefined_but_purchases_modelled() {
    let log = small_shop(|_, _| 0);
    let r = clv_report(&log, &opts(200)).unwrap();
    assert_eq!(r.gamma_gamma, None);
    let why = r.explanation.gamma_gamma_error.clone().unwrap();
    assert!(why.contains("no customer bought again"), "{why}");
    assert!(r.customers.iter().all(|c| c.clv.is_none()));
    assert_all_finite(&r);
}

#[test]
fn refunds_do_not_break_anything() {
    // Every third repeat day is a net refund.
    let log = small_shop(|i, k| {
        if k > 0 && (i + k as usize).is_multiple_of(3) {
            -(300 + i as i64)
        } else {
            700 + (i as i64 * 53 + k as i64 * 17) % 1100
        }
    });
    let s = summarize(&log, day(200), TimeUnit::Week);
    assert!(s.iter().any(|c| c.monetary_value < 0.0));
    match clv_report(&log, &opts(200)) {
        Ok(r) => assert_all_finite(&r),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn identical_spend_cannot_identify_gamma_gamma() {
    let log = small_shop(|_, _| 1234);
    let r = clv_report(&log, &opts(200)).unwrap();
    assert_all_finite(&r);
    let s = summarize(&log, day(200), TimeUnit::Week);
    match fit_gamma_gamma(&s) {
        Err(ClvError::NotIdentifiable { .. }) => {}
        // Rounding may leave a trace of variation; then the fit must at least be finite.
        Ok(g) => assert!(g.p.is_finite() && g.q > 1.0 && g.v.is_finite(), "{g:?}"),
        Err(e) => panic!("unexpected error {e:?}"),
    }
}

#[test]
fn huge_amounts_give_finite_figures() {
    let log = small_shop(|i, k| i64::MAX / 64 - (i as i64) * 1_000_000_007 - k as i64);
    let r = clv_report(&log, &opts(200)).unwrap();
    assert_all_finite(&r);
    let log = small_shop(|i, k| 1 + ((i as i64 * 7919 + k as i64 * 104_729) % 1_000_000_000_000));
    let r = clv_report(&log, &opts(200)).unwrap();
    assert_all_finite(&r);
}

#[test]
fn nobody_dropping_out_is_reported_or_fitted_finitely() {
    // Every customer buys every 7 days up to the calibration end: no sign of drop-out.
    let mut log = Vec::new();
    for i in 0..30_u64 {
        let mut d = i;
        while d <= 120 {
            log.push(tx(&format!("c{i:02}"), d, 1000 + i as i64));
            d += 7;
        }
    }
    match clv_report(&log, &opts(126)) {
        Ok(r) => assert_all_finite(&r),
        Err(ClvError::NotIdentifiable { reason, .. }) => assert!(!reason.is_empty()),
        Err(e) => panic!("unexpected error {e:?}"),
    }
}

#[test]
fn invalid_options_are_rejected() {
    let log = small_shop(|_, _| 100);
    for bad in [
        ClvOptions {
            discount_rate: -1.0,
            ..opts(200)
        },
        ClvOptions {
            discount_rate: f64::NAN,
            ..opts(200)
        },
        ClvOptions {
            predict_periods: -1.0,
            ..opts(200)
        },
        ClvOptions {
            predict_periods: f64::INFINITY,
            ..opts(200)
        },
        ClvOptions {
            horizon_months: 100_000,
            ..opts(200)
        },
    ] {
        assert!(matches!(
            clv_report(&log, &bad),
            Err(ClvError::InvalidOption { .. })
        ));
    }
    let bad_summary = vec![
        CustomerSummary {
            customer_id: "x".into(),
            frequency: 1.0,
            recency: 5.0,
            t: 2.0,
            monetary_value: 1.0,
        };
        3
    ];
    assert!(matches!(
        fit_bgnbd(&bad_summary),
        Err(ClvError::InvalidOption { .. })
    ));
}

#[test]
fn error_messages_are_sentences() {
    let errors = [
        ClvError::NoTransactions,
        ClvError::NoRepeatBuyers,
        ClvError::TooFewCustomers {
            model: "BG/NBD",
            customers: 1,
            required: 3,
        },
        ClvError::DidNotConverge {
            model: "BG/NBD",
            iterations: 400,
        },
    ];
    for e in errors {
        let m = e.to_string();
        assert!(m.len() > 30 && m.contains(' '), "{m}");
    }
}

#[test]
fn model_functions_at_their_edges() {
    let p = BgNbdParams {
        r: 0.243,
        alpha: 4.414,
        a: 0.793,
        b: 2.426,
        log_likelihood: 0.0,
    };
    assert_eq!(p.p_alive(0.0, 0.0, 10.0), 1.0);
    assert_eq!(p.expected_purchases(0.0, 3.0, 5.0, 10.0), 0.0);
    // Brand-new customer (T = 0) and a long horizon.
    for t in [1.0, 52.0, 520.0, 5200.0] {
        let e = p.expected_purchases(t, 0.0, 0.0, 0.0);
        assert!(e.is_finite() && e > 0.0, "{t}: {e}");
    }
    // Heavy buyer long gone: P(alive) underflows to 0 cleanly.
    let gone = p.p_alive(500.0, 1.0, 1000.0);
    assert!((0.0..1e-100).contains(&gone));
    let e = p.expected_purchases(39.0, 500.0, 1.0, 1000.0);
    assert!(e.is_finite() && e >= 0.0);
    // Heavy buyer still active: large but finite.
    let e = p.expected_purchases(39.0, 500.0, 100.0, 100.0);
    assert!(e.is_finite() && e > 100.0, "{e}");
    // a = 1 is a removable singularity of the closed form.
    let at = |a: f64| BgNbdParams { a, ..p }.expected_purchases(39.0, 2.0, 30.43, 38.86);
    let mid = at(1.0);
    assert!(mid.is_finite());
    assert!(
        (mid - 0.5 * (at(1.0 - 1e-4) + at(1.0 + 1e-4))).abs() < 1e-6,
        "{mid}"
    );
    // a + b = 1 with x = 0 is a pole of 2F1 but not of the expectation.
    let at_b = |b: f64| BgNbdParams { a: 0.4, b, ..p }.expected_purchases(39.0, 0.0, 0.0, 10.0);
    let mid = at_b(0.6);
    assert!(mid.is_finite());
    assert!(
        (mid - 0.5 * (at_b(0.6 - 1e-4) + at_b(0.6 + 1e-4))).abs() < 1e-5,
        "{mid}"
    );
    let g = GammaGammaParams {
        p: 6.25,
        q: 3.74,
        v: 15.44,
    };
    let pop = g.expected_average_value(0.0, 0.0);
    assert!((pop - 6.25 * 15.44 / 2.74).abs() < 1e-12);
}

#[test]
fn recovers_simulated_parameters() {
    let spec = SimulationSpec::shop(20_000, day(0), 7);
    let log = simulate_transactions(&spec);
    let again = simulate_transactions(&spec);
    assert_eq!(log, again, "simulation must be deterministic");
    let s = summarize(&log, day(730), TimeUnit::Day);
    let bg = fit_bgnbd(&s).unwrap();
    let truth = spec.purchases;
    for (est, tru, name) in [
        (bg.r, truth.r, "r"),
        (bg.alpha, truth.alpha, "alpha"),
        (bg.a, truth.a, "a"),
        (bg.b, truth.b, "b"),
    ] {
        assert!((est / tru - 1.0).abs() < 0.2, "{name}: {est} vs {tru}");
    }
    let gg = fit_gamma_gamma(&s).unwrap();
    for (est, tru, name) in [
        (gg.p, spec.spend.p, "p"),
        (gg.q, spec.spend.q, "q"),
        (gg.v, spec.spend.v, "v"),
    ] {
        assert!((est / tru - 1.0).abs() < 0.2, "{name}: {est} vs {tru}");
    }
}
