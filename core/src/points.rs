//! Loyalty points maths: the tier a customer reaches from rolling 12-month spend, and the points an
//! order earns at that tier.
//!
//! Money is in minor units with 100 minor units per major unit (fen per yuan, cents per dollar).

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, Months, NaiveDateTime};
use uuid::Uuid;

use crate::model::{
    Customer, LedgerEntry, LedgerKind, LoyaltyProgramme, Money, Order, Tier, Timestamp,
};

/// Minor units in one major unit (fen per yuan).
pub const MINOR_PER_MAJOR: i64 = 100;

/// Tolerance added before rounding points down, so that products such as 25 × 1.2 (which is
/// 29.999999999999996 in binary floating point) give the 30 points a person expects.
const ROUNDING_SLACK: f64 = 1e-9;

/// The index in `programme.tiers` of the highest tier whose threshold `spend` reaches; 0 when
/// none does (or there are no tiers).
pub fn tier_index(programme: &LoyaltyProgramme, spend: Money) -> usize {
    programme
        .tiers
        .iter()
        .enumerate()
        .filter(|(_, t)| spend >= t.threshold)
        .max_by_key(|(_, t)| t.threshold)
        .map_or(0, |(i, _)| i)
}

/// The tier reached by `spend` over the last 12 months; `None` only when the programme has no tiers.
pub fn tier_for_spend(programme: &LoyaltyProgramme, spend: Money) -> Option<&Tier> {
    programme.tiers.get(tier_index(programme, spend))
}

/// The points multiplier at the tier reached by `spend` (1 when the programme has no tiers).
pub fn multiplier(programme: &LoyaltyProgramme, spend: Money) -> f64 {
    tier_for_spend(programme, spend).map_or(1.0, |t| t.multiplier)
}

/// Points earned by an order of `amount` (minor units) by a customer whose spend over the 12 months
/// before the order is `spend_12m`: ⌊amount in major units × points per unit × tier multiplier⌋.
/// Refunds and free orders (amount ≤ 0) earn nothing.
pub fn points_earned(programme: &LoyaltyProgramme, amount: Money, spend_12m: Money) -> i64 {
    if amount <= 0 {
        return 0;
    }
    let major = amount as f64 / MINOR_PER_MAJOR as f64;
    let raw = major * programme.points_per_unit * multiplier(programme, spend_12m);
    if raw.is_finite() && raw > 0.0 {
        (raw + ROUNDING_SLACK).floor() as i64
    } else {
        0
    }
}

/// The start of the rolling 12-month window that ends at `at`: the same moment 12 months earlier
/// (the end of February when that day does not exist).
pub fn window_start(at: NaiveDateTime) -> NaiveDateTime {
    at.checked_sub_months(Months::new(12))
        .unwrap_or(NaiveDateTime::MIN)
}

/// The spend (refunds subtract) of the orders dated in `[at − 12 months, at)`: what decides the
/// tier of a purchase made at `at`.
pub fn rolling_spend(
    orders: impl IntoIterator<Item = (NaiveDateTime, Money)>,
    at: NaiveDateTime,
) -> Money {
    let start = window_start(at);
    orders
        .into_iter()
        .filter(|(d, _)| *d >= start && *d < at)
        .map(|(_, a)| a)
        .sum()
}

/// Fen (minor units) a redeemed point takes off the price: 100 points = ¥1, as in the demo data.
pub const MINOR_PER_POINT: i64 = 1;

/// The reason written on a birthday bonus entry (the demo data writes the same text).
pub const BIRTHDAY_REASON: &str = "生日礼 Birthday bonus";
/// The reason written on a referral bonus entry.
pub const REFERRAL_REASON: &str = "推荐好友 Referral bonus";
/// The reason written on points earned with a purchase.
pub const EARNED_REASON: &str = "消费积分 Purchase";
/// The reason written on points redeemed on a purchase.
pub const REDEEMED_REASON: &str = "积分抵扣 Points redeemed";
/// The reason written on points taken back for a refund (the demo data writes the same text).
pub const REFUND_REASON: &str = "退款扣回 Refund";
/// The reason written on points that expired.
pub const EXPIRED_REASON: &str = "积分过期 Points expired";

/// Where a customer stands between tiers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TierProgress {
    /// Rolling 12-month spend, minor units.
    pub spend: Money,
    /// Index of the tier reached in `programme.tiers`.
    pub tier: usize,
    /// Index of the next tier up, if any.
    pub next: Option<usize>,
    /// Spend still needed to reach the next tier (0 at the top).
    pub to_next: Money,
    /// Share of the way from this tier's threshold to the next one, 0–1 (1 at the top).
    pub fraction: f64,
}

/// The tier `spend` reaches and how far it is to the next one. Tiers are taken in threshold order,
/// whatever order the programme lists them in.
pub fn tier_progress(programme: &LoyaltyProgramme, spend: Money) -> TierProgress {
    let tier = tier_index(programme, spend);
    let here = programme.tiers.get(tier).map_or(0, |t| t.threshold);
    let next = programme
        .tiers
        .iter()
        .enumerate()
        .filter(|(_, t)| t.threshold > spend.max(here))
        .min_by_key(|(_, t)| t.threshold)
        .map(|(i, _)| i);
    match next.and_then(|i| programme.tiers.get(i).map(|t| (i, t.threshold))) {
        Some((i, threshold)) => {
            let span = (threshold - here).max(1) as f64;
            TierProgress {
                spend,
                tier,
                next: Some(i),
                to_next: threshold - spend,
                fraction: ((spend - here).max(0) as f64 / span).clamp(0.0, 1.0),
            }
        }
        None => TierProgress {
            spend,
            tier,
            next: None,
            to_next: 0,
            fraction: 1.0,
        },
    }
}

