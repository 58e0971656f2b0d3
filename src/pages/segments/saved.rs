//! Saved segments: name and save the filter in force, open, rename, update and delete (with Undo).
//! They live in the settings record, so they survive a reload and travel in a Kehu data file.

use leptos::prelude::*;

use kehu_core::segment_explorer::{check_name, NameError, SavedSegment};

use super::Explorer;
use crate::components::toast::{use_toasts, ToastKind};
use crate::i18n::{use_i18n, I18n, Key};
use crate::pages::sales::UNDO_SECONDS;
use crate::state::{new_id, now, use_app, AppState};

/// The text of a name problem.
fn name_error_text(i18n: I18n, e: &NameError) -> String {
    match e {
        NameError::Empty => i18n.t(Key::SegmentsErrEmptyName).to_string(),
        NameError::Taken(name) => i18n.tf(Key::SegmentsErrTaken, &[("name", name)]),
    }
}

/// Stores the saved segments changed by `change`; `done` runs once they are stored.
fn store(
    app: AppState,
    change: impl FnOnce(&mut Vec<SavedSegment>),
    done: impl FnOnce() + 'static,
) {
    let toasts = use_toasts();
    let mut settings = app.data.settings.get_untracked();
    change(&mut settings.segments);
    leptos::task::spawn_local(async move {
        match app.save_settings(settings).await {
            Ok(()) => done(),
            Err(e) => toasts.storage_error(&e),
        }
    });
}

/// The list of saved segments and the form that saves the filter in force.
#[component]
pub fn SavedSegments(ex: Explorer) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let toasts = use_toasts();
    let saved = Memo::new(move |_| app.data.settings.with(|s| s.segments.clone()));
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let open_segment = move || {
        ex.open
            .get()
            .and_then(|id| saved.get().into_iter().find(|s| s.id == id))
    };
    let changed = move || open_segment().is_some_and(|s| ex.filter.with(|f| *f != s.filter));

    let save_new = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let list = saved.get_untracked();
        match check_name(&list, None, &name.get_untracked()) {
            Err(e) => error.set(Some(name_error_text(i18n, &e))),
            Ok(n) => {
                error.set(None);
                let at = now();
                let segment = SavedSegment {
                    id: new_id(),
                    name: n.clone(),
                    filter: ex.filter.get_untracked(),
                    created_at: at,
                    updated_at: at,
                };
                let id = segment.id;
                store(
                    app,
                    move |l| l.push(segment),
                    move || {
                        ex.open.set(Some(id));
                        name.set(String::new());
                        toasts.info(Key::SegmentsSavedToast, &[("name", &n)]);
                    },
                );
            }
        }
    };
    let update = move |_| {
        let Some(s) = open_segment() else { return };
        let filter = ex.filter.get_untracked();
        let id = s.id;
        store(
            app,
            move |l| {
                if let Some(x) = l.iter_mut().find(|x| x.id == id) {
                    x.filter = filter;
                    x.updated_at = now();
                }
            },
            move || toasts.info(Key::SegmentsUpdated, &[("name", &s.name)]),
        );
    };

    view! {
        <section class="saved card" aria-labelledby="segments-saved-title">
            <h2 id="segments-saved-title">{move || i18n.t(Key::SegmentsSaved)}</h2>
            <Show
                when=move || !saved.with(Vec::is_empty)
                fallback=move || view! { <p class="help">{move || i18n.t(Key::SegmentsNoneSaved)}</p> }
            >
                <ul class="saved-list">
                    <For
                        each=move || saved.get()
                        key=|s: &SavedSegment| (s.id, s.name.clone())
                        children=move |s: SavedSegment| view! { <SavedItem ex=ex segment=s/> }
                    />
                </ul>
            </Show>
            {move || open_segment().map(|s| {
                let label = s.name.clone();
                view! {
                    <p class="open-now">
                        <span>{i18n.tf(Key::SegmentsOpenNow, &[("name", &s.name)])}</span>
                        {move || changed().then(|| view! { <span class="changed">{i18n.t(Key::SegmentsChanged)}</span> })}
                        <button type="button" on:click=update disabled=move || !changed()>
                            {i18n.tf(Key::SegmentsUpdate, &[("name", &label)])}
                        </button>
                    </p>
                }
            })}
            <form class="save-form" on:submit=save_new>
                <label>
                    {move || i18n.t(Key::SegmentsName)}
                    <input
                        type="text"
                        maxlength="80"
                        aria-describedby="segments-name-error"
                        aria-invalid=move || error.with(Option::is_some).then_some("true")
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))
                    />
                </label>
                <button type="submit" class="primary">{move || i18n.t(Key::SegmentsSave)}</button>
                <p class="error" id="segments-name-error" role="alert">{move || error.get()}</p>
            </form>
        </section>
    }
}

