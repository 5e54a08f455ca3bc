"""The device benchmark: fadsl and its peers (PyTorch SDPA flash / cuDNN / efficient,
FlexAttention) in one process on the same tensors, plus fadsl's compile latency.

    python3 bench/run.py [--quick] [--out bench/results] [--sections prefill,variants,decode,compile]
                         [--head-dims 64,128,256]

Needs libfadsl.so (build/libfadsl.so, or FADSL_LIBRARY), PyTorch with CUDA and Triton.
Writes <out>/<date>-<card>[-quick]/results.json and results.md after every
configuration (a run cut short keeps what it measured; a later run into the same folder
replaces rows of the same configuration and keeps the others), then PNG plots when
matplotlib is installed (otherwise run bench/plot.py on results.json elsewhere).
"""
import argparse
import dataclasses
import datetime
import json
import math
import pathlib
import re
import shlex
import sys
import time

BENCH = pathlib.Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path[:0] = [str(BENCH), str(REPO / "python")]

import torch  # noqa: E402
import triton  # noqa: E402
import triton.testing  # noqa: E402

import configs  # noqa: E402
import fadsl  # noqa: E402
import latency  # noqa: E402
import peers  # noqa: E402
import report  # noqa: E402

REL_TOL = 1e-2   # bf16 against the best peer's output


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few configurations (smoke test, under a minute)")
    parser.add_argument("--out", default=str(BENCH / "results"), help="results root (default bench/results)")
    parser.add_argument("--sections", default="prefill,variants,decode,compile",
                        help="comma-separated subset of prefill, variants, decode, compile")
    parser.add_argument("--cooldown", type=float, default=1.0,
                        help="seconds the card idles before each timing, so each system starts from a "
                             "similar temperature (power-capped clocks drift as it heats; default 1)")
    parser.add_argument("--head-dims", default=None,
                        help="comma-separated head dims to keep (default: every one a section has)")
    parser.add_argument("--layout", choices=("bhsd", "bshd"), default="bhsd",
                        help="memory layout of the shared tensors (bhsd: PyTorch's, as ANCHORS.md measured peers)")
    args = parser.parse_args(argv)
    args.sections = [s for s in args.sections.split(",") if s]
    unknown = set(args.sections) - {*configs.SECTIONS, "compile"}
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    if args.head_dims is not None:
        try:
            args.head_dims = {int(d) for d in args.head_dims.split(",") if d}
        except ValueError:
            parser.error(f"--head-dims wants comma-separated integers, got {args.head_dims!r}")
    return args


def bench_ms(fn):
    """Median milliseconds of fn() after a warm-up call."""
    fn()
    torch.cuda.synchronize()
    return triton.testing.do_bench(fn, warmup=25, rep=100, return_mode="median")


def make_inputs(cfg, layout):
    """Random bf16 q, k, v as ([B,H,S,D] tensors for the peers, [B,S,H,D] views of the same
    memory for fadsl)."""
    gen = torch.Generator(device="cuda").manual_seed(0)

    def tensor(seqlen, heads):
        if layout == "bhsd":
            return torch.randn(cfg.batch, heads, seqlen, cfg.head_dim, generator=gen, device="cuda", dtype=torch.bfloat16)
        return torch.randn(cfg.batch, seqlen, heads, cfg.head_dim, generator=gen, device="cuda",
                           dtype=torch.bfloat16).transpose(1, 2)

    peer = (tensor(cfg.seqlen_q, cfg.heads_q), tensor(cfg.seqlen_k, cfg.heads_kv), tensor(cfg.seqlen_k, cfg.heads_kv))
    return peer, tuple(t.transpose(1, 2) for t in peer)


def systems(cfg, peer_inputs, our_inputs):
    """name -> factory of the callable to time (None where the system cannot express cfg)."""
    variant, params = configs.fadsl_variant(cfg, torch, "cuda")
    made = {"fadsl": lambda: (lambda: fadsl.attention(*our_inputs, variant, params=params))}
    causal = configs.sdpa_causal(cfg)
    for name in peers.SDPA_BACKENDS:
        made[name] = None if causal is None else (lambda name=name: peers.sdpa(name, *peer_inputs, causal))
    mask_mod, score_mod = configs.flex_mods(cfg, torch, "cuda")
    made["flex"] = lambda: peers.flex(*peer_inputs, mask_mod, score_mod)
    return made


def describe(error):
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"[:300]


def measure(cfg, factory, work, cooldown):
    """(result dict, output in [B,S,H,D]) of one system, or ({"error": ...}, None)."""
    torch.cuda.synchronize()
    time.sleep(cooldown)
    try:
        t0 = time.perf_counter()
        fn = factory()
        out = fn()
        torch.cuda.synchronize()
        first = time.perf_counter() - t0
        ms = bench_ms(fn)
    except Exception as e:   # a peer or fadsl refusing a shape is a result, not the end of the run
        return {"error": describe(e)}, None
    scale = 1e12 if cfg.metric == "TFLOP/s" else 1e9
    return {"ms": ms, cfg.metric: work / (ms * 1e-3) / scale, "first_call_s": first}, out


