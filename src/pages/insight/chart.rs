//! Charts drawn as SVG by Leptos: a bar chart (vertical or horizontal) and the frame every chart
//! sits in: a title, a description for screen readers, and a "Show as table" switch whose table
//! shows the very numbers the chart draws.

use leptos::prelude::*;

use crate::i18n::{use_i18n, Key};

/// One bar: its label, the value that sets its length, and that value as shown to people.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    /// Label on the category axis.
    pub label: String,
    /// Length of the bar (may be negative: a month of refunds).
    pub value: f64,
    /// The value as text, shown by the bar and in the table.
    pub text: String,
}

/// A link from a chart to the page that explains it (the dashboard's charts link to their
/// method pages).
#[derive(Clone, Debug, PartialEq)]
pub struct ChartLink {
    /// Where it goes.
    pub href: String,
    /// What it says (its accessible name).
    pub text: String,
}

/// Width of every chart's drawing, in SVG units; it scales to the page's width.
pub const WIDTH: f64 = 400.0;

/// A chart's frame: heading, the chart (or its table) and the switch between them.
#[component]
pub fn ChartFrame(
    /// Id prefix, unique on the page.
    id: &'static str,
    /// The chart's title (also its heading).
    title: String,
    /// Column headings of the table.
    headers: Vec<String>,
    /// The table's rows: the same numbers the chart draws.
    rows: Vec<Vec<String>>,
    /// A link to the page that explains the chart.
    #[prop(optional_no_strip)]
    link: Option<ChartLink>,
    /// The SVG.
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let as_table = RwSignal::new(false);
    let heading = format!("{id}-heading");
    let labelled = heading.clone();
    view! {
        <figure class="chart" aria-labelledby=labelled>
            <div class="chart-head">
                <h2 id=heading>{title.clone()}</h2>
                {link.map(|l| view! { <a class="chart-more no-print" href=l.href>{l.text}</a> })}
                <button
                    type="button"
                    class="link-button no-print"
                    aria-pressed=move || if as_table.get() { "true" } else { "false" }
                    on:click=move |_| as_table.update(|t| *t = !*t)
                >
                    {move || i18n.t(Key::InsightShowTable)}
                </button>
            </div>
            <div class="chart-svg" hidden=move || as_table.get()>{children()}</div>
            <div class="table-scroll chart-table" hidden=move || !as_table.get()>
                <table>
                    <caption>{title}</caption>
                    <thead>
                        <tr>{headers.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}</tr>
                    </thead>
                    <tbody>
                        {rows
                            .into_iter()
                            .map(|r| {
                                let mut cells = r.into_iter();
                                let first = cells.next().unwrap_or_default();
                                view! {
                                    <tr>
                                        <th scope="row">{first}</th>
                                        {cells.map(|c| view! { <td>{c}</td> }).collect_view()}
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </figure>
    }
}

/// Where zero and the scale of a value axis fall for `values`, over `length` units.
fn scale(values: impl Iterator<Item = f64>, length: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for v in values {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    let span = hi - lo;
    if span <= 0.0 {
        return (0.0, 0.0);
    }
    let per = length / span;
    (-lo * per, per)
}

/// A vertical bar chart (one bar per category, left to right).
#[component]
pub fn ColumnChart(
    /// Id prefix, unique on the page.
    id: &'static str,
    /// The chart's title for screen readers.
    title: String,
    /// What the chart shows, in words.
    desc: String,
    /// Category axis label.
    x_label: String,
    /// Value axis label.
    y_label: String,
    /// The bars.
    bars: Vec<Bar>,
) -> impl IntoView {
    let (left, top, plot_h, bottom) = (8.0, 24.0, 180.0, 44.0);
    let plot_w = WIDTH - left - 8.0;
    let height = top + plot_h + bottom;
    let (zero, per) = scale(bars.iter().map(|b| b.value), plot_h);
    let base = top + plot_h - zero;
    let n = bars.len().max(1) as f64;
    let slot = plot_w / n;
    let bar_w = (slot * 0.7).max(1.0);
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let labelled = format!("{title_id} {desc_id}");
    let many = bars.len() > 8;
    view! {
        <svg
            class="chart-drawing"
            viewBox=format!("0 0 {WIDTH} {height}")
            role="img"
            aria-labelledby=labelled
        >
            <title id=title_id>{title}</title>
            <desc id=desc_id>{desc}</desc>
            <text class="axis-label" x=left y="12">{y_label}</text>
            <line class="axis" x1=left y1=base x2=WIDTH - 8.0 y2=base/>
            {bars
                .into_iter()
                .enumerate()
                .map(|(i, b)| {
                    let x = left + slot * i as f64 + (slot - bar_w) / 2.0;
                    let h = (b.value * per).abs();
                    let y = if b.value >= 0.0 { base - h } else { base };
                    let cx = x + bar_w / 2.0;
                    let value_y = if b.value >= 0.0 { y - 3.0 } else { y + h + 10.0 };
                    view! {
                        <g class="bar">
                            <rect x=x y=y width=bar_w height=h.max(0.5)/>
                            {(!many).then(|| view! { <text class="value" x=cx y=value_y text-anchor="middle">{b.text.clone()}</text> })}
                            <text class="tick" x=cx y=top + plot_h + 14.0 text-anchor="middle">{b.label}</text>
                        </g>
                    }
                })
                .collect_view()}
            <text class="axis-label" x=WIDTH / 2.0 y=height - 6.0 text-anchor="middle">{x_label}</text>
        </svg>
    }
}

/// A horizontal bar chart (one row per category, top to bottom).
#[component]
pub fn RowChart(
    /// Id prefix, unique on the page.
    id: &'static str,
    /// The chart's title for screen readers.
    title: String,
    /// What the chart shows, in words.
    desc: String,
    /// Category axis label.
    y_label: String,
    /// Value axis label.
    x_label: String,
    /// The bars.
    bars: Vec<Bar>,
) -> impl IntoView {
    let (label_w, top, row_h, value_w) = (130.0, 22.0, 22.0, 70.0);
    let plot_w = WIDTH - label_w - value_w;
    let height = top + row_h * bars.len() as f64 + 24.0;
    let (zero, per) = scale(bars.iter().map(|b| b.value), plot_w);
    let base = label_w + zero;
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let labelled = format!("{title_id} {desc_id}");
    let axis_bottom = top + row_h * bars.len() as f64;
    view! {
        <svg
            class="chart-drawing"
            viewBox=format!("0 0 {WIDTH} {height}")
            role="img"
            aria-labelledby=labelled
        >
            <title id=title_id>{title}</title>
            <desc id=desc_id>{desc}</desc>
            <text class="axis-label" x="0" y="12">{y_label}</text>
            <line class="axis" x1=base y1=top x2=base y2=axis_bottom/>
            {bars
                .into_iter()
                .enumerate()
                .map(|(i, b)| {
                    let y = top + row_h * i as f64;
                    let w = (b.value * per).abs();
                    let x = if b.value >= 0.0 { base } else { base - w };
                    view! {
                        <g class="bar">
                            <text class="tick" x=label_w - 6.0 y=y + row_h * 0.65 text-anchor="end">{b.label}</text>
                            <rect x=x y=y + 3.0 width=w.max(0.5) height=row_h - 6.0/>
                            <text class="value" x=x + w + 4.0 y=y + row_h * 0.65>{b.text}</text>
                        </g>
                    }
                })
                .collect_view()}
            <text class="axis-label" x=label_w + plot_w / 2.0 y=height - 6.0 text-anchor="middle">{x_label}</text>
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::scale;

    #[test]
    fn the_scale_fits_positive_and_negative_values() {
        assert_eq!(scale([0.0, 50.0, 100.0].into_iter(), 200.0), (0.0, 2.0));
        let (zero, per) = scale([-50.0, 150.0].into_iter(), 200.0);
        assert_eq!((zero, per), (50.0, 1.0));
        assert_eq!(scale(std::iter::empty(), 200.0), (0.0, 0.0));
    }
}
