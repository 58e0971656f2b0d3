#!/usr/bin/env python3
"""Kehu's CLV fit against the Python lifetimes library (0.11.3) on the same synthetic data.

Usage (from the repository root):
    python3 -m venv /tmp/clvenv && /tmp/clvenv/bin/pip install lifetimes==0.11.3 pandas
    /tmp/clvenv/bin/python bench/compare.py [customers] [seed]

Steps: build the `clv_fit` example (release), let it write a synthetic log of `customers`
customers (default 100,000, about a million orders; drawn from BG/NBD + Gamma-Gamma with a fixed
seed) as CSV `customer_id,date,amount`; time lifetimes' summary, BG/NBD fit and Gamma-Gamma fit on
it; time Kehu's on the same file (best of 3); print both, the parameters and the speed-up.
"""
import json
import os
import subprocess
import sys
import time

import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import summary_data_from_transaction_data

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    customers = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 42
    csv = "/tmp/kehu_clv_synthetic_%d_%d.csv" % (customers, seed)
    subprocess.run(
        ["cargo", "build", "--release", "-q", "-p", "kehu-core", "--example", "clv_fit"],
        cwd=ROOT,
        check=True,
    )
    exe = os.path.join(ROOT, "target", "release", "examples", "clv_fit")
    gen = json.loads(subprocess.run([exe, "generate", str(customers), str(seed), csv],
                                    check=True, capture_output=True, text=True).stdout)
    end = gen["calibration_end"]
    print("data: %d customers, %d orders, calibration end %s (days)" % (customers, gen["orders"], end))

    # lifetimes
    df = pd.read_csv(csv, parse_dates=["date"])
    t0 = time.perf_counter()
    s = summary_data_from_transaction_data(df, "customer_id", "date", monetary_value_col="amount",
                                           observation_period_end=end, freq="D")
    t1 = time.perf_counter()
    bgf = BetaGeoFitter(penalizer_coef=0.0)
    bgf.fit(s["frequency"], s["recency"], s["T"])
    t2 = time.perf_counter()
    rep = s[(s["frequency"] > 0) & (s["monetary_value"] > 0)]
    ggf = GammaGammaFitter(penalizer_coef=0.0)
    ggf.fit(rep["frequency"], rep["monetary_value"])
    t3 = time.perf_counter()
    py = {"summary_ms": (t1 - t0) * 1e3, "bgnbd_ms": (t2 - t1) * 1e3, "gamma_gamma_ms": (t3 - t2) * 1e3}

    # Kehu
    out = subprocess.run([exe, "fit", csv, end, "day", "3"], check=True, capture_output=True, text=True)
    rs = json.loads(out.stdout)

    print("\n%-26s %12s %12s %9s" % ("step", "lifetimes ms", "kehu ms", "speed-up"))
    for k, name in [("summary_ms", "summary"), ("bgnbd_ms", "BG/NBD fit"), ("gamma_gamma_ms", "Gamma-Gamma fit")]:
        print("%-26s %12.1f %12.1f %8.1fx" % (name, py[k], rs[k], py[k] / rs[k]))
    fit_py = py["bgnbd_ms"] + py["gamma_gamma_ms"]
    fit_rs = rs["bgnbd_ms"] + rs["gamma_gamma_ms"]
    all_py = fit_py + py["summary_ms"]
    all_rs = fit_rs + rs["summary_ms"]
    print("%-26s %12.1f %12.1f %8.1fx" % ("BG/NBD + Gamma-Gamma fit", fit_py, fit_rs, fit_py / fit_rs))
    print("%-26s %12.1f %12.1f %8.1fx" % ("summary + both fits", all_py, all_rs, all_py / all_rs))

    print("\nparameters (lifetimes / kehu, relative difference):")
    for k in ["r", "alpha", "a", "b"]:
        a, b = float(bgf.params_[k]), rs["bgnbd"][k]
        print("  %-6s %14.8g %14.8g %9.1e" % (k, a, b, abs(a - b) / abs(a)))
    for k in ["p", "q", "v"]:
        a, b = float(ggf.params_[k]), rs["gamma_gamma"][k]
        print("  %-6s %14.8g %14.8g %9.1e" % (k, a, b, abs(a - b) / abs(a)))
    print(json.dumps({"customers": customers, "orders": gen["orders"], "lifetimes": py,
                      "kehu": {k: rs[k] for k in py}, "fit_speedup": fit_py / fit_rs,
                      "total_speedup": all_py / all_rs}))


if __name__ == "__main__":
    main()
