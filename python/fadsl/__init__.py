"""fadsl: attention variants written in a small DSL, compiled to FlashAttention-class CUDA
kernels by libfadsl (through ctypes) and run on PyTorch CUDA tensors.

    out = fadsl.attention(q, k, v, variant="causal")
    out = fadsl.attention(q, k, v, "sliding_window", params={"window_left": 1024})
    info = fadsl.compile("causal", arch="sm_90a")      # no GPU needed

The library is found through $FADSL_LIBRARY, a libfadsl.so in this package's directory,
or ../build/libfadsl.so of the source tree (see fadsl._lib). The torch custom ops
fadsl::attention and fadsl::paged_attention are registered on import when PyTorch is
installed; without PyTorch, compile() and the cache helpers still work.
"""
from ._lib import FadslError, library_path
from .attention import attention, paged_attention
from .compile import (CompileResult, VariantParam, cache_clear, cache_dir, cache_stats, compile, device_arch,
                      variant_params)
from .merge import merge_states

__version__ = "0.1.0"

__all__ = [
    "FadslError", "CompileResult", "attention", "paged_attention", "merge_states", "compile",
    "device_arch", "cache_stats", "cache_dir", "cache_clear", "library_path", "variant_params",
    "VariantParam",
]
