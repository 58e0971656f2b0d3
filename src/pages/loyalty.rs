//! The points and tiers programme: points per currency unit, tiers on rolling 12-month spend with a
//! multiplier each, birthday and referral bonuses, and how long points last. Checked by the core
//! before it is stored; every sale after the change earns by the new rules.

use leptos::prelude::*;

use kehu_core::points::{validate_programme, ProgrammeError, EXPIRED_REASON};
use kehu_core::transactions_csv::{format_amount, parse_amount};
use kehu_core::{LoyaltyProgramme, Tier};

use crate::components::toast::use_toasts;
use crate::i18n::{use_i18n, I18n, Key};
use crate::state::use_app;
use crate::storage::{Change, Record};

/// One tier as typed.
#[derive(Clone, Debug, PartialEq)]
struct TierRow {
    id: u32,
    name: String,
    threshold: String,
    multiplier: String,
}

/// The loyalty settings page.
#[component]
pub fn LoyaltyPage() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let start = app.data.loyalty.get_untracked();
    let per_unit = RwSignal::new(start.points_per_unit.to_string());
    let birthday = RwSignal::new(start.birthday_bonus.to_string());
    let referral = RwSignal::new(start.referral_bonus.to_string());
    let expiry = RwSignal::new(
        start
            .expiry_months
            .map(|m| m.to_string())
            .unwrap_or_default(),
    );
    let rows = RwSignal::new(
        start
            .tiers
            .iter()
            .enumerate()
            .map(|(i, t)| TierRow {
                id: i as u32,
                name: t.name.clone(),
                threshold: format_amount(t.threshold),
                multiplier: t.multiplier.to_string(),
            })
            .collect::<Vec<_>>(),
    );
    let next_id = StoredValue::new(start.tiers.len() as u32);
    // Loading demo data (or another tab's change) replaces the programme: show that one.
    Effect::new(move |prev: Option<()>| {
        let p = app.data.loyalty.get();
        if prev.is_some() {
            per_unit.set(p.points_per_unit.to_string());
            birthday.set(p.birthday_bonus.to_string());
            referral.set(p.referral_bonus.to_string());
            expiry.set(p.expiry_months.map(|m| m.to_string()).unwrap_or_default());
            rows.set(
                p.tiers
                    .iter()
                    .enumerate()
                    .map(|(i, t)| TierRow {
                        id: i as u32,
                        name: t.name.clone(),
                        threshold: format_amount(t.threshold),
                        multiplier: t.multiplier.to_string(),
                    })
                    .collect(),
            );
            next_id.set_value(p.tiers.len() as u32);
        }
    });
    let errors = RwSignal::new(Vec::<String>::new());

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut problems = Vec::new();
        let number = |s: &str| s.trim().parse::<f64>().ok();
        let int = |s: &str| s.trim().parse::<i64>().ok();
        let points_per_unit = number(&per_unit.get_untracked()).unwrap_or(f64::NAN);
        let birthday_bonus = int(&birthday.get_untracked());
        let referral_bonus = int(&referral.get_untracked());
        if birthday_bonus.is_none() || referral_bonus.is_none() {
            problems.push(i18n.t(Key::SalesLoyaltyErrBonus).to_string());
        }
        let expiry_text = expiry.get_untracked();
        let expiry_months = if expiry_text.trim().is_empty() {
            None
        } else {
            match expiry_text.trim().parse::<u32>() {
                Ok(m) => Some(m),
                Err(_) => {
                    problems.push(i18n.t(Key::SalesLoyaltyErrExpiry).to_string());
                    None
                }
            }
        };
        let mut tiers = Vec::new();
        for (i, r) in rows.get_untracked().iter().enumerate() {
            let threshold = parse_amount(&r.threshold);
            let multiplier = number(&r.multiplier);
            if threshold.is_err() {
                problems.push(i18n.tf(
                    Key::SalesLoyaltyErrThresholdText,
                    &[("n", &(i + 1).to_string())],
                ));
            }
            if multiplier.is_none() {
                problems.push(i18n.tf(
                    Key::SalesLoyaltyErrMultiplierText,
                    &[("n", &(i + 1).to_string())],
                ));
            }
            tiers.push(Tier {
                name: r.name.trim().to_string(),
                threshold: threshold.unwrap_or(0),
                multiplier: multiplier.unwrap_or(1.0),
            });
        }
        let mut programme = LoyaltyProgramme {
            points_per_unit,
            tiers,
            birthday_bonus: birthday_bonus.unwrap_or(0),
            referral_bonus: referral_bonus.unwrap_or(0),
            expiry_months,
        };
        if problems.is_empty() {
            problems.extend(
                validate_programme(&programme)
                    .iter()
                    .map(|e| programme_error(i18n, e)),
            );
        }
        errors.set(problems);
        if !errors.with_untracked(Vec::is_empty) {
            return;
        }
        crate::sort::sort_by(&mut programme.tiers, &|a, b| a.threshold.cmp(&b.threshold));
        let toasts = use_toasts();
        leptos::task::spawn_local(async move {
            match app
                .apply(vec![Change::Put(Record::Loyalty(programme))])
                .await
            {
                Ok(()) => toasts.info(Key::SalesLoyaltySaved, &[]),
                Err(e) => toasts.storage_error(&e),
            }
        });
    };

    let simple = move |key: Key,
                       help: Option<Key>,
                       sig: RwSignal<String>,
                       id: &'static str,
                       mode: &'static str| {
        view! {
            <div class="field">
                <label for=id>{move || i18n.t(key)}</label>
                <input id=id type="text" inputmode=mode prop:value=move || sig.get()
                    on:input=move |ev| sig.set(event_target_value(&ev))/>
                {help.map(|h| view! { <p class="help">{move || i18n.t(h)}</p> })}
            </div>
        }
    };

    view! {
        <section class="form-page loyalty">
            <h1>{move || i18n.t(Key::SalesLoyaltyTitle)}</h1>
            <p class="help">{move || i18n.t(Key::SalesLoyaltyIntro)}</p>
            <form on:submit=save novalidate=true>
                <fieldset>
                    <legend>{move || i18n.t(Key::SalesLoyaltyRules)}</legend>
                    {simple(Key::SalesLoyaltyPerUnit, Some(Key::SalesLoyaltyPerUnitHelp), per_unit, "loyalty-per-unit", "decimal")}
                    {simple(Key::SalesLoyaltyBirthday, Some(Key::SalesLoyaltyBirthdayHelp), birthday, "loyalty-birthday", "numeric")}
                    {simple(Key::SalesLoyaltyReferral, Some(Key::SalesLoyaltyReferralHelp), referral, "loyalty-referral", "numeric")}
                    {simple(Key::SalesLoyaltyExpiry, Some(Key::SalesLoyaltyExpiryHelp), expiry, "loyalty-expiry", "numeric")}
                </fieldset>
                <fieldset class="tiers">
                    <legend>{move || i18n.t(Key::SalesLoyaltyTiers)}</legend>
                    <p class="help">{move || i18n.t(Key::SalesLoyaltyTiersHelp)}</p>
                    <For
                        each=move || rows.get()
                        key=|r| r.id
                        children=move |r: TierRow| {
                            let rid = r.id;
                            let pos = move || rows.with(|l| l.iter().position(|x| x.id == rid).map_or(0, |p| p + 1)).to_string();
                            let update = move |f: &dyn Fn(&mut TierRow)| rows.update(|l| {
                                if let Some(x) = l.iter_mut().find(|x| x.id == rid) { f(x); }
                            });
                            view! {
                                <div class="tier-row" role="group" aria-label=move || i18n.tf(Key::SalesLoyaltyTierN, &[("n", &pos())])>
                                    <label>
                                        {move || i18n.t(Key::SalesLoyaltyTierName)}
                                        <input type="text" value=r.name.clone()
                                            on:input=move |ev| { let v = event_target_value(&ev); update(&|x| x.name = v.clone()) }/>
                                    </label>
                                    <label>
                                        {move || i18n.t(Key::SalesLoyaltyTierThreshold)}
                                        <input type="text" inputmode="decimal" value=r.threshold.clone()
                                            on:input=move |ev| { let v = event_target_value(&ev); update(&|x| x.threshold = v.clone()) }/>
                                    </label>
                                    <label>
                                        {move || i18n.t(Key::SalesLoyaltyTierMultiplier)}
                                        <input type="text" inputmode="decimal" value=r.multiplier.clone()
                                            on:input=move |ev| { let v = event_target_value(&ev); update(&|x| x.multiplier = v.clone()) }/>
                                    </label>
                                    <button type="button" class="link"
                                        aria-label=move || i18n.tf(Key::SalesLoyaltyRemoveTier, &[("n", &pos())])
                                        on:click=move |_| rows.update(|l| l.retain(|x| x.id != rid))>
                                        {move || i18n.t(Key::Remove)}
                                    </button>
                                </div>
                            }
                        }
                    />
                    <button type="button" on:click=move |_| {
                        let id = next_id.get_value();
                        next_id.set_value(id + 1);
                        rows.update(|l| l.push(TierRow { id, name: String::new(), threshold: String::new(), multiplier: "1".into() }));
                    }>{move || i18n.t(Key::SalesLoyaltyAddTier)}</button>
                </fieldset>
                <ul class="form-errors" role="alert">
                    {move || errors.get().into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}
                </ul>
                <div class="actions">
                    <button type="submit" class="primary">{move || i18n.t(Key::Save)}</button>
                </div>
            </form>
            <p class="help">{move || i18n.tf(Key::SalesLoyaltyExpiryNote, &[("reason", EXPIRED_REASON)])}</p>
        </section>
    }
}

/// The message for a programme problem.
fn programme_error(i18n: I18n, e: &ProgrammeError) -> String {
    let n = |k: Key, n: usize| i18n.tf(k, &[("n", &n.to_string())]);
    match e {
        ProgrammeError::PointsPerUnit(_) => i18n.t(Key::SalesLoyaltyErrPerUnit).to_string(),
        ProgrammeError::NoTiers => i18n.t(Key::SalesLoyaltyErrNoTiers).to_string(),
        ProgrammeError::TierName(i) => n(Key::SalesLoyaltyErrTierName, *i),
        ProgrammeError::TierThreshold(i) => n(Key::SalesLoyaltyErrThresholdText, *i),
        ProgrammeError::TierMultiplier(i) => n(Key::SalesLoyaltyErrMultiplierText, *i),
        ProgrammeError::TierRepeated(i) => n(Key::SalesLoyaltyErrRepeated, *i),
        ProgrammeError::NoBaseTier => i18n.t(Key::SalesLoyaltyErrBase).to_string(),
        ProgrammeError::NegativeBonus => i18n.t(Key::SalesLoyaltyErrBonus).to_string(),
        ProgrammeError::Expiry(_) => i18n.t(Key::SalesLoyaltyErrExpiry).to_string(),
    }
}
