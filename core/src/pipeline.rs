//! The sales development process (客户开发流程): moving deals between stages, the board's column
//! totals and the conversion rate between consecutive stages.
//!
//! The process stages, in order, are prospecting 寻找客户 → qualifying 识别客户 → approaching 接近客户
//! → negotiating 洽谈 → handling objections 处理异议 → won 成交 → after-sales 售后. `Lost` 丢单 is
//! not a process stage: a deal can be lost from any stage and reopened to the stage it left.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::model::{Deal, DealStage, Money, Order, StageChange, Timestamp};

/// The process stages in order (every stage but `Lost`).
pub const PROCESS: [DealStage; 7] = [
    DealStage::Prospecting,
    DealStage::Qualifying,
    DealStage::Approaching,
    DealStage::Negotiating,
    DealStage::HandlingObjections,
    DealStage::Won,
    DealStage::AfterSales,
];

impl DealStage {
    /// Position in the process (0 = prospecting … 6 = after-sales); `None` for `Lost`.
    pub fn process_index(self) -> Option<usize> {
        PROCESS.iter().position(|s| *s == self)
    }

    /// The next process stage; `None` after after-sales and for `Lost`.
    pub fn next(self) -> Option<DealStage> {
        self.process_index()
            .and_then(|i| PROCESS.get(i + 1))
            .copied()
    }

    /// The previous process stage; `None` at prospecting and for `Lost`.
    pub fn previous(self) -> Option<DealStage> {
        self.process_index()
            .and_then(|i| i.checked_sub(1))
            .and_then(|i| PROCESS.get(i))
            .copied()
    }

    /// The stable name used in data files and form values (`handling_objections`).
    pub fn as_str(self) -> &'static str {
        match self {
            DealStage::Prospecting => "prospecting",
            DealStage::Qualifying => "qualifying",
            DealStage::Approaching => "approaching",
            DealStage::Negotiating => "negotiating",
            DealStage::HandlingObjections => "handling_objections",
            DealStage::Won => "won",
            DealStage::AfterSales => "after_sales",
            DealStage::Lost => "lost",
        }
    }

    /// The stage named by [`DealStage::as_str`].
    pub fn parse(s: &str) -> Option<DealStage> {
        DealStage::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// True for won and after-sales: the deal became a sale.
    pub fn is_won(self) -> bool {
        matches!(self, DealStage::Won | DealStage::AfterSales)
    }
}

/// Why a deal could not be moved or turned into a sale.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DealError {
    /// The deal is already in the stage asked for.
    #[error("the deal is already in stage {0:?}")]
    SameStage(DealStage),
    /// A sale is created only from a won (or after-sales) deal.
    #[error("only a won deal can create its sale; this deal is in stage {0:?}")]
    NotWon(DealStage),
    /// The deal already created its sale.
    #[error("this deal already created its sale ({0})")]
    SaleExists(Uuid),
    /// A sale must have a positive amount.
    #[error("the deal's value must be above zero to create a sale, not {0}")]
    NoValue(Money),
}

/// The deal moved to `to` at `at`, with the move appended to its history.
///
/// # Errors
/// [`DealError::SameStage`] when the deal already is in `to` (nothing to record).
pub fn move_deal(deal: &Deal, to: DealStage, at: Timestamp) -> Result<Deal, DealError> {
    if deal.stage == to {
        return Err(DealError::SameStage(to));
    }
    let mut moved = deal.clone();
    moved.history.push(StageChange {
        from: Some(deal.stage),
        to,
        at,
    });
    moved.stage = to;
    moved.updated_at = at;
    Ok(moved)
}

/// The stage a lost deal is reopened to: the stage it was in when it was lost (prospecting when the
/// history does not say). For a deal that is not lost, `None`.
pub fn reopen_stage(deal: &Deal) -> Option<DealStage> {
    if deal.stage != DealStage::Lost {
        return None;
    }
    Some(
        deal.history
            .iter()
            .rev()
            .find(|c| c.to == DealStage::Lost)
            .and_then(|c| c.from)
            .filter(|s| *s != DealStage::Lost)
            .unwrap_or(DealStage::Prospecting),
    )
}

