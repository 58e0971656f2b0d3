//! Importing customers or orders from CSV: choose the file, check the guessed column mapping
//! against a preview of the first rows, say the day/month order when dates cannot tell, see every
//! row's problems with its line number, then import all rows — or, explicitly, only the valid
//! ones. Never a silent partial import. New orders earn their points as sales do (the preview
//! says how many), stored in the same transaction; new records go in as bulk segments
//! ([`crate::state::AppState::import`]).

use leptos::prelude::*;

use kehu_core::csv_io::{
    self, guess_mapping, infer_date_order, prepare, CsvError, CsvKind, DateOrder, Field,
    PrepareOptions, Prepared, RowError, RowProblem, Table,
};

use super::files::{chosen_size, read_chosen};
use crate::components::toast::use_toasts;
use crate::i18n::{use_i18n, I18n, Key};
use crate::state::{new_id, now, today, use_app};
use crate::storage::{Change, Record};

/// Rows shown in the preview.
const PREVIEW_ROWS: usize = 5;
/// Row problems listed (the rest are counted).
const LISTED_ERRORS: usize = 100;

/// The label of a field.
pub fn field_key(f: Field) -> Key {
    match f {
        Field::Id => Key::ShareFieldId,
        Field::Name => Key::FieldName,
        Field::Phone => Key::FieldPhone,
        Field::Email => Key::FieldEmail,
        Field::OtherContact => Key::FieldOtherContact,
        Field::Company => Key::FieldCompany,
        Field::Gender => Key::FieldGender,
        Field::Birthday => Key::FieldBirthday,
        Field::Region => Key::FieldRegion,
        Field::Industry => Key::FieldIndustry,
        Field::Tags => Key::FieldTags,
        Field::Notes => Key::FieldNotes,
        Field::CustomerId => Key::ShareFieldCustomerId,
        Field::Date => Key::ShareFieldDate,
        Field::Amount => Key::ShareFieldAmount,
        Field::Category => Key::ShareFieldCategory,
        Field::Quantity => Key::ShareFieldQuantity,
    }
}

fn field_name(f: Field) -> &'static str {
    match f {
        Field::Id => "id",
        Field::Name => "name",
        Field::Phone => "phone",
        Field::Email => "email",
        Field::OtherContact => "other_contact",
        Field::Company => "company",
        Field::Gender => "gender",
        Field::Birthday => "birthday",
        Field::Region => "region",
        Field::Industry => "industry",
        Field::Tags => "tags",
        Field::Notes => "notes",
        Field::CustomerId => "customer_id",
        Field::Date => "date",
        Field::Amount => "amount",
        Field::Category => "category",
        Field::Quantity => "quantity",
    }
}

fn problem_text(i18n: I18n, p: &RowProblem) -> String {
    match p {
        RowProblem::Required(f) => {
            i18n.tf(Key::ShareRowRequired, &[("field", i18n.t(field_key(*f)))])
        }
        RowProblem::InvalidDate(v) => i18n.tf(Key::ShareRowInvalidDate, &[("value", v)]),
        RowProblem::AmbiguousDate(v) => i18n.tf(Key::ShareRowAmbiguousDate, &[("value", v)]),
        RowProblem::InvalidAmount(v) => i18n.tf(Key::ShareRowInvalidAmount, &[("value", v)]),
        RowProblem::InvalidQuantity(v) => i18n.tf(Key::ShareRowInvalidQuantity, &[("value", v)]),
        RowProblem::InvalidId(v) => i18n.tf(Key::ShareRowInvalidId, &[("value", v)]),
        RowProblem::CustomerNotFound(v) => i18n.tf(Key::ShareRowCustomerNotFound, &[("value", v)]),
        RowProblem::CustomerAmbiguous(v) => {
            i18n.tf(Key::ShareRowCustomerAmbiguous, &[("value", v)])
        }
        RowProblem::RepeatedId => i18n.t(Key::ShareRowRepeatedId).to_string(),
        RowProblem::Customer(e) => super::problems::customer_error_text(i18n, e),
        other => other.to_string(),
    }
}

fn row_error_text(i18n: I18n, e: &RowError) -> String {
    let problem = problem_text(i18n, &e.problem);
    match &e.column {
        Some(c) => i18n.tf(
            Key::ShareRowErrorColumn,
            &[
                ("line", &e.line.to_string()),
                ("column", c),
                ("problem", &problem),
            ],
        ),
        None => i18n.tf(
            Key::ShareRowError,
            &[("line", &e.line.to_string()), ("problem", &problem)],
        ),
    }
}

