//! What can be done with the matching customers: export them (CSV, Kehu data file) and act on them
//! in bulk (add a tag, create a follow-up task each), each bulk action one transaction with Undo.

use std::collections::HashSet;

use leptos::prelude::*;

use kehu_core::datafile;
use kehu_core::segment_explorer::with_tag;
use kehu_core::transactions_csv::format_amount;
use kehu_core::{Task, TaskOrigin};

use super::{tier_name, Explorer};
use crate::components::toast::{use_toasts, ToastKind};
use crate::i18n::{use_i18n, I18n, Key};
use crate::pages::customers::view::{segment_key, stage_key};
use crate::pages::data::export::APP_VERSION;
use crate::pages::data::files::{download, file_name, snapshot};
use crate::pages::insight::csv_text;
use crate::pages::sales::UNDO_SECONDS;
use crate::state::{new_id, now, today, use_app, AppState, LoadState};
use crate::storage::{Change, Record, StoreName};

/// The file name stem: the open segment's name when it makes a safe one.
fn stem(ex: Explorer, app: AppState) -> String {
    let name = ex.open.get_untracked().and_then(|id| {
        app.data.settings.with_untracked(|s| {
            s.segments
                .iter()
                .find(|x| x.id == id)
                .map(|x| x.name.clone())
        })
    });
    match name {
        Some(n) => {
            let safe: String = n
                .trim()
                .chars()
                .map(|c| if c.is_alphanumeric() { c } else { '-' })
                .collect();
            format!("kehu-segment-{}", safe.trim_matches('-'))
        }
        None => "kehu-segment".to_string(),
    }
}

/// The matching customers as CSV rows, heading first.
fn csv_rows(i18n: I18n, app: AppState, ex: Explorer) -> Vec<Vec<String>> {
    let mut out = vec![[
        Key::SegmentsColCustomer,
        Key::SegmentsColId,
        Key::SalesTermR,
        Key::SalesTermF,
        Key::SalesTermM,
        Key::SegmentsColSegment,
        Key::SegmentsColClass,
        Key::SegmentsColStage,
        Key::SegmentsColTier,
        Key::SegmentsColSpend,
        Key::SegmentsColLast,
        Key::SegmentsColTags,
    ]
    .iter()
    .map(|k| i18n.t(*k).to_string())
    .collect::<Vec<_>>()];
    let (Some(p), Some(s)) = (ex.profiles.get_untracked(), ex.selected.get_untracked()) else {
        return out;
    };
    let text = |v: Option<u8>| v.map(|v| v.to_string()).unwrap_or_default();
    app.data.customers.with_untracked(|cs| {
        for &i in s.0.iter() {
            let (Some(c), Some(p)) = (cs.get(i as usize), p.0.get(i as usize)) else {
                continue;
            };
            let (r, f, m) = match p.scores {
                Some((r, f, m)) => (Some(r), Some(f), Some(m)),
                None => (None, None, None),
            };
            out.push(vec![
                c.name.clone(),
                c.id.to_string(),
                text(r),
                text(f),
                text(m),
                p.segment
                    .map(|s| i18n.t(segment_key(s.id())).to_string())
                    .unwrap_or_default(),
                p.class.map(|c| c.id().to_string()).unwrap_or_default(),
                p.stage
                    .map(|s| i18n.t(stage_key(s.id())).to_string())
                    .unwrap_or_default(),
                tier_name(app, p.tier),
                format_amount(p.spend),
                p.last_purchase.map(|d| d.to_string()).unwrap_or_default(),
                c.tags.join("; "),
            ]);
        }
    });
    out
}

/// "Export CSV" and "Export Kehu file" for the matching customers.
#[component]
pub fn ExportButtons(ex: Explorer) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let toasts = use_toasts();
    let count = move || ex.selected.with(|s| s.as_ref().map_or(0, |s| s.0.len()));
    let report = move |result: Result<String, String>| match result {
        Ok(file) => toasts.info(
            Key::SegmentsExported,
            &[("count", &count().to_string()), ("file", &file)],
        ),
        Err(e) => toasts.error(Key::SegmentsExportFailed, &[("detail", &e)]),
    };
    let csv = move |_| {
        let file = file_name(&stem(ex, app), "csv");
        let result = csv_text(&csv_rows(i18n, app, ex))
            .and_then(|t| download(&file, "text/csv;charset=utf-8", &t))
            .map(|()| file);
        report(result);
    };
    let json = move |_| {
        if app.load.get_untracked() != LoadState::Ready {
            toasts.error(Key::SegmentsStillLoading, &[]);
            return;
        }
        let ids: HashSet<uuid::Uuid> = ex.ids(app).into_iter().collect();
        let file = file_name(&stem(ex, app), "json");
        let data = datafile::select_customers(&snapshot(app), &ids);
        let result = datafile::export(&data, now(), APP_VERSION)
            .map_err(|e| e.to_string())
            .and_then(|text| download(&file, "application/json", &text))
            .map(|()| file);
        report(result);
    };
    let none = move || count() == 0;
    view! {
        <div class="export-buttons">
            <button type="button" on:click=csv disabled=none>{move || i18n.t(Key::SegmentsExportCsv)}</button>
            <button type="button" on:click=json disabled=none>{move || i18n.t(Key::SegmentsExportJson)}</button>
        </div>
    }
}

