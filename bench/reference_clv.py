#!/usr/bin/env python3
"""Reference numbers for Kehu's CLV tests, computed with the Python `lifetimes` library.

Usage (from the repository root):
    python3 -m venv /tmp/clvenv && /tmp/clvenv/bin/pip install lifetimes==0.11.3 pandas
    /tmp/clvenv/bin/python bench/reference_clv.py

Writes core/tests/data/clv_reference.json. Only the numbers are committed, never the library.
The weekly summary is lifetimes' daily summary divided by 7, which is the paper's weekly summary
(Fader, Hardie & Lee 2005); calibration ends 1997-09-30.
"""
import json
import os
import sys

import numpy as np
import pandas as pd
import lifetimes
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import summary_data_from_transaction_data

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "core", "tests", "data", "CDNOW_sample.txt")
OUT = os.path.join(ROOT, "core", "tests", "data", "clv_reference.json")


def main():
    raw = pd.read_csv(
        DATA,
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "cds", "dollars"],
        dtype={"master_id": str, "customer_id": str, "date": str},
    )
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    daily = summary_data_from_transaction_data(
        raw,
        "customer_id",
        "date",
        monetary_value_col="dollars",
        observation_period_end="1997-09-30",
        freq="D",
    )
    weekly = daily.copy()
    weekly["recency"] = daily["recency"] / 7.0
    weekly["T"] = daily["T"] / 7.0

    bgf = BetaGeoFitter(penalizer_coef=0.0)
    bgf.fit(weekly["frequency"], weekly["recency"], weekly["T"])
    # lifetimes fits on rescaled time, so its stored objective is off by a constant; evaluate the
    # log-likelihood in weeks with its own formula, as the paper reports it.
    ll = -bgf._negative_log_likelihood(
        np.log(bgf.params_[["r", "alpha", "a", "b"]].values),
        weekly["frequency"].values,
        weekly["recency"].values,
        weekly["T"].values,
        np.ones(len(weekly)),
        0.0,
    ) * len(weekly)

    repeat = weekly[weekly["frequency"] > 0]
    ggf = GammaGammaFitter(penalizer_coef=0.0)
    ggf.fit(repeat["frequency"], repeat["monetary_value"])

    p_alive = bgf.conditional_probability_alive(weekly["frequency"], weekly["recency"], weekly["T"])
    expected = bgf.conditional_expected_number_of_purchases_up_to_time(
        39.0, weekly["frequency"], weekly["recency"], weekly["T"]
    )
    clv = ggf.customer_lifetime_value(
        bgf,
        weekly["frequency"],
        weekly["recency"],
        weekly["T"],
        weekly["monetary_value"],
        time=12,
        discount_rate=0.01,
        freq="W",
    )
    paper_customer = float(
        bgf.conditional_expected_number_of_purchases_up_to_time(39.0, 2, 30.43, 38.86)
    )

    customers = []
    for i, cid in enumerate(weekly.index):
        customers.append(
            {
                "customer_id": cid,
                "frequency": float(weekly["frequency"].iloc[i]),
                "recency": float(weekly["recency"].iloc[i]),
                "t": float(weekly["T"].iloc[i]),
                "monetary_value": float(weekly["monetary_value"].iloc[i]),
                "p_alive": float(np.asarray(p_alive)[i]),
                "expected_purchases_39": float(np.asarray(expected)[i]),
                "clv": float(np.asarray(clv)[i]),
            }
        )
    out = {
        "source": "lifetimes %s, numpy %s, pandas %s; bench/reference_clv.py"
        % (lifetimes.__version__, np.__version__, pd.__version__),
        "calibration_end": "1997-09-30",
        "time_unit": "week",
        "bgnbd": {
            "r": float(bgf.params_["r"]),
            "alpha": float(bgf.params_["alpha"]),
            "a": float(bgf.params_["a"]),
            "b": float(bgf.params_["b"]),
            "log_likelihood": float(ll),
        },
        "gamma_gamma": {
            "p": float(ggf.params_["p"]),
            "q": float(ggf.params_["q"]),
            "v": float(ggf.params_["v"]),
            "repeat_buyers": int(len(repeat)),
        },
        "paper_customer_expected_39": paper_customer,
        "customers": customers,
    }
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
    print(json.dumps({k: out[k] for k in ["bgnbd", "gamma_gamma", "paper_customer_expected_39"]}, indent=1))


if __name__ == "__main__":
    sys.exit(main())