/// Points that expired (or will expire) on one date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expiry {
    /// The moment the points expire: their earning moment plus `expiry_months`.
    pub at: NaiveDateTime,
    /// How many points (positive).
    pub points: i64,
}

/// A customer's points as of one moment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PointsState {
    /// Balance after every recorded entry up to the moment and every expiry due by then.
    pub balance: i64,
    /// Expiries due by the moment that the ledger does not record yet, oldest first; writing them
    /// as [`LedgerKind::Expired`] entries (dated at their `at`) keeps the balance the same.
    pub pending: Vec<Expiry>,
    /// The next points to expire after the moment, if any.
    pub next: Option<Expiry>,
}

/// One parcel of points, consumed oldest first.
struct Lot {
    expires: Option<NaiveDateTime>,
    left: i64,
}

/// The balance of one customer's `entries` as of `as_of`, with expiry: each positive entry is a lot
/// that expires `expiry_months` after its date; every negative entry (redeemed, taken back,
/// expired) uses up the oldest lots first, so the oldest points are the ones that expire.
///
/// Entries are taken in date order (ties: recorded entries before the expiries due at the same
/// moment, so an [`LedgerKind::Expired`] entry written at its expiry moment is not counted twice);
/// entries after `as_of` are ignored. The same entries and moment always give the same result.
pub fn points_state<'a>(
    programme: &LoyaltyProgramme,
    entries: impl IntoIterator<Item = &'a LedgerEntry>,
    as_of: NaiveDateTime,
) -> PointsState {
    let mut list: Vec<&LedgerEntry> = entries.into_iter().filter(|e| e.date <= as_of).collect();
    // Credits before debits at the same moment, then by id, so the order never depends on input.
    list.sort_by_key(|e| (e.date, e.points < 0, e.id));
    let lifetime = programme.expiry_months.map(Months::new);
    let expires_at = |d: NaiveDateTime| lifetime.and_then(|m| d.checked_add_months(m));
    let mut lots: std::collections::VecDeque<Lot> = std::collections::VecDeque::new();
    let mut balance = 0_i64;
    let mut pending = Vec::new();
    let expire_until = |lots: &mut std::collections::VecDeque<Lot>,
                        until: NaiveDateTime,
                        inclusive: bool,
                        balance: &mut i64,
                        pending: &mut Vec<Expiry>| {
        // Lots are in earning order, so their expiry moments ascend too.
        while let Some(lot) = lots.front() {
            let due = match lot.expires {
                Some(at) if at < until || (inclusive && at == until) => at,
                _ => break,
            };
            if lot.left > 0 {
                *balance -= lot.left;
                match pending.last_mut() {
                    Some(Expiry { at, points }) if *at == due => *points += lot.left,
                    _ => pending.push(Expiry {
                        at: due,
                        points: lot.left,
                    }),
                }
            }
            lots.pop_front();
        }
    };
    for e in list {
        // Expiries strictly before this entry happen first; those at the same moment after it.
        expire_until(&mut lots, e.date, false, &mut balance, &mut pending);
        balance += e.points;
        if e.points > 0 {
            lots.push_back(Lot {
                expires: expires_at(e.date),
                left: e.points,
            });
        } else {
            let mut owed = -e.points;
            for lot in lots.iter_mut() {
                if owed == 0 {
                    break;
                }
                let take = lot.left.min(owed);
                lot.left -= take;
                owed -= take;
            }
            while lots.front().is_some_and(|l| l.left == 0) {
                lots.pop_front();
            }
        }
    }
    expire_until(&mut lots, as_of, true, &mut balance, &mut pending);
    let next = lots
        .iter()
        .find(|l| l.left > 0)
        .and_then(|l| l.expires)
        .map(|at| Expiry {
            at,
            points: lots
                .iter()
                .filter(|l| l.left > 0 && l.expires == Some(at))
                .map(|l| l.left)
                .sum(),
        });
    PointsState {
        balance,
        pending,
        next,
    }
}

/// Why a sale's points cannot be booked as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PointsError {
    /// Points to redeem below zero.
    #[error("points to redeem cannot be negative ({0})")]
    NegativeRedeem(i64),
    /// More points asked than the customer has.
    #[error("the customer has {available} points; {asked} cannot be redeemed")]
    NotEnoughPoints { available: i64, asked: i64 },
    /// The points would take off more than the price.
    #[error("{asked} points take off more than the price of {amount} (minor units)")]
    MoreThanPrice { asked: i64, amount: Money },
    /// Changing or removing the sale would leave the balance below zero (its points were used).
    #[error("the balance would fall to {0}: points of this sale were already used")]
    BalanceBelowZero(i64),
}

