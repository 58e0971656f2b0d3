//! Customer 360: one page with everything about a customer — contact facts, tier and points, RFM
//! segment, lifecycle stage, churn warning and loyalty score (each with "how is this computed?"),
//! one timeline of orders, contacts, deal moves, surveys and points, and quick actions.

use chrono::{NaiveDateTime, NaiveTime};
use leptos::prelude::*;
use uuid::Uuid;

use kehu_core::analytics::explain::{Explanation, Method, Value};
use kehu_core::analytics::loyalty::LoyaltyQuadrant;
use kehu_core::points::{check_adjustment, points_state, rolling_spend, tier_progress, Expiry};
use kehu_core::{
    Channel, Deal, DealStage, Interaction, LedgerEntry, LedgerKind, Order, SurveyResponse,
};

use crate::analysis::use_analysis;
use crate::components::toast::use_toasts;
use crate::i18n::{use_i18n, I18n, Key};
use crate::pages::sales::{ledger_kind_key, local_now, money_in, points_error_text};
use crate::routing::Route;
use crate::state::{new_id, now, use_app, AppState, LoadState};
use crate::storage::{Change, Record};

/// A customer's standing in the points programme now.
#[derive(Clone, Debug, PartialEq)]
pub struct LoyaltyFacts {
    pub tier_name: String,
    pub next_tier: Option<String>,
    pub spend: i64,
    pub to_next: i64,
    pub fraction: f64,
    pub balance: i64,
    pub next_expiry: Option<Expiry>,
}

/// Tier, progress and points of customer `id` as of now (reactive).
pub fn loyalty_facts(app: AppState, id: Uuid) -> LoyaltyFacts {
    let d = app.data;
    let at = local_now();
    let programme = d.loyalty.get();
    let spend = d.orders.with(|l| {
        rolling_spend(
            l.iter()
                .filter(|o| o.customer_id == id)
                .map(|o| (o.date, o.amount)),
            // Orders up to this minute count.
            at + chrono::Duration::minutes(1),
        )
    });
    let progress = tier_progress(&programme, spend);
    let state = d
        .ledger
        .with(|l| points_state(&programme, l.iter().filter(|e| e.customer_id == id), at));
    let name = |i: usize| {
        programme
            .tiers
            .get(i)
            .map(|t| t.name.clone())
            .unwrap_or_default()
    };
    LoyaltyFacts {
        tier_name: name(progress.tier),
        next_tier: progress.next.map(name),
        spend,
        to_next: progress.to_next,
        fraction: progress.fraction,
        balance: state.balance,
        next_expiry: state.next,
    }
}