fn csv_error_text(i18n: I18n, e: &CsvError) -> String {
    match e {
        CsvError::Empty => i18n.t(Key::ShareProblemEmpty).to_string(),
        CsvError::Undecodable => i18n.t(Key::ShareCsvUndecodable).to_string(),
        CsvError::NoRows => i18n.t(Key::ShareCsvNoRows).to_string(),
        other => other.to_string(),
    }
}

/// The CSV import part of the data page.
#[component]
pub fn ImportCsv() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let toasts = use_toasts();
    let kind = RwSignal::new(CsvKind::Customers);
    let table = RwSignal::new(None::<(String, Table)>);
    let failure = RwSignal::new(None::<(String, CsvError)>);
    let mapping = RwSignal::new(Vec::<Option<Field>>::new());
    let order_choice = RwSignal::new(None::<DateOrder>);
    let writing = RwSignal::new(false);
    let input = NodeRef::<leptos::html::Input>::new();

    let reset = move || {
        table.set(None);
        mapping.set(Vec::new());
        order_choice.set(None);
        if let Some(el) = input.get_untracked() {
            el.set_value("");
        }
    };
    let on_file = move |_| {
        let Some(el) = input.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            let Some((name, bytes)) = read_chosen(&el).await else {
                let name = chosen_size(&el).map(|(n, _)| n).unwrap_or_default();
                toasts.error(Key::ShareCsvUnreadable, &[("file", &name)]);
                return;
            };
            match csv_io::read_table_with(&bytes, &crate::browser::decode_gb18030) {
                Ok(t) => {
                    failure.set(None);
                    mapping.set(guess_mapping(kind.get_untracked(), &t.headers));
                    order_choice.set(None);
                    table.set(Some((name, t)));
                }
                Err(e) => {
                    reset();
                    failure.set(Some((name, e)));
                }
            }
        });
    };
    let set_kind = move |k: CsvKind| {
        kind.set(k);
        if let Some(headers) = table.with_untracked(|t| t.as_ref().map(|(_, t)| t.headers.clone()))
        {
            mapping.set(guess_mapping(k, &headers));
        }
    };

    // Does a mapped date column need the user to say day/month order?
    let needs_order = Memo::new(move |_| {
        table.with(|t| {
            let Some((_, t)) = t else { return false };
            mapping.with(|m| {
                m.iter().enumerate().any(|(i, f)| {
                    matches!(f, Some(Field::Date | Field::Birthday))
                        && infer_date_order(
                            t.rows
                                .iter()
                                .filter_map(|(_, cells)| cells.get(i).map(String::as_str)),
                        )
                        .is_err()
                })
            })
        })
    });
    let date_order = move || {
        if needs_order.get() {
            order_choice.get()
        } else {
            // Let a column that tells its order (a day over 12) decide it.
            table.with(|t| {
                t.as_ref().and_then(|(_, t)| {
                    mapping.with(|m| {
                        m.iter().enumerate().find_map(|(i, f)| {
                            matches!(f, Some(Field::Date | Field::Birthday))
                                .then(|| {
                                    infer_date_order(
                                        t.rows
                                            .iter()
                                            .filter_map(|(_, c)| c.get(i).map(String::as_str)),
                                    )
                                    .ok()
                                    .flatten()
                                })
                                .flatten()
                        })
                    })
                })
            })
        }
    };
    let prepared = Memo::new(move |_| -> Option<Prepared> {
        let order = date_order();
        if needs_order.get() && order.is_none() {
            return None;
        }
        let k = kind.get();
        table.with(|t| {
            let (_, t) = t.as_ref()?;
            // Only customers and orders are looked up; re-checked when customers change (e.g.
            // after importing customers first).
            let orders_file = k == CsvKind::Orders;
            let existing = kehu_core::Dataset {
                customers: app.data.customers.get(),
                orders: app.data.orders.get_untracked(),
                // New orders earn points at the customer's tier: the programme and ledger decide.
                ledger: if orders_file {
                    app.data.ledger.get_untracked()
                } else {
                    Vec::new()
                },
                loyalty: app.data.loyalty.get_untracked(),
                ..kehu_core::Dataset::default()
            };
            mapping.with(|m| {
                Some(prepare(
                    k,
                    t,
                    m,
                    PrepareOptions {
                        date_order: order,
                        today: today(),
                        now: now(),
                    },
                    &existing,
                    &mut new_id,
                ))
            })
        })
    });

    let import = move |only_valid: bool| {
        let Some(p) = prepared.get_untracked() else {
            return;
        };
        if !only_valid && !p.errors.is_empty() {
            return;
        }
        let count = p.valid_rows;
        let mut changes: Vec<Change> = p
            .customers
            .into_iter()
            .map(|c| Change::Put(Record::Customer(c)))
            .collect();
        changes.extend(p.orders.into_iter().map(|o| Change::Put(Record::Order(o))));
        // The points the new sales earn, in the same transaction as the orders.
        changes.extend(p.ledger.into_iter().map(|e| Change::Put(Record::Ledger(e))));
        writing.set(true);
        leptos::task::spawn_local(async move {
            match app.import(changes).await {
                Ok(()) => {
                    toasts.info(Key::ShareCsvImported, &[("count", &count.to_string())]);
                    reset();
                }
                Err(e) => toasts.storage_error(&e),
            }
            writing.set(false);
        });
    };

    let mapping_view = move || {
        table.with(|t| {
            let Some((name, t)) = t else { return ().into_any() };
            let fields = Field::of(kind.get());
            let headers = t.headers.clone();
            let encoding = t.encoding.label();
            let delimiter = match t.delimiter {
                b'\t' => "Tab".to_string(),
                d => (d as char).to_string(),
            };
            let info = i18n.tf(
                Key::ShareCsvFileInfo,
                &[
                    ("file", name),
                    ("rows", &t.rows.len().to_string()),
                    ("encoding", encoding),
                    ("delimiter", &delimiter),
                ],
            );
            let selects = headers
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    let h = h.clone();
                    let options = fields
                        .iter()
                        .map(|f| {
                            let f = *f;
                            view! {
                                <option value=field_name(f)
                                    selected=move || mapping.with(|m| m.get(i).copied().flatten() == Some(f))>
                                    {move || i18n.t(field_key(f))}
                                </option>
                            }
                        })
                        .collect_view();
                    view! {
                        <div class="field">
                            <label>
                                <span>{h.clone()}</span>
                                <select aria-label=h.clone() on:change=move |ev| {
                                    let v = event_target_value(&ev);
                                    let f = fields.iter().copied().find(|f| field_name(*f) == v);
                                    mapping.update(|m| {
                                        if let Some(slot) = m.get_mut(i) {
                                            *slot = f;
                                        }
                                    });
                                }>
                                    <option value="" selected=move || mapping.with(|m| m.get(i).copied().flatten().is_none())>
                                        {move || i18n.t(Key::ShareNotImported)}
                                    </option>
                                    {options}
                                </select>
                            </label>
                        </div>
                    }
                })
                .collect_view();
            let head = headers
                .iter()
                .map(|h| view! { <th scope="col">{h.clone()}</th> })
                .collect_view();
            let body = t
                .rows
                .iter()
                .take(PREVIEW_ROWS)
                .map(|(line, cells)| {
                    let cells = cells
                        .iter()
                        .map(|c| view! { <td>{c.clone()}</td> })
                        .collect_view();
                    view! { <tr><th scope="row">{*line}</th>{cells}</tr> }
                })
                .collect_view();
            view! {
                <p>{info}</p>
                <fieldset class="csv-mapping">
                    <legend>{i18n.t(Key::ShareCsvMapping)}</legend>
                    {selects}
                </fieldset>
                <h4>{i18n.t(Key::ShareCsvPreview)}</h4>
                <div class="table-scroll">
                    <table class="preview">
                        <thead><tr><th scope="col">{i18n.t(Key::ShareLine)}</th>{head}</tr></thead>
                        <tbody>{body}</tbody>
                    </table>
                </div>
            }
            .into_any()
        })
    };

    let result_view = move || {
        if needs_order.get() && order_choice.get().is_none() {
            return view! {
                <p class="warning" role="status">{i18n.t(Key::ShareCsvChooseOrder)}</p>
            }
            .into_any();
        }
        let Some(p) = prepared.get() else {
            return ().into_any();
        };
        let errors = p.errors.len();
        let listed = p
            .errors
            .iter()
            .take(LISTED_ERRORS)
            .map(|e| view! { <li>{row_error_text(i18n, e)}</li> })
            .collect_view();
        let more = errors.saturating_sub(LISTED_ERRORS);
        let summary = i18n.tf(
            Key::ShareCsvSummary,
            &[
                ("rows", &p.rows.to_string()),
                ("valid", &p.valid_rows.to_string()),
                ("invalid", &(p.rows - p.valid_rows).to_string()),
            ],
        );
        let valid = p.valid_rows;
        let points = (!p.ledger.is_empty()).then(|| {
            let total: i64 = p.ledger.iter().map(|e| e.points).sum();
            i18n.tf(
                Key::ShareCsvPoints,
                &[
                    ("entries", &p.ledger.len().to_string()),
                    ("points", &total.to_string()),
                ],
            )
        });
        view! {
            <p role="status" class="csv-summary">{summary}</p>
            {points.map(|text| view! { <p class="csv-points">{text}</p> })}
            {(errors > 0).then(|| view! {
                <div class="problems" role="alert">
                    <h4>{i18n.t(Key::ShareCsvRowProblems)}</h4>
                    <ul>{listed}</ul>
                    {(more > 0).then(|| view! { <p>{i18n.tf(Key::ShareProblemMore, &[("count", &more.to_string())])}</p> })}
                    <p>{i18n.t(Key::ShareCsvFixOrValid)}</p>
                </div>
            })}
            {if errors == 0 {
                view! {
                    <button type="button" class="primary" disabled=move || writing.get() on:click=move |_| import(false)>
                        {i18n.tf(Key::ShareCsvImportAll, &[("count", &valid.to_string())])}
                    </button>
                }.into_any()
            } else {
                view! {
                    <button type="button" disabled=move || writing.get() || valid == 0 on:click=move |_| import(true)>
                        {i18n.tf(Key::ShareCsvImportValid, &[("count", &valid.to_string())])}
                    </button>
                }.into_any()
            }}
            " "
            <button type="button" on:click=move |_| reset()>{i18n.t(Key::Cancel)}</button>
        }
        .into_any()
    };

    view! {
        <h2 id="import-csv-heading">{move || i18n.t(Key::ShareCsvHeading)}</h2>
        <p class="help">{move || i18n.t(Key::ShareCsvHelp)}</p>
        <fieldset class="csv-kind">
            <legend>{move || i18n.t(Key::ShareCsvKind)}</legend>
            <label class="choice">
                <input type="radio" name="csv-kind" prop:checked=move || kind.get() == CsvKind::Customers
                    on:change=move |_| set_kind(CsvKind::Customers)/>
                <span>{move || i18n.t(Key::CountCustomers)}</span>
            </label>
            <label class="choice">
                <input type="radio" name="csv-kind" prop:checked=move || kind.get() == CsvKind::Orders
                    on:change=move |_| set_kind(CsvKind::Orders)/>
                <span>{move || i18n.t(Key::CountOrders)}</span>
            </label>
        </fieldset>
        <div class="field">
            <label>
                {move || i18n.t(Key::ShareChooseCsv)}
                <input type="file" accept=".csv,.txt,text/csv" node_ref=input on:change=on_file/>
            </label>
        </div>
        {move || failure.get().map(|(name, e)| view! {
            <div class="problems" role="alert">
                <h3>{i18n.tf(Key::ShareCsvUnreadable, &[("file", &name)])}</h3>
                <p>{csv_error_text(i18n, &e)}</p>
            </div>
        })}
        {mapping_view}
        <Show when=move || needs_order.get()>
            <div class="field">
                <label>
                    {move || i18n.t(Key::ShareDateOrder)}
                    <select on:change=move |ev| order_choice.set(match event_target_value(&ev).as_str() {
                        "day" => Some(DateOrder::DayFirst),
                        "month" => Some(DateOrder::MonthFirst),
                        _ => None,
                    })>
                        <option value="" selected=move || order_choice.get().is_none()>{move || i18n.t(Key::ShareDateOrderAsk)}</option>
                        <option value="day">{move || i18n.t(Key::ShareDateDayFirst)}</option>
                        <option value="month">{move || i18n.t(Key::ShareDateMonthFirst)}</option>
                    </select>
                </label>
            </div>
        </Show>
        <Show when=move || table.with(Option::is_some)>
            {result_view}
        </Show>
    }
}
