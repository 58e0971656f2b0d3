//! Insight: the dashboard and one page per analysis method (RFM, ABC), each with its charts, its
//! tables, CSV export, a print view and a "How is this computed?" panel. Every figure comes from
//! the shared analysis memo ([`crate::analysis::use_analysis`]); nothing here recomputes it.

pub mod abc;
pub mod chart;
pub mod churn;
pub mod dashboard;
pub mod kpi;
pub mod lifecycle;
pub mod matrix;
pub mod rfm;
pub mod teach;
pub mod value;

use std::sync::Arc;

use leptos::prelude::*;

use kehu_core::analytics::analyze::Analysis;

use crate::analysis::use_analysis;
use crate::components::toast::use_toasts;
use crate::i18n::{use_i18n, Key};
use crate::routing::{use_route, Route};

/// A percentage with one decimal.
pub fn percent(p: f64) -> String {
    format!("{p:.1}%")
}

/// Rows as CSV text: UTF-8 with a byte-order mark, so spreadsheet programs read Chinese correctly.
pub fn csv_text(rows: &[Vec<String>]) -> Result<String, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(r).map_err(|e| e.to_string())?;
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    let body = String::from_utf8(bytes).map_err(|e| e.to_string())?;
    Ok(format!("\u{feff}{body}"))
}

/// Offers `text` to the user as a file called `name`.
fn download(name: &str, text: &str, mime: &str) -> Result<(), String> {
    // The data page's download keeps the object URL until the browser has read it (revoking it
    // right after the click can cancel the download).
    crate::pages::data::files::download(name, mime, text)
}

/// The "Export CSV" and "Print" buttons of a page; `rows` gives the table to export, heading first.
#[component]
pub fn ExportBar(
    /// File name, without the date.
    name: &'static str,
    /// The rows to export, heading row first.
    rows: Callback<(), Vec<Vec<String>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let export = move |_| {
        let toasts = use_toasts();
        let file = format!("kehu-{name}-{}.csv", crate::state::today());
        match csv_text(&rows.run(())).and_then(|t| download(&file, &t, "text/csv;charset=utf-8")) {
            Ok(()) => toasts.info(Key::InsightExported, &[("file", &file)]),
            Err(e) => toasts.error(Key::InsightExportFailed, &[("detail", &e)]),
        }
    };
    view! {
        <div class="export-bar no-print">
            <button type="button" on:click=export>{move || i18n.t(Key::InsightExportCsv)}</button>
            <button type="button" on:click=move |_| { let _ = window().print(); }>
                {move || i18n.t(Key::InsightPrint)}
            </button>
        </div>
    }
}

/// Customer names by id, for the per-customer rows of an export.
pub fn customer_names(
    app: crate::state::AppState,
) -> std::collections::HashMap<kehu_core::analytics::customer_id::CustomerId, String> {
    app.data.customers.with_untracked(|cs| {
        cs.iter()
            .map(|c| (c.id.into(), crate::pages::sales::customer_label(c)))
            .collect()
    })
}

/// The heading row of an export: `keys` in the current language.
pub fn heading(i18n: crate::i18n::I18n, keys: &[Key]) -> Vec<String> {
    keys.iter().map(|k| i18n.t(*k).to_string()).collect()
}

/// A number as a user types it ("12.5" or "12,5"), if it is one and finite.
pub fn parse_number(text: &str) -> Option<f64> {
    text.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
}

/// What every method page shows, in order: its title with the CSV export and print buttons, the
/// links between the insight pages, its parameters, and its body drawn from the current analysis.
/// `export` gives the table the CSV export writes, heading row first.
pub fn method_page<V: IntoView + 'static>(
    class: &'static str,
    title: Key,
    name: &'static str,
    export: fn(crate::i18n::I18n, crate::state::AppState, &Analysis) -> Vec<Vec<String>>,
    params: impl IntoView + 'static,
    body: impl Fn(Arc<Analysis>) -> V + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let app = crate::state::use_app();
    let rows = Callback::new(move |()| {
        use_analysis()
            .get_untracked()
            .and_then(|c| c.0.ok())
            .map(|a| export(i18n, app, &a))
            .unwrap_or_default()
    });
    view! {
        <section class=format!("insight-page {class}")>
            <div class="page-head">
                <h1 data-autofocus tabindex="-1">{move || i18n.t(title)}</h1>
                <ExportBar name=name rows=rows/>
            </div>
            <InsightNav/>
            {params}
            {with_analysis(body)}
        </section>
    }
}

/// The links between the insight pages.
#[component]
pub fn InsightNav() -> impl IntoView {
    let i18n = use_i18n();
    let route = use_route();
    let link = move |target: Route, key: Key| {
        view! {
            <a href=target.href() aria-current=move || (route.get() == target).then_some("page")>
                {move || i18n.t(key)}
            </a>
        }
    };
    view! {
        <nav class="insight-nav no-print" aria-label=move || i18n.t(Key::InsightNavLabel)>
            {link(Route::Dashboard, Key::InsightDashboard)}
            {link(Route::Rfm, Key::InsightRfm)}
            {link(Route::Abc, Key::InsightAbc)}
            {link(Route::ValueMatrix, Key::MethodsMatrixNav)}
            {link(Route::Lifecycle, Key::MethodsLifecycleNav)}
            {link(Route::Churn, Key::MethodsChurnNav)}
            {link(Route::Clv, Key::ValueNavClv)}
            {link(Route::LoyaltyAnalytics, Key::ValueNavLoyalty)}
            {link(Route::Satisfaction, Key::ValueNavSatisfaction)}
        </nav>
    }
}

/// Shows `page` with the current analysis, or what stands in its way (still reading, a bad
/// setting).
pub fn with_analysis<V: IntoView + 'static>(
    page: impl Fn(Arc<Analysis>) -> V + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let analysis = use_analysis();
    move || {
        // Pages are drawn in the current language: follow it.
        i18n.locale.track();
        match analysis.get() {
            None => {
                view! { <p class="loading" role="status">{i18n.t(Key::Loading)}</p> }.into_any()
            }
            Some(c) => match c.0 {
                Ok(a) => page(a).into_any(),
                Err(e) => view! {
                    <p class="error" role="alert">
                        {i18n.tf(Key::SalesAnalysisFailed, &[("detail", &e.to_string())])}
                    </p>
                }
                .into_any(),
            },
        }
    }
}

/// Changes the analysis settings with `change` and saves them; the analysis follows at once.
pub fn save_analysis(change: impl FnOnce(&mut kehu_core::AnalysisSettings)) {
    let app = crate::state::use_app();
    let toasts = use_toasts();
    let mut settings = app.data.settings.get_untracked();
    change(&mut settings.analysis);
    if settings == app.data.settings.get_untracked() {
        return;
    }
    leptos::task::spawn_local(async move {
        if let Err(e) = app.save_settings(settings).await {
            toasts.storage_error(&e);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::csv_text;

    #[test]
    fn csv_starts_with_a_bom_and_quotes_what_needs_it() {
        let rows = vec![
            vec!["名称".to_string(), "a,b".to_string()],
            vec!["x\"y".to_string(), "1".to_string()],
        ];
        assert_eq!(
            csv_text(&rows).as_deref(),
            Ok("\u{feff}名称,\"a,b\"\n\"x\"\"y\",1\n")
        );
    }
}
