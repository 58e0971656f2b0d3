//! The segment explorer (`#/segments`): a filter over customers by RFM segment, lifecycle stage,
//! loyalty tier, ABC class, tags, spend and last purchase; the matching customers with their scores
//! a page at a time; named segments saved in settings; CSV and Kehu-file export; bulk tag and tasks.
//!
//! The filter itself is the core's pure [`kehu_core::segment_explorer::select`] over per-customer
//! profiles made once per analysis, so a change of filter is one pass over the customers.

mod actions;
mod saved;

use std::sync::Arc;

use leptos::prelude::*;

use kehu_core::analytics::abc::AbcClass;
use kehu_core::analytics::lifecycle::Stage;
use kehu_core::analytics::rfm::Segment;
use kehu_core::csv_io::parse_money;
use kehu_core::search::all_tags;
use kehu_core::segment_explorer::{profiles, revenue, select, FilterError, Profile, SegmentFilter};
use kehu_core::Customer;
use uuid::Uuid;

use crate::analysis::use_analysis;
use crate::i18n::{use_i18n, I18n, Key};
use crate::pages::customers::view::{segment_key, stage_key};
use crate::pages::sales::money_in;
use crate::routing::Route;
use crate::state::{use_app, AppState};

/// Rows shown per page of results.
const PAGE: usize = 50;

/// A value shared without copying, equal only to itself, so a memo holding it notifies on every
/// recompute without comparing 100,000 entries.
#[derive(Debug)]
pub struct Shared<T>(pub Arc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// The page's state, shared by its parts.
#[derive(Clone, Copy)]
pub struct Explorer {
    /// The filter in force (only valid ranges reach it).
    pub filter: RwSignal<SegmentFilter>,
    /// Texts of the spend fields as typed (major units).
    spend_min: RwSignal<String>,
    spend_max: RwSignal<String>,
    /// A problem with what was typed in the spend or date fields.
    error: RwSignal<Option<String>>,
    /// The saved segment opened, if any.
    pub open: RwSignal<Option<Uuid>>,
    /// Profiles of every customer (position for position with the customer list).
    pub profiles: Memo<Option<Shared<Vec<Profile>>>>,
    /// Positions of the matching customers, best first.
    pub selected: Memo<Option<Shared<Vec<u32>>>>,
    /// The first row shown.
    first: RwSignal<usize>,
}

impl Explorer {
    fn new(app: AppState) -> Self {
        let d = app.data;
        let analysis = use_analysis();
        let profiles = Memo::new(move |_| {
            let a = analysis.get()?.0.ok()?;
            let programme = d.loyalty.get();
            Some(Shared(Arc::new(
                d.customers.with(|c| profiles(c, &a, &programme)),
            )))
        });
        let filter = RwSignal::new(SegmentFilter::default());
        let selected = Memo::new(move |_| {
            let p = profiles.get()?;
            let programme = d.loyalty.get();
            let found = filter.with(|f| {
                d.customers.with(|c| {
                    // Customers and profiles are read together; a list changed since the analysis
                    // ran is shown once the analysis catches up.
                    (c.len() == p.0.len()).then(|| select(c, &p.0, f, &programme))
                })
            })?;
            Some(Shared(Arc::new(found)))
        });
        let first = RwSignal::new(0);
        Effect::new(move |_| {
            selected.track();
            first.set(0);
        });
        Explorer {
            filter,
            spend_min: RwSignal::new(String::new()),
            spend_max: RwSignal::new(String::new()),
            error: RwSignal::new(None),
            open: RwSignal::new(None),
            profiles,
            selected,
            first,
        }
    }

    /// Shows `filter` (from a saved segment) in the fields.
    pub fn load(&self, filter: SegmentFilter) {
        let text = |m: Option<i64>| m.map(kehu_core::transactions_csv::format_amount);
        self.spend_min
            .set(text(filter.spend_min).unwrap_or_default());
        self.spend_max
            .set(text(filter.spend_max).unwrap_or_default());
        self.error.set(None);
        self.filter.set(filter);
    }

    /// The ids of the matching customers, best first (read without subscribing).
    pub fn ids(&self, app: AppState) -> Vec<Uuid> {
        let Some(sel) = self.selected.get_untracked() else {
            return Vec::new();
        };
        app.data.customers.with_untracked(|c| {
            sel.0
                .iter()
                .filter_map(|&i| c.get(i as usize).map(|c| c.id))
                .collect()
        })
    }
}

/// The segment explorer page.
#[component]
pub fn SegmentsPage() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let ex = Explorer::new(app);
    view! {
        <section class="segments-page">
            <div class="page-head">
                <h1 data-autofocus tabindex="-1">{move || i18n.t(Key::SegmentsTitle)}</h1>
                <actions::ExportButtons ex=ex/>
            </div>
            <p class="help">{move || i18n.t(Key::SegmentsIntro)}</p>
            <saved::SavedSegments ex=ex/>
            <FilterForm ex=ex/>
            <Results ex=ex/>
            <actions::BulkActions ex=ex/>
        </section>
    }
}

