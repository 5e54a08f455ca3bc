"""ctypes mirrors of the C structs and enums of runtime/fadsl.h and compiler/fadslc.h.

Field order and types follow the headers exactly; python/tests/test_structs.py compiles a C
program against the headers and compares every size and offset. Enum values mirror the
X-macro lists' order (the same test checks them through the library's name functions).
"""
import ctypes

# fa_arch, fa_dtype, fa_paged_layout, fadsl_origin, fadsl_path: index = C enum value.
ARCH_NAMES = ("sm_80", "sm_86", "sm_89", "sm_90a")
DTYPE_NAMES = ("fp16", "bf16", "fp8e4m3", "fp8e5m2")
PAGED_LAYOUTS = {"hdb": 0, "nhd": 1}          # FA_PAGED_HDB, FA_PAGED_NHD ("hnd": see compile.paged_layout)
ORIGIN_NAMES = ("compile", "memory", "disk")  # FADSL_FROM_*
PATH_NAMES = ("cubin", "ptx")                 # FADSL_PATH_*
INT32_MAX = 2**31 - 1                         # the C API's int: ctypes wraps larger values

# fadsl_status, in FADSL_STATUS_LIST order (the value is the index).
STATUS_NAMES = (
    "OK", "ERR_SYNTAX", "ERR_UNSUPPORTED", "ERR_INVALID", "ERR_NOMEM",
    "ERR_EMPTY_PAGED_CACHE", "ERR_BLOCK_SIZE", "ERR_PAGED_HEAD_DIM", "ERR_EMPTY_BATCH",
    "ERR_NULL_POINTER", "ERR_MISALIGNED", "ERR_HEADS", "ERR_SEQLEN", "ERR_PARAM",
    "ERR_VARIANT", "ERR_NVRTC", "ERR_NO_DRIVER", "ERR_DRIVER", "ERR_IO",
)

_enum = ctypes.c_int   # C enums are int-sized with every compiler we target


class FaKey(ctypes.Structure):
    """fa_key: one dispatch key (one kernel specialisation)."""
    _fields_ = [
        ("arch", _enum),
        ("dtype", _enum),
        ("kv_dtype", _enum),
        ("head_dim", ctypes.c_int),
        ("gqa_ratio", ctypes.c_int),
        ("paged_block_size", ctypes.c_int),
        ("paged_layout", _enum),
        ("varlen", ctypes.c_bool),
        ("variant", ctypes.c_char * 48),
        ("variant_hash", ctypes.c_uint64),
        ("stdlib", ctypes.c_bool),
        ("causal", ctypes.c_bool),
        ("sliding_window", ctypes.c_bool),
        ("alibi", ctypes.c_bool),
        ("softcap", ctypes.c_bool),
        ("learned_sinks", ctypes.c_bool),
        ("sink_tokens", ctypes.c_int),
        ("tile_scan", ctypes.c_bool),
        ("light", ctypes.c_bool),
        ("plain_score", ctypes.c_bool),
        ("decode", ctypes.c_bool),
        ("decode_tile64", ctypes.c_bool),
        ("decode_rows", ctypes.c_int),
        ("decode_claims", ctypes.c_bool),
    ]


# fa_extent, in FA_EXTENT_LIST order: a tensor parameter's dimension names.
EXTENT_NAMES = ("q_heads", "kv_heads", "batch", "q_len", "kv_len", "<literal>")
PARAM_TYPES = ("i32", "f32")                  # fa_param_type


class FaParamInfo(ctypes.Structure):
    """fa_param_info: a variant's runtime parameter (fadsl_variant_params)."""
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("type", _enum),
        ("is_tensor", ctypes.c_bool),
        ("ndims", ctypes.c_int),
        ("dims", _enum * 4),
        ("const_dims", ctypes.c_int64 * 4),
        ("has_default", ctypes.c_bool),
        ("default_value", ctypes.c_double),
    ]


class FadslParam(ctypes.Structure):
    """fadsl_param: a runtime parameter of the variant (scalar value or device tensor)."""
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("value", ctypes.c_double),
        ("tensor", ctypes.c_void_p),
    ]


