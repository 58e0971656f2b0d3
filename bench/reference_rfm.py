"""Reference RFM and ABC figures computed with pandas, for kehu-core's exact comparison test.

Reads the CDNOW sample (whitespace-separated, no header: master id, sample id, YYYYMMDD, CDs,
dollars); customer id = sample id (kept as text); analysis date 1998-07-01.

* Amounts are converted to integer cents per row before summing, as Kehu keeps money in minor units
  (summing float dollars could break ties differently).
* RFM scores: qcut(x.rank(method="first"), bins, labels=False) + 1 over customers listed in
  ascending customer id (the groupby order), R reversed: R = bins - qcut(recency.rank("first")).
* Segments from R and F on the 5x5 grid of DESIGN.md; with b != 5 bins a score s is placed on the
  grid at 1 + round_half_up((s - 1) * 4 / (b - 1)).
* ABC: customers by revenue descending, ties by id ascending; A while the revenue share before the
  customer is < 80 %, B while < 95 %, else C (exact integer comparison); the total is the sum of
  positive revenues, customers with revenue <= 0 are C.

Usage: python3 bench/reference_rfm.py [CDNOW_sample.txt] [out.json]
"""
import json
import sys
from datetime import date

import pandas as pd

SRC = sys.argv[1] if len(sys.argv) > 1 else "core/tests/data/CDNOW_sample.txt"
OUT = sys.argv[2] if len(sys.argv) > 2 else "core/tests/data/rfm_reference_cdnow.json"
AS_OF = pd.Timestamp(date(1998, 7, 1))

GRID = {  # rows R = 1..5, columns F = 1..5
    1: ["hibernating", "hibernating", "at_risk", "at_risk", "cant_lose_them"],
    2: ["hibernating", "hibernating", "at_risk", "at_risk", "cant_lose_them"],
    3: ["about_to_sleep", "about_to_sleep", "need_attention", "loyal_customers", "loyal_customers"],
    4: ["promising", "potential_loyalists", "potential_loyalists", "loyal_customers", "loyal_customers"],
    5: ["new_customers", "potential_loyalists", "potential_loyalists", "champions", "champions"],
}
SEGMENTS = ["champions", "loyal_customers", "potential_loyalists", "new_customers", "promising",
            "need_attention", "about_to_sleep", "at_risk", "cant_lose_them", "hibernating"]


def grid(s, bins):
    b = bins - 1
    return 1 + ((s - 1) * 8 + b) // (2 * b)


def main():
    df = pd.read_csv(SRC, sep=r"\s+", header=None, dtype=str,
                     names=["master", "customer_id", "date", "cds", "dollars"])
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
    df["cents"] = df["dollars"].map(lambda s: int(round(float(s) * 100)))
    g = df.groupby("customer_id", sort=True)
    rfm = pd.DataFrame({
        "recency": (AS_OF - g["date"].max()).dt.days,
        "frequency": g.size(),
        "monetary": g["cents"].sum(),
    })
    out = {"source": "CDNOW_sample.txt", "as_of": "1998-07-01", "customers": len(rfm), "rfm": {}}
    for bins in (5, 3):
        q = lambda col: pd.qcut(rfm[col].rank(method="first"), bins, labels=False) + 1
        r = bins + 1 - q("recency")
        f = q("frequency")
        m = q("monetary")
        seg = [GRID[grid(int(a), bins)][grid(int(b), bins) - 1] for a, b in zip(r, f)]
        rows = [
            {"customer_id": cid, "recency": int(rfm.at[cid, "recency"]),
             "frequency": int(rfm.at[cid, "frequency"]), "monetary": int(rfm.at[cid, "monetary"]),
             "r": int(a), "f": int(b), "m": int(c), "segment": s}
            for cid, a, b, c, s in zip(rfm.index, r, f, m, seg)
        ]
        counts = pd.Series(seg).value_counts()
        revenue = pd.Series(rfm["monetary"].values).groupby(pd.Series(seg)).sum()
        out["rfm"][str(bins)] = {
            "customers": rows,
            "segments": [{"segment": s, "customers": int(counts.get(s, 0)),
                          "revenue": int(revenue.get(s, 0))} for s in SEGMENTS],
        }
    abc = rfm[["monetary"]].reset_index().sort_values(
        ["monetary", "customer_id"], ascending=[False, True], kind="mergesort")
    pos_total = int(abc["monetary"].clip(lower=0).sum())
    cum = 0
    classes = []
    for v in abc["monetary"]:
        v = int(v)
        if v <= 0 or pos_total == 0:
            classes.append("C")
        elif cum * 10000 < 8000 * pos_total:
            classes.append("A")
        elif cum * 10000 < 9500 * pos_total:
            classes.append("B")
        else:
            classes.append("C")
        cum += max(v, 0)
    abc["class"] = classes
    out["abc"] = {
        "thresholds": [80, 95],
        "classes": [{"class": k, "customers": int((abc["class"] == k).sum()),
                     "revenue": int(abc.loc[abc["class"] == k, "monetary"].sum())} for k in "ABC"],
        "customers": {cid: k for cid, k in zip(abc["customer_id"], abc["class"])},
    }
    with open(OUT, "w") as fh:
        json.dump(out, fh, sort_keys=True, separators=(",", ":"))
        fh.write("\n")
    print(f"wrote {OUT}: {len(rfm)} customers")
    for bins in ("5", "3"):
        print(bins, [(s["segment"], s["customers"]) for s in out["rfm"][bins]["segments"]])
    print("abc", out["abc"]["classes"])


if __name__ == "__main__":
    main()
