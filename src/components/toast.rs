//! Short messages at the bottom of the screen, some with an action such as "Undo".
//! They sit in an ARIA live region so screen readers announce them.

use std::time::Duration;

use leptos::prelude::*;

use crate::i18n::{fill, use_i18n, I18n, Key};
use crate::storage::StorageError;

/// How a message looks and is announced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToastKind {
    Info,
    Error,
}

/// One message on screen.
#[derive(Clone)]
struct Toast {
    id: u64,
    kind: ToastKind,
    text: Key,
    args: Vec<(String, String)>,
    action: Option<(Key, Callback<()>)>,
}

/// The message list, shared through context.
#[derive(Clone, Copy)]
pub struct Toasts {
    items: RwSignal<Vec<Toast>>,
    next_id: StoredValue<u64>,
    i18n: I18n,
}

impl Toasts {
    fn new(i18n: I18n) -> Self {
        Toasts {
            items: RwSignal::new(Vec::new()),
            next_id: StoredValue::new(0),
            i18n,
        }
    }

    /// Shows `text` (with `{name}` arguments) for `seconds`, with an optional action button.
    pub fn show(
        self,
        kind: ToastKind,
        text: Key,
        args: &[(&str, &str)],
        action: Option<(Key, Callback<()>)>,
        seconds: u64,
    ) {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        let args = args
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self.items.update(|l| {
            l.push(Toast {
                id,
                kind,
                text,
                args,
                action,
            })
        });
        set_timeout(move || self.dismiss(id), Duration::from_secs(seconds));
    }

    /// Shows an information message for a few seconds.
    pub fn info(self, text: Key, args: &[(&str, &str)]) {
        self.show(ToastKind::Info, text, args, None, 5);
    }

    /// Shows an error message long enough to read it.
    pub fn error(self, text: Key, args: &[(&str, &str)]) {
        self.show(ToastKind::Error, text, args, None, 12);
    }

    /// Tells the user a write failed and that nothing was changed.
    pub fn storage_error(self, error: &StorageError) {
        if let Some((key, args)) = crate::components::storage_notice::describe(self.i18n, error) {
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            return self.error(key, &args);
        }
        let key = match error {
            StorageError::QuotaExceeded => Key::ErrorQuota,
            _ => Key::ErrorSaveFailed,
        };
        self.error(key, &[("detail", &error.to_string())]);
    }

    fn dismiss(self, id: u64) {
        self.items.update(|l| l.retain(|t| t.id != id));
    }
}

/// The toasts from context.
pub fn use_toasts() -> Toasts {
    expect_context::<Toasts>()
}

/// Provides [`Toasts`] to `children` and renders the messages after them.
#[component]
pub fn ToastHost(
    /// The app, which may show messages.
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let toasts = Toasts::new(i18n);
    provide_context(toasts);
    let children = children();
    view! {
        {children}
        <div class="toasts" role="status" aria-live="polite">
            <For
                each=move || toasts.items.get()
                key=|t| t.id
                children=move |t: Toast| {
                    let id = t.id;
                    let args = t.args.clone();
                    let text = move || {
                        let pairs: Vec<(&str, &str)> =
                            args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                        fill(i18n.t(t.text), &pairs)
                    };
                    let action = t.action.map(|(label, cb)| {
                        view! {
                            <button class="toast-action" on:click=move |_| {
                                cb.run(());
                                toasts.dismiss(id);
                            }>{move || i18n.t(label)}</button>
                        }
                    });
                    view! {
                        <div class="toast" class:error=t.kind == ToastKind::Error>
                            <span>{text}</span>
                            {action}
                            <button class="toast-close" aria-label=move || i18n.t(Key::Close)
                                on:click=move |_| toasts.dismiss(id)>"×"</button>
                        </div>
                    }
                }
            />
        </div>
    }
}