/// What a sale needs to know about its customer.
#[derive(Debug, Clone, Copy)]
pub struct SaleContext<'a> {
    pub programme: &'a LoyaltyProgramme,
    pub customer: &'a Customer,
    /// The customer's other orders (not the one being booked or edited).
    pub other_orders: &'a [Order],
    /// The customer's ledger without the entries of the sale being booked or edited.
    pub ledger: &'a [LedgerEntry],
    /// Whether the referrer named in `customer.referred_by` exists (the app checks).
    pub referrer_exists: bool,
}

/// The points a sale moves, worked out before it is saved.
#[derive(Debug, Clone, PartialEq)]
pub struct SalePlan {
    /// Price before points, minor units.
    pub gross: Money,
    /// Points redeemed.
    pub redeemed: i64,
    /// What the points take off, minor units.
    pub discount: Money,
    /// Amount paid (stored as the order's amount), minor units.
    pub paid: Money,
    /// Spend over the 12 months before the sale, which decides the tier.
    pub spend_12m: Money,
    /// The tier index and multiplier the points are earned at.
    pub tier: usize,
    pub multiplier: f64,
    /// Points earned on `paid`.
    pub earned: i64,
    /// Points taken back for a refund (a negative amount): what the refunded amount would have
    /// earned at the tier, never more than the balance.
    pub taken_back: i64,
    /// Birthday bonus, when due.
    pub birthday_bonus: i64,
    /// The referrer and their bonus, when due.
    pub referral_bonus: Option<(Uuid, i64)>,
    /// Expiries due by the sale that the ledger does not record yet.
    pub expiries: Vec<Expiry>,
    /// Balance before and after the sale.
    pub balance_before: i64,
    pub balance_after: i64,
}

/// Works out the points of a sale of `gross` (price before points) at `at` with `redeem` points
/// taken off:
/// - points are redeemed before any are earned, at [`MINOR_PER_POINT`] each, never more than the
///   balance (after expiry as of `at`) nor than the price;
/// - points are earned on the amount paid at the multiplier of the tier the customer's spend over
///   the 12 months before the sale reaches ([`points_earned`]); a refund (negative amount) takes
///   back what that amount would earn, as far as the balance allows;
/// - the birthday bonus comes with the first sale in the customer's birthday month each year (a
///   year that already has a birthday bonus entry gets none);
/// - the referral bonus goes to the referrer with the referred customer's FIRST purchase (a sale
///   with a positive amount when the customer has no other order with a positive amount).
///
/// # Errors
/// [`PointsError`] for a negative redemption, more points than the balance or the price.
pub fn plan_sale(
    ctx: SaleContext<'_>,
    at: NaiveDateTime,
    gross: Money,
    redeem: i64,
) -> Result<SalePlan, PointsError> {
    if redeem < 0 {
        return Err(PointsError::NegativeRedeem(redeem));
    }
    let state = points_state(ctx.programme, ctx.ledger, at);
    if redeem > state.balance.max(0) {
        return Err(PointsError::NotEnoughPoints {
            available: state.balance.max(0),
            asked: redeem,
        });
    }
    let discount = redeem.saturating_mul(MINOR_PER_POINT);
    if redeem > 0 && discount > gross {
        return Err(PointsError::MoreThanPrice {
            asked: redeem,
            amount: gross,
        });
    }
    let paid = gross - discount;
    let spend_12m = rolling_spend(ctx.other_orders.iter().map(|o| (o.date, o.amount)), at);
    let tier = tier_index(ctx.programme, spend_12m);
    let earned = points_earned(ctx.programme, paid, spend_12m);
    let taken_back = if gross < 0 {
        points_earned(ctx.programme, -gross, spend_12m).min(state.balance.max(0))
    } else {
        0
    };
    let birthday_bonus = match ctx.customer.birthday {
        Some(b)
            if gross > 0
                && ctx.programme.birthday_bonus > 0
                && b.month() == at.month()
                && !ctx.ledger.iter().any(|e| {
                    e.kind == LedgerKind::Bonus
                        && e.reason == BIRTHDAY_REASON
                        && e.date.year() == at.year()
                }) =>
        {
            ctx.programme.birthday_bonus
        }
        _ => 0,
    };
    let first_purchase = gross > 0 && !ctx.other_orders.iter().any(|o| o.amount > 0);
    let referral_bonus = match ctx.customer.referred_by {
        Some(r)
            if first_purchase
                && ctx.referrer_exists
                && r != ctx.customer.id
                && ctx.programme.referral_bonus > 0 =>
        {
            Some((r, ctx.programme.referral_bonus))
        }
        _ => None,
    };
    let balance_after = state.balance - redeem + earned + birthday_bonus - taken_back;
    if balance_after < 0 {
        return Err(PointsError::BalanceBelowZero(balance_after));
    }
    Ok(SalePlan {
        gross,
        redeemed: redeem,
        discount,
        paid,
        spend_12m,
        tier,
        multiplier: multiplier(ctx.programme, spend_12m),
        earned,
        taken_back,
        birthday_bonus,
        referral_bonus,
        expiries: state.pending,
        balance_before: state.balance,
        balance_after,
    })
}

