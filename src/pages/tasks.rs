//! Tasks and reminders: overdue, today and upcoming tasks, done with undo, a quick "add task", and
//! the tasks Kehu suggests (churn warnings, birthdays this week, follow-ups due) to accept or
//! dismiss. A dismissed suggestion is stored as a task with `dismissed = true` (never listed), so it
//! is not suggested again and travels with the data file.

use chrono::NaiveDate;
use leptos::prelude::*;

use kehu_core::analytics::churn::{churn, ChurnOptions};
use kehu_core::analytics::history::Histories;
use kehu_core::analytics::Transaction;
use kehu_core::tasks::{bucket, suggest_tasks, Suggestion, SuggestionReason, TaskBucket};
use kehu_core::{Task, TaskOrigin};

use crate::components::toast::{use_toasts, ToastKind};
use crate::i18n::{use_i18n, I18n, Key};
use crate::pages::pipeline::{currency, customer_name, money, tr};
use crate::state::{new_id, now, today, use_app, LoadState};
use crate::storage::{Change, Record};

/// Suggestions listed before "Show all".
const SUGGESTIONS_SHOWN: usize = 20;
/// Done tasks listed (most recently done first).
const DONE_SHOWN: usize = 20;
/// Seconds the "Undo" of done stays on screen.
const UNDO_SECONDS: u64 = 10;
/// Longest task title accepted.
const MAX_TITLE: usize = 300;

/// The title a suggestion's task gets, in the current language.
fn suggestion_title(i18n: I18n, s: &Suggestion, name: &str) -> String {
    match &s.reason {
        SuggestionReason::ChurnWarning { .. } => {
            i18n.tf(Key::PipelineTaskChurnTitle, &[("name", name)])
        }
        SuggestionReason::Birthday { .. } => {
            i18n.tf(Key::PipelineTaskBirthdayTitle, &[("name", name)])
        }
        SuggestionReason::FollowUp { summary, .. } => i18n.tf(
            Key::PipelineFollowUpTaskTitle,
            &[("name", name), ("summary", summary)],
        ),
    }
}

/// Why a suggestion is made, in the current language.
fn suggestion_reason(i18n: I18n, s: &Suggestion, currency: &str) -> String {
    match &s.reason {
        SuggestionReason::ChurnWarning {
            last_purchase,
            days_since_last,
            threshold_days,
            value_at_risk,
        } => i18n.tf(
            Key::PipelineReasonChurn,
            &[
                ("days", &days_since_last.to_string()),
                ("last", &last_purchase.to_string()),
                ("threshold", &format!("{threshold_days:.0}")),
                ("value", &money(*value_at_risk, currency)),
            ],
        ),
        SuggestionReason::Birthday { on, age } => match age {
            Some(a) => i18n.tf(
                Key::PipelineReasonBirthdayAge,
                &[("date", &on.to_string()), ("age", &a.to_string())],
            ),
            None => i18n.tf(Key::PipelineReasonBirthday, &[("date", &on.to_string())]),
        },
        SuggestionReason::FollowUp { .. } => {
            i18n.tf(Key::PipelineReasonFollowUp, &[("date", &s.due.to_string())])
        }
    }
}

fn origin_label(o: TaskOrigin) -> Option<Key> {
    match o {
        TaskOrigin::Manual => None,
        TaskOrigin::ChurnWarning => Some(Key::PipelineOriginChurn),
        TaskOrigin::Birthday => Some(Key::PipelineOriginBirthday),
        TaskOrigin::FollowUp => Some(Key::PipelineOriginFollowUp),
    }
}