/// The sale a won deal creates: an order for the deal's customer with the deal's value, dated
/// `date`, and the deal with `sale_id` set. Store both in one transaction.
///
/// # Errors
/// [`DealError::NotWon`] unless the deal is won or after-sales, [`DealError::SaleExists`] when it
/// already created one, [`DealError::NoValue`] when its value is not above zero.
pub fn sale_from_deal(
    deal: &Deal,
    order_id: Uuid,
    date: chrono::NaiveDateTime,
    now: Timestamp,
) -> Result<(Order, Deal), DealError> {
    if !deal.stage.is_won() {
        return Err(DealError::NotWon(deal.stage));
    }
    if let Some(id) = deal.sale_id {
        return Err(DealError::SaleExists(id));
    }
    if deal.value <= 0 {
        return Err(DealError::NoValue(deal.value));
    }
    let order = Order {
        id: order_id,
        customer_id: deal.customer_id,
        date,
        amount: deal.value,
        category: deal.title.clone(),
        quantity: 1,
        note: String::new(),
        points_redeemed: 0,
        created_at: now,
        updated_at: now,
    };
    let mut updated = deal.clone();
    updated.sale_id = Some(order_id);
    updated.updated_at = now;
    Ok((order, updated))
}

/// One column of the board: how many deals are in a stage and their total value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnTotal {
    pub stage: DealStage,
    /// Deals in the stage now.
    pub count: usize,
    /// Sum of their values, minor units (saturating).
    pub value: Money,
}

/// Count and value of the deals in each stage, in [`DealStage::ALL`] order (lost last).
pub fn column_totals<'a>(deals: impl IntoIterator<Item = &'a Deal>) -> Vec<ColumnTotal> {
    let mut totals: Vec<ColumnTotal> = DealStage::ALL
        .iter()
        .map(|&stage| ColumnTotal {
            stage,
            count: 0,
            value: 0,
        })
        .collect();
    for d in deals {
        if let Some(t) = totals.iter_mut().find(|t| t.stage == d.stage) {
            t.count += 1;
            t.value = t.value.saturating_add(d.value);
        }
    }
    totals
}

/// The furthest process stage a deal ever reached, by its history.
///
/// A deal **reached** a process stage *s* when some entry of its history moved it to *s* or to a
/// later process stage: jumping forward (e.g. created directly in negotiating) counts as passing
/// through the stages skipped, moving back does not undo having reached a stage, and moves to
/// `Lost` reach nothing. A deal without history (e.g. imported) counts as having reached its
/// current stage. `None` when it never was in a process stage (only ever lost).
pub fn furthest_stage(deal: &Deal) -> Option<usize> {
    let from_history = deal
        .history
        .iter()
        .filter_map(|c| c.to.process_index())
        .max();
    if deal.history.is_empty() {
        deal.stage.process_index()
    } else {
        from_history
    }
}

/// The conversion from one process stage to the next.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Conversion {
    /// Stage k.
    pub from: DealStage,
    /// Stage k + 1.
    pub to: DealStage,
    /// Deals that reached stage k.
    pub reached: usize,
    /// Of those, deals that also reached stage k + 1.
    pub converted: usize,
    /// `converted / reached` in 0–1; `None` when no deal reached stage k.
    pub rate: Option<f64>,
}

