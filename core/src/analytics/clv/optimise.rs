//! A small BFGS minimiser with a strong-Wolfe line search, for the few-parameter likelihoods of
//! the CLV models (3 or 4 log-parameters).
//!
//! Fixed-size arrays keep every evaluation allocation-free. A non-finite objective value is
//! treated as "step too long", so the caller's objective may overflow far from the optimum.

/// Settings of one minimisation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Settings {
    /// Converged when every gradient component is below this in absolute value.
    pub gradient_tolerance: f64,
    /// Give up after this many BFGS iterations.
    pub max_iterations: usize,
    /// Stop early (and report it) when a coordinate leaves `[-bound, bound]`: the likelihood is
    /// running off to a boundary, which means the data do not identify the model.
    pub bound: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            gradient_tolerance: 1e-9,
            max_iterations: 400,
            bound: 25.0,
        }
    }
}

/// How a minimisation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The gradient is below tolerance (or no further decrease is possible at machine precision
    /// with a gradient that is already small).
    Converged,
    /// A coordinate left the box: the optimum is at infinity.
    Escaped,
    /// Iteration budget exhausted or the line search failed far from a stationary point.
    Stalled,
}

/// The result of one minimisation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Minimum<const N: usize> {
    pub x: [f64; N],
    pub f: f64,
    pub iterations: usize,
    pub outcome: Outcome,
}