/// Add a tag to every matching customer; create a follow-up task for each.
#[component]
pub fn BulkActions(ex: Explorer) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let toasts = use_toasts();
    let busy = RwSignal::new(false);
    let tag = RwSignal::new(String::new());
    let tag_error = RwSignal::new(None::<String>);
    let title = RwSignal::new(String::new());
    let due = RwSignal::new(today().to_string());
    let task_error = RwSignal::new(None::<String>);
    let count = move || ex.selected.with(|s| s.as_ref().map_or(0, |s| s.0.len()));
    let disabled = move || busy.get() || count() == 0;

    let add_tag = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = tag.get_untracked().trim().to_string();
        if t.is_empty() {
            tag_error.set(Some(i18n.t(Key::SegmentsErrTagEmpty).to_string()));
            return;
        }
        tag_error.set(None);
        let Some(sel) = ex.selected.get_untracked() else {
            return;
        };
        let at = now();
        // The customers as they are now, kept for Undo, and as they will be.
        let (before, after) = app.data.customers.with_untracked(|cs| {
            let after = with_tag(cs, &sel.0, &t, at);
            let ids: HashSet<uuid::Uuid> = after.iter().map(|c| c.id).collect();
            let before: Vec<_> = cs.iter().filter(|c| ids.contains(&c.id)).cloned().collect();
            (before, after)
        });
        if after.is_empty() {
            toasts.info(Key::SegmentsTagNone, &[("tag", &t)]);
            return;
        }
        let n = after.len().to_string();
        let changes = after
            .into_iter()
            .map(|c| Change::Put(Record::Customer(c)))
            .collect();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = app.apply(changes).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    tag.set(String::new());
                    let undo = Callback::new(move |()| {
                        let back = before
                            .iter()
                            .cloned()
                            .map(|c| Change::Put(Record::Customer(c)))
                            .collect();
                        leptos::task::spawn_local(async move {
                            match app.apply(back).await {
                                Ok(()) => toasts.info(Key::SegmentsUntagged, &[]),
                                Err(e) => toasts.storage_error(&e),
                            }
                        });
                    });
                    toasts.show(
                        ToastKind::Info,
                        Key::SegmentsTagged,
                        &[("tag", &t), ("count", &n)],
                        Some((Key::Undo, undo)),
                        UNDO_SECONDS,
                    );
                }
                Err(e) => toasts.storage_error(&e),
            }
        });
    };

    let add_tasks = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = title.get_untracked().trim().to_string();
        if t.is_empty() {
            task_error.set(Some(i18n.t(Key::SegmentsErrTitleEmpty).to_string()));
            return;
        }
        task_error.set(None);
        let due_day =
            chrono::NaiveDate::parse_from_str(due.get_untracked().trim(), "%Y-%m-%d").ok();
        let at = now();
        let tasks: Vec<Task> = ex
            .ids(app)
            .into_iter()
            .map(|cid| Task {
                id: new_id(),
                customer_id: Some(cid),
                title: t.clone(),
                due: due_day,
                done: false,
                origin: TaskOrigin::Manual,
                dismissed: false,
                created_at: at,
                updated_at: at,
            })
            .collect();
        if tasks.is_empty() {
            return;
        }
        let ids: Vec<uuid::Uuid> = tasks.iter().map(|t| t.id).collect();
        let n = tasks.len().to_string();
        let changes = tasks
            .into_iter()
            .map(|t| Change::Put(Record::Task(t)))
            .collect();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = app.apply(changes).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    let undo = Callback::new(move |()| {
                        let back = ids
                            .iter()
                            .map(|id| Change::Delete(StoreName::Tasks, *id))
                            .collect();
                        leptos::task::spawn_local(async move {
                            match app.apply(back).await {
                                Ok(()) => toasts.info(Key::SegmentsTasksRemoved, &[]),
                                Err(e) => toasts.storage_error(&e),
                            }
                        });
                    });
                    toasts.show(
                        ToastKind::Info,
                        Key::SegmentsTasksCreated,
                        &[("count", &n)],
                        Some((Key::Undo, undo)),
                        UNDO_SECONDS,
                    );
                }
                Err(e) => toasts.storage_error(&e),
            }
        });
    };

    view! {
        <section class="bulk card" aria-labelledby="segments-bulk-title">
            <h2 id="segments-bulk-title">{move || i18n.t(Key::SegmentsActions)}</h2>
            <form class="bulk-form" on:submit=add_tag>
                <label>
                    {move || i18n.t(Key::SegmentsTagLabel)}
                    <input
                        type="text"
                        maxlength="40"
                        aria-describedby="segments-tag-error"
                        prop:value=move || tag.get()
                        on:input=move |ev| tag.set(event_target_value(&ev))
                    />
                </label>
                <button type="submit" disabled=disabled>
                    {move || i18n.tf(Key::SegmentsTagButton, &[("count", &count().to_string())])}
                </button>
                <p class="error" id="segments-tag-error" role="alert">{move || tag_error.get()}</p>
            </form>
            <form class="bulk-form" on:submit=add_tasks>
                <label>
                    {move || i18n.t(Key::SegmentsTaskTitle)}
                    <input
                        type="text"
                        maxlength="120"
                        aria-describedby="segments-task-error"
                        prop:value=move || title.get()
                        on:input=move |ev| title.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    {move || i18n.t(Key::SegmentsTaskDue)}
                    <input
                        type="date"
                        prop:value=move || due.get()
                        on:change=move |ev| due.set(event_target_value(&ev))
                    />
                </label>
                <button type="submit" disabled=disabled>
                    {move || i18n.tf(Key::SegmentsTaskButton, &[("count", &count().to_string())])}
                </button>
                <p class="error" id="segments-task-error" role="alert">{move || task_error.get()}</p>
            </form>
        </section>
    }
}