/// The conversion rate between each pair of consecutive process stages (six pairs, prospecting →
/// qualifying … won → after-sales), computed from the deals' histories.
///
/// The rate from stage k to k + 1 is the share of the deals that reached stage k that later reached
/// stage k + 1, "reached" as [`furthest_stage`] defines it: a deal counts in `reached` for every
/// stage up to its furthest one, and in `converted` for every stage before its furthest one. Deals
/// still open count as not (yet) converted; lost deals count for the stages they reached before
/// they were lost.
pub fn conversion_rates<'a>(deals: impl IntoIterator<Item = &'a Deal>) -> Vec<Conversion> {
    // reached_at_least[k] = deals whose furthest stage is ≥ k.
    let mut furthest_count = [0usize; PROCESS.len()];
    for d in deals {
        if let Some(k) = furthest_stage(d) {
            furthest_count[k] += 1;
        }
    }
    let mut reached_at_least = [0usize; PROCESS.len()];
    let mut running = 0;
    for k in (0..PROCESS.len()).rev() {
        running += furthest_count[k];
        reached_at_least[k] = running;
    }
    (0..PROCESS.len() - 1)
        .map(|k| {
            let reached = reached_at_least[k];
            let converted = reached_at_least[k + 1];
            Conversion {
                from: PROCESS[k],
                to: PROCESS[k + 1],
                reached,
                converted,
                rate: (reached > 0).then(|| converted as f64 / reached as f64),
            }
        })
        .collect()
}