/// Stores a task change and shows `message`, optionally with an Undo that stores `undo`.
fn store(task: Task, message: Key, undo: Option<Task>) {
    let app = use_app();
    let toasts = use_toasts();
    leptos::task::spawn_local(async move {
        let title = task.title.clone();
        match app.apply(vec![Change::Put(Record::Task(task))]).await {
            Ok(()) => {
                let action = undo.map(|previous| {
                    let cb = Callback::new(move |()| {
                        let previous = previous.clone();
                        leptos::task::spawn_local(async move {
                            if let Err(e) =
                                app.apply(vec![Change::Put(Record::Task(previous))]).await
                            {
                                toasts.storage_error(&e);
                            }
                        });
                    });
                    (Key::Undo, cb)
                });
                toasts.show(
                    ToastKind::Info,
                    message,
                    &[("title", &title)],
                    action,
                    UNDO_SECONDS,
                );
            }
            Err(e) => toasts.storage_error(&e),
        }
    });
}

/// The tasks page.
#[component]
pub fn TasksPage() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let day = RwSignal::new(today());
    let ready = move || app.load.get() == LoadState::Ready;

    // Churn warnings as of today, from the orders (the same core method as the analytics).
    let churn_result = Memo::new(move |_| {
        if !ready() {
            return None;
        }
        let as_of = day.get();
        let settings = app.data.settings.with(|s| s.analysis.clone());
        let tx: Vec<Transaction> = app.data.orders.with(|orders| {
            orders
                .iter()
                .map(|o| Transaction {
                    customer_id: o.customer_id.to_string(),
                    date: o.date.date(),
                    amount: o.amount,
                })
                .collect()
        });
        let histories = Histories::from_transactions(&tx, as_of, settings.window).ok()?;
        churn(
            &histories,
            &ChurnOptions {
                k: settings.churn_k,
                p_alive_below: settings.churn_p_alive_below,
            },
            None,
        )
        .ok()
    });
    let suggestions = Memo::new(move |_| {
        if !ready() {
            return Vec::new();
        }
        let ch = churn_result.get();
        app.data.customers.with(|customers| {
            app.data.interactions.with(|interactions| {
                app.data.tasks.with(|tasks| {
                    suggest_tasks(customers, interactions, tasks, ch.as_ref(), day.get())
                })
            })
        })
    });
    let list = move |which: TaskBucket| {
        Memo::new(move |_| {
            let d = day.get();
            app.data.tasks.with(|l| {
                let mut v: Vec<Task> = l
                    .iter()
                    .filter(|t| bucket(t, d) == which)
                    .cloned()
                    .collect();
                if which == TaskBucket::Done {
                    crate::sort::sort_by(&mut v, &|a, b| b.updated_at.cmp(&a.updated_at));
                    v.truncate(DONE_SHOWN);
                } else {
                    crate::sort::sort_by(&mut v, &|a, b| {
                        a.due
                            .is_none()
                            .cmp(&b.due.is_none())
                            .then(a.due.cmp(&b.due))
                            .then(a.created_at.cmp(&b.created_at))
                    });
                }
                v
            })
        })
    };
    let all_suggestions = RwSignal::new(false);
    let shown_suggestions = Memo::new(move |_| {
        let mut v = suggestions.get();
        if !all_suggestions.get() {
            v.truncate(SUGGESTIONS_SHOWN);
        }
        v
    });
    let more_suggestions = move || {
        let n = suggestions.with(Vec::len);
        (!all_suggestions.get() && n > SUGGESTIONS_SHOWN).then_some(n)
    };
    let overdue = list(TaskBucket::Overdue);
    let due_today = list(TaskBucket::Today);
    let upcoming = list(TaskBucket::Upcoming);
    let done = list(TaskBucket::Done);

    // Adding a task by hand.
    let new_title = RwSignal::new(String::new());
    let new_due = RwSignal::new(today().to_string());
    let add_error = RwSignal::new(None::<Key>);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let title = new_title.get_untracked().trim().to_string();
        let due_text = new_due.get_untracked();
        let due = if due_text.trim().is_empty() {
            None
        } else {
            match NaiveDate::parse_from_str(due_text.trim(), "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    add_error.set(Some(Key::PipelineErrDate));
                    return;
                }
            }
        };
        if title.is_empty() {
            add_error.set(Some(Key::PipelineErrTaskTitle));
            return;
        }
        if title.chars().count() > MAX_TITLE {
            add_error.set(Some(Key::PipelineErrTitleTooLong));
            return;
        }
        add_error.set(None);
        let at = now();
        let task = Task {
            id: new_id(),
            customer_id: None,
            title,
            due,
            done: false,
            origin: TaskOrigin::Manual,
            dismissed: false,
            created_at: at,
            updated_at: at,
        };
        new_title.set(String::new());
        store(task, Key::PipelineTaskAdded, None);
    };

    let section = move |title: Key, items: Memo<Vec<Task>>, empty: Key, class: &'static str| {
        view! {
            <section class=format!("task-group {class}") aria-labelledby=format!("tasks-{class}")>
                <h2 id=format!("tasks-{class}")>{tr(title)}" "<span class="badge">{move || items.with(Vec::len)}</span></h2>
                <Show when=move || items.with(Vec::is_empty)>
                    <p class="help">{tr(empty)}</p>
                </Show>
                <ul class="task-list">
                    <For each=move || items.get() key=|t| (t.id, t.updated_at) children=move |t: Task| view! { <TaskRow task=t/> }/>
                </ul>
            </section>
        }
    };

    view! {
        <section class="tasks-page">
            <div class="page-head">
                <h1>{tr(Key::PipelineTasksTitle)}</h1>
            </div>
            <Show when=move || !ready()>
                <p class="loading" role="status">{tr(Key::Loading)}</p>
            </Show>
            <section class="task-group suggestions" aria-labelledby="tasks-suggested">
                <h2 id="tasks-suggested">{tr(Key::PipelineSuggested)}" "<span class="badge">{move || suggestions.with(Vec::len)}</span></h2>
                <p class="help">{tr(Key::PipelineSuggestedHelp)}</p>
                <Show when=move || ready() && suggestions.with(Vec::is_empty)>
                    <p class="help">{tr(Key::PipelineNoSuggestions)}</p>
                </Show>
                <ul class="task-list">
                    <For
                        each=move || shown_suggestions.get()
                        key=|s| (s.origin, s.customer_id, s.due, match &s.reason { SuggestionReason::FollowUp { interaction_id, .. } => Some(*interaction_id), _ => None })
                        children=move |s: Suggestion| view! { <SuggestionRow s=s/> }
                    />
                </ul>
                {move || more_suggestions().map(|n| view! {
                    <button type="button" class="link" on:click=move |_| all_suggestions.set(true)>
                        {move || i18n.tf(Key::PipelineShowAll, &[("count", &n.to_string())])}
                    </button>
                })}
            </section>
            {section(Key::PipelineOverdue, overdue, Key::PipelineNoneOverdue, "overdue")}
            {section(Key::PipelineToday, due_today, Key::PipelineNoneToday, "today")}
            {section(Key::PipelineUpcoming, upcoming, Key::PipelineNoneUpcoming, "upcoming")}
            <form class="add-task" novalidate=true on:submit=add>
                <div class="field">
                    <label for="t-title">{tr(Key::PipelineNewTask)}</label>
                    <input id="t-title" type="text" data-autofocus="" aria-describedby="t-err"
                        aria-invalid=move || add_error.get().is_some().then_some("true")
                        prop:value=move || new_title.get()
                        on:input=move |ev| new_title.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="t-due">{tr(Key::PipelineDue)}</label>
                    <input id="t-due" type="date" prop:value=move || new_due.get() on:input=move |ev| new_due.set(event_target_value(&ev))/>
                </div>
                <button type="submit">{tr(Key::PipelineAddTask)}</button>
                <p class="error" id="t-err" role="alert">{move || add_error.get().map(|k| i18n.t(k))}</p>
            </form>
            {section(Key::PipelineDone, done, Key::PipelineNoneDone, "done")}
        </section>
    }
}