fn dot<const N: usize>(a: &[f64; N], b: &[f64; N]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn max_abs<const N: usize>(a: &[f64; N]) -> f64 {
    a.iter().fold(0.0_f64, |m, v| m.max(v.abs()))
}

fn identity<const N: usize>() -> [[f64; N]; N] {
    let mut h = [[0.0; N]; N];
    for (i, row) in h.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    h
}

struct Point<const N: usize> {
    x: [f64; N],
    f: f64,
    g: [f64; N],
}

/// Minimise `objective`, which returns f(x) and writes ∇f(x) into its second argument.
pub(crate) fn minimise<const N: usize, F>(
    mut objective: F,
    start: [f64; N],
    settings: Settings,
) -> Minimum<N>
where
    F: FnMut(&[f64; N], &mut [f64; N]) -> f64,
{
    let mut g = [0.0; N];
    let f = objective(&start, &mut g);
    let mut cur = Point { x: start, f, g };
    if !cur.f.is_finite() || cur.g.iter().any(|v| !v.is_finite()) {
        return Minimum {
            x: cur.x,
            f: cur.f,
            iterations: 0,
            outcome: Outcome::Stalled,
        };
    }
    let mut h = identity::<N>();
    let mut fresh_h = true;
    let mut iterations = 0;
    let outcome = loop {
        if max_abs(&cur.g) <= settings.gradient_tolerance {
            break Outcome::Converged;
        }
        if iterations >= settings.max_iterations {
            break Outcome::Stalled;
        }
        iterations += 1;
        let mut p = [0.0; N];
        for i in 0..N {
            p[i] = -dot(&h[i], &cur.g);
        }
        if dot(&p, &cur.g) >= 0.0 {
            h = identity();
            fresh_h = true;
            p = cur.g.map(|v| -v);
        }
        // When the predicted decrease is at the level of rounding in f, no line search can
        // tell points apart any more: the optimum is found to machine precision.
        if -dot(&p, &cur.g) <= PRECISION * (1.0 + cur.f.abs()) {
            break Outcome::Converged;
        }
        // On an unscaled first step, keep the trial step to unit length in parameter space.
        let first = if fresh_h {
            (1.0 / max_abs(&p)).min(1.0)
        } else {
            1.0
        };
        let Some(next) = line_search(&mut objective, &cur, &p, first) else {
            if !fresh_h {
                h = identity();
                fresh_h = true;
                continue;
            }
            // No decrease along steepest descent: we are at the optimum to machine precision if
            // the gradient is small, otherwise something is wrong with the problem.
            if max_abs(&cur.g) <= 1e-5 {
                break Outcome::Converged;
            }
            break Outcome::Stalled;
        };
        if next.x.iter().any(|v| v.abs() > settings.bound) {
            cur = next;
            break Outcome::Escaped;
        }
        let mut s = [0.0; N];
        let mut y = [0.0; N];
        for i in 0..N {
            s[i] = next.x[i] - cur.x[i];
            y[i] = next.g[i] - cur.g[i];
        }
        let sy = dot(&s, &y);
        let yy = dot(&y, &y);
        if sy > 1e-12 * dot(&s, &s).sqrt() * yy.sqrt() && yy > 0.0 {
            if fresh_h {
                // Nocedal & Wright's scaling of the first inverse-Hessian guess.
                let scale = sy / yy;
                h = identity();
                for (i, row) in h.iter_mut().enumerate() {
                    row[i] = scale;
                }
                fresh_h = false;
            }
            bfgs_update(&mut h, &s, &y, sy);
        }
        cur = next;
    };
    Minimum {
        x: cur.x,
        f: cur.f,
        iterations,
        outcome,
    }
}

/// H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, ρ = 1 / (yᵀ s).
fn bfgs_update<const N: usize>(h: &mut [[f64; N]; N], s: &[f64; N], y: &[f64; N], sy: f64) {
    let rho = 1.0 / sy;
    let mut hy = [0.0; N];
    for i in 0..N {
        hy[i] = dot(&h[i], y);
    }
    let yhy = dot(y, &hy);
    for i in 0..N {
        for j in 0..N {
            h[i][j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j];
        }
    }
}

const C1: f64 = 1e-4;
/// Relative size of changes in f that are indistinguishable from rounding.
const PRECISION: f64 = 2e-15;
const C2: f64 = 0.9;

fn evaluate<const N: usize, F>(objective: &mut F, base: &Point<N>, p: &[f64; N], a: f64) -> Point<N>
where
    F: FnMut(&[f64; N], &mut [f64; N]) -> f64,
{
    let mut x = base.x;
    for i in 0..N {
        x[i] += a * p[i];
    }

    let mut g = [0.0; N];
    let mut f = objective(&x, &mut g);
    if g.iter().any(|v| !v.is_finite()) {
        f = f64::INFINITY;
    }
    if f.is_nan() {
        f = f64::INFINITY;
    }
    Point { x, f, g }
}

/// Strong-Wolfe line search (Nocedal & Wright, algorithms 3.5 and 3.6).
fn line_search<const N: usize, F>(
    objective: &mut F,
    base: &Point<N>,
    p: &[f64; N],
    first: f64,
) -> Option<Point<N>>
where
    F: FnMut(&[f64; N], &mut [f64; N]) -> f64,
{
    let d0 = dot(&base.g, p);
    if d0 >= 0.0 {
        return None;
    }
    let mut a_prev = 0.0;
    let mut f_prev = base.f;
    let mut d_prev = d0;
    let mut a = first;
    let mut best: Option<Point<N>> = None;
    for i in 0..60 {
        let trial = evaluate(objective, base, p, a);
        if !trial.f.is_finite() {
            // Overflow: the step is far too long.
            a = a_prev + 0.25 * (a - a_prev);
            continue;
        }
        let d = dot(&trial.g, p);
        if trial.f > base.f + C1 * a * d0 || (i > 0 && trial.f >= f_prev) {
            return zoom(
                objective,
                base,
                p,
                d0,
                (a_prev, f_prev, d_prev),
                (a, trial.f),
                best,
            );
        }
        if d.abs() <= -C2 * d0 {
            return Some(trial);
        }
        if d >= 0.0 {
            let f_lo = trial.f;
            return zoom(
                objective,
                base,
                p,
                d0,
                (a, f_lo, d),
                (a_prev, f_prev),
                Some(trial),
            );
        }
        a_prev = a;
        f_prev = trial.f;
        d_prev = d;
        best = Some(trial);
        a *= 2.0;
    }
    best
}

/// Narrow a bracket `[lo, hi]` known to contain a strong-Wolfe step. `best` is the point at
/// `lo` if it was evaluated (it satisfies sufficient decrease), returned if zooming fails.
fn zoom<const N: usize, F>(
    objective: &mut F,
    base: &Point<N>,
    p: &[f64; N],
    d0: f64,
    lo: (f64, f64, f64),
    hi: (f64, f64),
    best: Option<Point<N>>,
) -> Option<Point<N>>
where
    F: FnMut(&[f64; N], &mut [f64; N]) -> f64,
{
    let (mut a_lo, mut f_lo, mut d_lo) = lo;
    let (mut a_hi, mut f_hi) = hi;
    let mut best = best.filter(|b| b.f < base.f);
    for _ in 0..60 {
        let width = a_hi - a_lo;
        // Minimiser of the quadratic through (a_lo, f_lo, d_lo) and (a_hi, f_hi), kept inside
        // the middle 80 % of the bracket so the bracket always shrinks.
        let denom = 2.0 * (f_hi - f_lo - d_lo * width);
        let mut a = if denom.is_finite() && denom.abs() > 0.0 {
            a_lo - d_lo * width * width / denom
        } else {
            a_lo + 0.5 * width
        };
        let (left, right) = if width > 0.0 {
            (a_lo + 0.1 * width, a_hi - 0.1 * width)
        } else {
            (a_hi - 0.1 * width, a_lo + 0.1 * width)
        };
        if !(a >= left.min(right) && a <= left.max(right)) {
            a = a_lo + 0.5 * width;
        }
        if width.abs() < 1e-16 * a_lo.abs().max(1e-300)
            || (width * d0).abs() <= PRECISION * (1.0 + base.f.abs())
        {
            break;
        }
        let trial = evaluate(objective, base, p, a);
        if !trial.f.is_finite() || trial.f > base.f + C1 * a * d0 || trial.f >= f_lo {
            a_hi = a;
            f_hi = if trial.f.is_finite() {
                trial.f
            } else {
                f64::MAX
            };
        } else {
            let d = dot(&trial.g, p);
            if d.abs() <= -C2 * d0 {
                return Some(trial);
            }
            if d * (a_hi - a_lo) >= 0.0 {
                a_hi = a_lo;
                f_hi = f_lo;
            }
            a_lo = a;
            f_lo = trial.f;
            d_lo = d;
            best = Some(trial);
        }
    }
    best
}

/// Why [`best_of_starts`] found no usable optimum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The best point has coordinates beyond the limit (index, towards +∞): the supremum is
    /// at a boundary.
    RunOff { ran_off: Vec<(usize, bool)> },
    /// No start reached a stationary point.
    NoConvergence { iterations: usize },
}

