//! Loyalty points maths: the tier a customer reaches from rolling 12-month spend, and the points an
//! order earns at that tier.
//!
//! Money is in minor units with 100 minor units per major unit (fen per yuan, cents per dollar).

use chrono::{Months, NaiveDateTime};

use crate::model::{LoyaltyProgramme, Money, Tier};

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
}
