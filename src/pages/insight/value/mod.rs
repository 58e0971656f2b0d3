//! The value pages of the insight area: customer lifetime value (BG/NBD, Gamma-Gamma and the
//! textbook formula), loyalty (score, quadrant, tiers) and satisfaction (NPS over time, CSI), each
//! in the shell every method page shares ([`super::method_page`]).

pub mod clv;
pub mod loyalty;
pub mod satisfaction;

use std::collections::HashMap;

use leptos::prelude::*;

use kehu_core::analytics::explain::Step;
use kehu_core::AnalysisSettings;

use super::save_analysis;
use super::teach::{term, value};
use crate::i18n::{use_i18n, I18n, Key};
use crate::pages::sales::{customer_label, money_in};
use crate::state::AppState;

/// `x` with six significant digits (never fewer than four), without needless exponent notation.
pub fn sig(x: f64) -> String {
    if !x.is_finite() {
        return "—".into();
    }
    if x == 0.0 {
        return "0".into();
    }
    let magnitude = x.abs().log10().floor() as i32;
    if (-3..6).contains(&magnitude) {
        let decimals = (5 - magnitude).max(0) as usize;
        format!("{x:.decimals$}")
    } else {
        format!("{x:.5e}")
    }
}

/// An amount in major units (yuan) as money in the workspace's currency.
pub fn major(app: AppState, x: f64) -> String {
    let minor = (x * 100.0).round();
    let minor = if minor.is_finite() {
        minor.clamp(i64::MIN as f64, i64::MAX as f64) as i64
    } else {
        0
    };
    money_in(app, minor)
}

/// How many of `values` fall in each of `bins` equal bins over [lo, hi]; `hi` counts in the last.
pub fn histogram(values: impl Iterator<Item = f64>, bins: usize, lo: f64, hi: f64) -> Vec<u32> {
    let mut out = vec![0u32; bins.max(1)];
    let width = (hi - lo) / out.len() as f64;
    for v in values.filter(|v| v.is_finite()) {
        let i = if width > 0.0 {
            ((v - lo) / width).floor().max(0.0) as usize
        } else {
            0
        };
        let last = out.len() - 1;
        out[i.min(last)] += 1;
    }
    out
}

/// Each customer's label by id text.
pub fn names(app: AppState) -> HashMap<String, String> {
    app.data.customers.with_untracked(|cs| {
        cs.iter()
            .map(|c| (c.id.to_string(), customer_label(c)))
            .collect()
    })
}

/// The label of a quantity of the value pages' explanations.
pub fn value_term(i18n: I18n, name: &str) -> String {
    if let Some(d) = name.strip_prefix("csi_") {
        return format!("CSI · {}", i18n.t(dimension_key(d)));
    }
    let key = match name {
        "promoters" => Key::ValueTermPromoters,
        "passives" => Key::ValueTermPassives,
        "detractors" => Key::ValueTermDetractors,
        "responses" => Key::ValueTermResponses,
        "promoters_share" => Key::ValueTermPromotersShare,
        "detractors_share" => Key::ValueTermDetractorsShare,
        "mean" => Key::ValueTermMean,
        "csi" => Key::ValueTermCsi,
        "w_reliability" => Key::ValueWReliability,
        "w_professionalism" => Key::ValueWProfessionalism,
        "w_tangibles" => Key::ValueWTangibles,
        "w_empathy" => Key::ValueWEmpathy,
        "w_responsiveness" => Key::ValueWResponsiveness,
        "x" => Key::ValueTermX,
        "t_x" => Key::ValueTermTx,
        "big_t" => Key::ValueTermT,
        "m" => Key::ValueTermM,
        "t" => Key::ValueTermHorizonPeriods,
        "expected_purchases" => Key::ValueColExpectedPurchases,
        "expected_spend" => Key::ValueColExpectedSpend,
        "clv" => Key::ValueColClv,
        "months" => Key::ValueHorizonMonths,
        "d" => Key::ValueTermD,
        "k" => Key::ValueTermK,
        "alpha" => return "α".into(),
        "r" | "a" | "b" | "p" | "q" | "v" => return name.into(),
        _ => return term(i18n, name),
    };
    i18n.t(key).to_string()
}

