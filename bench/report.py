"""results.json -> results.md: header lines, one table per section, compile latency."""
from peers import PEERS

SYSTEMS = ("fadsl", *PEERS)
TITLES = {
    "prefill": "Prefill (bf16, heads x head_dim = 2048, batch x seqlen = 16384)",
    "variants": "Variants (bf16, hd128, S=8192, B=2; FLOPs over visible pairs)",
    "decode": "Decode (one query token, 32 q / 8 kv heads, hd128; GB/s = K and V bytes / time)",
}


def _num(x, digits=0):
    return "" if x is None else f"{x:.{digits}f}"


def _sci(x):
    return "" if x is None else f"{x:.1e}"


def _cell(result, metric):
    if result is None:
        return "n/a"
    if "error" in result:
        return "err"
    return _num(result.get(metric))


def _table(rows, metric):
    lines = [f"| config | {' | '.join(SYSTEMS)} | best peer | ours / best | ours / flash | rel. err | check |",
             "| --- | " + " | ".join("---:" for _ in SYSTEMS) + " | --- | ---: | ---: | ---: | :---: |"]
    for r in rows:
        cells = [_cell(r["systems"].get(s), metric) for s in SYSTEMS]
        lines.append(f"| {r['label']} | {' | '.join(cells)} | {r.get('best_peer') or ''} | "
                     f"{_num(r.get('ratio_best'), 2)} | {_num(r.get('ratio_flash'), 2)} | "
                     f"{_sci(r.get('rel_err'))} | {r['check']} |")
    return lines


def _errors(rows):
    lines = []
    for r in rows:
        for system, result in r["systems"].items():
            if result and "error" in result:
                lines.append(f"- {r['label']}, {system}: {result['error']}")
    return lines


def _compile(latency):
    lines = ["## Compile latency (fresh processes)", "",
             f"Cold process (empty cache, FADSL_ALWAYS_COMPILE=1): {latency['cold_process_s']:.2f} s wall; "
             f"warm process (disk cache): {latency['warm_process_s']:.2f} s wall.", "",
             "| variant | head_dim | gqa | kernel | cold s | warm s (origin) |", "| --- | ---: | ---: | --- | ---: | ---: |"]
    for k in latency["keys"]:
        lines.append(f"| {k['variant']} | {k['head_dim']} | {k['gqa']} | {k['kernel_name']} | "
                     f"{k['cold_s']:.3f} | {k['warm_s']:.4f} ({k['warm_origin']}) |")
    return lines


def markdown(results):
    """The whole results.md text."""
    meta = results["meta"]
    lines = [f"# fadsl benchmark, {meta['date']}", "",
             f"- card: {meta['card']}", f"- torch {meta['torch']}, triton {meta['triton']}, CUDA {meta['cuda']}",
             f"- library: {meta['library']}", f"- command: `{meta['command']}`",
             f"- tensors: peers [batch, heads, seqlen, head_dim] {meta['layout']} layout; fadsl the same memory as "
             "[batch, seqlen, heads, head_dim] views",
             "- timing: triton.testing.do_bench(warmup=25, rep=100, return_mode='median') after a warm-up call; "
             "every system timed in two rounds (in order, then reversed), the faster round kept, "
             "after --cooldown seconds idle",
             "- check: ||fadsl - best peer|| / ||best peer|| < 1e-2 (bf16); n/a: no peer ran", ""]
    for section, title in TITLES.items():
        rows = [r for r in results["rows"] if r["section"] == section]
        if rows:
            metric = rows[0]["metric"]
            lines += [f"## {title}", "", f"Figures in {metric}.", ""] + _table(rows, metric) + [""]
    errors = _errors(results["rows"])
    if errors:
        lines += ["## Errors", ""] + errors + [""]
    if results.get("compile"):
        lines += _compile(results["compile"]) + [""]
    return "\n".join(lines)
