//! Exports: everything or the current customer list as a Kehu data file, customers and orders as
//! CSV; when the last full export was made, and a reminder after a week of changes without one.

use std::collections::HashSet;

use leptos::prelude::*;

use kehu_core::csv_io::{customers_analytics_csv, orders_csv, CustomerFacts, HeaderLanguage};
use kehu_core::datafile::{self, DataFileRef, FormatName, LoyaltySectionRef};
use kehu_core::Timestamp;

use super::files::{download, file_name, snapshot, BlobParts};
use super::reminder::{jump_to_export, ExportState, EXPORT_HEADING};
use crate::analysis::use_analysis;
use crate::browser::mark;
use crate::components::toast::use_toasts;
use crate::i18n::{use_i18n, Key, Locale};
use crate::pages::customers::list::ListState;
use crate::pages::sales::local_now;
use crate::state::{now, use_app, AppState};

/// The version of Kehu written into data files.
pub const APP_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Downloads everything as a data file and remembers when.
///
/// The file is written straight from the lists in memory into the download's blob parts: no copy
/// of the workspace, and no single buffer of the file's size.
///
/// # Errors
/// A description when the file could not be made or offered.
pub fn export_everything(app: AppState) -> Result<Timestamp, String> {
    let at = now();
    let d = app.data;
    let mut parts = BlobParts::new();
    let written = {
        // Read guards on every list at once (no writes happen meanwhile).
        let settings = d.settings.read_untracked();
        let programme = d.loyalty.read_untracked();
        let ledger = d.ledger.read_untracked();
        let (customers, orders) = (d.customers.read_untracked(), d.orders.read_untracked());
        let (interactions, deals) = (d.interactions.read_untracked(), d.deals.read_untracked());
        let (tasks, surveys) = (d.tasks.read_untracked(), d.surveys.read_untracked());
        DataFileRef {
            format: FormatName::KehuCrm,
            version: datafile::VERSION,
            exported_at: at,
            app_version: APP_VERSION,
            currency: &settings.currency,
            customers: &customers,
            orders: &orders,
            interactions: &interactions,
            deals: &deals,
            tasks: &tasks,
            surveys: &surveys,
            loyalty: LoyaltySectionRef {
                programme: &programme,
                ledger: &ledger,
            },
            settings: &settings,
        }
        .write_json(&mut parts)
    };
    written.map_err(|e| e.to_string())?;
    mark("kehu:export-written");
    parts.download(&file_name("kehu", "json"), "application/json")?;
    mark("kehu:export-offered");
    ExportState::get().record(at);
    Ok(at)
}

/// The export part of the data page.
#[component]
pub fn ExportSection() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let toasts = use_toasts();
    let list = expect_context::<ListState>();
    let state = ExportState::get();
    let last = state.last;
    let remind = state.due;
    let analysis = use_analysis();
    // Arrived from the reminder banner: show the export.
    Effect::new(move |_| jump_to_export(state));

    let everything = move |_| match export_everything(app) {
        Ok(_) => toasts.info(Key::ShareExportedAll, &[]),
        Err(e) => toasts.error(Key::ShareExportFailed, &[("detail", &e)]),
    };
    let list_count = move || app.data.customers.with(|c| list.visible_ids(c).len());
    let current_list = move |_| {
        let ids: HashSet<uuid::Uuid> = app
            .data
            .customers
            .with_untracked(|c| list.visible_ids(c).into_iter().collect());
        let count = ids.len();
        let data = datafile::select_customers(&snapshot(app), &ids);
        let result = datafile::export(&data, now(), APP_VERSION)
            .map_err(|e| e.to_string())
            .and_then(|text| {
                download(
                    &file_name("kehu-selection", "json"),
                    "application/json",
                    &text,
                )
            });
        match result {
            Ok(()) => toasts.info(
                Key::ShareExportedSelection,
                &[("count", &count.to_string())],
            ),
            Err(e) => toasts.error(Key::ShareExportFailed, &[("detail", &e)]),
        }
    };
    let lang = move || match i18n.locale.get_untracked() {
        Locale::ZhCn => HeaderLanguage::Chinese,
        Locale::En => HeaderLanguage::English,
    };
    let csv_customers = move |_| {
        // With the analysis columns, from the shared analysis (computed now if it is not yet).
        let computed = analysis.get_untracked().and_then(|c| c.0.ok());
        let d = app.data;
        let programme = d.loyalty.get_untracked();
        let text = d.orders.with_untracked(|orders| {
            d.ledger.with_untracked(|ledger| {
                let facts = CustomerFacts {
                    analysis: computed.as_deref(),
                    programme: &programme,
                    orders,
                    ledger,
                    at: local_now(),
                };
                d.customers
                    .with_untracked(|c| customers_analytics_csv(c, lang(), &facts))
            })
        });
        if let Err(e) = download(&file_name("kehu-customers", "csv"), "text/csv", &text) {
            toasts.error(Key::ShareExportFailed, &[("detail", &e)]);
        }
    };
    let csv_orders = move |_| {
        let text = app.data.orders.with_untracked(|o| {
            app.data
                .customers
                .with_untracked(|c| orders_csv(o, c, lang()))
        });
        if let Err(e) = download(&file_name("kehu-orders", "csv"), "text/csv", &text) {
            toasts.error(Key::ShareExportFailed, &[("detail", &e)]);
        }
    };

    view! {
        <h2 id=EXPORT_HEADING tabindex="-1">{move || i18n.t(Key::ShareExportHeading)}</h2>
        <p class="help">{move || i18n.t(Key::ShareExportHelp)}</p>
        <p class="last-export" data-testid="last-export">
            {move || match last.get() {
                Some(at) => i18n.tf(
                    Key::ShareLastExport,
                    &[("when", &at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string())],
                ),
                None => i18n.t(Key::ShareNoExportYet).to_string(),
            }}
        </p>
        <Show when=move || remind.get()>
            <p class="warning" role="status">{move || i18n.t(Key::ShareExportReminder)}</p>
        </Show>
        <div class="actions">
            <button type="button" class="primary" on:click=everything>
                {move || i18n.t(Key::ShareExportAll)}
            </button>
            <button type="button" on:click=current_list disabled=move || list_count() == 0>
                {move || i18n.tf(Key::ShareExportList, &[("count", &list_count().to_string())])}
            </button>
            <button type="button" on:click=csv_customers>{move || i18n.t(Key::ShareExportCustomersCsv)}</button>
            <button type="button" on:click=csv_orders>{move || i18n.t(Key::ShareExportOrdersCsv)}</button>
        </div>
    }
}
