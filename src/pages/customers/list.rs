//! The customer list: search as you type, filter by tag and archived state, sort by any column.
//! Only the rows in view are in the DOM, so 100,000 customers scroll and filter smoothly.

use leptos::html;
use leptos::prelude::*;

use kehu_core::search::{
    all_tags, filter_customers, sorted_order, ArchivedFilter, ListFilter, SearchIndex, SortKey,
};
use kehu_core::Customer;

use crate::i18n::{use_i18n, Key};
use crate::routing::Route;
use crate::state::use_app;

/// Height of one row in pixels; the stylesheet gives `.row` the same height.
const ROW_HEIGHT: f64 = 56.0;
/// Rows rendered above and below the visible ones, so fast scrolling shows no gaps.
const OVERSCAN: usize = 8;

/// What the list shows, kept while the user visits other pages.
#[derive(Clone, Copy)]
pub struct ListState {
    query: RwSignal<String>,
    tag: RwSignal<Option<String>>,
    archived: RwSignal<ArchivedFilter>,
    /// Column and whether descending.
    sort: RwSignal<(SortKey, bool)>,
}

impl ListState {
    /// Provides the list's state for the app's lifetime.
    pub fn provide() {
        provide_context(ListState {
            query: RwSignal::new(String::new()),
            tag: RwSignal::new(None),
            archived: RwSignal::new(ArchivedFilter::Active),
            sort: RwSignal::new((SortKey::Name, false)),
        });
    }

    /// The customers the list shows now (its search, tag and archive filters), in its order:
    /// what "export the current list" exports.
    pub fn visible_ids(&self, customers: &[Customer]) -> Vec<uuid::Uuid> {
        let index = SearchIndex::build(customers);
        let (key, desc) = self.sort.get_untracked();
        let order = sorted_order(customers, key, desc);
        let filter = ListFilter {
            query: self.query.get_untracked(),
            tag: self.tag.get_untracked(),
            archived: self.archived.get_untracked(),
        };
        filter_customers(customers, &index, &order, &filter)
            .into_iter()
            .filter_map(|i| customers.get(i as usize).map(|c| c.id))
            .collect()
    }
}

