//! Pages are addressed by the URL's hash (`#/customers`, `#/customers/<id>`), which works from any
//! sub-path of a static host and from a file opened with `file://`, where path routing cannot.
//! leptos_router has no hash mode, so this small router is ours.

use leptos::prelude::*;
use uuid::Uuid;

/// A page of the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// The customer list.
    Customers,
    /// The form for a new customer.
    NewCustomer,
    /// The form for an existing customer (`#/customers/<id>/edit`).
    EditCustomer(Uuid),
    /// Customer 360: everything about one customer (`#/customers/<id>`).
    Customer(Uuid),
    /// The orders list.
    Sales,
    /// A new sale, optionally for a given customer.
    NewSale(Option<Uuid>),
    /// Editing a sale.
    EditSale(Uuid),
    /// The loyalty programme's settings.
    Loyalty,
    /// The dashboard: key figures and charts.
    Dashboard,
    /// RFM analysis with its teaching panel.
    Rfm,
    /// ABC / Pareto analysis with its teaching panel.
    Abc,
    /// Customer value matrix with its teaching panel.
    ValueMatrix,
    /// Lifecycle stages with their teaching panel.
    Lifecycle,
    /// Churn warnings ranked by value at risk.
    Churn,
    /// Customer lifetime value: BG/NBD, Gamma-Gamma and the textbook formula.
    Clv,
    /// Loyalty analysis: score, quadrant, tiers.
    LoyaltyAnalytics,
    /// Satisfaction: NPS over time and CSI.
    Satisfaction,
    /// Demo data and what is stored.
    Data,
    /// Shop settings.
    Settings,
    /// Log a contact (interaction) with a customer.
    CustomerContact(Uuid),
    /// Record a customer's survey response.
    CustomerSurvey(Uuid),
    /// The development pipeline board.
    Pipeline,
    /// A new deal, optionally for a given customer.
    NewDeal(Option<Uuid>),
    /// One deal: its stage, history and objections.
    Deal(Uuid),
    /// Tasks and reminders.
    Tasks,
    /// The printable satisfaction survey form.
    SurveyPrint,
    /// The segment explorer: filter, saved segments, export and bulk actions.
    Segments,
}

impl Route {
    /// Reads a route from a location hash such as `#/customers/…`; unknown hashes go to the list.
    pub fn parse(hash: &str) -> Route {
        let path = hash.trim_start_matches('#').trim_matches('/');
        let mut parts = path.split('/');
        let uuid = |s: &str| Uuid::parse_str(s).ok();
        let uuid_opt = |s: Option<&str>| s.and_then(|s| Uuid::parse_str(s).ok());
        match (parts.next(), parts.next(), parts.next()) {
            (Some("customers"), Some("new"), _) => Route::NewCustomer,
            (Some("customers"), Some(id), Some("contact")) => uuid(id)
                .map(Route::CustomerContact)
                .unwrap_or(Route::Customers),
            (Some("customers"), Some(id), Some("survey")) => uuid(id)
                .map(Route::CustomerSurvey)
                .unwrap_or(Route::Customers),
            (Some("pipeline"), Some("new"), c) => Route::NewDeal(uuid_opt(c)),
            (Some("pipeline"), Some(id), _) => uuid(id).map(Route::Deal).unwrap_or(Route::Pipeline),
            (Some("pipeline"), None, _) => Route::Pipeline,
            (Some("tasks"), ..) => Route::Tasks,
            (Some("surveys"), Some("print"), _) => Route::SurveyPrint,
            (Some("segments"), ..) => Route::Segments,
            (Some("customers"), Some(id), Some("edit")) => uuid(id)
                .map(Route::EditCustomer)
                .unwrap_or(Route::Customers),
            (Some("customers"), Some(id), _) => {
                uuid(id).map(Route::Customer).unwrap_or(Route::Customers)
            }
            (Some("sales"), Some("new"), Some(id)) => Route::NewSale(uuid(id)),
            (Some("sales"), Some("new"), None) => Route::NewSale(None),
            (Some("sales"), Some(id), _) => uuid(id).map(Route::EditSale).unwrap_or(Route::Sales),
            (Some("sales"), None, _) => Route::Sales,
            (Some("loyalty"), ..) => Route::Loyalty,
            (Some("dashboard"), ..) => Route::Dashboard,
            (Some("analytics"), Some("rfm"), _) => Route::Rfm,
            (Some("analytics"), Some("abc"), _) => Route::Abc,
            (Some("analytics"), Some("matrix"), _) => Route::ValueMatrix,
            (Some("analytics"), Some("lifecycle"), _) => Route::Lifecycle,
            (Some("analytics"), Some("churn"), _) => Route::Churn,
            (Some("analytics"), Some("clv"), _) => Route::Clv,
            (Some("analytics"), Some("loyalty"), _) => Route::LoyaltyAnalytics,
            (Some("analytics"), Some("satisfaction"), _) => Route::Satisfaction,
            (Some("analytics"), ..) => Route::Dashboard,
            (Some("data"), ..) => Route::Data,
            (Some("settings"), ..) => Route::Settings,
            _ => Route::Customers,
        }
    }

