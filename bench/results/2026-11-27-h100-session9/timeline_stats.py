"""Summaries of per-CTA timelines (run_timeline.sh CSVs): spans, quantiles and per-SM ends."""
import csv
import sys


def q(v, f):
    v = sorted(v)
    return v[min(len(v) - 1, int(f * len(v)))]


for path in sys.argv[1:]:
    rows = [{k: int(x) for k, x in r.items()} for r in csv.DictReader(open(path))]
    t0 = min(r["t0"] for r in rows)
    us = lambda x: x / 1e3
    cols = {
        "start": [us(r["t0"] - t0) for r in rows],
        "first": [us(r["t1"] - r["t0"]) for r in rows],
        "loop": [us(r["t2"] - r["t1"]) for r in rows],
        "wait": [us(r["wait"]) for r in rows],
        "epi": [us(r["t3"] - r["t2"]) for r in rows],
        "end": [us(r["t3"] - t0) for r in rows],
    }
    sm_end = {}
    for r in rows:
        sm_end[r["smid"]] = max(sm_end.get(r["smid"], 0), us(r["t3"] - t0))
    ends = sorted(sm_end.values())
    print(f"{path.split('/')[-1]}: {len(rows)} CTAs on {len(sm_end)} SMs, span {max(cols['end']):.1f} us")
    for k, v in cols.items():
        print(f"  {k:6s} min {min(v):7.1f} p10 {q(v, .1):7.1f} p50 {q(v, .5):7.1f} p90 {q(v, .9):7.1f} max {max(v):7.1f}")
    print(f"  SM end  min {ends[0]:7.1f} p10 {q(ends, .1):7.1f} p50 {q(ends, .5):7.1f} p90 {q(ends, .9):7.1f} max {ends[-1]:7.1f}")
    slow = sorted(sm_end, key=sm_end.get)[-8:]
    print("  latest SMs:", " ".join(f"{s}:{sm_end[s]:.1f}" for s in slow))