impl SalePlan {
    /// The ledger entries the sale writes: expiries due (dated when they fell due), redeemed,
    /// earned, the birthday bonus and the referrer's bonus, each tied to the order (expiries are
    /// not, so removing the sale keeps them). `new_id` gives each entry its id.
    pub fn entries(
        &self,
        order_id: Uuid,
        customer_id: Uuid,
        at: NaiveDateTime,
        now: Timestamp,
        mut new_id: impl FnMut() -> Uuid,
    ) -> Vec<LedgerEntry> {
        let mut out = Vec::new();
        let mut push = |customer_id: Uuid,
                        date: NaiveDateTime,
                        kind: LedgerKind,
                        points: i64,
                        order: Option<Uuid>,
                        reason: &str| {
            out.push(LedgerEntry {
                id: new_id(),
                customer_id,
                date,
                kind,
                points,
                order_id: order,
                reason: reason.to_string(),
                created_at: now,
                updated_at: now,
            })
        };
        for x in &self.expiries {
            push(
                customer_id,
                x.at,
                LedgerKind::Expired,
                -x.points,
                None,
                EXPIRED_REASON,
            );
        }
        let o = Some(order_id);
        if self.redeemed > 0 {
            push(
                customer_id,
                at,
                LedgerKind::Redeemed,
                -self.redeemed,
                o,
                REDEEMED_REASON,
            );
        }
        if self.earned > 0 {
            push(
                customer_id,
                at,
                LedgerKind::Earned,
                self.earned,
                o,
                EARNED_REASON,
            );
        }
        if self.taken_back > 0 {
            push(
                customer_id,
                at,
                LedgerKind::Adjustment,
                -self.taken_back,
                o,
                REFUND_REASON,
            );
        }
        if self.birthday_bonus > 0 {
            push(
                customer_id,
                at,
                LedgerKind::Bonus,
                self.birthday_bonus,
                o,
                BIRTHDAY_REASON,
            );
        }
        if let Some((referrer, bonus)) = self.referral_bonus {
            push(referrer, at, LedgerKind::Bonus, bonus, o, REFERRAL_REASON);
        }
        out
    }
}

/// The ledger entries that `imported` orders (e.g. from a CSV file) earn when they are booked as
/// sales: for each customer, the orders in date order, each planned by [`plan_sale`] with no points
/// redeemed, against the customer's stored orders plus the imported ones before it and the
/// customer's ledger plus the entries planned so far. So points are earned at the tier the
/// customer's 12-month spend reaches at each sale, with the birthday and referral bonuses and any
/// expiries due, exactly as recording the sales one by one would book them.
///
/// Orders whose id is among `orders` (an import that changes a stored order) and orders of a
/// customer not in `customers` earn nothing here: their points were booked when they were first
/// recorded. A sale whose points cannot be booked (a refund taking the balance below zero) gets no
/// entries, as in the app's sale form. `new_id` gives each entry its id.
pub fn entries_for_imported_orders(
    programme: &LoyaltyProgramme,
    customers: &[Customer],
    orders: &[Order],
    ledger: &[LedgerEntry],
    imported: &[Order],
    now: Timestamp,
    new_id: &mut dyn FnMut() -> Uuid,
) -> Vec<LedgerEntry> {
    if imported.is_empty() {
        return Vec::new();
    }
    let by_id: HashMap<Uuid, &Customer> = customers.iter().map(|c| (c.id, c)).collect();
    let stored: HashSet<Uuid> = orders.iter().map(|o| o.id).collect();
    let mut todo: Vec<&Order> = imported
        .iter()
        .filter(|o| !stored.contains(&o.id) && by_id.contains_key(&o.customer_id))
        .collect();
    if todo.is_empty() {
        return Vec::new();
    }
    // Only the customers with imported orders (and referrers who may get a bonus) need their
    // records gathered.
    let involved: HashSet<Uuid> = todo
        .iter()
        .flat_map(|o| {
            let referrer = by_id.get(&o.customer_id).and_then(|c| c.referred_by);
            std::iter::once(o.customer_id).chain(referrer)
        })
        .collect();
    let mut their_orders: HashMap<Uuid, Vec<Order>> = HashMap::new();
    for o in orders.iter().filter(|o| involved.contains(&o.customer_id)) {
        their_orders
            .entry(o.customer_id)
            .or_default()
            .push(o.clone());
    }
    let mut their_ledger: HashMap<Uuid, Vec<LedgerEntry>> = HashMap::new();
    for e in ledger.iter().filter(|e| involved.contains(&e.customer_id)) {
        their_ledger
            .entry(e.customer_id)
            .or_default()
            .push(e.clone());
    }
    // Date order (stable: same-moment orders keep the file's order).
    todo.sort_by_key(|o| o.date);
    let mut out = Vec::new();
    for order in todo {
        let Some(customer) = by_id.get(&order.customer_id) else {
            continue;
        };
        let referrer_exists = customer.referred_by.is_some_and(|r| by_id.contains_key(&r));
        let plan = {
            let other_orders = their_orders
                .get(&customer.id)
                .map_or(&[][..], Vec::as_slice);
            let own_ledger = their_ledger
                .get(&customer.id)
                .map_or(&[][..], Vec::as_slice);
            plan_sale(
                SaleContext {
                    programme,
                    customer,
                    other_orders,
                    ledger: own_ledger,
                    referrer_exists,
                },
                order.date,
                order.amount,
                0,
            )
        };
        if let Ok(plan) = plan {
            for entry in plan.entries(order.id, customer.id, order.date, now, &mut *new_id) {
                their_ledger
                    .entry(entry.customer_id)
                    .or_default()
                    .push(entry.clone());
                out.push(entry);
            }
        }
        their_orders
            .entry(customer.id)
            .or_default()
            .push(order.clone());
    }
    out
}