/// The Customer 360 page (waits for every record, since it shows all of them).
#[component]
pub fn CustomerView(
    /// The customer shown.
    id: Uuid,
) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let customer = Memo::new(move |_| {
        app.data
            .customers
            .with(|l| l.iter().find(|c| c.id == id).cloned())
    });
    move || match customer.get() {
        None => view! {
            <section class="form-page">
                <h1>{move || i18n.t(Key::CustomerNotFound)}</h1>
                <a href=Route::Customers.href()>{move || i18n.t(Key::BackToList)}</a>
            </section>
        }
        .into_any(),
        Some(c) => {
            let referrer = c.referred_by.and_then(|r| {
                app.data.customers.with_untracked(|l| {
                    l.iter().find(|x| x.id == r).map(|x| (x.id, x.name.clone()))
                })
            });
            let fact = |key: Key, value: String| {
                (!value.trim().is_empty()).then(|| {
                    view! {
                        <div class="fact"><dt>{move || i18n.t(key)}</dt><dd>{value}</dd></div>
                    }
                })
            };
            view! {
                <section class="c360">
                    <div class="page-head">
                        <h1>{c.name.clone()}</h1>
                        <a href=Route::Customers.href()>{move || i18n.t(Key::BackToList)}</a>
                    </div>
                    <nav class="quick-actions" aria-label=move || i18n.t(Key::SalesQuickActions)>
                        <a class="button primary" href=Route::NewSale(Some(id)).href()>{move || i18n.t(Key::SalesNew)}</a>
                        <a class="button" href=Route::CustomerContact(id).href()>{move || i18n.t(Key::PipelineLogContact)}</a>
                        <a class="button" href=Route::CustomerSurvey(id).href()>{move || i18n.t(Key::PipelineRecordSurvey)}</a>
                        <a class="button" href=Route::NewDeal(Some(id)).href()>{move || i18n.t(Key::PipelineNewDeal)}</a>
                        <a class="button" href=Route::Tasks.href()>{move || i18n.t(Key::SalesActionTasks)}</a>
                        <a class="button" href=Route::EditCustomer(id).href()>{move || i18n.t(Key::SalesActionEdit)}</a>
                    </nav>
                    <div class="c360-grid">
                        <section class="card" aria-labelledby="c360-contact">
                            <h2 id="c360-contact">{move || i18n.t(Key::SectionContact)}</h2>
                            <dl class="facts">
                                {fact(Key::FieldPhone, c.phone.clone())}
                                {fact(Key::FieldEmail, c.email.clone())}
                                {fact(Key::FieldOtherContact, c.other_contact.clone())}
                                {fact(Key::FieldCompany, c.company.clone())}
                                {fact(Key::FieldRegion, c.region.clone())}
                                {fact(Key::FieldIndustry, c.industry.clone())}
                                {fact(Key::FieldBirthday, c.birthday.map(|b| b.to_string()).unwrap_or_default())}
                                {fact(Key::FieldTags, c.tags.join(", "))}
                                {referrer.map(|(rid, name)| view! {
                                    <div class="fact"><dt>{move || i18n.t(Key::FieldReferredBy)}</dt>
                                    <dd><a href=Route::Customer(rid).href()>{name}</a></dd></div>
                                })}
                                {c.archived.then(|| view! { <div class="fact"><dt>{move || i18n.t(Key::Archived)}</dt><dd>"✓"</dd></div> })}
                            </dl>
                            {(!c.notes.is_empty()).then(|| view! { <p class="notes">{c.notes.clone()}</p> })}
                        </section>
                        <PointsCard id=id/>
                        <AnalysisCard id=id/>
                    </div>
                    <Timeline id=id/>
                </section>
            }
            .into_any()
        }
    }
}