class FadslPagedDesc(ctypes.Structure):
    """fadsl_paged_desc: a vLLM-style paged KV cache."""
    _fields_ = [
        ("layout", _enum),
        ("kv_dtype", _enum),
        ("k_cache", ctypes.c_void_p),
        ("v_cache", ctypes.c_void_p),
        ("num_blocks", ctypes.c_int),
        ("block_size", ctypes.c_int),
        ("num_kv_heads", ctypes.c_int),
        ("head_dim", ctypes.c_int),
        ("block_tables", ctypes.c_void_p),
        ("max_blocks_per_seq", ctypes.c_int),
        ("seq_lens", ctypes.c_void_p),
        ("num_seqs", ctypes.c_int),
        ("q_tokens_per_seq", ctypes.c_int),
        ("max_seq_len", ctypes.c_int),
        ("k_descale", ctypes.c_float),
        ("v_descale", ctypes.c_float),
        ("k_descale_per_head", ctypes.c_void_p),
        ("v_descale_per_head", ctypes.c_void_p),
        ("workspace", ctypes.c_void_p),
        ("workspace_size", ctypes.c_size_t),
    ]


_strides = ctypes.c_int64 * 3


class FadslFwdDesc(ctypes.Structure):
    """fadsl_fwd_desc: one attention forward request."""
    _fields_ = [
        ("variant", ctypes.c_char_p),
        ("dtype", _enum),
        ("q", ctypes.c_void_p),
        ("k", ctypes.c_void_p),
        ("v", ctypes.c_void_p),
        ("o", ctypes.c_void_p),
        ("lse", ctypes.c_void_p),
        ("batch", ctypes.c_int),
        ("seqlen_q", ctypes.c_int),
        ("seqlen_k", ctypes.c_int),
        ("q_heads", ctypes.c_int),
        ("kv_heads", ctypes.c_int),
        ("head_dim", ctypes.c_int),
        ("q_stride", _strides),
        ("k_stride", _strides),
        ("v_stride", _strides),
        ("o_stride", _strides),
        ("cu_seqlens_q", ctypes.c_void_p),
        ("cu_seqlens_k", ctypes.c_void_p),
        ("max_seqlen_q", ctypes.c_int),
        ("max_seqlen_k", ctypes.c_int),
        ("softmax_scale", ctypes.c_double),
        ("params", ctypes.POINTER(FadslParam)),
        ("num_params", ctypes.c_int),
        ("arch", ctypes.c_char_p),
        ("device", ctypes.c_int),
        ("paged", ctypes.POINTER(FadslPagedDesc)),
        ("total_q", ctypes.c_int),
        ("workspace", ctypes.c_void_p),
        ("workspace_size", ctypes.c_size_t),
    ]


class FadslCompileInfo(ctypes.Structure):
    """fadsl_compile_info: what fadsl_compile found or built."""
    _fields_ = [
        ("kernel_name", ctypes.c_char * 128),
        ("origin", _enum),
        ("path", _enum),
        ("image", ctypes.c_void_p),
        ("image_size", ctypes.c_size_t),
        ("seconds", ctypes.c_double),
        ("smem_bytes", ctypes.c_int),
        ("threads", ctypes.c_int),
    ]


class FadslCacheStats(ctypes.Structure):
    """fadsl_cache_stats: process-wide cache counters."""
    _fields_ = [
        ("memory_hits", ctypes.c_uint64),
        ("disk_hits", ctypes.c_uint64),
        ("compiles", ctypes.c_uint64),
        ("corrupt_entries", ctypes.c_uint64),
        ("write_failures", ctypes.c_uint64),
    ]


# Mirror -> C type name, for the layout test.
C_NAMES = {
    FaKey: "fa_key",
    FadslParam: "fadsl_param",
    FadslPagedDesc: "fadsl_paged_desc",
    FadslFwdDesc: "fadsl_fwd_desc",
    FadslCompileInfo: "fadsl_compile_info",
    FadslCacheStats: "fadsl_cache_stats",
    FaParamInfo: "fa_param_info",
}