/// One task: a checkbox for done (with undo), its due date, customer and origin.
#[component]
fn TaskRow(task: Task) -> impl IntoView {
    let checked = task.done;
    let title = task.title.clone();
    let due = task.due;
    let customer = task.customer_id;
    let origin = origin_label(task.origin);
    let overdue = !task.done && due.is_some_and(|d| d < today());
    let toggle = {
        let task = task.clone();
        move |_| {
            let mut t = task.clone();
            t.done = !t.done;
            t.updated_at = now();
            let message = if t.done {
                Key::PipelineTaskDone
            } else {
                Key::PipelineTaskReopened
            };
            store(t, message, Some(task.clone()));
        }
    };
    view! {
        <li class="task" class:done=checked class:late=overdue>
            <label class="task-check">
                <input type="checkbox" prop:checked=checked on:change=toggle/>
                <span class="task-title">{title}</span>
            </label>
            <span class="task-meta">
                {due.map(|d| view! { <time datetime=d.to_string()>{d.to_string()}</time> })}
                {customer.map(|c| view! { <a href=crate::pages::pipeline::customer_page(c).href()>{move || customer_name(c)}</a> })}
                {origin.map(|k| view! { <span class="badge">{tr(k)}</span> })}
            </span>
        </li>
    }
}

/// One suggestion with Accept and Dismiss.
#[component]
fn SuggestionRow(s: Suggestion) -> impl IntoView {
    let i18n = use_i18n();
    let customer = s.customer_id;
    let kind = match s.origin {
        TaskOrigin::ChurnWarning => Key::PipelineOriginChurn,
        TaskOrigin::Birthday => Key::PipelineOriginBirthday,
        _ => Key::PipelineOriginFollowUp,
    };
    let s_title = s.clone();
    let s_reason = s.clone();
    let s_accept = s.clone();
    let s_dismiss = s.clone();
    let title = move || suggestion_title(i18n, &s_title, &customer_name(customer));
    let decide = move |s: &Suggestion, dismissed: bool| {
        let t = s.to_task(
            new_id(),
            suggestion_title(i18n, s, &customer_name(s.customer_id)),
            dismissed,
            now(),
        );
        let message = if dismissed {
            Key::PipelineSuggestionDismissed
        } else {
            Key::PipelineSuggestionAccepted
        };
        // Undo of an accept or a dismiss: the stored task goes away, so the suggestion comes back.
        let app = use_app();
        let toasts = use_toasts();
        let id = t.id;
        leptos::task::spawn_local(async move {
            let title = t.title.clone();
            match app.apply(vec![Change::Put(Record::Task(t))]).await {
                Ok(()) => {
                    let cb = Callback::new(move |()| {
                        leptos::task::spawn_local(async move {
                            if let Err(e) = app
                                .apply(vec![Change::Delete(crate::storage::StoreName::Tasks, id)])
                                .await
                            {
                                toasts.storage_error(&e);
                            }
                        });
                    });
                    toasts.show(
                        ToastKind::Info,
                        message,
                        &[("title", &title)],
                        Some((Key::Undo, cb)),
                        UNDO_SECONDS,
                    );
                }
                Err(e) => toasts.storage_error(&e),
            }
        });
    };
    let title_accept = title.clone();
    let title_dismiss = title.clone();
    view! {
        <li class="task suggestion">
            <div class="task-body">
                <span class="badge">{tr(kind)}</span>
                " "
                <span class="task-title">{title.clone()}</span>
                <p class="help">
                    {move || suggestion_reason(i18n, &s_reason, &currency())}
                    " "
                    <a href=crate::pages::pipeline::customer_page(customer).href()>{tr(Key::PipelineOpenCustomer)}</a>
                </p>
            </div>
            <div class="actions">
                <button type="button" class="primary"
                    aria-label=move || i18n.tf(Key::PipelineAcceptOf, &[("title", &title_accept())])
                    on:click=move |_| decide(&s_accept, false)
                >{tr(Key::PipelineAccept)}</button>
                <button type="button"
                    aria-label=move || i18n.tf(Key::PipelineDismissOf, &[("title", &title_dismiss())])
                    on:click=move |_| decide(&s_dismiss, true)
                >{tr(Key::PipelineDismiss)}</button>
            </div>
        </li>
    }
}