/// Tier, progress to the next, balance, next expiry, and a hand adjustment.
#[component]
fn PointsCard(id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let facts = Memo::new(move |_| loyalty_facts(app, id));
    let adjust_points = RwSignal::new(String::new());
    let adjust_reason = RwSignal::new(String::new());
    let adjust_error = RwSignal::new(None::<String>);
    let adjust = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let points = match adjust_points.get_untracked().trim().parse::<i64>() {
            Ok(p) if p != 0 => p,
            _ => {
                adjust_error.set(Some(i18n.t(Key::SalesErrAdjustPoints).to_string()));
                return;
            }
        };
        let reason = adjust_reason.get_untracked().trim().to_string();
        if reason.is_empty() {
            adjust_error.set(Some(i18n.t(Key::SalesErrAdjustReason).to_string()));
            return;
        }
        let at = local_now();
        let programme = app.data.loyalty.get_untracked();
        let (checked, pending) = app.data.ledger.with_untracked(|l| {
            let mine = || l.iter().filter(|e| e.customer_id == id);
            (
                check_adjustment(&programme, mine(), at, points),
                points_state(&programme, mine(), at).pending,
            )
        });
        if let Err(e) = checked {
            adjust_error.set(Some(points_error_text(i18n, &e)));
            return;
        }
        adjust_error.set(None);
        let stamp = now();
        let entry =
            |date: NaiveDateTime, kind: LedgerKind, points: i64, reason: String| LedgerEntry {
                id: new_id(),
                customer_id: id,
                date,
                kind,
                points,
                order_id: None,
                reason,
                created_at: stamp,
                updated_at: stamp,
            };
        // Expiries due by now are written first, so the ledger explains the balance.
        let mut changes: Vec<Change> = pending
            .iter()
            .map(|x| {
                Change::Put(Record::Ledger(entry(
                    x.at,
                    LedgerKind::Expired,
                    -x.points,
                    kehu_core::points::EXPIRED_REASON.to_string(),
                )))
            })
            .collect();
        changes.push(Change::Put(Record::Ledger(entry(
            at,
            LedgerKind::Adjustment,
            points,
            reason,
        ))));
        let toasts = use_toasts();
        leptos::task::spawn_local(async move {
            match app.apply(changes).await {
                Ok(()) => {
                    adjust_points.set(String::new());
                    adjust_reason.set(String::new());
                    toasts.info(Key::SalesAdjusted, &[("points", &points.to_string())]);
                }
                Err(e) => toasts.storage_error(&e),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="c360-points">
            <h2 id="c360-points">{move || i18n.t(Key::SalesPointsCard)}</h2>
            {move || {
                let f = facts.get();
                let progress = match &f.next_tier {
                    Some(next) => i18n.tf(Key::SalesToNextTier, &[("amount", &money_in(app, f.to_next)), ("tier", next)]),
                    None => i18n.t(Key::SalesTopTier).to_string(),
                };
                let pct = (f.fraction * 100.0).round();
                view! {
                    <dl class="facts">
                        <div class="fact"><dt>{i18n.t(Key::SalesTier)}</dt><dd class="tier">{f.tier_name.clone()}</dd></div>
                        <div class="fact"><dt>{i18n.t(Key::SalesBalance)}</dt><dd class="balance">{i18n.tf(Key::SalesPointsN, &[("points", &f.balance.to_string())])}</dd></div>
                        <div class="fact"><dt>{i18n.t(Key::SalesSpend12m)}</dt><dd>{money_in(app, f.spend)}</dd></div>
                    </dl>
                    <progress max="100" value=pct aria-label=progress.clone()></progress>
                    <p class="help">{progress}</p>
                    {f.next_expiry.map(|x| view! {
                        <p class="help">{i18n.tf(Key::SalesNextExpiry, &[("points", &x.points.to_string()), ("date", &x.at.date().to_string())])}</p>
                    })}
                }
            }}
            <details class="adjust">
                <summary>{move || i18n.t(Key::SalesAdjustTitle)}</summary>
                <form class="adjust-form" on:submit=adjust novalidate=true>
                    <label>
                        {move || i18n.t(Key::SalesAdjustPoints)}
                        <input type="number" step="1" prop:value=move || adjust_points.get()
                            on:input=move |ev| adjust_points.set(event_target_value(&ev))/>
                    </label>
                    <label>
                        {move || i18n.t(Key::SalesAdjustReason)}
                        <input type="text" prop:value=move || adjust_reason.get()
                            on:input=move |ev| adjust_reason.set(event_target_value(&ev))/>
                    </label>
                    <button type="submit" disabled=move || app.load.get() != LoadState::Ready>{move || i18n.t(Key::SalesAdjustSave)}</button>
                    <p class="error" role="alert">{move || adjust_error.get()}</p>
                </form>
            </details>
        </section>
    }
}

/// RFM segment, lifecycle stage, churn warning and loyalty score, each explainable.
#[component]
fn AnalysisCard(id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let analysis = use_analysis();
    let key = id.to_string();
    view! {
        <section class="card" aria-labelledby="c360-analysis">
            <h2 id="c360-analysis">{move || i18n.t(Key::SalesAnalysisCard)}</h2>
            {move || {
                let key = key.clone();
                let Some(computed) = analysis.get() else {
                    return view! { <p class="loading" role="status">{i18n.t(Key::Loading)}</p> }.into_any();
                };
                let a = match computed.0 {
                    Ok(a) => a,
                    Err(e) => return view! { <p class="error">{i18n.tf(Key::SalesAnalysisFailed, &[("detail", &e.to_string())])}</p> }.into_any(),
                };
                let rfm = a.rfm.customer(&key).map(|r| {
                    i18n.tf(Key::SalesRfmValue, &[
                        ("segment", i18n.t(segment_key(r.segment.id()))),
                        ("r", &r.r.to_string()), ("f", &r.f.to_string()), ("m", &r.m.to_string()),
                    ])
                });
                let stage = a.lifecycle.customer(&key).map(|l| i18n.t(stage_key(l.stage.id())).to_string());
                let churn = a.churn.customer(&key).map(|c| {
                    if c.warning {
                        i18n.tf(Key::SalesChurnWarning, &[("days", &c.days_since_last.to_string()), ("threshold", &format!("{:.0}", c.threshold_days))])
                    } else {
                        i18n.t(Key::SalesChurnNone).to_string()
                    }
                });
                let warned = a.churn.customer(&key).is_some_and(|c| c.warning);
                let loyalty = a.loyalty.customer(&key).map(|l| {
                    let score = format!("{:.0} / 100", l.score);
                    match l.quadrant {
                        Some(q) => format!("{score} · {}", i18n.t(quadrant_key(q))),
                        None => score,
                    }
                });
                let row = |label: Key, value: Option<String>, method: Method, class: &'static str| {
                    let explanation = a.explain(method, &key);
                    view! {
                        <div class=format!("fact {class}")>
                            <dt>{i18n.t(label)}</dt>
                            <dd>{value.unwrap_or_else(|| i18n.t(Key::SalesNoPurchaseYet).to_string())}</dd>
                            {explanation.map(|e| view! { <Explain explanation=e/> })}
                        </div>
                    }
                };
                view! {
                    {warned.then(|| view! { <p class="warning" role="note">{i18n.t(Key::SalesChurnBanner)}</p> })}
                    <dl class="facts analysis">
                        {row(Key::SalesRfmSegment, rfm, Method::Rfm, "rfm")}
                        {row(Key::SalesLifecycle, stage, Method::Lifecycle, "lifecycle")}
                        {row(Key::SalesChurn, churn, Method::Churn, "churn")}
                        {row(Key::SalesLoyaltyScore, loyalty, Method::Loyalty, "loyalty")}
                    </dl>
                }.into_any()
            }}
        </section>
    }
}

/// "How is this computed?": the parameters and each step's formula, inputs and result.
#[component]
fn Explain(explanation: Explanation) -> impl IntoView {
    let i18n = use_i18n();
    let params = explanation
        .parameters
        .iter()
        .map(|t| {
            format!(
                "{} = {}",
                term_name(i18n, &t.name),
                value_text(i18n, &t.value)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <details class="explain">
            <summary>{move || i18n.t(Key::SalesHowComputed)}</summary>
            {(!params.is_empty()).then(|| view! { <p class="params">{params.clone()}</p> })}
            <ol>
                {explanation.steps.into_iter().map(|s| {
                    let inputs = s.inputs.iter().map(|t| format!("{} = {}", term_name(i18n, &t.name), value_text(i18n, &t.value))).collect::<Vec<_>>().join(", ");
                    view! {
                        <li>
                            <code>{s.formula.clone()}</code>
                            {(!inputs.is_empty()).then(|| view! { <span class="inputs">{inputs}</span> })}
                            <span class="result">{format!("→ {} = {}", term_name(i18n, &s.result.name), value_text(i18n, &s.result.value))}</span>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </details>
    }
}

/// A value of an explanation as text in the current language.
pub(crate) fn value_text(i18n: I18n, v: &Value) -> String {
    match v {
        Value::Int(n) => n.to_string(),
        Value::Money(m) => kehu_core::transactions_csv::format_amount(*m),
        Value::MoneyF(m) => format!("{:.2}", m / 100.0),
        Value::Number(x) => format!("{x:.3}"),
        Value::Percent(p) => format!("{p:.1}%"),
        Value::Days(d) => i18n.tf(Key::SalesDays, &[("n", &d.to_string())]),
        Value::DaysF(d) => i18n.tf(Key::SalesDays, &[("n", &format!("{d:.1}"))]),
        Value::Date(d) => d.to_string(),
        Value::Score(s) => s.to_string(),
        Value::Id(id) => {
            let seg = segment_key(id);
            if seg == Key::SalesUnknown {
                let st = stage_key(id);
                if st == Key::SalesUnknown {
                    id.clone()
                } else {
                    i18n.t(st).to_string()
                }
            } else {
                i18n.t(seg).to_string()
            }
        }
        Value::Text(t) => t.clone(),
        Value::Bool(b) => if *b { "✓" } else { "✗" }.to_string(),
        Value::Missing => "—".to_string(),
    }
}

/// The label of a loyalty quadrant.
fn quadrant_key(q: LoyaltyQuadrant) -> Key {
    match q {
        LoyaltyQuadrant::True => Key::SalesQuadrantTrue,
        LoyaltyQuadrant::Latent => Key::SalesQuadrantLatent,
        LoyaltyQuadrant::Spurious => Key::SalesQuadrantSpurious,
        LoyaltyQuadrant::None => Key::SalesQuadrantNone,
    }
}

/// The label of an explanation's quantity (`recency_days`), or the key in words when it has none.
pub(crate) fn term_name(i18n: I18n, name: &str) -> String {
    let key = match name {
        "as_of" => Key::SalesTermAsOf,
        "bins" => Key::SalesTermBins,
        "customers" => Key::SalesTermCustomers,
        "cut" => Key::SalesTermCut,
        "f" => Key::SalesTermF,
        "frequency" => Key::SalesTermFrequency,
        "grid" => Key::SalesTermGrid,
        "last_purchase" => Key::SalesTermLastPurchase,
        "lower_edge" => Key::SalesTermLowerEdge,
        "m" => Key::SalesTermM,
        "monetary" => Key::SalesTermMonetary,
        "quantile" => Key::SalesTermQuantile,
        "r" => Key::SalesTermR,
        "rank" => Key::SalesTermRank,
        "recency_days" => Key::SalesTermRecencyDays,
        "segment" => Key::SalesTermSegment,
        "upper_edge" => Key::SalesTermUpperEdge,
        "categories" => Key::SalesTermCategories,
        "days_since_first" => Key::SalesTermDaysSinceFirst,
        "days_since_last" => Key::SalesTermDaysSinceLast,
        "holds" => Key::SalesTermHolds,
        "lost_after_days" => Key::SalesTermLostAfterDays,
        "loyal_min_orders" => Key::SalesTermLoyalMinOrders,
        "new_within_days" => Key::SalesTermNewWithinDays,
        "orders" => Key::SalesTermOrders,
        "stage" => Key::SalesTermStage,
        "active_span_days" => Key::SalesTermActiveSpanDays,
        "first_purchase" => Key::SalesTermFirstPurchase,
        "interval_days" => Key::SalesTermIntervalDays,
        "k" => Key::SalesTermK,
        "overdue" => Key::SalesTermOverdue,
        "p_alive" => Key::SalesTermPAlive,
        "p_alive_below" => Key::SalesTermPAliveBelow,
        "purchase_days" => Key::SalesTermPurchaseDays,
        "revenue" => Key::SalesTermRevenue,
        "shop_median_interval" => Key::SalesTermShopMedianInterval,
        "threshold_days" => Key::SalesTermThresholdDays,
        "unlikely_alive" => Key::SalesTermUnlikelyAlive,
        "value_at_risk" => Key::SalesTermValueAtRisk,
        "attitude" => Key::SalesTermAttitude,
        "attitude_high_at" => Key::SalesTermAttitudeHighAt,
        "behaviour" => Key::SalesTermBehaviour,
        "behaviour_high_at" => Key::SalesTermBehaviourHighAt,
        "categories_full" => Key::SalesTermCategoriesFull,
        "interval_cv" => Key::SalesTermIntervalCv,
        "nps" => Key::SalesTermNps,
        "quadrant" => Key::SalesTermQuadrant,
        "recency" => Key::SalesTermRecency,
        "recency_full_days" => Key::SalesTermRecencyFullDays,
        "referrals" => Key::SalesTermReferrals,
        "referrals_full" => Key::SalesTermReferralsFull,
        "regularity" => Key::SalesTermRegularity,
        "repeat" => Key::SalesTermRepeat,
        "satisfaction" => Key::SalesTermSatisfaction,
        "score" => Key::SalesTermScore,
        "tenure" => Key::SalesTermTenure,
        "tenure_full_days" => Key::SalesTermTenureFullDays,
        "w_repeat" => Key::SalesTermWRepeat,
        "w_regularity" => Key::SalesTermWRegularity,
        "w_tenure" => Key::SalesTermWTenure,
        "w_recency" => Key::SalesTermWRecency,
        "w_categories" => Key::SalesTermWCategories,
        "w_referrals" => Key::SalesTermWReferrals,
        "w_nps" => Key::SalesTermWNps,
        "w_satisfaction" => Key::SalesTermWSatisfaction,
        _ => return name.replace(['_', '.'], " "),
    };
    i18n.t(key).to_string()
}

/// The label of an RFM segment id.
pub(crate) fn segment_key(id: &str) -> Key {
    match id {
        "champions" => Key::SalesSegChampions,
        "loyal_customers" => Key::SalesSegLoyalCustomers,
        "potential_loyalists" => Key::SalesSegPotentialLoyalists,
        "new_customers" => Key::SalesSegNewCustomers,
        "promising" => Key::SalesSegPromising,
        "need_attention" => Key::SalesSegNeedAttention,
        "about_to_sleep" => Key::SalesSegAboutToSleep,
        "at_risk" => Key::SalesSegAtRisk,
        "cant_lose_them" => Key::SalesSegCantLoseThem,
        "hibernating" => Key::SalesSegHibernating,
        _ => Key::SalesUnknown,
    }
}

/// The label of a lifecycle stage id.
pub(crate) fn stage_key(id: &str) -> Key {
    match id {
        "potential" => Key::SalesStagePotential,
        "new" => Key::SalesStageNew,
        "active" => Key::SalesStageActive,
        "loyal" => Key::SalesStageLoyal,
        "expanding" => Key::SalesStageExpanding,
        "at_risk" => Key::SalesStageAtRisk,
        "lost" => Key::SalesStageLost,
        _ => Key::SalesUnknown,
    }
}

fn channel_key(c: Channel) -> Key {
    match c {
        Channel::Phone => Key::SalesChannelPhone,
        Channel::Email => Key::SalesChannelEmail,
        Channel::FaceToFace => Key::SalesChannelFaceToFace,
        Channel::InstantMessaging => Key::SalesChannelIm,
        Channel::SocialMedia => Key::SalesChannelSocial,
        Channel::ServiceCentre => Key::SalesChannelServiceCentre,
        Channel::FeedbackForm => Key::SalesChannelFeedbackForm,
        Channel::Survey => Key::SalesChannelSurvey,
        Channel::Event => Key::SalesChannelEvent,
    }
}

fn deal_stage_key(s: DealStage) -> Key {
    match s {
        DealStage::Prospecting => Key::SalesDealProspecting,
        DealStage::Qualifying => Key::SalesDealQualifying,
        DealStage::Approaching => Key::SalesDealApproaching,
        DealStage::Negotiating => Key::SalesDealNegotiating,
        DealStage::HandlingObjections => Key::SalesDealObjections,
        DealStage::Won => Key::SalesDealWon,
        DealStage::AfterSales => Key::SalesDealAfterSales,
        DealStage::Lost => Key::SalesDealLost,
    }
}

/// One line of the timeline.
#[derive(Clone, Debug, PartialEq)]
enum Event {
    Order {
        id: Uuid,
        amount: i64,
        category: String,
        redeemed: i64,
    },
    Contact {
        channel: Channel,
        summary: String,
    },
    DealMove {
        title: String,
        from: Option<DealStage>,
        to: DealStage,
    },
    Survey {
        nps: u8,
        comment: String,
    },
    Points {
        kind: LedgerKind,
        points: i64,
        reason: String,
    },
}

/// Every order, contact, deal move, survey answer and points entry of customer `id`, newest first
/// (a survey, which has only a day, counts from the start of that day; deal moves at local time).
fn timeline(
    id: Uuid,
    orders: &[Order],
    interactions: &[Interaction],
    deals: &[Deal],
    surveys: &[SurveyResponse],
    ledger: &[LedgerEntry],
) -> Vec<(NaiveDateTime, Event)> {
    let mut out: Vec<(NaiveDateTime, Event)> = Vec::new();
    out.extend(orders.iter().filter(|o| o.customer_id == id).map(|o| {
        (
            o.date,
            Event::Order {
                id: o.id,
                amount: o.amount,
                category: o.category.clone(),
                redeemed: o.points_redeemed,
            },
        )
    }));
    out.extend(
        interactions
            .iter()
            .filter(|x| x.customer_id == id)
            .map(|x| {
                (
                    x.date,
                    Event::Contact {
                        channel: x.channel,
                        summary: x.summary.clone(),
                    },
                )
            }),
    );
    for deal in deals.iter().filter(|x| x.customer_id == id) {
        out.extend(deal.history.iter().map(|h| {
            (
                h.at.with_timezone(&chrono::Local).naive_local(),
                Event::DealMove {
                    title: deal.title.clone(),
                    from: h.from,
                    to: h.to,
                },
            )
        }));
    }
    out.extend(surveys.iter().filter(|x| x.customer_id == id).map(|x| {
        (
            x.date.and_time(NaiveTime::MIN),
            Event::Survey {
                nps: x.nps,
                comment: x.comment.clone(),
            },
        )
    }));
    out.extend(ledger.iter().filter(|x| x.customer_id == id).map(|x| {
        (
            x.date,
            Event::Points {
                kind: x.kind,
                points: x.points,
                reason: x.reason.clone(),
            },
        )
    }));
    // Stable: at the same moment, the order above (sale before its points) is kept.
    crate::sort::sort_by(&mut out, &|a, b| b.0.cmp(&a.0));
    out
}

/// Orders, contacts, deal moves, surveys and points of one customer, newest first.
#[component]
fn Timeline(id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let d = app.data;
    let events = Memo::new(move |_| {
        d.orders.with(|orders| {
            d.interactions.with(|interactions| {
                d.deals.with(|deals| {
                    d.surveys.with(|surveys| {
                        d.ledger.with(|ledger| {
                            timeline(id, orders, interactions, deals, surveys, ledger)
                        })
                    })
                })
            })
        })
    });
    view! {
        <section class="card timeline" aria-labelledby="c360-timeline">
            <h2 id="c360-timeline">{move || i18n.t(Key::SalesTimeline)}</h2>
            <Show when=move || events.with(Vec::is_empty)>
                <p class="help">{move || i18n.t(Key::SalesTimelineEmpty)}</p>
            </Show>
            <ol class="events" aria-label=move || i18n.t(Key::SalesTimeline)>
                {move || events.get().into_iter().map(|(at, e)| {
                    let when = at.format("%Y-%m-%d %H:%M").to_string();
                    let (class, text) = match e {
                        Event::Order { id, amount, category, redeemed } => {
                            let mut t = i18n.tf(Key::SalesEventOrder, &[("amount", &money_in(app, amount)), ("category", &category)]);
                            if redeemed > 0 {
                                t.push_str(&i18n.tf(Key::SalesEventOrderRedeemed, &[("points", &redeemed.to_string())]));
                            }
                            return view! {
                                <li class="event order">
                                    <time>{when}</time>
                                    <a href=Route::EditSale(id).href()>{t}</a>
                                </li>
                            }.into_any();
                        }
                        Event::Contact { channel, summary } => ("contact", i18n.tf(Key::SalesEventContact, &[("channel", i18n.t(channel_key(channel))), ("summary", &summary)])),
                        Event::DealMove { title, from, to } => ("deal", match from {
                            Some(f) => i18n.tf(Key::SalesEventDealMove, &[("title", &title), ("from", i18n.t(deal_stage_key(f))), ("to", i18n.t(deal_stage_key(to)))]),
                            None => i18n.tf(Key::SalesEventDealNew, &[("title", &title), ("to", i18n.t(deal_stage_key(to)))]),
                        }),
                        Event::Survey { nps, comment } => ("survey", i18n.tf(Key::SalesEventSurvey, &[("nps", &nps.to_string()), ("comment", &comment)])),
                        Event::Points { kind, points, reason } => ("points", i18n.tf(Key::SalesEventPoints, &[
                            ("kind", i18n.t(ledger_kind_key(kind))),
                            ("points", &format!("{points:+}")),
                            ("reason", &reason),
                        ])),
                    };
                    view! {
                        <li class=format!("event {class}")>
                            <time>{when}</time>
                            <span>{text}</span>
                        </li>
                    }.into_any()
                }).collect_view()}
            </ol>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};
    use kehu_core::{Direction, Purpose, SatisfactionScores, StageChange, Timestamp};

    fn day(d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, d)
            .and_then(|x| x.and_hms_opt(h, 0, 0))
            .unwrap_or_default()
    }

    #[test]
    fn one_timeline_of_every_kind_newest_first_for_one_customer() {
        let me = Uuid::from_u128(1);
        let other = Uuid::from_u128(2);
        let t0 = Timestamp::default();
        let order = |customer_id, date| Order {
            id: Uuid::from_u128(10),
            customer_id,
            date,
            amount: 2_800,
            category: "Tea".into(),
            quantity: 1,
            note: String::new(),
            points_redeemed: 0,
            created_at: t0,
            updated_at: t0,
        };
        let orders = [order(me, day(1, 10)), order(other, day(9, 10))];
        let interactions = [Interaction {
            id: Uuid::from_u128(11),
            customer_id: me,
            date: day(3, 9),
            channel: Channel::Phone,
            direction: Direction::Outbound,
            purpose: Purpose::FollowUp,
            summary: "called".into(),
            outcome: String::new(),
            follow_up: None,
            created_at: t0,
            updated_at: t0,
        }];
        let moved = chrono::Local
            .from_local_datetime(&day(4, 12))
            .single()
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_default();
        let deals = [Deal {
            id: Uuid::from_u128(12),
            customer_id: me,
            title: "Catering".into(),
            value: 100_000,
            stage: DealStage::Qualifying,
            expected_close: None,
            objections: Vec::new(),
            sale_id: None,
            history: vec![StageChange {
                from: Some(DealStage::Prospecting),
                to: DealStage::Qualifying,
                at: moved,
            }],
            created_at: t0,
            updated_at: t0,
        }];
        let surveys = [SurveyResponse {
            id: Uuid::from_u128(13),
            customer_id: me,
            date: NaiveDate::from_ymd_opt(2026, 3, 5).unwrap_or_default(),
            nps: 9,
            scores: SatisfactionScores {
                reliability: 5,
                professionalism: 4,
                tangibles: 4,
                empathy: 5,
                responsiveness: 4,
            },
            comment: String::new(),
            created_at: t0,
            updated_at: t0,
        }];
        let ledger = [LedgerEntry {
            id: Uuid::from_u128(14),
            customer_id: me,
            date: day(1, 10),
            kind: LedgerKind::Earned,
            points: 28,
            order_id: Some(Uuid::from_u128(10)),
            reason: String::new(),
            created_at: t0,
            updated_at: t0,
        }];
        let events = timeline(me, &orders, &interactions, &deals, &surveys, &ledger);
        let kinds: Vec<(NaiveDateTime, &str)> = events
            .iter()
            .map(|(at, e)| {
                let k = match e {
                    Event::Order { .. } => "order",
                    Event::Contact { .. } => "contact",
                    Event::DealMove { .. } => "deal",
                    Event::Survey { .. } => "survey",
                    Event::Points { .. } => "points",
                };
                (*at, k)
            })
            .collect();
        assert_eq!(
            kinds,
            vec![
                (day(5, 0), "survey"),
                (day(4, 12), "deal"),
                (day(3, 9), "contact"),
                (day(1, 10), "order"),
                (day(1, 10), "points"),
            ]
        );
    }
}