/// Minimise from each start in turn, stopping once two runs agree, and return the best run.
///
/// Several starts guard against a run that stalls in a flat region; two converged runs with
/// the same value are taken as evidence that the optimum is found. A best point with a
/// coordinate beyond `limit` in absolute value is reported as a run-off.
pub(crate) fn best_of_starts<const N: usize, F>(
    objective: &mut F,
    starts: &[[f64; N]],
    limit: f64,
) -> Result<Minimum<N>, Failure>
where
    F: FnMut(&[f64; N], &mut [f64; N]) -> f64,
{
    let settings = Settings {
        bound: limit + 5.0,
        ..Settings::default()
    };
    let mut runs: Vec<Minimum<N>> = Vec::new();
    for start in starts {
        let m = minimise(&mut *objective, *start, settings);
        let agrees = m.outcome == Outcome::Converged
            && runs.iter().any(|o| {
                o.outcome == Outcome::Converged && (o.f - m.f).abs() <= 1e-10 * (1.0 + m.f.abs())
            });
        runs.push(m);
        if agrees {
            break;
        }
    }
    let total: usize = runs.iter().map(|m| m.iterations).sum();
    let best = runs
        .iter()
        .filter(|m| m.outcome != Outcome::Stalled && m.f.is_finite())
        .min_by(|x, y| x.f.total_cmp(&y.f))
        .copied()
        .ok_or(Failure::NoConvergence { iterations: total })?;
    let ran_off: Vec<(usize, bool)> = (0..N)
        .filter(|&i| best.x[i].abs() > limit)
        .map(|i| (i, best.x[i] > 0.0))
        .collect();
    if !ran_off.is_empty() {
        return Err(Failure::RunOff { ran_off });
    }
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimises_rosenbrock() {
        let m = minimise(
            |x: &[f64; 2], g: &mut [f64; 2]| {
                let (a, b) = (x[0], x[1]);
                g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
                g[1] = 200.0 * (b - a * a);
                (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
            },
            [-1.2, 1.0],
            Settings::default(),
        );
        assert_eq!(m.outcome, Outcome::Converged);
        assert!(
            (m.x[0] - 1.0).abs() < 1e-8 && (m.x[1] - 1.0).abs() < 1e-8,
            "{m:?}"
        );
    }

    #[test]
    fn reports_escape_to_infinity() {
        let m = minimise(
            |x: &[f64; 1], g: &mut [f64; 1]| {
                g[0] = -(-x[0]).exp() / (1.0 + (-x[0]).exp());
                (1.0 + (-x[0]).exp()).ln()
            },
            [0.0],
            Settings {
                bound: 10.0,
                ..Settings::default()
            },
        );
        assert_eq!(m.outcome, Outcome::Escaped);
    }
}
