//! Importing a Kehu data file: checked completely before anything is written, then either
//! replacing everything (after a confirmation and the offer of a backup) or merging with a
//! preview of what would change. Either way one IndexedDB transaction.

use leptos::prelude::*;

use kehu_core::datafile::merge::{self, Counts, Entity, MergePlan, RejectReason};
use kehu_core::datafile::{self, Imported, Problem, ProblemKind};

use super::export::export_everything;
use super::files::{chosen_size, read_chosen, snapshot};
use super::problems::ProblemList;
use crate::browser::mark;
use crate::components::toast::use_toasts;
use crate::i18n::{use_i18n, Key};
use crate::state::{today, use_app};
use crate::storage::{Change, FileText, Record};

/// Where an import stands.
#[derive(Clone, Debug, PartialEq)]
enum Stage {
    Idle,
    Reading,
    /// An encrypted backup: waiting for its passphrase (see `backup.rs`).
    Locked(String),
    /// The file was refused; nothing was written.
    Rejected(String, Vec<Problem>),
    /// A valid file, waiting for Replace or Merge.
    Valid,
    ConfirmReplace,
    /// The merge preview is shown.
    Preview,
    Writing,
}

/// A label for a kind of record.
pub fn entity_key(e: Entity) -> Key {
    match e {
        Entity::Customer => Key::CountCustomers,
        Entity::Order => Key::CountOrders,
        Entity::Interaction => Key::CountInteractions,
        Entity::Deal => Key::CountDeals,
        Entity::Task => Key::CountTasks,
        Entity::Survey => Key::CountSurveys,
        Entity::Ledger => Key::CountLedger,
        Entity::Segment => Key::SegmentsCountLabel,
    }
}

