//! The app shell: header with the shop name, navigation, language and theme switches, and the page
//! for the current route.

use leptos::prelude::*;

use crate::components::toast::ToastHost;
use crate::components::update::UpdatePrompt;
use crate::i18n::{use_i18n, I18n, Key, Locale};
use crate::pages::customers::view::CustomerView;
use crate::pages::customers::{
    form::CustomerForm,
    list::{CustomerList, ListState},
};
use crate::pages::data::{provide_export_state, DataPage, ExportReminder};
use crate::pages::insight::value::{
    clv::ClvPage, loyalty::LoyaltyAnalyticsPage, satisfaction::SatisfactionPage,
};
use crate::pages::insight::{abc::AbcPage, dashboard::DashboardPage, rfm::RfmPage};
use crate::pages::insight::{churn::ChurnPage, lifecycle::LifecyclePage, matrix::MatrixPage};
use crate::pages::loyalty::LoyaltyPage;
use crate::pages::pipeline::{board::PipelineBoard, deal::DealPage, new_deal::NewDeal};
use crate::pages::sales::{
    form::SalePage,
    list::{SalesFilters, SalesList},
    provide_new_sale_shortcut,
};
use crate::pages::segments::SegmentsPage;
use crate::pages::settings::SettingsPage;
use crate::pages::{
    contact::ContactForm, survey::SurveyForm, survey::SurveyPrint, tasks::TasksPage,
};
use crate::routing::{provide_router, use_route, Route};
use crate::state::{use_app, AppState, LoadState};
use crate::storage::{prefs, StorageError};

/// A colour theme choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
    /// Follow the operating system's setting.
    System,
}

impl Theme {
    /// Every choice, in the order the switch lists them.
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    /// The value stored in preferences.
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::System => "system",
        }
    }

    fn parse(s: &str) -> Theme {
        match s {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::System,
        }
    }

    fn label(self) -> Key {
        match self {
            Theme::Light => Key::ThemeLight,
            Theme::Dark => Key::ThemeDark,
            Theme::System => Key::ThemeSystem,
        }
    }
}

/// The language at start: the remembered choice, else the browser's.
fn initial_locale() -> Locale {
    prefs::language()
        .or_else(|| window().navigator().language())
        .map(|tag| Locale::from_tag(&tag))
        .unwrap_or(Locale::En)
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let i18n = I18n {
        locale: RwSignal::new(initial_locale()),
    };
    provide_context(i18n);
    let theme = RwSignal::new(
        prefs::theme()
            .map(|t| Theme::parse(&t))
            .unwrap_or(Theme::System),
    );
    provide_context(theme);
    provide_router();
    ListState::provide();
    let app = AppState::new();
    provide_context(app);
    crate::analysis::provide_analysis();
    provide_export_state();
    SalesFilters::provide();
    provide_new_sale_shortcut();
    leptos::task::spawn_local(app.start());

    // Push the language and theme out to the document and to preferences.
    Effect::new(move |_| {
        let locale = i18n.locale.get();
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("lang", locale.tag());
        }
        document().set_title(locale.text(Key::AppTitle));
    });
    Effect::new(move |_| {
        let t = theme.get();
        if let Some(html) = document().document_element() {
            let _ = match t {
                Theme::System => html.remove_attribute("data-theme"),
                other => html.set_attribute("data-theme", other.as_str()),
            };
        }
    });

    view! {
        <ToastHost>
            <a class="skip-link" href="#main">{move || i18n.t(Key::SkipToContent)}</a>
            <Header/>
            <UpdatePrompt/>
            <ExportReminder/>
            <main id="main" tabindex="-1">
                <Body/>
            </main>
        </ToastHost>
    }
}

