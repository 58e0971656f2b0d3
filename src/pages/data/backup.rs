//! Encrypted backups on the data page: downloading everything locked with a passphrase, and the
//! passphrase prompt the JSON import shows when the chosen file is an encrypted backup (after it the
//! file goes through the normal import: check, then replace or merge preview).

use leptos::prelude::*;

use kehu_core::datafile;

use super::export::APP_VERSION;
use super::files::{download, file_name, snapshot};
use crate::components::toast::use_toasts;
use crate::i18n::{use_i18n, Key};
use crate::state::{now, use_app};
use crate::storage::backup::{self, BackupError};

/// The shortest passphrase accepted for a new backup.
const MIN_PASSPHRASE_CHARS: usize = 8;

/// The encrypted backup section: passphrase twice, then a download.
#[component]
pub fn EncryptedBackup() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let toasts = use_toasts();
    let pass = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let tried = RwSignal::new(false);
    let busy = RwSignal::new(false);

    let problem = move || {
        if pass.with(|p| p.chars().count() < MIN_PASSPHRASE_CHARS) {
            Some(Key::DurablePassphraseShort)
        } else if pass.with(|p| again.with(|a| p != a)) {
            Some(Key::DurablePassphraseMismatch)
        } else {
            None
        }
    };
    let make = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        if problem().is_some() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        let passphrase = pass.get_untracked();
        leptos::task::spawn_local(async move {
            crate::browser::next_frame().await;
            let data = snapshot(app);
            let count = data.customers.len();
            let result = async {
                let plain =
                    datafile::export(&data, now(), APP_VERSION).map_err(|e| e.to_string())?;
                drop(data);
                let sealed = backup::encrypt(plain.as_bytes(), &passphrase)
                    .await
                    .map_err(|e| e.to_string())?;
                download(
                    &file_name("kehu-encrypted", "json"),
                    "application/json",
                    &sealed,
                )
            };
            match result.await {
                Ok(()) => {
                    pass.set(String::new());
                    again.set(String::new());
                    tried.set(false);
                    toasts.info(Key::DurableBackupDone, &[("count", &count.to_string())]);
                }
                Err(detail) => toasts.error(Key::DurableBackupFailed, &[("detail", &detail)]),
            }
            busy.set(false);
        });
    };

    view! {
        <section class="durable encrypted-backup" aria-labelledby="encrypted-backup-heading">
            <h2 id="encrypted-backup-heading">{move || i18n.t(Key::DurableBackupHeading)}</h2>
            <p class="help">{move || i18n.t(Key::DurableBackupHelp)}</p>
            <form on:submit=make>
                <div class="fields">
                    <div class="field">
                        <label>
                            {move || i18n.t(Key::DurablePassphrase)}
                            <input type="password" autocomplete="new-password"
                                prop:value=move || pass.get()
                                on:input=move |ev| pass.set(event_target_value(&ev))/>
                        </label>
                    </div>
                    <div class="field">
                        <label>
                            {move || i18n.t(Key::DurablePassphraseAgain)}
                            <input type="password" autocomplete="new-password"
                                aria-invalid=move || (tried.get() && problem().is_some()).then_some("true")
                                prop:value=move || again.get()
                                on:input=move |ev| again.set(event_target_value(&ev))/>
                        </label>
                    </div>
                </div>
                {move || tried.get().then(problem).flatten().map(|k| view! {
                    <p class="error" role="alert">{i18n.t(k)}</p>
                })}
                <button type="submit" class="primary" disabled=move || busy.get()>
                    {move || i18n.t(Key::DurableBackupButton)}
                </button>
                <span class="progress" role="status" aria-live="polite">
                    {move || busy.get().then(|| i18n.t(Key::DurableEncrypting))}
                </span>
            </form>
        </section>
    }
}

/// The text for a backup that could not be opened.
fn unlock_error(i18n: crate::i18n::I18n, e: &BackupError) -> String {
    match e {
        BackupError::WrongPassphrase => i18n.t(Key::DurableWrongPassphrase).to_string(),
        BackupError::Tampered => i18n.t(Key::DurableTampered).to_string(),
        BackupError::EmptyPassphrase => i18n.t(Key::DurablePassphraseShort).to_string(),
        other => i18n.tf(Key::DurableBadBackup, &[("detail", &other.to_string())]),
    }
}

/// Asks for the passphrase of the encrypted backup `name`; gives the data file inside to `on_open`.
/// Nothing is written here: a wrong passphrase or an altered file only shows why.
#[component]
pub fn UnlockBackup(
    /// The chosen file's name.
    name: String,
    /// The chosen file's bytes.
    bytes: Vec<u8>,
    /// Receives the file name and the decrypted data file.
    on_open: Callback<(String, Vec<u8>)>,
    /// Called when the user gives up.
    on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let pass = RwSignal::new(String::new());
    let error = RwSignal::new(None::<BackupError>);
    let busy = RwSignal::new(false);
    let bytes = StoredValue::new(bytes);
    let title = i18n.tf(Key::DurableUnlockTitle, &[("file", &name)]);
    let name = StoredValue::new(name);

    let open = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let passphrase = pass.get_untracked();
        leptos::task::spawn_local(async move {
            let file = bytes.get_value();
            match backup::decrypt(&file, &passphrase).await {
                Ok(plain) => on_open.run((name.get_value(), plain)),
                Err(e) => {
                    error.set(Some(e));
                    busy.set(false);
                }
            }
        });
    };

    view! {
        <div class="durable unlock" role="group" aria-labelledby="unlock-title">
            <h3 id="unlock-title">{title}</h3>
            <p class="help">{move || i18n.t(Key::DurableUnlockHelp)}</p>
            <form on:submit=open>
                <div class="field">
                    <label>
                        {move || i18n.t(Key::DurablePassphrase)}
                        <input type="password" autocomplete="current-password" autofocus
                            aria-invalid=move || error.with(Option::is_some).then_some("true")
                            prop:value=move || pass.get()
                            on:input=move |ev| pass.set(event_target_value(&ev))/>
                    </label>
                </div>
                {move || error.with(|e| e.as_ref().map(|e| unlock_error(i18n, e))).map(|text| view! {
                    <p class="error" role="alert">{text}</p>
                })}
                <button type="submit" class="primary" disabled=move || busy.get() || pass.with(String::is_empty)>
                    {move || i18n.t(Key::DurableUnlockButton)}
                </button>
                " "
                <button type="button" on:click=move |_| on_cancel.run(())>{move || i18n.t(Key::Cancel)}</button>
                <span class="progress" role="status" aria-live="polite">
                    {move || busy.get().then(|| i18n.t(Key::DurableDecrypting))}
                </span>
            </form>
        </div>
    }
}