/// One part of the filter that is a set of choices.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Part {
    Rfm,
    Stage,
    Tier,
    Abc,
    Tag,
}

/// True when the filter's `part` holds `value` (a stable id, a tier name or a tag).
fn has(f: &SegmentFilter, part: Part, value: &str) -> bool {
    match part {
        Part::Rfm => f.rfm_segments.iter().any(|s| s.id() == value),
        Part::Stage => f.stages.iter().any(|s| s.id() == value),
        Part::Abc => f.abc_classes.iter().any(|c| c.id() == value),
        Part::Tier => f.tiers.iter().any(|t| t == value),
        Part::Tag => f.tags.iter().any(|t| t == value),
    }
}

/// Adds or removes `value` in the filter's `part`, keeping the order choices are listed in.
fn toggle(f: &mut SegmentFilter, part: Part, value: &str, on: bool) {
    fn set<T: PartialEq + Copy>(list: &mut Vec<T>, all: &[T], v: Option<T>, on: bool) {
        if let Some(v) = v {
            list.retain(|x| *x != v);
            if on {
                list.push(v);
                list.sort_by_key(|x| all.iter().position(|a| a == x));
            }
        }
    }
    let text = |list: &mut Vec<String>| {
        list.retain(|x| x != value);
        if on {
            list.push(value.to_string());
        }
    };
    match part {
        Part::Rfm => set(
            &mut f.rfm_segments,
            &Segment::ALL,
            Segment::ALL.into_iter().find(|s| s.id() == value),
            on,
        ),
        Part::Stage => set(
            &mut f.stages,
            &Stage::ALL,
            Stage::ALL.into_iter().find(|s| s.id() == value),
            on,
        ),
        Part::Abc => set(
            &mut f.abc_classes,
            &AbcClass::ALL,
            AbcClass::ALL.into_iter().find(|c| c.id() == value),
            on,
        ),
        Part::Tier => text(&mut f.tiers),
        Part::Tag => text(&mut f.tags),
    }
}

/// A fieldset of checkboxes for one part: `options` gives (value, label) pairs.
#[component]
fn CheckGroup(
    ex: Explorer,
    part: Part,
    legend: Key,
    options: Signal<Vec<(String, String)>>,
    #[prop(optional)] empty: Option<Key>,
) -> impl IntoView {
    let i18n = use_i18n();
    let filter = ex.filter;
    view! {
        <fieldset class=format!("choices part-{part:?}").to_lowercase()>
            <legend>{move || i18n.t(legend)}</legend>
            {move || {
                let opts = options.get();
                if opts.is_empty() {
                    return empty.map(|k| view! { <p class="help">{i18n.t(k)}</p> }).into_any();
                }
                opts.into_iter()
                    .map(|(value, label)| {
                        let v = value.clone();
                        view! {
                            <label class="choice">
                                <input
                                    type="checkbox"
                                    prop:checked=move || filter.with(|f| has(f, part, &value))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        filter.update(|f| toggle(f, part, &v, on));
                                    }
                                />
                                <span>{label}</span>
                            </label>
                        }
                    })
                    .collect_view()
                    .into_any()
            }}
        </fieldset>
    }
}