def compare(row, outputs):
    """Fills best peer, ratios (throughput, ours over theirs) and the output check."""
    timed = {n: r for n, r in row["systems"].items() if n != "fadsl" and r and "ms" in r}
    ours = row["systems"].get("fadsl") or {}
    best = min(timed, key=lambda n: timed[n]["ms"]) if timed else None
    row["best_peer"] = best
    row["ratio_best"] = timed[best]["ms"] / ours["ms"] if best and "ms" in ours else None
    row["ratio_flash"] = timed["sdpa_flash"]["ms"] / ours["ms"] if "sdpa_flash" in timed and "ms" in ours else None
    row["rel_err"] = None
    if "fadsl" not in outputs:
        row["check"] = "FAIL (no output)"
    elif best is None:
        row["check"] = "n/a"
    else:
        ours_out, ref = outputs["fadsl"].float(), outputs[best].float()
        rel = ((ours_out - ref).norm() / ref.norm()).item()
        if not math.isfinite(rel):
            row["check"] = "FAIL (non-finite)"
        else:
            row["rel_err"] = rel
            row["check"] = "ok" if rel < REL_TOL else "FAIL"


def run_config(cfg, layout, cooldown):
    """Times every system twice, in order then in reverse order, and keeps each one's
    faster round: no system is always the one measured right after the others heated
    the card."""
    peer_inputs, our_inputs = make_inputs(cfg, layout)
    work = configs.work(cfg)
    row = {"id": cfg.id, "label": cfg.label, "section": cfg.section, "config": dataclasses.asdict(cfg),
           "metric": cfg.metric, "work": work, "systems": {}}
    outputs = {}
    made = systems(cfg, peer_inputs, our_inputs)
    for order in (list(made), list(reversed(made))):
        for name in order:
            if made[name] is None:
                row["systems"][name] = None
                continue
            result, out = measure(cfg, made[name], work, cooldown)
            kept = row["systems"].get(name)
            if kept is None or "ms" not in kept:
                row["systems"][name] = result
            elif "ms" in result and result["ms"] < kept["ms"]:
                row["systems"][name] = dict(result, first_call_s=kept["first_call_s"])
            if out is not None and name not in outputs:
                outputs[name] = out if name == "fadsl" else out.transpose(1, 2)
    compare(row, outputs)
    return row


def card_slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


class Results:
    """results.json of one run folder, merged with what an earlier run left there."""

    def __init__(self, folder, meta):
        self.folder = folder
        self.path = folder / "results.json"
        self.data = json.loads(self.path.read_text()) if self.path.is_file() else {"rows": []}
        self.data["meta"] = meta

    def add(self, row):
        self.data["rows"] = [r for r in self.data["rows"] if r["id"] != row["id"]] + [row]
        self.save()

    def set_compile(self, value):
        self.data["compile"] = value
        self.save()

    def save(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.data, indent=1))
        (self.folder / "results.md").write_text(report.markdown(self.data))


def _progress(row):
    figures = ", ".join(f"{name} {r[row['metric']]:.0f}" if r and row["metric"] in r else f"{name} {'n/a' if r is None else 'err'}"
                        for name, r in row["systems"].items())
    print(f"{row['label']}: {figures} {row['metric']}; check {row['check']}", flush=True)


def main(argv):
    args = parse_args(argv)
    if not torch.cuda.is_available():
        sys.exit("bench/run.py needs a CUDA GPU")
    card = torch.cuda.get_device_name()
    today = datetime.date.today().isoformat()
    folder = pathlib.Path(args.out) / f"{today}-{card_slug(card)}{'-quick' if args.quick else ''}"
    meta = {"date": today, "card": card, "torch": torch.__version__, "triton": triton.__version__,
            "cuda": torch.version.cuda, "library": str(fadsl.library_path()), "layout": args.layout,
            "quick": args.quick, "command": " ".join(["python3", *map(shlex.quote, sys.argv)])}
    results = Results(folder, meta)
    print(f"{card}, torch {torch.__version__}; results in {folder}", flush=True)
    for section in args.sections:
        if section == "compile":
            results.set_compile(latency.measure(args.quick, str(REPO / "python")))
            print(f"compile latency: {json.dumps(results.data['compile'])}", flush=True)
            continue
        for cfg in configs.SECTIONS[section](args.quick):
            if args.head_dims is not None and cfg.head_dim not in args.head_dims:
                continue
            row = run_config(cfg, args.layout, args.cooldown)
            results.add(row)
            _progress(row)
            torch.cuda.empty_cache()
    try:
        import plot
        for path in plot.plot(results.path):
            print(f"wrote {path}")
    except ImportError:
        print(f"matplotlib missing: plot elsewhere with python3 bench/plot.py {results.path}")
    failures = [r["label"] for r in results.data["rows"] if r["check"].startswith("FAIL")]
    print(f"{len(results.data['rows'])} configurations, {len(failures)} check failures"
          + (": " + "; ".join(failures) if failures else ""))


if __name__ == "__main__":
    main(sys.argv[1:])
