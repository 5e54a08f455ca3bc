"""PNG plots of a benchmark's results.json, written next to it:
  prefill_hd<D>_<mask>.png   TFLOP/s vs seqlen, one line per system
  variants.png               TFLOP/s per variant, one bar per system
  decode.png                 GB/s per shape, one bar per system

    python3 bench/plot.py bench/results/<date>-<card>/results.json

Needs matplotlib only (run.py calls it when matplotlib is installed; otherwise run this
where it is: pip install matplotlib)."""
import json
import pathlib
import sys

SYSTEMS = ("fadsl", "sdpa_flash", "sdpa_cudnn", "sdpa_efficient", "flex")


def _value(row, system):
    result = row["systems"].get(system) or {}
    return result.get(row["metric"])


def _prefill(plt, rows, card, outdir):
    written = []
    groups = sorted({(r["config"]["head_dim"], r["config"]["mask"]) for r in rows})
    for head_dim, mask in groups:
        group = sorted((r for r in rows if (r["config"]["head_dim"], r["config"]["mask"]) == (head_dim, mask)),
                       key=lambda r: r["config"]["seqlen_q"])
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for system in SYSTEMS:
            points = [(r["config"]["seqlen_q"], _value(r, system)) for r in group if _value(r, system) is not None]
            if points:
                ax.plot(*zip(*points), marker="o", label=system)
        ax.set_xscale("log", base=2)
        ax.set_xlabel("sequence length (tokens)")
        ax.set_ylabel("TFLOP/s (visible pairs)")
        ax.set_title(f"Prefill bf16, head_dim {head_dim}, {mask}, batch x seqlen = 16384 ({card})")
        ax.grid(True, alpha=0.3)
        ax.legend()
        path = outdir / f"prefill_hd{head_dim}_{mask}.png"
        fig.tight_layout()
        fig.savefig(path, dpi=120)
        plt.close(fig)
        written.append(path)
    return written


def _bars(plt, rows, card, path, title, ylabel):
    fig, ax = plt.subplots(figsize=(max(7, 1.6 * len(rows)), 4.8))
    width = 0.8 / len(SYSTEMS)
    for i, system in enumerate(SYSTEMS):
        xs = [j + i * width for j, r in enumerate(rows) if _value(r, system) is not None]
        ys = [_value(r, system) for r in rows if _value(r, system) is not None]
        if xs:
            ax.bar(xs, ys, width, label=system)
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(rows))])
    ax.set_xticklabels([r["label"].split(" ", 2)[-1] for r in rows], rotation=20, ha="right", fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(f"{title} ({card})")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return [path]


def plot(results_path):
    """Writes the PNGs next to results_path; returns their paths."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results_path = pathlib.Path(results_path)
    results = json.loads(results_path.read_text())
    card, outdir, rows = results["meta"]["card"], results_path.parent, results["rows"]
    written = _prefill(plt, [r for r in rows if r["section"] == "prefill"], card, outdir)
    variants = [r for r in rows if r["section"] == "variants"]
    if variants:
        written += _bars(plt, variants, card, outdir / "variants.png",
                         "Attention variants, hd128, bf16", "TFLOP/s (visible pairs)")
    decode = [r for r in rows if r["section"] == "decode"]
    if decode:
        written += _bars(plt, decode, card, outdir / "decode.png",
                         "Decode, 1 query token, 32/8 heads, hd128, bf16", "GB/s (K and V bytes read)")
    return written


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python3 bench/plot.py RESULTS_JSON")
    for p in plot(sys.argv[1]):
        print(p)