/// Header: shop name, navigation, language and theme.
#[component]
fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let route = use_route();
    let theme = expect_context::<RwSignal<Theme>>();
    let shop = move || {
        let name = app.data.settings.with(|s| s.shop_name.trim().to_string());
        if name.is_empty() {
            i18n.t(Key::AppName).to_string()
        } else {
            name
        }
    };
    let nav_link = move |target: Route, key: Key| {
        let current = move || match (route.get(), target) {
            (
                Route::NewCustomer | Route::EditCustomer(_) | Route::Customer(_),
                Route::Customers,
            ) => true,
            (Route::NewSale(_) | Route::EditSale(_), Route::Sales) => true,
            (Route::NewDeal(_) | Route::Deal(_), Route::Pipeline) => true,
            (Route::Rfm | Route::Abc, Route::Dashboard) => true,
            (Route::ValueMatrix | Route::Lifecycle | Route::Churn, Route::Dashboard) => true,
            (Route::Clv | Route::LoyaltyAnalytics | Route::Satisfaction, Route::Dashboard) => true,
            (r, t) => r == t,
        };
        view! {
            <a href=target.href() aria-current=move || current().then_some("page")>
                {move || i18n.t(key)}
            </a>
        }
    };
    view! {
        <header class="app-header">
            <div class="brand">
                <span class="logo" aria-hidden="true">"客"</span>
                <span class="shop-name">{shop}</span>
            </div>
            <nav aria-label=move || i18n.t(Key::NavLabel)>
                {nav_link(Route::Dashboard, Key::InsightDashboard)}
                {nav_link(Route::Customers, Key::NavCustomers)}
                {nav_link(Route::Segments, Key::SegmentsNav)}
                {nav_link(Route::Sales, Key::SalesNav)}
                {nav_link(Route::Loyalty, Key::SalesLoyaltyNav)}
                {nav_link(Route::Pipeline, Key::PipelineNav)}
                {nav_link(Route::Tasks, Key::PipelineNavTasks)}
                {nav_link(Route::Data, Key::NavData)}
                {nav_link(Route::Settings, Key::NavSettings)}
            </nav>
            <a class="button primary new-sale" href=move || {
                match route.get() {
                    Route::Customer(id) => Route::NewSale(Some(id)),
                    _ => Route::NewSale(None),
                }
                .href()
            } aria-keyshortcuts="N" title=move || i18n.t(Key::SalesNewShortcut)>
                {move || i18n.t(Key::SalesNew)}
            </a>
            <div class="switches">
                <label>
                    <span class="visually-hidden">{move || i18n.t(Key::Language)}</span>
                    <select
                        aria-label=move || i18n.t(Key::Language)
                        on:change=move |ev| {
                            let locale = Locale::from_tag(&event_target_value(&ev));
                            prefs::set_language(locale.tag());
                            i18n.locale.set(locale);
                        }
                    >
                        {Locale::ALL
                            .into_iter()
                            .map(|l| {
                                view! {
                                    <option value=l.tag() selected=move || i18n.locale.get() == l>
                                        {l.native_name()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    <span class="visually-hidden">{move || i18n.t(Key::Theme)}</span>
                    <select
                        aria-label=move || i18n.t(Key::Theme)
                        on:change=move |ev| {
                            let t = Theme::parse(&event_target_value(&ev));
                            prefs::set_theme(t.as_str());
                            theme.set(t);
                        }
                    >
                        {Theme::ALL
                            .into_iter()
                            .map(|t| {
                                view! {
                                    <option value=t.as_str() selected=move || theme.get() == t>
                                        {move || i18n.t(t.label())}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
            </div>
        </header>
    }
}

/// The page for the current route, or the start-up state.
#[component]
fn Body() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let route = use_route();
    // Pages appear once customers are read and stay mounted while the rest loads, so nothing a
    // user has typed is lost when the other records arrive.
    let phase = Memo::new(move |_| match app.load.get() {
        LoadState::Opening => Phase::Opening,
        LoadState::Failed(e) => Phase::Failed(e),
        LoadState::CustomersReady | LoadState::Ready => Phase::Loaded,
    });
    move || match phase.get() {
        Phase::Opening => view! {
            <p class="loading" role="status">{move || i18n.t(Key::Loading)}</p>
        }
        .into_any(),
        Phase::Failed(e) => view! { <StorageFailure error=e/> }.into_any(),
        Phase::Loaded => match route.get() {
            Route::Customers => view! { <CustomerList/> }.into_any(),
            Route::NewCustomer => view! { <CustomerForm id=None/> }.into_any(),
            Route::EditCustomer(id) => view! { <CustomerForm id=Some(id)/> }.into_any(),
            Route::Customer(id) => view! { <CustomerView id=id/> }.into_any(),
            Route::Sales => view! { <SalesList/> }.into_any(),
            Route::NewSale(customer) => {
                view! { <SalePage order=None customer=customer/> }.into_any()
            }
            Route::EditSale(id) => view! { <SalePage order=Some(id) customer=None/> }.into_any(),
            Route::Loyalty => view! { <LoyaltyPage/> }.into_any(),
            Route::Dashboard => view! { <DashboardPage/> }.into_any(),
            Route::Rfm => view! { <RfmPage/> }.into_any(),
            Route::Abc => view! { <AbcPage/> }.into_any(),
            Route::ValueMatrix => view! { <MatrixPage/> }.into_any(),
            Route::Lifecycle => view! { <LifecyclePage/> }.into_any(),
            Route::Churn => view! { <ChurnPage/> }.into_any(),
            Route::Clv => view! { <ClvPage/> }.into_any(),
            Route::LoyaltyAnalytics => view! { <LoyaltyAnalyticsPage/> }.into_any(),
            Route::Satisfaction => view! { <SatisfactionPage/> }.into_any(),
            Route::Data => view! { <DataPage/> }.into_any(),
            Route::Settings => view! { <SettingsPage/> }.into_any(),
            Route::CustomerContact(id) => view! { <ContactForm customer_id=id/> }.into_any(),
            Route::CustomerSurvey(id) => view! { <SurveyForm customer_id=id/> }.into_any(),
            Route::Pipeline => view! { <PipelineBoard/> }.into_any(),
            Route::NewDeal(customer) => view! { <NewDeal customer=customer/> }.into_any(),
            Route::Deal(id) => view! { <DealPage id=id/> }.into_any(),
            Route::Tasks => view! { <TasksPage/> }.into_any(),
            Route::SurveyPrint => view! { <SurveyPrint/> }.into_any(),
            Route::Segments => view! { <SegmentsPage/> }.into_any(),
        },
    }
}

/// What the page body shows.
#[derive(Clone, Debug, PartialEq)]
enum Phase {
    Opening,
    Failed(StorageError),
    Loaded,
}

/// What the user sees when the database cannot be used: what happened and what to do.
#[component]
fn StorageFailure(
    /// The error from opening or reading the database.
    error: StorageError,
) -> impl IntoView {
    let i18n = use_i18n();
    let (title, advice) = match &error {
        StorageError::NewerVersion { .. } => (Key::DbNewerTitle, Key::DbNewerAdvice),
        StorageError::Blocked => (Key::DbBlockedTitle, Key::DbBlockedAdvice),
        _ => (Key::DbUnavailableTitle, Key::DbUnavailableAdvice),
    };
    let detail = error.to_string();
    view! {
        <section class="failure" role="alert">
            <h1>{move || i18n.t(title)}</h1>
            <p>{move || i18n.t(advice)}</p>
            <p class="detail"><code>{detail}</code></p>
        </section>
    }
}