/// The JSON import part of the data page.
#[component]
pub fn ImportJson() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let toasts = use_toasts();
    let stage = RwSignal::new(Stage::Idle);
    let file = StoredValue::new(None::<(String, Imported)>);
    // The valid file's text and where its records are in it (found while it was read, when it
    // was read in one pass): Replace stores its records as the file spells them.
    let text = StoredValue::new(Vec::<u8>::new());
    let text_runs = StoredValue::new(None::<datafile::runs::RecordRuns>);
    let plan = StoredValue::new(None::<MergePlan>);
    let locked = StoredValue::new(Vec::<u8>::new());
    let input = NodeRef::<leptos::html::Input>::new();

    let reset = move || {
        file.set_value(None);
        text.set_value(Vec::new());
        text_runs.set_value(None);
        plan.set_value(None);
        locked.set_value(Vec::new());
        if let Some(el) = input.get_untracked() {
            el.set_value("");
        }
    };

    let check = move |name: String, bytes: Vec<u8>| {
        mark("kehu:import-file-read");
        let read = datafile::read_with_runs(&bytes, today(), crate::storage::SEGMENT_LEN);
        mark("kehu:import-file-checked");
        match read {
            Ok((imported, runs)) => {
                text.set_value(bytes);
                text_runs.set_value(runs);
                file.set_value(Some((name, imported)));
                stage.set(Stage::Valid);
            }
            Err(rejection) => {
                reset();
                stage.set(Stage::Rejected(name, rejection.problems));
            }
        }
    };

    let on_file = move |_| {
        let Some(el) = input.get_untracked() else {
            return;
        };
        // A file too large to import is refused before it is read into memory.
        if let Some((name, size)) = chosen_size(&el) {
            if size > datafile::MAX_BYTES as f64 {
                reset();
                let problem = Problem {
                    path: String::new(),
                    kind: ProblemKind::TooLarge {
                        bytes: size as usize,
                        limit: datafile::MAX_BYTES,
                    },
                };
                stage.set(Stage::Rejected(name, vec![problem]));
                return;
            }
        }
        stage.set(Stage::Reading);
        leptos::task::spawn_local(async move {
            crate::browser::next_frame().await;
            mark("kehu:import-file-reading");
            let Some((name, bytes)) = read_chosen(&el).await else {
                // Not readable (removed meanwhile, no permission, or more than memory can hold).
                stage.set(Stage::Idle);
                let name = chosen_size(&el).map(|(n, _)| n).unwrap_or_default();
                toasts.error(Key::ShareCsvUnreadable, &[("file", &name)]);
                return;
            };
            if crate::storage::backup::is_encrypted(&bytes) {
                locked.set_value(bytes);
                stage.set(Stage::Locked(name));
                return;
            }
            check(name, bytes);
        });
    };
    let unlocked = Callback::new(move |(name, bytes): (String, Vec<u8>)| {
        locked.set_value(Vec::new());
        check(name, bytes);
    });

    let summary = move || {
        file.with_value(|f| {
            f.as_ref().map(|(name, imp)| {
                let d = &imp.data;
                i18n.tf(
                    Key::ShareFileSummary,
                    &[
                        ("file", name),
                        ("customers", &d.customers.len().to_string()),
                        ("orders", &d.orders.len().to_string()),
                        (
                            "others",
                            &(d.interactions.len()
                                + d.deals.len()
                                + d.tasks.len()
                                + d.surveys.len()
                                + d.ledger.len())
                            .to_string(),
                        ),
                    ],
                )
            })
        })
    };
    let currency_differs = move || {
        file.with_value(|f| {
            f.as_ref().is_some_and(|(_, imp)| {
                app.data
                    .settings
                    .with_untracked(|s| s.currency != imp.info.currency)
                    && app.data.customers.with_untracked(|c| !c.is_empty())
            })
        })
    };

    let replace = move |_| {
        // Taken, not copied: a large file's records are handed to storage as they are.
        let mut taken = None;
        file.update_value(|f| taken = f.take());
        let Some((_, imported)) = taken else {
            return;
        };
        let mut bytes = Vec::new();
        text.update_value(|t| bytes = std::mem::take(t));
        let mut found = None;
        text_runs.update_value(|r| found = r.take());
        stage.set(Stage::Writing);
        leptos::task::spawn_local(async move {
            crate::browser::next_frame().await;
            let count = imported.data.customers.len();
            mark("kehu:replace-start");
            // Found while the file was read, or else looked for now.
            let runs = found.or_else(|| {
                datafile::runs::record_runs(
                    &bytes,
                    crate::storage::SEGMENT_LEN,
                    imported.info.migrated_from,
                )
            });
            mark("kehu:replace-runs");
            let from = runs.as_ref().map(|runs| FileText {
                bytes: &bytes,
                runs,
            });
            match app.replace_all_from(imported.data, from).await {
                Ok(()) => {
                    mark("kehu:replace-done");
                    toasts.info(Key::ShareReplaced, &[("count", &count.to_string())]);
                }
                // Nothing was changed; the file must be chosen again to retry.
                Err(e) => toasts.storage_error(&e),
            }
            reset();
            stage.set(Stage::Idle);
        });
    };
    let backup = move |_| match export_everything(app) {
        Ok(_) => toasts.info(Key::ShareExportedAll, &[]),
        Err(e) => toasts.error(Key::ShareExportFailed, &[("detail", &e)]),
    };
    let preview = move |_| {
        // Only Replace stores the file's text; a merge writes the records it plans.
        text.set_value(Vec::new());
        text_runs.set_value(None);
        let p = file.with_value(|f| {
            f.as_ref()
                .map(|(_, imp)| merge::plan(&snapshot(app), &imp.data))
        });
        plan.set_value(p);
        stage.set(Stage::Preview);
    };
    let do_merge = move |_| {
        // Taken, not copied (a large file's plan holds every record); made again if the write
        // fails, so the preview stays.
        let mut taken = None;
        plan.update_value(|p| taken = p.take());
        let Some(p) = taken else {
            return;
        };
        let t = p.total();
        let segment_writes = p.segment_writes();
        let w = p.writes;
        let mut changes: Vec<Change> = Vec::with_capacity(w.customers.len() + w.orders.len());
        changes.extend(
            w.customers
                .into_iter()
                .map(|r| Change::Put(Record::Customer(r))),
        );
        changes.extend(w.orders.into_iter().map(|r| Change::Put(Record::Order(r))));
        changes.extend(
            w.interactions
                .into_iter()
                .map(|r| Change::Put(Record::Interaction(r))),
        );
        changes.extend(w.deals.into_iter().map(|r| Change::Put(Record::Deal(r))));
        changes.extend(w.tasks.into_iter().map(|r| Change::Put(Record::Task(r))));
        changes.extend(
            w.surveys
                .into_iter()
                .map(|r| Change::Put(Record::Survey(r))),
        );
        changes.extend(w.ledger.into_iter().map(|r| Change::Put(Record::Ledger(r))));
        if segment_writes > 0 {
            // Saved segments live in the settings: the merged list is written with them.
            changes.push(Change::Put(Record::Settings(w.settings)));
        }
        stage.set(Stage::Writing);
        leptos::task::spawn_local(async move {
            // New records go in as bulk segments; changed ones replace theirs.
            mark("kehu:merge-start");
            let written = app.import(changes).await;
            mark("kehu:merge-done");
            match written {
                Ok(()) => {
                    toasts.info(
                        Key::ShareMerged,
                        &[
                            ("new", &t.new.to_string()),
                            ("updated", &t.updated.to_string()),
                        ],
                    );
                    reset();
                    stage.set(Stage::Idle);
                }
                Err(e) => {
                    toasts.storage_error(&e);
                    let p = file.with_value(|f| {
                        f.as_ref()
                            .map(|(_, imp)| merge::plan(&snapshot(app), &imp.data))
                    });
                    plan.set_value(p);
                    stage.set(Stage::Preview);
                }
            }
        });
    };
    let cancel = move |_| {
        reset();
        stage.set(Stage::Idle);
    };

    let counts_table = move || {
        plan.with_value(|p| {
            let Some(p) = p else { return ().into_any() };
            let row = |label: String, c: Counts| {
                view! {
                    <tr>
                        <th scope="row">{label}</th>
                        <td>{c.new}</td>
                        <td>{c.updated}</td>
                        <td>{c.unchanged}</td>
                        <td>{c.conflicts}</td>
                        <td>{c.rejected}</td>
                    </tr>
                }
            };
            let rows = p
                .counts
                .iter()
                .map(|(e, c)| row(i18n.t(entity_key(*e)).to_string(), *c))
                .collect_view();
            let total = row(i18n.t(Key::ShareTotal).to_string(), p.total());
            let conflicts = p
                .conflicts
                .iter()
                .take(200)
                .map(|c| {
                    let text = i18n.tf(
                        Key::ShareConflictItem,
                        &[
                            ("kind", i18n.t(entity_key(c.entity))),
                            ("label", &c.label),
                            ("fields", &c.fields.join(", ")),
                            (
                                "here",
                                &c.local_updated_at.format("%Y-%m-%d %H:%M").to_string(),
                            ),
                            (
                                "file",
                                &c.incoming_updated_at.format("%Y-%m-%d %H:%M").to_string(),
                            ),
                        ],
                    );
                    view! { <li>{text}</li> }
                })
                .collect_view();
            let rejected = p
                .rejected
                .iter()
                .take(200)
                .map(|r| {
                    let why = match r.reason {
                        RejectReason::Ambiguous { .. } => i18n.t(Key::ShareRejectAmbiguous),
                        RejectReason::MatchedTwice { .. } => i18n.t(Key::ShareRejectTwice),
                        RejectReason::OwnerRejected { .. } => i18n.t(Key::ShareRejectOwner),
                    };
                    let text = format!("{} “{}”: {why}", i18n.t(entity_key(r.entity)), r.label);
                    view! { <li>{text}</li> }
                })
                .collect_view();
            let has_conflicts = !p.conflicts.is_empty();
            let has_rejected = !p.rejected.is_empty();
            let writes = p.write_count();
            view! {
                <div class="table-scroll">
                    <table class="preview" aria-labelledby="merge-preview-title">
                        <thead>
                            <tr>
                                <th scope="col">{i18n.t(Key::ShareRecordKind)}</th>
                                <th scope="col">{i18n.t(Key::ShareNew)}</th>
                                <th scope="col">{i18n.t(Key::ShareUpdated)}</th>
                                <th scope="col">{i18n.t(Key::ShareUnchanged)}</th>
                                <th scope="col">{i18n.t(Key::ShareConflicts)}</th>
                                <th scope="col">{i18n.t(Key::ShareRejectedCol)}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}{total}</tbody>
                    </table>
                </div>
                {has_conflicts.then(|| view! {
                    <h4>{i18n.t(Key::ShareConflictsTitle)}</h4>
                    <p class="help">{i18n.t(Key::ShareConflictsHelp)}</p>
                    <ul class="conflicts">{conflicts}</ul>
                })}
                {has_rejected.then(|| view! {
                    <h4>{i18n.t(Key::ShareRejectedRecordsTitle)}</h4>
                    <ul class="rejected">{rejected}</ul>
                })}
                <p class="help">{i18n.t(Key::ShareMergeKeepsSettings)}</p>
                <button type="button" class="primary" disabled=writes == 0 on:click=do_merge>
                    {i18n.tf(Key::ShareMergeButton, &[("count", &writes.to_string())])}
                </button>
                " "
                <button type="button" on:click=cancel>{i18n.t(Key::Cancel)}</button>
            }
            .into_any()
        })
    };

    view! {
        <h2 id="import-json-heading">{move || i18n.t(Key::ShareImportHeading)}</h2>
        <p class="help">{move || i18n.t(Key::ShareImportHelp)}</p>
        <div class="field">
            <label>
                {move || i18n.t(Key::ShareChooseDataFile)}
                <input type="file" accept=".json,application/json" node_ref=input
                    disabled=move || matches!(stage.get(), Stage::Reading | Stage::Writing)
                    on:change=on_file/>
            </label>
        </div>
        <p class="progress" role="status" aria-live="polite">
            {move || match stage.get() {
                Stage::Reading => i18n.t(Key::ShareReading),
                Stage::Writing => i18n.t(Key::ShareWriting),
                _ => "",
            }}
        </p>
        {move || match stage.get() {
            Stage::Rejected(name, problems) => view! { <ProblemList file=name problems/> }.into_any(),
            Stage::Locked(name) => view! {
                <super::backup::UnlockBackup name bytes=locked.get_value() on_open=unlocked
                    on_cancel=Callback::new(move |()| { reset(); stage.set(Stage::Idle); })/>
            }.into_any(),
            Stage::Valid => view! {
                <div class="import-choice" role="group" aria-labelledby="import-valid-title">
                    <h3 id="import-valid-title">{i18n.t(Key::ShareFileValid)}</h3>
                    <p>{summary}</p>
                    <button type="button" on:click=preview disabled=currency_differs>
                        {i18n.t(Key::ShareMergeChoice)}
                    </button>
                    " "
                    <button type="button" class="danger" on:click=move |_| stage.set(Stage::ConfirmReplace)>
                        {i18n.t(Key::ShareReplaceChoice)}
                    </button>
                    " "
                    <button type="button" on:click=cancel>{i18n.t(Key::Cancel)}</button>
                    {currency_differs().then(|| view! {
                        <p class="warning">{i18n.t(Key::ShareCurrencyDiffers)}</p>
                    })}
                </div>
            }.into_any(),
            Stage::ConfirmReplace => view! {
                <div class="confirm" role="alertdialog" aria-labelledby="replace-title" aria-describedby="replace-text">
                    <h3 id="replace-title">{i18n.t(Key::ShareReplaceTitle)}</h3>
                    <p id="replace-text">{summary}" "{i18n.t(Key::ShareReplaceText)}</p>
                    <button type="button" on:click=backup>{i18n.t(Key::ShareBackupFirst)}</button>
                    " "
                    <button type="button" class="danger" on:click=replace>{i18n.t(Key::ShareReplaceConfirm)}</button>
                    " "
                    <button type="button" autofocus on:click=cancel>{i18n.t(Key::Cancel)}</button>
                </div>
            }.into_any(),
            Stage::Preview => view! {
                <section class="merge-preview" aria-labelledby="merge-preview-title">
                    <h3 id="merge-preview-title">{i18n.t(Key::ShareMergePreviewTitle)}</h3>
                    <p>{summary}</p>
                    {counts_table}
                </section>
            }.into_any(),
            _ => ().into_any(),
        }}
    }
}
