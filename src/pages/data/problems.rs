//! A data file's problems in the user's language, each with its JSON path.

use leptos::prelude::*;

use kehu_core::datafile::{Problem, ProblemKind};
use kehu_core::validate::CustomerError;

use crate::i18n::{use_i18n, Key};
use crate::state::{use_app, AppState};

/// A customer field's problem, in the words of the customer form.
pub fn customer_error_text(i18n: crate::i18n::I18n, e: &CustomerError) -> String {
    match e {
        CustomerError::NameRequired => i18n.t(Key::ErrNameRequired).to_string(),
        CustomerError::NameTooLong => i18n.t(Key::ErrNameTooLong).to_string(),
        CustomerError::PhoneInvalid(v) => i18n.tf(Key::ErrPhoneInvalid, &[("value", v)]),
        CustomerError::EmailInvalid(v) => i18n.tf(Key::ErrEmailInvalid, &[("value", v)]),
        CustomerError::BirthdayInFuture(d) => {
            i18n.tf(Key::ErrBirthdayFuture, &[("value", &d.to_string())])
        }
        CustomerError::ReferredBySelf => i18n.t(Key::ErrReferredBySelf).to_string(),
        CustomerError::EmptyTag => i18n.t(Key::ErrTagEmpty).to_string(),
        other => other.to_string(),
    }
}

/// The message for one problem (without its path).
fn message(i18n: crate::i18n::I18n, app: AppState, kind: &ProblemKind) -> String {
    use ProblemKind as P;
    match kind {
        P::Empty => i18n.t(Key::ShareProblemEmpty).to_string(),
        P::TooLarge { bytes, limit } => i18n.tf(
            Key::ShareProblemTooLarge,
            &[
                ("size", &format!("{:.1}", *bytes as f64 / 1_048_576.0)),
                ("limit", &format!("{}", limit / 1_048_576)),
            ],
        ),
        P::NotJson { line, column, .. } => i18n.tf(
            Key::ShareProblemNotJson,
            &[("line", &line.to_string()), ("column", &column.to_string())],
        ),
        P::NonFinite { line, column } => i18n.tf(
            Key::ShareProblemNonFinite,
            &[("line", &line.to_string()), ("column", &column.to_string())],
        ),
        P::NumberTooLarge => i18n.t(Key::ShareProblemNumberTooLarge).to_string(),
        P::WrongFormat { .. } => i18n.t(Key::ShareProblemWrongFormat).to_string(),
        P::BadVersion { found } => i18n.tf(Key::ShareProblemBadVersion, &[("found", found)]),
        P::NewerVersion { found, supported } => i18n.tf(
            Key::ShareProblemNewerVersion,
            &[
                ("found", &found.to_string()),
                ("supported", &supported.to_string()),
            ],
        ),
        P::Missing => i18n.t(Key::ShareProblemMissing).to_string(),
        P::WrongType { detail } => i18n.tf(Key::ShareProblemWrongType, &[("detail", detail)]),
        P::InvalidDate { detail } => i18n.tf(Key::ShareProblemInvalidDate, &[("detail", detail)]),
        P::DuplicateId { id, first } => i18n.tf(
            Key::ShareProblemDuplicateId,
            &[("id", &id.to_string()), ("first", first)],
        ),
        P::DanglingReference { id, .. } => {
            i18n.tf(Key::ShareProblemDangling, &[("id", &id.to_string())])
        }
        P::OutOfRange { value, min, max } => i18n.tf(
            Key::ShareProblemOutOfRange,
            &[
                ("value", &value.to_string()),
                ("min", &min.to_string()),
                ("max", &max.to_string()),
            ],
        ),
        P::Negative { value } => {
            i18n.tf(Key::ShareProblemNegative, &[("value", &value.to_string())])
        }
        P::BadNumber { value } => {
            i18n.tf(Key::ShareProblemBadNumber, &[("value", &value.to_string())])
        }
        P::CurrencyMismatch { envelope, settings } => i18n.tf(
            Key::ShareProblemCurrency,
            &[("file", envelope), ("settings", settings)],
        ),
        P::Customer(e) => customer_error_text(i18n, e),
        P::SegmentNameEmpty => i18n.t(Key::SegmentsProblemNameEmpty).to_string(),
        P::SegmentNameTaken { name, first } => i18n.tf(
            Key::SegmentsProblemNameTaken,
            &[("name", name), ("first", first)],
        ),
        P::SegmentFilter(e) => crate::pages::segments::filter_error_text(i18n, app, e),
        P::More { more } => i18n.tf(Key::ShareProblemMore, &[("count", &more.to_string())]),
        // Customer field problems and any kind added later: the core's own sentence.
        other => other.to_string(),
    }
}

/// The list of problems that stopped an import; nothing was written.
#[component]
pub fn ProblemList(
    /// The file's name.
    file: String,
    /// What is wrong.
    problems: Vec<Problem>,
) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let count = problems.len();
    view! {
        <div class="problems" role="alert">
            <h3>{move || i18n.tf(Key::ShareRejectedTitle, &[("file", &file), ("count", &count.to_string())])}</h3>
            <p>{move || i18n.t(Key::ShareRejectedNothingWritten)}</p>
            <ul>
                {problems.into_iter().map(|p| {
                    let path = p.path.clone();
                    let kind = p.kind.clone();
                    view! {
                        <li>
                            {(!path.is_empty()).then(|| view! { <code>{path.clone()}</code> ": " })}
                            {move || message(i18n, app, &kind)}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </div>
    }
}