/// The text of a filter error in the current language.
pub(crate) fn filter_error_text(i18n: I18n, app: AppState, e: &FilterError) -> String {
    match e {
        FilterError::SpendBackwards { min, max } => i18n.tf(
            Key::SegmentsErrSpend,
            &[("min", &money_in(app, *min)), ("max", &money_in(app, *max))],
        ),
        FilterError::DatesBackwards { from, to } => i18n.tf(
            Key::SegmentsErrDates,
            &[("from", &from.to_string()), ("to", &to.to_string())],
        ),
    }
}

/// The filter: a group of choices per part, the spend and date ranges, archived customers.
#[component]
fn FilterForm(ex: Explorer) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let d = app.data;
    let filter = ex.filter;
    let rfm = Signal::derive(move || {
        Segment::ALL
            .iter()
            .map(|s| (s.id().to_string(), i18n.t(segment_key(s.id())).to_string()))
            .collect()
    });
    let stages = Signal::derive(move || {
        Stage::ALL
            .iter()
            .map(|s| (s.id().to_string(), i18n.t(stage_key(s.id())).to_string()))
            .collect()
    });
    let tiers = Signal::derive(move || {
        let mut list: Vec<(String, String)> = d.loyalty.with(|p| {
            p.tiers
                .iter()
                .map(|t| (t.name.clone(), t.name.clone()))
                .collect()
        });
        // A saved filter may name a tier the programme no longer has: show it so it can be cleared.
        for name in filter.with(|f| f.tiers.clone()) {
            if !list.iter().any(|(v, _)| *v == name) {
                let label = i18n.tf(Key::SegmentsTierMissing, &[("name", &name)]);
                list.push((name, label));
            }
        }
        list
    });
    let abc = Signal::derive(|| {
        AbcClass::ALL
            .iter()
            .map(|c| (c.id().to_string(), c.id().to_string()))
            .collect()
    });
    let all = Memo::new(move |_| d.customers.with(|c| all_tags(c)));
    let tags = Signal::derive(move || {
        let mut list: Vec<(String, String)> =
            all.get().into_iter().map(|t| (t.clone(), t)).collect();
        for t in filter.with(|f| f.tags.clone()) {
            if !list.iter().any(|(v, _)| *v == t) {
                list.push((t.clone(), t));
            }
        }
        list
    });

    // Spend fields: applied when they leave the field or Enter is pressed; a bad amount is named.
    let apply_spend = move || {
        let parse = |text: String, field: Key| -> Result<Option<i64>, String> {
            let t = text.trim();
            if t.is_empty() {
                return Ok(None);
            }
            parse_money(t).map(Some).map_err(|_| {
                i18n.tf(
                    Key::SegmentsBadAmount,
                    &[("field", i18n.t(field)), ("value", t)],
                )
            })
        };
        let min = parse(ex.spend_min.get_untracked(), Key::SegmentsSpendMin);
        let max = parse(ex.spend_max.get_untracked(), Key::SegmentsSpendMax);
        match (min, max) {
            (Ok(min), Ok(max)) => {
                let mut f = filter.get_untracked();
                f.spend_min = min;
                f.spend_max = max;
                set_checked(ex, app, f);
            }
            (Err(e), _) | (_, Err(e)) => ex.error.set(Some(e)),
        }
    };
    let date_input = move |get: fn(&SegmentFilter) -> Option<chrono::NaiveDate>,
                           put: fn(&mut SegmentFilter, Option<chrono::NaiveDate>),
                           label: Key| {
        view! {
            <label>
                {move || i18n.t(label)}
                <input
                    type="date"
                    aria-describedby="segments-filter-error"
                    prop:value=move || filter.with(|f| get(f).map(|d| d.to_string()).unwrap_or_default())
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        let day = chrono::NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok();
                        let mut f = filter.get_untracked();
                        put(&mut f, day);
                        set_checked(ex, app, f);
                    }
                />
            </label>
        }
    };
    let spend_input = move |text: RwSignal<String>, label: Key| {
        view! {
            <label>
                {move || i18n.t(label)}
                <input
                    type="text"
                    inputmode="decimal"
                    aria-describedby="segments-filter-error"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                    on:change=move |_| apply_spend()
                />
            </label>
        }
    };
    view! {
        <form class="filter card" on:submit=move |ev| {
            ev.prevent_default();
            apply_spend();
        }>
            <div class="filter-head">
                <h2>{move || i18n.t(Key::SegmentsFilter)}</h2>
                <button type="button" on:click=move |_| {
                    ex.load(SegmentFilter::default());
                }>{move || i18n.t(Key::SegmentsClear)}</button>
            </div>
            <div class="filter-grid">
                <CheckGroup ex=ex part=Part::Rfm legend=Key::SegmentsRfm options=rfm/>
                <CheckGroup ex=ex part=Part::Stage legend=Key::SegmentsStage options=stages/>
                <CheckGroup ex=ex part=Part::Tier legend=Key::SegmentsTier options=tiers/>
                <CheckGroup ex=ex part=Part::Abc legend=Key::SegmentsAbc options=abc/>
                <CheckGroup ex=ex part=Part::Tag legend=Key::SegmentsTags options=tags empty=Key::SegmentsNoTags/>
                <fieldset class="ranges">
                    <legend>{move || i18n.t(Key::SegmentsSpend)}</legend>
                    {spend_input(ex.spend_min, Key::SegmentsSpendMin)}
                    {spend_input(ex.spend_max, Key::SegmentsSpendMax)}
                </fieldset>
                <fieldset class="ranges">
                    <legend>{move || i18n.t(Key::SegmentsLastPurchase)}</legend>
                    {date_input(|f| f.last_purchase_from, |f, d| f.last_purchase_from = d, Key::SegmentsFrom)}
                    {date_input(|f| f.last_purchase_to, |f, d| f.last_purchase_to = d, Key::SegmentsTo)}
                </fieldset>
            </div>
            <label class="choice archived">
                <input
                    type="checkbox"
                    prop:checked=move || filter.with(|f| f.include_archived)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        filter.update(|f| f.include_archived = on);
                    }
                />
                <span>{move || i18n.t(Key::SegmentsIncludeArchived)}</span>
            </label>
            <p class="error" id="segments-filter-error" role="alert">{move || ex.error.get()}</p>
        </form>
    }
}

