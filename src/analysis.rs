//! The workspace's analysis (RFM, ABC, value matrix, churn, lifecycle, loyalty, satisfaction) as
//! one memo shared through context: computed by `kehu_core::analytics::analyze` once all records
//! are read, and again whenever customers, orders, surveys or the analysis settings change. Pages
//! (Customer 360, later the dashboard) read it with [`use_analysis`] instead of computing their own.

use std::sync::Arc;

use leptos::prelude::*;

use kehu_core::analytics::analyze::{analyze_records, Analysis, AnalysisError};

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

/// The current analysis: `None` while records are still being read.
#[derive(Clone, Copy)]
pub struct AnalysisMemo(pub Memo<Option<Computed>>);

/// Provides the analysis memo; call once, after the app state is in context.
pub fn provide_analysis() {
    let app = use_app();
    let d = app.data;
    // Only the analysis settings: a change of shop name or saved segments does not recompute.
    let analysis_settings = Memo::new(move |_| d.settings.with(|s| s.analysis.clone()));
    let memo = Memo::new(move |_| {
        if app.load.get() != LoadState::Ready {
            return None;
        }
        let settings = analysis_settings.get();
        let as_of = settings.as_of.unwrap_or_else(today);
        // Only what `analyze` reads (customers for referrals, orders, surveys), borrowed from the
        // signals rather than copied.
        let result = d.customers.with(|customers| {
            d.orders.with(|orders| {
                d.surveys
                    .with(|surveys| analyze_records(customers, orders, surveys, as_of, &settings))
            })
        });
        Some(Computed(result.map(Arc::new)))
    });
    provide_context(AnalysisMemo(memo));
}

/// The analysis memo from context.
pub fn use_analysis() -> Memo<Option<Computed>> {
    expect_context::<AnalysisMemo>().0
}