/// Checks a hand adjustment of `points` to a balance as of `at`: it may not take the balance below
/// zero. Returns the balance after it.
///
/// # Errors
/// [`PointsError::BalanceBelowZero`] when it would.
pub fn check_adjustment<'a>(
    programme: &LoyaltyProgramme,
    entries: impl IntoIterator<Item = &'a LedgerEntry>,
    at: NaiveDateTime,
    points: i64,
) -> Result<i64, PointsError> {
    let after = points_state(programme, entries, at).balance + points;
    if after < 0 {
        Err(PointsError::BalanceBelowZero(after))
    } else {
        Ok(after)
    }
}

/// What is wrong with a loyalty programme's settings.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProgrammeError {
    /// Points per currency unit not a positive number.
    #[error("points per unit must be a number above 0, not {0}")]
    PointsPerUnit(f64),
    /// No tier at all.
    #[error("the programme needs at least one tier")]
    NoTiers,
    /// A tier without a name (1-based position).
    #[error("tier {0} has no name")]
    TierName(usize),
    /// A threshold below zero (1-based position).
    #[error("tier {0}: the spend threshold cannot be negative")]
    TierThreshold(usize),
    /// A multiplier not a positive number (1-based position).
    #[error("tier {0}: the multiplier must be a number above 0")]
    TierMultiplier(usize),
    /// Two tiers with the same threshold (1-based position of the second).
    #[error("tier {0} has the same threshold as an earlier tier")]
    TierRepeated(usize),
    /// No tier starts at zero, so new customers would have none.
    #[error("one tier must start at a spend of 0")]
    NoBaseTier,
    /// A bonus below zero.
    #[error("bonuses cannot be negative")]
    NegativeBonus,
    /// Expiry of 0 months (use none instead) or absurdly long.
    #[error("points expiry must be 1 to 120 months, or none")]
    Expiry(u32),
}