    /// The hash that addresses this route.
    pub fn href(self) -> String {
        match self {
            Route::Customers => "#/customers".into(),
            Route::NewCustomer => "#/customers/new".into(),
            Route::EditCustomer(id) => format!("#/customers/{id}/edit"),
            Route::Customer(id) => format!("#/customers/{id}"),
            Route::Sales => "#/sales".into(),
            Route::NewSale(None) => "#/sales/new".into(),
            Route::NewSale(Some(id)) => format!("#/sales/new/{id}"),
            Route::EditSale(id) => format!("#/sales/{id}"),
            Route::Loyalty => "#/loyalty".into(),
            Route::Dashboard => "#/dashboard".into(),
            Route::Rfm => "#/analytics/rfm".into(),
            Route::Abc => "#/analytics/abc".into(),
            Route::ValueMatrix => "#/analytics/matrix".into(),
            Route::Lifecycle => "#/analytics/lifecycle".into(),
            Route::Churn => "#/analytics/churn".into(),
            Route::Clv => "#/analytics/clv".into(),
            Route::LoyaltyAnalytics => "#/analytics/loyalty".into(),
            Route::Satisfaction => "#/analytics/satisfaction".into(),
            Route::Data => "#/data".into(),
            Route::Settings => "#/settings".into(),
            Route::CustomerContact(id) => format!("#/customers/{id}/contact"),
            Route::CustomerSurvey(id) => format!("#/customers/{id}/survey"),
            Route::Pipeline => "#/pipeline".into(),
            Route::NewDeal(None) => "#/pipeline/new".into(),
            Route::NewDeal(Some(c)) => format!("#/pipeline/new/{c}"),
            Route::Deal(id) => format!("#/pipeline/{id}"),
            Route::Tasks => "#/tasks".into(),
            Route::SurveyPrint => "#/surveys/print".into(),
            Route::Segments => "#/segments".into(),
        }
    }
}

/// The current route, following the address bar.
pub fn use_route() -> ReadSignal<Route> {
    expect_context::<ReadSignal<Route>>()
}

/// Starts following the location hash and provides the current route as context.
pub fn provide_router() {
    let current = || Route::parse(&window().location().hash().unwrap_or_default());
    let (route, set_route) = signal(current());
    let _listener = window_event_listener(leptos::ev::hashchange, move |_| {
        set_route.set(current());
        // A new page starts at its top, as after following a link, and keyboard focus moves to the
        // page's content so the next Tab goes into it rather than back through the header.
        window().scroll_to_with_x_and_y(0.0, 0.0);
        request_animation_frame(focus_page);
    });
    provide_context(route);
}

/// Focuses the page's first field marked `data-autofocus`, else the main region.
fn focus_page() {
    let target = document()
        .query_selector("main [data-autofocus]")
        .ok()
        .flatten()
        .or_else(|| document().get_element_by_id("main"));
    if let Some(el) =
        target.and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
    {
        // The page was just scrolled to its top; keep the header in view on small screens.
        let options = web_sys::FocusOptions::new();
        options.set_prevent_scroll(true);
        let _ = el.focus_with_options(&options);
    }
}

/// Goes to `route` (adds a history entry, so Back returns).
pub fn navigate(route: Route) {
    let _ = window().location().set_hash(&route.href());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_round_trip() {
        let id = Uuid::from_u128(5);
        for r in [
            Route::Customers,
            Route::NewCustomer,
            Route::EditCustomer(id),
            Route::Customer(id),
            Route::Sales,
            Route::NewSale(None),
            Route::NewSale(Some(id)),
            Route::EditSale(id),
            Route::Loyalty,
            Route::Dashboard,
            Route::Rfm,
            Route::Abc,
            Route::ValueMatrix,
            Route::Lifecycle,
            Route::Churn,
            Route::Clv,
            Route::LoyaltyAnalytics,
            Route::Satisfaction,
            Route::Data,
            Route::Settings,
            Route::CustomerContact(id),
            Route::CustomerSurvey(id),
            Route::Pipeline,
            Route::NewDeal(None),
            Route::NewDeal(Some(id)),
            Route::Deal(id),
            Route::Tasks,
            Route::SurveyPrint,
            Route::Segments,
        ] {
            assert_eq!(Route::parse(&r.href()), r);
        }
        assert_eq!(Route::parse(""), Route::Customers);
        assert_eq!(Route::parse("#/customers/not-a-uuid"), Route::Customers);
        assert_eq!(Route::parse("#/sales/new/nope"), Route::NewSale(None));
        assert_eq!(Route::parse("#/sales/nope"), Route::Sales);
        assert_eq!(Route::parse("#/analytics"), Route::Dashboard);
    }
}