/// The day a deal entered its current stage (its last history entry), if its history says.
pub fn in_stage_since(deal: &Deal) -> Option<NaiveDate> {
    deal.history
        .last()
        .filter(|c| c.to == deal.stage)
        .map(|c| c.at.date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32) -> Timestamp {
        format!("2026-03-{day:02}T10:00:00Z")
            .parse()
            .unwrap_or_default()
    }

    fn deal(n: u128, path: &[DealStage]) -> Deal {
        let mut d = Deal {
            id: Uuid::from_u128(n),
            customer_id: Uuid::from_u128(1000 + n),
            title: format!("deal {n}"),
            value: 10_000 * n as i64,
            stage: path[0],
            expected_close: None,
            objections: Vec::new(),
            history: vec![StageChange {
                from: None,
                to: path[0],
                at: at(1),
            }],
            sale_id: None,
            created_at: at(1),
            updated_at: at(1),
        };
        for (i, s) in path.iter().enumerate().skip(1) {
            d = move_deal(&d, *s, at(1 + i as u32)).unwrap_or_else(|e| panic!("{e}"));
        }
        d
    }

    use DealStage::*;

    #[test]
    fn next_and_previous_follow_the_process_and_skip_lost() {
        assert_eq!(Prospecting.next(), Some(Qualifying));
        assert_eq!(HandlingObjections.next(), Some(Won));
        assert_eq!(Won.next(), Some(AfterSales));
        assert_eq!(AfterSales.next(), None);
        assert_eq!(Lost.next(), None);
        assert_eq!(Prospecting.previous(), None);
        assert_eq!(AfterSales.previous(), Some(Won));
        assert_eq!(Lost.previous(), None);
        for s in DealStage::ALL {
            assert_eq!(DealStage::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn a_move_is_recorded_in_the_history() {
        let d = deal(1, &[Prospecting, Qualifying, Prospecting]);
        assert_eq!(d.stage, Prospecting);
        assert_eq!(d.history.len(), 3);
        assert_eq!(d.history[1].from, Some(Prospecting));
        assert_eq!(d.history[1].to, Qualifying);
        assert_eq!(d.history[2].from, Some(Qualifying));
        assert_eq!(d.history[2].at, at(3));
        assert_eq!(d.updated_at, at(3));
        assert_eq!(
            move_deal(&d, Prospecting, at(9)),
            Err(DealError::SameStage(Prospecting))
        );
    }

    #[test]
    fn a_lost_deal_reopens_where_it_was_lost() {
        let d = deal(1, &[Prospecting, Negotiating, Lost]);
        assert_eq!(reopen_stage(&d), Some(Negotiating));
        assert_eq!(reopen_stage(&deal(2, &[Negotiating])), None);
        let mut bare = deal(3, &[Lost]);
        bare.history.clear();
        assert_eq!(reopen_stage(&bare), Some(Prospecting));
    }

    #[test]
    fn column_totals_count_and_sum_each_stage() {
        let deals = [
            deal(1, &[Prospecting]),
            deal(2, &[Prospecting]),
            deal(3, &[Prospecting, Won]),
            deal(4, &[Prospecting, Lost]),
        ];
        let t = column_totals(&deals);
        assert_eq!(t.len(), 8);
        assert_eq!(
            t[0],
            ColumnTotal {
                stage: Prospecting,
                count: 2,
                value: 30_000
            }
        );
        assert_eq!(t[5].count, 1);
        assert_eq!(t[5].value, 30_000);
        assert_eq!(t[7].stage, Lost);
        assert_eq!(t[7].value, 40_000);
        assert_eq!(t[1].count, 0);
    }

    #[test]
    fn conversion_rates_follow_the_histories() {
        // Four deals start prospecting; three reach qualifying (one of them by jumping straight to
        // negotiating, one moved back afterwards); one of those is lost at qualifying; two reach
        // negotiating; one is won.
        let deals = [
            deal(1, &[Prospecting, Lost]),
            deal(2, &[Prospecting, Qualifying, Prospecting]),
            deal(3, &[Prospecting, Negotiating]),
            deal(
                4,
                &[
                    Prospecting,
                    Qualifying,
                    Approaching,
                    Negotiating,
                    HandlingObjections,
                    Won,
                ],
            ),
        ];
        let c = conversion_rates(&deals);
        assert_eq!(c.len(), 6);
        assert_eq!((c[0].from, c[0].to), (Prospecting, Qualifying));
        assert_eq!((c[0].reached, c[0].converted), (4, 3));
        assert_eq!(c[0].rate, Some(0.75));
        // qualifying → approaching: deals 2, 3, 4 reached qualifying; 3 and 4 went further.
        assert_eq!((c[1].reached, c[1].converted), (3, 2));
        // approaching → negotiating: 3 (jump) and 4.
        assert_eq!((c[2].reached, c[2].converted), (2, 2));
        assert_eq!(c[2].rate, Some(1.0));
        // negotiating → handling objections: only 4.
        assert_eq!((c[3].reached, c[3].converted), (2, 1));
        assert_eq!(c[3].rate, Some(0.5));
        assert_eq!((c[4].reached, c[4].converted), (1, 1));
        // won → after-sales: deal 4 is won but not (yet) in after-sales.
        assert_eq!((c[5].from, c[5].to), (Won, AfterSales));
        assert_eq!((c[5].reached, c[5].converted), (1, 0));
        assert_eq!(c[5].rate, Some(0.0));
    }

    #[test]
    fn conversion_without_deals_has_no_rate() {
        let c = conversion_rates(&[]);
        assert!(c.iter().all(|c| c.rate.is_none() && c.reached == 0));
        // A deal only ever lost reached no stage.
        let mut lost = deal(1, &[Lost]);
        assert_eq!(furthest_stage(&lost), None);
        // Without history the current stage counts as reached.
        lost.history.clear();
        lost.stage = Approaching;
        assert_eq!(furthest_stage(&lost), Some(2));
        assert_eq!(conversion_rates([&lost])[1].converted, 1);
    }

    #[test]
    fn a_won_deal_creates_its_sale_once() {
        let won = deal(2, &[Prospecting, Won]);
        let date = chrono::NaiveDate::from_ymd_opt(2026, 3, 9)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .unwrap_or_default();
        let (order, updated) = sale_from_deal(&won, Uuid::from_u128(77), date, at(9))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(order.customer_id, won.customer_id);
        assert_eq!(order.amount, 20_000);
        assert_eq!(order.date, date);
        assert_eq!(updated.sale_id, Some(Uuid::from_u128(77)));
        assert_eq!(
            sale_from_deal(&updated, Uuid::from_u128(78), date, at(9)),
            Err(DealError::SaleExists(Uuid::from_u128(77)))
        );
        let open = deal(3, &[Prospecting]);
        assert_eq!(
            sale_from_deal(&open, Uuid::from_u128(79), date, at(9)),
            Err(DealError::NotWon(Prospecting))
        );
        let mut free = won.clone();
        free.value = 0;
        assert_eq!(
            sale_from_deal(&free, Uuid::from_u128(80), date, at(9)),
            Err(DealError::NoValue(0))
        );
    }
}