/// The list page.
#[component]
pub fn CustomerList() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let customers = app.data.customers;
    let ListState {
        query,
        tag,
        archived,
        sort,
    } = expect_context::<ListState>();

    // Counts rebuilds of the index and the sort order, so a kept result is reused only while both
    // are what it was computed from.
    let data_version = StoredValue::new(0_u64);
    let index = Memo::new(move |_| {
        data_version.update_value(|v| *v += 1);
        customers.with(|c| SearchIndex::build(c))
    });
    let order = Memo::new(move |_| {
        data_version.update_value(|v| *v += 1);
        let (key, desc) = sort.get();
        customers.with(|c| sorted_order(c, key, desc))
    });
    // The last result: typing one more letter only re-checks the customers it holds.
    let last = StoredValue::new(None::<(u64, ListFilter, Vec<u32>)>);
    let visible = Memo::new(move |_| {
        let filter = ListFilter {
            query: query.get(),
            tag: tag.get(),
            archived: archived.get(),
        };
        customers.with(|c| {
            index.with(|ix| {
                order.with(|o| {
                    let version = data_version.get_value();
                    let result = last.with_value(|kept| match kept {
                        Some((v, f, prev))
                            if *v == version
                                && f.tag == filter.tag
                                && f.archived == filter.archived
                                && filter.query.starts_with(f.query.as_str()) =>
                        {
                            filter_customers(c, ix, prev, &filter)
                        }
                        _ => filter_customers(c, ix, o, &filter),
                    });
                    last.set_value(Some((version, filter, result.clone())));
                    result
                })
            })
        })
    });
    let tags = Memo::new(move |_| customers.with(|c| all_tags(c)));
    let total = move || customers.with(Vec::len);
    let has_customers = move || total() > 0;

    let viewport: NodeRef<html::Div> = NodeRef::new();
    let scroll_top = RwSignal::new(0.0_f64);
    let viewport_height = RwSignal::new(800.0_f64);
    // A new filter shows its first rows.
    Effect::new(move |_| {
        visible.track();
        if let Some(el) = viewport.get_untracked() {
            el.set_scroll_top(0);
        }
        scroll_top.set(0.0);
    });
    Effect::new(move |_| {
        if let Some(el) = viewport.get() {
            viewport_height.set(f64::from(el.client_height()).max(ROW_HEIGHT));
        }
    });

    let window_rows = move || {
        let count = visible.with(Vec::len);
        let first = ((scroll_top.get() / ROW_HEIGHT) as usize).saturating_sub(OVERSCAN);
        let shown = (viewport_height.get() / ROW_HEIGHT).ceil() as usize + 2 * OVERSCAN;
        let last = (first + shown).min(count);
        let rows: Vec<(usize, Customer)> = visible.with(|v| {
            customers.with(|c| {
                (first..last)
                    .map(|pos| (pos, c[v[pos] as usize].clone()))
                    .collect()
            })
        });
        rows
    };

    let header = move |key: SortKey, label: Key| {
        let state = move || {
            let (k, desc) = sort.get();
            match (k == key, desc) {
                (false, _) => "none",
                (true, false) => "ascending",
                (true, true) => "descending",
            }
        };
        view! {
            <div role="columnheader" class=format!("cell col-{key:?}").to_lowercase() aria-sort=state>
                <button
                    type="button"
                    class="sort"
                    on:click=move |_| {
                        sort.update(|(k, desc)| {
                            if *k == key {
                                *desc = !*desc;
                            } else {
                                *k = key;
                                *desc = false;
                            }
                        })
                    }
                >
                    {move || i18n.t(label)}
                    <span class="sort-mark" aria-hidden="true">
                        {move || match state() {
                            "ascending" => "▲",
                            "descending" => "▼",
                            _ => "",
                        }}
                    </span>
                </button>
            </div>
        }
    };

    view! {
        <section class="customers">
            <div class="page-head">
                <h1>{move || i18n.t(Key::CustomersTitle)}</h1>
                <a class="button primary" href=Route::NewCustomer.href()>
                    {move || i18n.t(Key::NewCustomer)}
                </a>
            </div>
            <Show
                when=has_customers
                fallback=move || view! {
                    <div class="empty">
                        <p>{move || i18n.t(Key::NoCustomersYet)}</p>
                        <p>
                            <a class="button primary" href=Route::NewCustomer.href()>
                                {move || i18n.t(Key::NewCustomer)}
                            </a>
                            " "
                            <a class="button" href=Route::Data.href()>
                                {move || i18n.t(Key::LoadDemoData)}
                            </a>
                        </p>
                    </div>
                }
            >
                <div class="toolbar">
                    <input
                        type="search"
                        class="search"
                        aria-label=move || i18n.t(Key::SearchCustomers)
                        placeholder=move || i18n.t(Key::SearchPlaceholder)
                        prop:value=move || query.get()
                        on:input=move |ev| query.set(event_target_value(&ev))
                    />
                    <select
                        aria-label=move || i18n.t(Key::FilterTag)
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            tag.set(if v.is_empty() { None } else { Some(v) });
                        }
                    >
                        <option value="" selected=move || tag.get().is_none()>
                            {move || i18n.t(Key::AllTags)}
                        </option>
                        <For
                            each=move || tags.get()
                            key=|t| t.clone()
                            children=move |t: String| {
                                let v = t.clone();
                                let sel = t.clone();
                                view! {
                                    <option value=v selected=move || tag.get().as_deref() == Some(sel.as_str())>
                                        {t}
                                    </option>
                                }
                            }
                        />
                    </select>
                    <select
                        aria-label=move || i18n.t(Key::FilterArchived)
                        on:change=move |ev| {
                            archived.set(match event_target_value(&ev).as_str() {
                                "archived" => ArchivedFilter::Archived,
                                "all" => ArchivedFilter::All,
                                _ => ArchivedFilter::Active,
                            })
                        }
                    >
                        <option value="active" selected=move || archived.get() == ArchivedFilter::Active>
                            {move || i18n.t(Key::ShowActive)}
                        </option>
                        <option value="archived" selected=move || archived.get() == ArchivedFilter::Archived>
                            {move || i18n.t(Key::ShowArchived)}
                        </option>
                        <option value="all" selected=move || archived.get() == ArchivedFilter::All>
                            {move || i18n.t(Key::ShowAll)}
                        </option>
                    </select>
                </div>
                <p class="count" aria-live="polite">
                    {move || i18n.tf(Key::CustomersShown, &[
                        ("shown", &visible.with(Vec::len).to_string()),
                        ("total", &total().to_string()),
                    ])}
                </p>
                <div
                    class="table"
                    role="table"
                    aria-label=move || i18n.t(Key::CustomersTitle)
                    aria-rowcount=move || visible.with(Vec::len) + 1
                >
                    <div role="rowgroup" class="thead">
                        <div role="row" class="row head" aria-rowindex="1">
                            {header(SortKey::Name, Key::FieldName)}
                            {header(SortKey::Phone, Key::FieldPhone)}
                            {header(SortKey::Email, Key::FieldEmail)}
                            {header(SortKey::Company, Key::FieldCompany)}
                            {header(SortKey::Tags, Key::FieldTags)}
                            {header(SortKey::Created, Key::FieldCreated)}
                        </div>
                    </div>
                    <div
                        class="viewport"
                        node_ref=viewport
                        on:scroll=move |_| {
                            if let Some(el) = viewport.get_untracked() {
                                scroll_top.set(f64::from(el.scroll_top()));
                                viewport_height.set(f64::from(el.client_height()).max(ROW_HEIGHT));
                            }
                        }
                    >
                        <div
                            role="rowgroup"
                            class="tbody"
                            style:height=move || format!("{}px", visible.with(Vec::len) as f64 * ROW_HEIGHT)
                        >
                            <For
                                each=window_rows
                                key=|(pos, c)| (*pos, c.id, c.updated_at)
                                children=move |(pos, c): (usize, Customer)| view! { <CustomerRow pos=pos customer=c/> }
                            />
                        </div>
                    </div>
                    <Show when=move || visible.with(Vec::is_empty)>
                        <p class="no-match">{move || i18n.t(Key::NoMatch)}</p>
                    </Show>
                </div>
            </Show>
        </section>
    }
}

/// One row of the list, placed at its position in the scrolled area.
#[component]
fn CustomerRow(
    /// Position in the filtered, sorted list (0-based).
    pos: usize,
    /// The customer shown.
    customer: Customer,
) -> impl IntoView {
    let i18n = use_i18n();
    let href = Route::Customer(customer.id).href();
    let archived = customer.archived;
    let created = customer
        .created_at
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let tags = customer.tags.join(", ");
    view! {
        <div
            role="row"
            class="row"
            class:archived=archived
            aria-rowindex=pos + 2
            style:transform=format!("translateY({}px)", pos as f64 * ROW_HEIGHT)
        >
            <div role="cell" class="cell col-name">
                <a href=href>{customer.name}</a>
                <Show when=move || archived>
                    <span class="badge">{move || i18n.t(Key::Archived)}</span>
                </Show>
            </div>
            <div role="cell" class="cell col-phone">{customer.phone}</div>
            <div role="cell" class="cell col-email">{customer.email}</div>
            <div role="cell" class="cell col-company">{customer.company}</div>
            <div role="cell" class="cell col-tags">{tags}</div>
            <div role="cell" class="cell col-created">{created}</div>
        </div>
    }
}