/// Puts `f` in force when its ranges are sound; otherwise says what is wrong and keeps the last
/// good filter.
fn set_checked(ex: Explorer, app: AppState, f: SegmentFilter) {
    let i18n = use_i18n();
    match f.check() {
        Ok(()) => {
            ex.error.set(None);
            ex.filter.set(f);
        }
        Err(e) => ex.error.set(Some(filter_error_text(i18n, app, &e))),
    }
}

/// One row of results: the customer and what the analysis says about them.
#[derive(Clone, PartialEq)]
struct Row {
    id: Uuid,
    name: String,
    profile: Profile,
}

/// The tier name at `index` of the programme.
fn tier_name(app: AppState, index: Option<usize>) -> String {
    index
        .and_then(|i| {
            app.data
                .loyalty
                .with(|p| p.tiers.get(i).map(|t| t.name.clone()))
        })
        .unwrap_or_default()
}

/// The count and revenue of the matching customers, then one page of them.
#[component]
fn Results(ex: Explorer) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let d = app.data;
    let count = move || ex.selected.with(|s| s.as_ref().map_or(0, |s| s.0.len()));
    let total = move || {
        let (Some(p), Some(s)) = (ex.profiles.get(), ex.selected.get()) else {
            return 0;
        };
        revenue(&p.0, &s.0)
    };
    let rows = move || {
        let (Some(p), Some(s)) = (ex.profiles.get(), ex.selected.get()) else {
            return Vec::new();
        };
        let first = ex.first.get();
        d.customers.with(|c: &Vec<Customer>| {
            s.0.iter()
                .skip(first)
                .take(PAGE)
                .filter_map(|&i| {
                    let (c, p) = (c.get(i as usize)?, p.0.get(i as usize)?);
                    Some(Row {
                        id: c.id,
                        name: c.name.clone(),
                        profile: p.clone(),
                    })
                })
                .collect::<Vec<_>>()
        })
    };
    let ready = move || ex.selected.with(Option::is_some);
    view! {
        <section class="results card" aria-labelledby="segments-results-title">
            <Show when=ready fallback=move || view! {
                <p class="loading" role="status">{move || i18n.t(Key::Loading)}</p>
            }>
                <p class="summary" role="status" data-testid="segment-summary">
                    {move || i18n.tf(Key::SegmentsSummary, &[
                        ("count", &count().to_string()),
                        ("revenue", &money_in(app, total())),
                    ])}
                </p>
            </Show>
            <div class="table-scroll">
                <table>
                    <caption id="segments-results-title">{move || i18n.t(Key::SegmentsResults)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{move || i18n.t(Key::SegmentsColCustomer)}</th>
                            <th scope="col">"R"</th>
                            <th scope="col">"F"</th>
                            <th scope="col">"M"</th>
                            <th scope="col">{move || i18n.t(Key::SegmentsColSegment)}</th>
                            <th scope="col">{move || i18n.t(Key::SegmentsColClass)}</th>
                            <th scope="col">{move || i18n.t(Key::SegmentsColStage)}</th>
                            <th scope="col">{move || i18n.t(Key::SegmentsColTier)}</th>
                            <th scope="col" class="num">{move || i18n.t(Key::SegmentsColSpend)}</th>
                            <th scope="col">{move || i18n.t(Key::SegmentsColLast)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=rows key=|r: &Row| (r.id, r.profile.spend, r.name.clone()) let:r>
                            <ResultRow row=r/>
                        </For>
                    </tbody>
                </table>
            </div>
            <Show when=move || ready() && count() == 0>
                <p class="no-match">{move || i18n.t(Key::SegmentsNoMatch)}</p>
            </Show>
            <Pager ex=ex count=Signal::derive(count)/>
        </section>
    }
}

/// One customer's row.
#[component]
fn ResultRow(row: Row) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let p = row.profile;
    let score = move |s: Option<u8>| s.map(|s| s.to_string()).unwrap_or_else(|| "–".into());
    let (r, f, m) = match p.scores {
        Some((r, f, m)) => (Some(r), Some(f), Some(m)),
        None => (None, None, None),
    };
    let segment = p.segment;
    let stage = p.stage;
    let tier = tier_name(app, p.tier);
    let class = p.class.map(|c| c.id()).unwrap_or("–");
    let last = p
        .last_purchase
        .map(|d| d.to_string())
        .unwrap_or_else(|| "–".into());
    let spend = p.spend;
    view! {
        <tr>
            <th scope="row"><a href=Route::Customer(row.id).href()>{row.name}</a></th>
            <td>{score(r)}</td>
            <td>{score(f)}</td>
            <td>{score(m)}</td>
            <td>{move || segment.map(|s| i18n.t(segment_key(s.id()))).unwrap_or("–")}</td>
            <td>{class}</td>
            <td>{move || stage.map(|s| i18n.t(stage_key(s.id()))).unwrap_or("–")}</td>
            <td>{tier}</td>
            <td class="num">{move || money_in(app, spend)}</td>
            <td>{last}</td>
        </tr>
    }
}

/// Previous and next page of results, and which rows are shown.
#[component]
fn Pager(ex: Explorer, count: Signal<usize>) -> impl IntoView {
    let i18n = use_i18n();
    let first = ex.first;
    let shown = move || {
        let n = count.get();
        let from = first.get().min(n);
        let to = (from + PAGE).min(n);
        i18n.tf(
            Key::SegmentsRows,
            &[
                ("from", &(if n == 0 { 0 } else { from + 1 }).to_string()),
                ("to", &to.to_string()),
                ("count", &n.to_string()),
            ],
        )
    };
    let no_prev = move || first.get() == 0;
    let no_next = move || first.get() + PAGE >= count.get();
    view! {
        <nav class="pager" aria-label=move || i18n.t(Key::SegmentsPages)>
            <button type="button" disabled=no_prev on:click=move |_| first.update(|f| *f = f.saturating_sub(PAGE))>
                {move || i18n.t(Key::SegmentsPrev)}
            </button>
            <span aria-live="polite">{shown}</span>
            <button type="button" disabled=no_next on:click=move |_| first.update(|f| *f += PAGE)>
                {move || i18n.t(Key::SegmentsNext)}
            </button>
        </nav>
    }
}
