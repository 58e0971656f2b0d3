//! The message for a failed or refused write: what was not saved (in the user's language) and why.

use crate::i18n::{fill, I18n, Key};
use crate::storage::{StorageError, StoreName, Unsaved};

/// The label of a kind of record.
fn store_label(i18n: I18n, store: StoreName) -> &'static str {
    i18n.t(match store {
        StoreName::Customers => Key::CountCustomers,
        StoreName::Orders => Key::CountOrders,
        StoreName::Interactions => Key::CountInteractions,
        StoreName::Deals => Key::CountDeals,
        StoreName::Tasks => Key::CountTasks,
        StoreName::Surveys => Key::CountSurveys,
        StoreName::Ledger => Key::CountLedger,
        StoreName::Meta => Key::DurableWhatSettings,
    })
}

fn list(i18n: I18n, counts: &[(StoreName, usize)]) -> String {
    counts
        .iter()
        .map(|(s, n)| format!("{}: {n}", store_label(i18n, *s)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What was not saved, in the user's language.
pub fn unsaved_text(i18n: I18n, unsaved: &Unsaved) -> String {
    if unsaved.replace {
        return fill(
            i18n.t(Key::DurableWhatReplace),
            &[("list", &list(i18n, &unsaved.puts))],
        );
    }
    let mut parts = Vec::new();
    match &unsaved.customer {
        // One customer, perhaps with records of their own: name them first.
        Some(name) => {
            parts.push(fill(i18n.t(Key::DurableWhatCustomer), &[("name", name)]));
            let others: Vec<_> = unsaved
                .puts
                .iter()
                .copied()
                .filter(|(s, _)| *s != StoreName::Customers)
                .collect();
            if !others.is_empty() {
                parts.push(list(i18n, &others));
            }
        }
        None if !unsaved.puts.is_empty() => parts.push(list(i18n, &unsaved.puts)),
        None => {}
    }
    if !unsaved.deletes.is_empty() {
        parts.push(fill(
            i18n.t(Key::DurableWhatRemoving),
            &[("list", &list(i18n, &unsaved.deletes))],
        ));
    }
    if parts.is_empty() {
        return i18n.t(Key::DurableWhatNothing).to_string();
    }
    parts.join("; ")
}

/// The message key and arguments for a write that failed with `error`, when it names what was not
/// saved; `None` for other errors.
pub fn describe(i18n: I18n, error: &StorageError) -> Option<(Key, Vec<(&'static str, String)>)> {
    let StorageError::NotSaved { unsaved, cause } = error else {
        return None;
    };
    let what = unsaved_text(i18n, unsaved);
    Some(match cause.as_ref() {
        StorageError::QuotaExceeded => (Key::DurableQuotaUnsaved, vec![("what", what)]),
        StorageError::Stale {
            stored_at: Some(at),
            ..
        } => (
            Key::DurableStale,
            vec![
                ("what", what),
                (
                    "when",
                    at.with_timezone(&chrono::Local)
                        .format("%H:%M:%S")
                        .to_string(),
                ),
            ],
        ),
        StorageError::Stale {
            stored_at: None, ..
        } => (Key::DurableStaleDeleted, vec![("what", what)]),
        StorageError::Replaced => (Key::DurableReplaced, vec![("what", what)]),
        StorageError::NewerVersion { .. } => (Key::DurableOutdatedUnsaved, vec![("what", what)]),
        other => (
            Key::DurableSaveFailedUnsaved,
            vec![("what", what), ("detail", other.to_string())],
        ),
    })
}