/// The label of a CSI dimension id.
pub fn dimension_key(id: &str) -> Key {
    match id {
        "reliability" => Key::PipelineDimReliability,
        "professionalism" => Key::PipelineDimProfessionalism,
        "tangibles" => Key::PipelineDimTangibles,
        "empathy" => Key::PipelineDimEmpathy,
        _ => Key::PipelineDimResponsiveness,
    }
}

/// A worked example's steps: formula, inputs, result.
pub fn steps_view(i18n: I18n, steps: Vec<Step>) -> impl IntoView {
    view! {
        <ol class="steps">
            {steps
                .into_iter()
                .map(|s| {
                    let inputs = s
                        .inputs
                        .iter()
                        .map(|t| format!("{} = {}", value_term(i18n, &t.name), value(i18n, &t.value)))
                        .collect::<Vec<_>>()
                        .join(", ");
                    view! {
                        <li>
                            <code>{s.formula}</code>
                            {(!inputs.is_empty()).then(|| view! { <span class="inputs">{inputs}</span> })}
                            <span class="result">
                                {format!("→ {} = {}", value_term(i18n, &s.result.name), value(i18n, &s.result.value))}
                            </span>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

/// A number field of the analysis settings: shows `get`, and on a change that `parse` accepts
/// saves it with `set` at once; otherwise shows `parse`'s message in `error` (shown in the element
/// `described_by`).
pub fn number_field(
    id: &'static str,
    described_by: &'static str,
    label: Key,
    get: fn(&AnalysisSettings) -> f64,
    parse: fn(I18n, f64) -> Result<f64, String>,
    set: fn(&mut AnalysisSettings, f64),
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let app = crate::state::use_app();
    let shown = move || app.data.settings.with(|s| sig_plain(get(&s.analysis)));
    view! {
        <div class="field">
            <label for=id>{move || i18n.t(label)}</label>
            <input
                id=id
                type="number"
                step="any"
                inputmode="decimal"
                aria-describedby=described_by
                prop:value=shown
                on:change=move |ev| {
                    let text = event_target_value(&ev);
                    let parsed = text
                        .trim()
                        .replace(',', ".")
                        .parse::<f64>()
                        .ok()
                        .filter(|x| x.is_finite());
                    match parsed.map(|x| parse(i18n, x)) {
                        Some(Ok(x)) => {
                            error.set(None);
                            save_analysis(move |s| set(s, x));
                        }
                        Some(Err(e)) => error.set(Some(e)),
                        None => {
                            error.set(Some(i18n.tf(Key::ValueNotANumber, &[("text", text.trim())])))
                        }
                    }
                }
            />
        </div>
    }
}

/// A settings number as typed: no trailing zeros.
fn sig_plain(x: f64) -> String {
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" {
        "0".into()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn significant_digits() {
        assert_eq!(sig(0.2425), "0.242500");
        assert_eq!(sig(4.41359), "4.41359");
        assert_eq!(sig(-9582.43), "-9582.43");
        assert_eq!(sig(15.4432), "15.4432");
        assert_eq!(sig(123456.7), "123457");
        assert_eq!(sig(0.0001234567), "1.23457e-4");
        assert_eq!(sig(0.0), "0");
    }

    #[test]
    fn histogram_bins() {
        let h = histogram(
            [0.0, 0.05, 0.1, 0.55, 1.0, f64::NAN].into_iter(),
            10,
            0.0,
            1.0,
        );
        assert_eq!(h, vec![2, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
        assert_eq!(sig_plain(0.01), "0.01");
        assert_eq!(sig_plain(12.0), "12");
    }
}
