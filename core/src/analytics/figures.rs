//! Figures the method pages draw from an [`super::Analysis`] that the methods themselves do not
//! total: revenue per lifecycle stage and per value-matrix cell, and the value matrix's scatter
//! reduced to the distinct positions of a drawing, so a chart of 100,000 customers stays light.

use super::history::{clamp_money, Histories};
use super::lifecycle::{Lifecycle, Stage};
use super::value_matrix::{ValueCell, ValueMatrix};
use crate::model::Money;

/// Revenue (refunds subtracted) of the customers in each stage, in [`Stage::ALL`] order.
/// `lifecycle` must come from `histories` (both hold every customer, ascending by id).
pub fn stage_revenue(lifecycle: &Lifecycle, histories: &Histories) -> Vec<Money> {
    let mut sums = [0i128; 7];
    for c in &lifecycle.customers {
        let Some(i) = Stage::ALL.iter().position(|s| *s == c.stage) else {
            continue;
        };
        if let Some(h) = histories.by_id(&c.customer_id) {
            sums[i] += i128::from(h.revenue);
        }
    }
    sums.iter().map(|s| clamp_money(*s)).collect()
}

/// Revenue of the customers in each cell of the value matrix, in [`ValueCell::ALL`] order.
pub fn cell_revenue(matrix: &ValueMatrix, histories: &Histories) -> Vec<Money> {
    let mut sums = [0i128; 4];
    for c in &matrix.customers {
        let Some(i) = ValueCell::ALL.iter().position(|x| *x == c.cell) else {
            continue;
        };
        if let Some(h) = histories.by_id(&c.customer_id) {
            sums[i] += i128::from(h.revenue);
        }
    }
    sums.iter().map(|s| clamp_money(*s)).collect()
}

/// The value matrix as a scatter on a grid of `columns` × `rows` positions.
#[derive(Debug, Clone, PartialEq)]
pub struct Scatter {
    /// Frequency (orders) at the right edge.
    pub frequency_max: f64,
    /// Average order value (minor units) at the top edge.
    pub aov_max: f64,
    /// Customers beyond an edge, drawn on it.
    pub clipped: u32,
    /// Distinct occupied positions `(column, row)`, row 0 at the bottom, in ascending order.
    pub points: Vec<(u16, u16)>,
}

/// The `q`-quantile (0–1) of `v` by the nearest-rank rule; 0 for an empty slice.
fn quantile(v: &mut [f64], q: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let k = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
    let (_, x, _) = v.select_nth_unstable_by(k, f64::total_cmp);
    *x
}

/// Places every customer of `matrix` on a `columns` × `rows` grid (frequency across, AOV up).
/// Each axis runs from 0 to its 95th percentile, or a little past the split if that is larger
/// (so the quadrant lines are always inside); customers beyond are drawn on the edge and counted
/// in [`Scatter::clipped`]. Customers sharing a position are drawn once.
pub fn scatter(matrix: &ValueMatrix, columns: u16, rows: u16) -> Scatter {
    let cols = f64::from(columns.max(1) - 1);
    let rws = f64::from(rows.max(1) - 1);
    let mut f: Vec<f64> = matrix
        .customers
        .iter()
        .map(|c| f64::from(c.frequency))
        .collect();
    let mut a: Vec<f64> = matrix.customers.iter().map(|c| c.aov).collect();
    let frequency_max = quantile(&mut f, 0.95)
        .max(matrix.frequency_split * 1.25)
        .max(1.0);
    let aov_max = quantile(&mut a, 0.95).max(matrix.aov_split * 1.25).max(1.0);
    let mut clipped = 0u32;
    let mut points: Vec<(u16, u16)> = matrix
        .customers
        .iter()
        .map(|c| {
            let (x, y) = (f64::from(c.frequency) / frequency_max, c.aov / aov_max);
            if x > 1.0 || y > 1.0 {
                clipped += 1;
            }
            let at = |v: f64, n: f64| (v.clamp(0.0, 1.0) * n).round() as u16;
            (at(x, cols), at(y, rws))
        })
        .collect();
    points.sort_unstable();
    points.dedup();
    Scatter {
        frequency_max,
        aov_max,
        clipped,
        points,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::analytics::analyze::analyze;
    use crate::demo::{generate, DemoSize};
    use crate::model::AnalysisSettings;
    use chrono::NaiveDate;

    fn demo() -> crate::analytics::Analysis {
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let data = generate(DemoSize::Classroom, 7, as_of);
        analyze(&data, as_of, &AnalysisSettings::default()).unwrap()
    }

    #[test]
    fn stage_and_cell_revenue_add_up_to_all_revenue() {
        let a = demo();
        let total: Money = a.histories.customers.iter().map(|h| h.revenue).sum();
        let stages = stage_revenue(&a.lifecycle, &a.histories);
        assert_eq!(stages.len(), 7);
        assert_eq!(stages.iter().sum::<Money>(), total);
        // Potential customers bought nothing.
        assert_eq!(stages[0], 0);
        let cells = cell_revenue(&a.value_matrix, &a.histories);
        assert_eq!(cells.len(), 4);
        assert_eq!(cells.iter().sum::<Money>(), total);
        // Each cell's revenue is its customers' revenue.
        let best: Money = a
            .value_matrix
            .customers
            .iter()
            .filter(|c| c.cell == ValueCell::Best)
            .map(|c| a.histories.by_id(&c.customer_id).unwrap().revenue)
            .sum();
        assert_eq!(cells[0], best);
    }

    #[test]
    fn the_scatter_keeps_distinct_positions_inside_the_grid() {
        let a = demo();
        let s = scatter(&a.value_matrix, 200, 100);
        assert!(!s.points.is_empty());
        assert!(s.points.len() <= a.value_matrix.customers.len());
        assert!(s.points.iter().all(|&(x, y)| x < 200 && y < 100));
        assert!(s.points.windows(2).all(|w| w[0] < w[1]));
        assert!(s.frequency_max >= a.value_matrix.frequency_split);
        assert!(s.aov_max >= a.value_matrix.aov_split);
        // At most 5% (rounded up) per axis lies beyond the 95th percentile.
        let n = a.value_matrix.customers.len() as u32;
        assert!(s.clipped <= 2 * (5 * n).div_ceil(100));
    }

    #[test]
    fn customers_beyond_the_edge_are_clipped_and_counted() {
        let mut a = demo();
        a.value_matrix.customers.truncate(3);
        for (i, c) in a.value_matrix.customers.iter_mut().enumerate() {
            c.frequency = [1, 2, 1000][i];
            c.aov = [100.0, 200.0, 300.0][i];
        }
        a.value_matrix.frequency_split = 2.0;
        a.value_matrix.aov_split = 200.0;
        let s = scatter(&a.value_matrix, 11, 11);
        // The 95th percentile of three values is the largest: nothing beyond it.
        assert_eq!(s.clipped, 0);
        assert_eq!(s.frequency_max, 1000.0);
        assert_eq!(s.aov_max, 300.0);
        assert_eq!(s.points, vec![(0, 3), (0, 7), (10, 10)]);
        assert_eq!(quantile(&mut [5.0, 1.0, 3.0, 2.0, 4.0], 0.5), 3.0);
        assert_eq!(quantile(&mut [], 0.99), 0.0);
    }
}
