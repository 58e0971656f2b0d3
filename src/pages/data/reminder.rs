//! The export reminder, app-wide: when a change is more than a week old and in no full export, a
//! banner under the header says so on every page and takes the user to the data page's export; it
//! can be dismissed for a week. The data page shows when the last full export was made.

use leptos::prelude::*;

use kehu_core::Timestamp;

use crate::i18n::{use_i18n, Key};
use crate::routing::{navigate, use_route, Route};
use crate::state::{now, use_app, LoadState};
use crate::storage::prefs;

/// The preference holding the moment of the last full export.
const LAST_FULL_EXPORT: &str = "share.last_full_export";
/// The preference holding when the reminder was last dismissed.
const DISMISSED: &str = "share.reminder_dismissed";

/// Days of changes without a full export before the app reminds the user; also how long a
/// dismissed reminder stays away.
const REMIND_AFTER_DAYS: i64 = 7;

/// The id of the data page's export heading, which the banner's link brings into view.
pub const EXPORT_HEADING: &str = "export-heading";

/// The last full export on this device, shared by the banner and the data page.
#[derive(Clone, Copy)]
pub struct ExportState {
    /// When the last full export was made.
    pub last: RwSignal<Option<Timestamp>>,
    /// Set by the banner's link: the data page brings its export section into view once.
    pub jump: RwSignal<bool>,
    /// Whether the reminder is due (see [`provide_export_state`]).
    pub due: Memo<bool>,
}

impl ExportState {
    /// From context.
    pub fn get() -> Self {
        expect_context::<ExportState>()
    }

    /// Remembers a full export made `at`.
    pub fn record(self, at: Timestamp) {
        prefs::set_json(LAST_FULL_EXPORT, &at);
        self.last.set(Some(at));
    }
}

/// Provides the [`ExportState`] (once, in the app shell, after the app state). The reminder is due
/// when some record changed after the last full export and at least [`REMIND_AFTER_DAYS`] ago.
pub fn provide_export_state() {
    let app = use_app();
    let last = RwSignal::new(prefs::get_json::<Timestamp>(LAST_FULL_EXPORT));
    let due = Memo::new(move |_| {
        if app.load.get() != LoadState::Ready {
            return false;
        }
        let since = last.get();
        let limit = now() - chrono::Duration::days(REMIND_AFTER_DAYS);
        let old_change = |t: Timestamp| t <= limit && since.is_none_or(|s| t > s);
        let d = app.data;
        // Stops at the first list that has one (the memo then depends only on the lists read).
        d.customers
            .with(|l| l.iter().any(|r| old_change(r.updated_at)))
            || d.orders
                .with(|l| l.iter().any(|r| old_change(r.updated_at)))
            || d.interactions
                .with(|l| l.iter().any(|r| old_change(r.updated_at)))
            || d.deals.with(|l| l.iter().any(|r| old_change(r.updated_at)))
            || d.tasks.with(|l| l.iter().any(|r| old_change(r.updated_at)))
            || d.surveys
                .with(|l| l.iter().any(|r| old_change(r.updated_at)))
            || d.ledger
                .with(|l| l.iter().any(|r| old_change(r.updated_at)))
    });
    provide_context(ExportState {
        last,
        jump: RwSignal::new(false),
        due,
    });
}

/// The banner under the header (not on the data page, which shows the reminder in its export
/// section).
#[component]
pub fn ExportReminder() -> impl IntoView {
    let i18n = use_i18n();
    let state = ExportState::get();
    let route = use_route();
    let dismissed = RwSignal::new(prefs::get_json::<Timestamp>(DISMISSED));
    let show = move || {
        route.get() != Route::Data
            && state.due.get()
            && dismissed
                .get()
                .is_none_or(|d| now() - d >= chrono::Duration::days(REMIND_AFTER_DAYS))
    };
    let dismiss = move |_| {
        let at = now();
        prefs::set_json(DISMISSED, &at);
        dismissed.set(Some(at));
    };
    let go = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        state.jump.set(true);
        navigate(Route::Data);
    };
    view! {
        <Show when=show>
            <section class="export-reminder no-print" aria-labelledby="export-reminder-text">
                <p id="export-reminder-text">{move || i18n.t(Key::ShareExportReminder)}</p>
                <a class="button primary" href=Route::Data.href() on:click=go>
                    {move || i18n.t(Key::ShareReminderGo)}
                </a>
                <button type="button" on:click=dismiss>
                    {move || i18n.t(Key::ShareReminderDismiss)}
                </button>
            </section>
        </Show>
    }
}

/// Brings the export heading into view and focuses it, if the banner's link asked for it.
pub fn jump_to_export(state: ExportState) {
    if !state.jump.get_untracked() {
        return;
    }
    state.jump.set(false);
    // In the next animation frame, after the router has focused the page's heading (it asks for
    // the same frame first), so this focus is the one that stays.
    request_animation_frame(move || {
        if let Some(heading) = document().get_element_by_id(EXPORT_HEADING) {
            heading.scroll_into_view();
            if let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(heading) {
                let _ = el.focus();
            }
        }
    });
}
