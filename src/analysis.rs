//! The workspace's analysis (RFM, ABC, value matrix, churn, lifecycle, loyalty, satisfaction) as
//! one memo shared through context: computed by `kehu_core::analytics::analyze` once all records
//! are read, and again whenever customers, orders, surveys or the analysis settings change. Pages
//! (Customer 360, later the dashboard) read it with [`use_analysis`] instead of computing their own.
//!
//! The customer records and the orders are first prepared into compact tables
//! ([`CustomerIndex`], [`OrderTable`]), each in its own memo: a change of the orders rebuilds the
//! order table, a change of the customers the (much smaller) customer index, and a change of the
//! analysis settings or date only recomputes the analysis from the tables kept.

use std::sync::Arc;

use leptos::prelude::*;

use kehu_core::analytics::analyze::{analyze_tables, Analysis, AnalysisError};
use kehu_core::analytics::history::{CustomerIndex, OrderTable};

use crate::state::{today, use_app, LoadState};

/// One computed analysis. Two values are equal only when they are the same computation, so a
/// recompute always notifies readers without comparing every result field by field.
#[derive(Clone, Debug)]
pub struct Computed(pub Result<Arc<Analysis>, AnalysisError>);

impl PartialEq for Computed {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Ok(a), Ok(b)) => Arc::ptr_eq(a, b),
            (Err(a), Err(b)) => a == b,
            _ => false,
        }
    }
}

/// A prepared table shared between recomputes; equal only to itself (a rebuild always notifies).
#[derive(Clone, Debug)]
struct Prepared<T>(Arc<T>);

impl<T> PartialEq for Prepared<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// The current analysis: `None` while records are still being read.
#[derive(Clone, Copy)]
pub struct AnalysisMemo(pub Memo<Option<Computed>>);

/// Provides the analysis memo; call once, after the app state is in context.
pub fn provide_analysis() {
    let app = use_app();
    let d = app.data;
    // Only the analysis settings: a change of shop name or saved segments does not recompute.
    let analysis_settings = Memo::new(move |_| d.settings.with(|s| s.analysis.clone()));
    let ready = move || app.load.get() == LoadState::Ready;
    // The tables are read from the signals (borrowed, not copied) when those records change.
    let customers = Memo::new(move |_| {
        ready().then(|| Prepared(Arc::new(d.customers.with(|c| CustomerIndex::new(c)))))
    });
    let orders = Memo::new(move |_| {
        ready().then(|| {
            crate::browser::mark("kehu:order-table-start");
            let table = d.orders.with(|o| OrderTable::new(o));
            crate::browser::mark("kehu:order-table-done");
            Prepared(Arc::new(table))
        })
    });
    let memo = Memo::new(move |_| {
        if !ready() {
            return None;
        }
        let settings = analysis_settings.get();
        let as_of = settings.as_of.unwrap_or_else(today);
        let (Some(customers), Some(orders)) = (customers.get(), orders.get()) else {
            return None;
        };
        // Marks for the browser benchmark (`end2end/bench/recompute.bench.ts`).
        crate::browser::mark("kehu:analysis-start");
        let result = d
            .surveys
            .with(|surveys| analyze_tables(&customers.0, &orders.0, surveys, as_of, &settings));
        crate::browser::mark("kehu:analysis-done");
        Some(Computed(result.map(Arc::new)))
    });
    provide_context(AnalysisMemo(memo));
}

/// The analysis memo from context.
pub fn use_analysis() -> Memo<Option<Computed>> {
    expect_context::<AnalysisMemo>().0
}