/// Every problem with `p`, first problems first; empty when it is fine.
pub fn validate_programme(p: &LoyaltyProgramme) -> Vec<ProgrammeError> {
    let mut out = Vec::new();
    if !(p.points_per_unit.is_finite() && p.points_per_unit > 0.0) {
        out.push(ProgrammeError::PointsPerUnit(p.points_per_unit));
    }
    if p.tiers.is_empty() {
        out.push(ProgrammeError::NoTiers);
    }
    for (i, t) in p.tiers.iter().enumerate() {
        let n = i + 1;
        if t.name.trim().is_empty() {
            out.push(ProgrammeError::TierName(n));
        }
        if t.threshold < 0 {
            out.push(ProgrammeError::TierThreshold(n));
        }
        if !(t.multiplier.is_finite() && t.multiplier > 0.0) {
            out.push(ProgrammeError::TierMultiplier(n));
        }
        if p.tiers[..i].iter().any(|o| o.threshold == t.threshold) {
            out.push(ProgrammeError::TierRepeated(n));
        }
    }
    if !p.tiers.is_empty() && !p.tiers.iter().any(|t| t.threshold == 0) {
        out.push(ProgrammeError::NoBaseTier);
    }
    if p.birthday_bonus < 0 || p.referral_bonus < 0 {
        out.push(ProgrammeError::NegativeBonus);
    }
    if let Some(m) = p.expiry_months {
        if m == 0 || m > 120 {
            out.push(ProgrammeError::Expiry(m));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap()
    }

    #[test]
    fn tiers_by_threshold() {
        let p = LoyaltyProgramme::default();
        assert_eq!(tier_index(&p, 0), 0);
        assert_eq!(tier_index(&p, 199_999), 0);
        assert_eq!(tier_index(&p, 200_000), 1);
        assert_eq!(tier_index(&p, 999_999), 2);
        assert_eq!(tier_index(&p, 5_000_000), 3);
        assert_eq!(tier_index(&p, -500), 0);
        assert_eq!(multiplier(&p, 600_000), 1.5);
        let empty = LoyaltyProgramme {
            tiers: Vec::new(),
            ..LoyaltyProgramme::default()
        };
        assert!(tier_for_spend(&empty, 1).is_none());
        assert_eq!(multiplier(&empty, 1), 1.0);
    }

    #[test]
    fn points_round_down_and_survive_binary_fractions() {
        let p = LoyaltyProgramme::default();
        assert_eq!(points_earned(&p, 2_899, 0), 28);
        // 25 yuan at Silver ×1.2 is 30 points, not 29.
        assert_eq!(points_earned(&p, 2_500, 200_000), 30);
        assert_eq!(points_earned(&p, 3_350, 1_000_000), 67);
        assert_eq!(points_earned(&p, -2_500, 0), 0);
        assert_eq!(points_earned(&p, 0, 0), 0);
        let double = LoyaltyProgramme {
            points_per_unit: 2.0,
            ..LoyaltyProgramme::default()
        };
        assert_eq!(points_earned(&double, 1_050, 500_000), 31);
    }

    #[test]
    fn rolling_window_is_the_twelve_months_before() {
        let orders = [
            (at(2025, 3, 1), 100_000),
            (at(2025, 3, 2), 50_000),
            (at(2026, 2, 28), -10_000),
            (at(2026, 3, 2), 70_000),
        ];
        assert_eq!(rolling_spend(orders, at(2026, 3, 2)), 40_000);
        assert_eq!(rolling_spend(orders, at(2026, 3, 3)), 60_000);
        assert_eq!(window_start(at(2024, 2, 29)), at(2023, 2, 28));
    }

    fn entry(day: NaiveDateTime, kind: LedgerKind, points: i64, n: u128) -> LedgerEntry {
        LedgerEntry {
            id: Uuid::from_u128(n),
            customer_id: Uuid::from_u128(1),
            date: day,
            kind,
            points,
            order_id: None,
            reason: String::new(),
            created_at: Timestamp::default(),
            updated_at: Timestamp::default(),
        }
    }

    fn programme(expiry: Option<u32>) -> LoyaltyProgramme {
        LoyaltyProgramme {
            expiry_months: expiry,
            ..LoyaltyProgramme::default()
        }
    }

    #[test]
    fn progress_to_the_next_tier() {
        let p = LoyaltyProgramme::default();
        let t = tier_progress(&p, 50_000);
        assert_eq!((t.tier, t.next, t.to_next), (0, Some(1), 150_000));
        assert!((t.fraction - 0.25).abs() < 1e-12);
        let t = tier_progress(&p, 500_000);
        assert_eq!((t.tier, t.next, t.to_next), (2, Some(3), 500_000));
        assert_eq!(t.fraction, 0.0);
        let top = tier_progress(&p, 2_000_000);
        assert_eq!((top.tier, top.next, top.to_next), (3, None, 0));
        assert_eq!(top.fraction, 1.0);
        // Tiers listed out of order still climb by threshold.
        let mut shuffled = p.clone();
        shuffled.tiers.swap(1, 3);
        let t = tier_progress(&shuffled, 300_000);
        assert_eq!(shuffled.tiers[t.tier].name, "银卡 Silver");
        assert_eq!(
            t.next.map(|i| shuffled.tiers[i].name.as_str()),
            Some("金卡 Gold")
        );
    }

    #[test]
    fn oldest_points_expire_first() {
        let p = programme(Some(12));
        let ledger = [
            entry(at(2024, 1, 10), LedgerKind::Earned, 100, 1),
            entry(at(2024, 6, 10), LedgerKind::Earned, 50, 2),
            // Takes 60 of the January lot, which keeps 40.
            entry(at(2024, 3, 1), LedgerKind::Redeemed, -60, 3),
        ];
        let before = points_state(&p, &ledger, at(2025, 1, 9));
        assert_eq!(before.balance, 90);
        assert!(before.pending.is_empty());
        assert_eq!(
            before.next,
            Some(Expiry {
                at: at(2025, 1, 10),
                points: 40
            })
        );
        let after = points_state(&p, &ledger, at(2025, 1, 10));
        assert_eq!(after.balance, 50);
        assert_eq!(
            after.pending,
            vec![Expiry {
                at: at(2025, 1, 10),
                points: 40
            }]
        );
        let later = points_state(&p, &ledger, at(2025, 7, 1));
        assert_eq!(later.balance, 0);
        assert_eq!(later.pending.len(), 2);
        // Same inputs in another order, same answer.
        let mut reversed = ledger.clone();
        reversed.reverse();
        assert_eq!(points_state(&p, &reversed, at(2025, 7, 1)), later);
        // Without expiry nothing goes.
        assert_eq!(
            points_state(&programme(None), &ledger, at(2030, 1, 1)).balance,
            90
        );
        // Entries after the moment do not count.
        assert_eq!(points_state(&p, &ledger, at(2024, 2, 1)).balance, 100);
    }

    #[test]
    fn a_recorded_expiry_is_not_counted_twice() {
        let p = programme(Some(12));
        let mut ledger = vec![
            entry(at(2024, 1, 10), LedgerKind::Earned, 100, 1),
            entry(at(2024, 6, 10), LedgerKind::Earned, 50, 2),
        ];
        let due = points_state(&p, &ledger, at(2025, 2, 1));
        assert_eq!(due.balance, 50);
        for x in &due.pending {
            ledger.push(entry(x.at, LedgerKind::Expired, -x.points, 9));
        }
        let recorded = points_state(&p, &ledger, at(2025, 2, 1));
        assert_eq!(recorded.balance, 50);
        assert!(recorded.pending.is_empty());
        assert_eq!(points_state(&p, &ledger, at(2025, 6, 10)).balance, 0);
    }

    fn order(day: NaiveDateTime, amount: Money, n: u128) -> Order {
        Order {
            id: Uuid::from_u128(n),
            customer_id: Uuid::from_u128(1),
            date: day,
            amount,
            category: String::new(),
            quantity: 1,
            note: String::new(),
            points_redeemed: 0,
            created_at: Timestamp::default(),
            updated_at: Timestamp::default(),
        }
    }

    #[test]
    fn a_sale_earns_at_the_tier_and_redeems_first() {
        let p = programme(None);
        let customer = Customer::new(Uuid::from_u128(1), "A", Timestamp::default());
        // 3,000 yuan in the last 12 months: Silver ×1.2.
        let orders = [order(at(2025, 12, 1), 300_000, 10)];
        let ledger = [entry(at(2025, 12, 1), LedgerKind::Earned, 3_000, 11)];
        let ctx = SaleContext {
            programme: &p,
            customer: &customer,
            other_orders: &orders,
            ledger: &ledger,
            referrer_exists: false,
        };
        let plan = plan_sale(ctx, at(2026, 3, 1), 10_000, 500).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan.discount, 500);
        assert_eq!(plan.paid, 9_500);
        assert_eq!(plan.tier, 1);
        assert_eq!(plan.earned, 114); // ⌊95 × 1 × 1.2⌋
        assert_eq!(plan.balance_before, 3_000);
        assert_eq!(plan.balance_after, 3_000 - 500 + 114);
        let entries = plan.entries(
            Uuid::from_u128(20),
            customer.id,
            at(2026, 3, 1),
            Timestamp::default(),
            || Uuid::from_u128(99),
        );
        let kinds: Vec<(LedgerKind, i64)> = entries.iter().map(|e| (e.kind, e.points)).collect();
        assert_eq!(
            kinds,
            vec![(LedgerKind::Redeemed, -500), (LedgerKind::Earned, 114)]
        );
        assert!(entries
            .iter()
            .all(|e| e.order_id == Some(Uuid::from_u128(20))));
        // A year later the spend has left the window: back to Standard.
        let plan = plan_sale(ctx, at(2026, 12, 2), 10_000, 0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((plan.tier, plan.earned), (0, 100));
        // Never more than the balance, nor than the price, nor negative.
        assert_eq!(
            plan_sale(ctx, at(2026, 3, 1), 1_000_000, 3_001),
            Err(PointsError::NotEnoughPoints {
                available: 3_000,
                asked: 3_001
            })
        );
        assert_eq!(
            plan_sale(ctx, at(2026, 3, 1), 1_000, 1_001),
            Err(PointsError::MoreThanPrice {
                asked: 1_001,
                amount: 1_000
            })
        );
        assert_eq!(
            plan_sale(ctx, at(2026, 3, 1), 1_000, -1),
            Err(PointsError::NegativeRedeem(-1))
        );
        // Redeeming everything down to zero is fine.
        let all = plan_sale(ctx, at(2026, 3, 1), 3_000, 3_000).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((all.paid, all.earned, all.balance_after), (0, 0, 0));
    }

    #[test]
    fn expired_points_cannot_be_redeemed_and_are_written_with_the_sale() {
        let p = programme(Some(6));
        let customer = Customer::new(Uuid::from_u128(1), "A", Timestamp::default());
        let ledger = [entry(at(2025, 1, 1), LedgerKind::Earned, 800, 1)];
        let ctx = SaleContext {
            programme: &p,
            customer: &customer,
            other_orders: &[],
            ledger: &ledger,
            referrer_exists: false,
        };
        assert_eq!(
            plan_sale(ctx, at(2025, 8, 1), 10_000, 100),
            Err(PointsError::NotEnoughPoints {
                available: 0,
                asked: 100
            })
        );
        let plan = plan_sale(ctx, at(2025, 8, 1), 10_000, 0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            plan.expiries,
            vec![Expiry {
                at: at(2025, 7, 1),
                points: 800
            }]
        );
        let entries = plan.entries(
            Uuid::from_u128(5),
            customer.id,
            at(2025, 8, 1),
            Timestamp::default(),
            || Uuid::from_u128(7),
        );
        assert_eq!(entries[0].kind, LedgerKind::Expired);
        assert_eq!(
            (entries[0].points, entries[0].date, entries[0].order_id),
            (-800, at(2025, 7, 1), None)
        );
    }

    #[test]
    fn a_refund_takes_back_what_it_earned_as_far_as_the_balance_goes() {
        let p = programme(None);
        let customer = Customer::new(Uuid::from_u128(1), "A", Timestamp::default());
        let ledger = [entry(at(2026, 1, 1), LedgerKind::Earned, 30, 1)];
        let ctx = SaleContext {
            programme: &p,
            customer: &customer,
            other_orders: &[],
            ledger: &ledger,
            referrer_exists: false,
        };
        let refund = plan_sale(ctx, at(2026, 2, 1), -2_000, 0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (refund.paid, refund.earned, refund.taken_back),
            (-2_000, 0, 20)
        );
        assert_eq!(refund.balance_after, 10);
        let entries = refund.entries(
            Uuid::from_u128(5),
            customer.id,
            at(2026, 2, 1),
            Timestamp::default(),
            || Uuid::from_u128(6),
        );
        assert_eq!(
            entries
                .iter()
                .map(|e| (e.kind, e.points))
                .collect::<Vec<_>>(),
            vec![(LedgerKind::Adjustment, -20)]
        );
        let big = plan_sale(ctx, at(2026, 2, 1), -9_000, 0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((big.taken_back, big.balance_after), (30, 0));
        // Points cannot be redeemed on a refund.
        assert_eq!(
            plan_sale(ctx, at(2026, 2, 1), -2_000, 1),
            Err(PointsError::MoreThanPrice {
                asked: 1,
                amount: -2_000
            })
        );
    }

    #[test]
    fn birthday_bonus_once_a_year_in_the_birthday_month() {
        let p = programme(None);
        let mut customer = Customer::new(Uuid::from_u128(1), "A", Timestamp::default());
        customer.birthday = NaiveDate::from_ymd_opt(1990, 5, 17);
        let mut ledger = Vec::new();
        let ctx = |ledger: &[LedgerEntry]| -> i64 {
            let c = SaleContext {
                programme: &p,
                customer: &customer,
                other_orders: &[],
                ledger,
                referrer_exists: false,
            };
            plan_sale(c, at(2026, 5, 3), 1_000, 0).map_or(-1, |pl| pl.birthday_bonus)
        };
        assert_eq!(ctx(&ledger), 100);
        let mut given = entry(at(2026, 5, 1), LedgerKind::Bonus, 100, 3);
        given.reason = BIRTHDAY_REASON.into();
        ledger.push(given.clone());
        assert_eq!(ctx(&ledger), 0);
        // Last year's bonus does not count for this year.
        given.date = at(2025, 5, 1);
        ledger[0] = given;
        assert_eq!(ctx(&ledger), 100);
        let c = SaleContext {
            programme: &p,
            customer: &customer,
            other_orders: &[],
            ledger: &[],
            referrer_exists: false,
        };
        let june = plan_sale(c, at(2026, 6, 3), 1_000, 0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(june.birthday_bonus, 0);
    }

    #[test]
    fn referral_bonus_goes_to_the_referrer_on_the_first_purchase() {
        let p = programme(None);
        let referrer = Uuid::from_u128(2);
        let mut customer = Customer::new(Uuid::from_u128(1), "A", Timestamp::default());
        customer.referred_by = Some(referrer);
        let ctx = SaleContext {
            programme: &p,
            customer: &customer,
            other_orders: &[],
            ledger: &[],
            referrer_exists: true,
        };
        let first = plan_sale(ctx, at(2026, 3, 1), 5_000, 0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first.referral_bonus, Some((referrer, 200)));
        let entries = first.entries(
            Uuid::from_u128(9),
            customer.id,
            at(2026, 3, 1),
            Timestamp::default(),
            || Uuid::from_u128(3),
        );
        let bonus = entries
            .iter()
            .find(|e| e.customer_id == referrer)
            .map(|e| (e.kind, e.points, e.order_id));
        assert_eq!(
            bonus,
            Some((LedgerKind::Bonus, 200, Some(Uuid::from_u128(9))))
        );
        // Not on the second purchase.
        let earlier = [order(at(2026, 2, 1), 3_000, 4)];
        let second = SaleContext {
            other_orders: &earlier,
            ..ctx
        };
        assert_eq!(
            plan_sale(second, at(2026, 3, 1), 5_000, 0).map(|p| p.referral_bonus),
            Ok(None)
        );
        // Not when the referrer is gone, nor for a refund.
        let gone = SaleContext {
            referrer_exists: false,
            ..ctx
        };
        assert_eq!(
            plan_sale(gone, at(2026, 3, 1), 5_000, 0).map(|p| p.referral_bonus),
            Ok(None)
        );
        assert_eq!(
            plan_sale(ctx, at(2026, 3, 1), -5_000, 0).map(|p| p.referral_bonus),
            Ok(None)
        );
    }

    #[test]
    fn adjustments_never_take_the_balance_below_zero() {
        let p = programme(None);
        let ledger = [entry(at(2026, 1, 1), LedgerKind::Earned, 30, 1)];
        assert_eq!(check_adjustment(&p, &ledger, at(2026, 2, 1), -30), Ok(0));
        assert_eq!(
            check_adjustment(&p, &ledger, at(2026, 2, 1), -31),
            Err(PointsError::BalanceBelowZero(-1))
        );
        assert_eq!(check_adjustment(&p, &ledger, at(2026, 2, 1), 70), Ok(100));
    }

    #[test]
    fn programme_settings_are_checked() {
        assert!(validate_programme(&LoyaltyProgramme::default()).is_empty());
        let mut p = LoyaltyProgramme {
            points_per_unit: 0.0,
            ..LoyaltyProgramme::default()
        };
        p.tiers[1].name = " ".into();
        p.tiers[2].threshold = 200_000;
        p.tiers[3].multiplier = f64::NAN;
        p.referral_bonus = -1;
        p.expiry_months = Some(0);
        assert_eq!(
            validate_programme(&p),
            vec![
                ProgrammeError::PointsPerUnit(0.0),
                ProgrammeError::TierName(2),
                ProgrammeError::TierRepeated(3),
                ProgrammeError::TierMultiplier(4),
                ProgrammeError::NegativeBonus,
                ProgrammeError::Expiry(0),
            ]
        );
        p.tiers.retain(|t| t.threshold > 0);
        assert!(validate_programme(&p).contains(&ProgrammeError::NoBaseTier));
        p.tiers.clear();
        assert!(validate_programme(&p).contains(&ProgrammeError::NoTiers));
    }
}