/// One saved segment: open it, rename it, delete it.
#[component]
fn SavedItem(ex: Explorer, segment: SavedSegment) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let toasts = use_toasts();
    let id = segment.id;
    let name = segment.name.clone();
    let renaming = RwSignal::new(false);
    let new_name = RwSignal::new(name.clone());
    let error = RwSignal::new(None::<String>);
    let field_id = format!("segment-rename-{id}");
    let error_id = format!("segment-rename-error-{id}");

    let open = {
        let filter = segment.filter.clone();
        move |_| {
            ex.open.set(Some(id));
            ex.load(filter.clone());
        }
    };
    let rename = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let list = app.data.settings.with_untracked(|s| s.segments.clone());
        match check_name(&list, Some(id), &new_name.get_untracked()) {
            Err(e) => error.set(Some(name_error_text(i18n, &e))),
            Ok(n) => {
                error.set(None);
                let shown = n.clone();
                store(
                    app,
                    move |l| {
                        if let Some(x) = l.iter_mut().find(|x| x.id == id) {
                            x.name = n;
                            x.updated_at = now();
                        }
                    },
                    move || toasts.info(Key::SegmentsRenamed, &[("name", &shown)]),
                );
            }
        }
    };
    let delete = {
        let segment = segment.clone();
        move |_| {
            let (segment, name) = (segment.clone(), segment.name.clone());
            let at = app
                .data
                .settings
                .with_untracked(|s| s.segments.iter().position(|x| x.id == id));
            store(
                app,
                move |l| l.retain(|x| x.id != id),
                move || {
                    if ex.open.get_untracked() == Some(id) {
                        ex.open.set(None);
                    }
                    let shown = name.clone();
                    let undo = Callback::new(move |()| {
                        let segment = segment.clone();
                        let name = name.clone();
                        store(
                            app,
                            move |l| {
                                if !l.iter().any(|x| x.id == segment.id) {
                                    let i = at.unwrap_or(l.len()).min(l.len());
                                    l.insert(i, segment);
                                }
                            },
                            move || toasts.info(Key::SegmentsRestored, &[("name", &name)]),
                        );
                    });
                    toasts.show(
                        ToastKind::Info,
                        Key::SegmentsDeleted,
                        &[("name", &shown)],
                        Some((Key::Undo, undo)),
                        UNDO_SECONDS,
                    );
                },
            );
        }
    };

    let label = name.clone();
    let rename_label = name.clone();
    let delete_label = name.clone();
    let field_label = name.clone();
    view! {
        <li class="saved-item" class:open=move || ex.open.get() == Some(id)>
            <button
                type="button"
                class="open"
                aria-label=move || i18n.tf(Key::SegmentsOpenLabel, &[("name", &label)])
                aria-pressed=move || if ex.open.get() == Some(id) { "true" } else { "false" }
                on:click=open
            >
                {name.clone()}
            </button>
            <button
                type="button"
                aria-label=move || i18n.tf(Key::SegmentsRenameLabel, &[("name", &rename_label)])
                aria-expanded=move || if renaming.get() { "true" } else { "false" }
                on:click=move |_| {
                    renaming.update(|r| *r = !*r);
                    error.set(None);
                }
            >
                {move || i18n.t(Key::SegmentsRename)}
            </button>
            <button
                type="button"
                class="danger"
                aria-label=move || i18n.tf(Key::SegmentsDeleteLabel, &[("name", &delete_label)])
                on:click=delete
            >
                {move || i18n.t(Key::SegmentsDelete)}
            </button>
            <Show when=move || renaming.get()>
                <form class="rename-form" on:submit=rename>
                    <label for=field_id.clone()>
                        {let l = field_label.clone(); move || i18n.tf(Key::SegmentsNewName, &[("name", &l)])}
                    </label>
                    <input
                        id=field_id.clone()
                        type="text"
                        maxlength="80"
                        aria-describedby=error_id.clone()
                        prop:value=move || new_name.get()
                        on:input=move |ev| new_name.set(event_target_value(&ev))
                    />
                    <button type="submit">{move || i18n.t(Key::SegmentsRenameSave)}</button>
                    <button type="button" on:click=move |_| renaming.set(false)>
                        {move || i18n.t(Key::SegmentsCancel)}
                    </button>
                    <p class="error" id=error_id.clone() role="alert">{move || error.get()}</p>
                </form>
            </Show>
        </li>
    }
}
