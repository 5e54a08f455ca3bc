"""Benchmark configurations (../shared ANCHORS.md tables), their exact work (FLOPs over the
visible (q, k) pairs, or KV bytes for decode) and how each system expresses their mask:
a fadsl stdlib variant with parameters, SDPA's is_causal, or FlexAttention mods.

Positions are absolute and bottom-right aligned (query row i sits at i + seqlen_k -
seqlen_q), as in stdlib/*.fa. Masks:
  none         every key
  causal       k <= q
  window W     k <= q and q - k < W  (W keys ending at the query)
  sink_window  window W, plus the first 4 keys (k <= q)          stdlib sink_window
  alibi        causal, score = s - slope[h] * (q - k)            stdlib causal_alibi
  softcap C    causal, score = C * tanh(s / C)                   stdlib softcap
"""
import dataclasses

SINK_TOKENS = 4


@dataclasses.dataclass(frozen=True)
class Config:
    """One benchmark shape: q [batch, seqlen_q, heads_q, head_dim], k/v [batch, seqlen_k, heads_kv, head_dim]."""
    section: str          # prefill | variants | decode
    batch: int
    seqlen_q: int
    seqlen_k: int
    heads_q: int
    heads_kv: int
    head_dim: int
    mask: str
    window: int = 0
    cap: float = 0.0

    @property
    def label(self):
        heads = f"{self.heads_q}" if self.heads_q == self.heads_kv else f"{self.heads_q}/{self.heads_kv}"
        mask = {"window": f"window {self.window}", "sink_window": f"{SINK_TOKENS} sinks + window {self.window}",
                "alibi": "causal+ALiBi", "softcap": f"causal+softcap {self.cap:g}"}.get(self.mask, self.mask)
        shape = (f"B={self.batch} kv_len={self.seqlen_k}" if self.section == "decode"
                 else f"B={self.batch} S={self.seqlen_q}")
        return f"{self.section} hd{self.head_dim} H={heads} {shape} {mask}"

    @property
    def id(self):
        return self.label.replace(" ", "_").replace("/", "-").replace("+", "_")

    @property
    def metric(self):
        return "GB/s" if self.section == "decode" else "TFLOP/s"


def _row_count(cfg, p):
    """Visible keys of the query at absolute position p."""
    last = min(p, cfg.seqlen_k - 1)
    if cfg.mask == "none":
        return cfg.seqlen_k
    if cfg.mask in ("causal", "alibi", "softcap"):
        return max(0, last + 1)
    first = max(0, p - cfg.window + 1)
    count = max(0, last - first + 1)
    if cfg.mask == "sink_window":
        sinks_last = min(SINK_TOKENS - 1, last)
        count += max(0, sinks_last + 1) - max(0, min(sinks_last, last) - first + 1)
    return count


def visible_pairs(cfg):
    """Visible (q, k) pairs of one (sequence, head)."""
    offset = cfg.seqlen_k - cfg.seqlen_q
    return sum(_row_count(cfg, i + offset) for i in range(cfg.seqlen_q))


def work(cfg):
    """FLOPs (4 * head_dim per visible pair) or, for decode, the K and V bytes read (bf16)."""
    if cfg.section == "decode":
        return 2 * cfg.batch * cfg.seqlen_k * cfg.heads_kv * cfg.head_dim * 2
    return 4 * cfg.head_dim * visible_pairs(cfg) * cfg.batch * cfg.heads_q


def alibi_slopes(heads, torch, device):
    """The ALiBi paper's slopes 2^(-8 (h + 1) / heads), float32 on device."""
    return torch.tensor([2.0 ** (-8.0 * (h + 1) / heads) for h in range(heads)], dtype=torch.float32, device=device)


def fadsl_variant(cfg, torch, device):
    """(stdlib variant, params) expressing cfg's mask."""
    if cfg.mask in ("none", "causal"):
        return cfg.mask, None
    if cfg.mask == "window":
        return "sliding_window", {"window_left": cfg.window - 1, "window_right": 0}
    if cfg.mask == "sink_window":
        return "sink_window", {"window": cfg.window}
    if cfg.mask == "alibi":
        return "causal_alibi", {"slopes": alibi_slopes(cfg.heads_q, torch, device)}
    if cfg.mask == "softcap":
        return "softcap", {"cap": cfg.cap}
    raise ValueError(cfg.mask)


def sdpa_causal(cfg):
    """SDPA's is_causal for cfg, or None where SDPA (without a mask tensor) cannot express it."""
    if cfg.mask == "none":
        return False
    if cfg.mask == "causal" and cfg.seqlen_q == cfg.seqlen_k:   # SDPA aligns top-left
        return True
    return None


def flex_mods(cfg, torch, device):
    """(mask_mod, score_mod) for FlexAttention; None where not needed."""
    offset = cfg.seqlen_k - cfg.seqlen_q

    def causal(b, h, q, k):
        return k <= q + offset

    def window(b, h, q, k):
        return (k <= q + offset) & (q + offset - k < cfg.window)

    def sink_window(b, h, q, k):
        return window(b, h, q, k) | ((k < SINK_TOKENS) & (k <= q + offset))

    if cfg.mask == "none":
        return None, None
    if cfg.mask == "window":
        return window, None
    if cfg.mask == "sink_window":
        return sink_window, None
    if cfg.mask == "alibi":
        slopes = alibi_slopes(cfg.heads_q, torch, device)
        return causal, lambda score, b, h, q, k: score - slopes[h] * (q + offset - k)
    if cfg.mask == "softcap":
        return causal, lambda score, b, h, q, k: cfg.cap * torch.tanh(score / cfg.cap)
    return causal, None


def prefill(quick):
    """ANCHORS' prefill table: bf16, heads * head_dim = 2048, batch * seqlen = 16384."""
    dims = (128,) if quick else (64, 128, 256)
    seqlens = (1024, 4096) if quick else (1024, 2048, 4096, 8192, 16384)
    return [Config("prefill", 16384 // s, s, s, 2048 // d, 2048 // d, d, "causal" if causal else "none")
            for d in dims for s in seqlens for causal in (False, True)]


def variants(quick):
    """ANCHORS' FlexAttention variants table (hd128, 16 heads, S=8192, B=2) and GQA 32/8;
    quick: two of them at S=2048."""
    s = 2048 if quick else 8192
    shape = dict(batch=2, seqlen_q=s, seqlen_k=s, head_dim=128)
    masks = [dict(mask="causal"), dict(mask="window", window=1024), dict(mask="sink_window", window=1024),
             dict(mask="alibi"), dict(mask="softcap", cap=30.0), dict(mask="none")]
    if quick:
        masks = [m for m in masks if m["mask"] in ("window", "alibi")]
    configs = [Config("variants", heads_q=16, heads_kv=16, **shape, **m) for m in masks]
    return configs + ([] if quick else [Config("variants", heads_q=32, heads_kv=8, mask="causal", **shape)])


def decode(quick):
    """ANCHORS' decode table: one query token, 32 q / 8 kv heads, hd128, contiguous KV."""
    shapes = ((16, 4096),) if quick else ((64, 4096), (8, 32768))
    return [Config("decode", b, 1, kv, 32, 8, 128, "none") for b, kv in shapes]


SECTIONS = {"prefill": prefill, "variants": variants, "decode": decode}
