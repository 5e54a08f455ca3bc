"""fadsl.compile and the cache helpers, on the CPU (an arch is named, so no GPU is used)."""
import json
import os
import subprocess
import sys
import uuid

import pytest

import fadsl


@pytest.fixture()
def cache_dir(tmp_path, monkeypatch, lib):
    """A fresh, empty disk cache for this test."""
    monkeypatch.setenv("FADSL_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _unique_source():
    """Source of a variant compiled by no earlier test (its name makes its hash new)."""
    return f"variant t{uuid.uuid4().hex[:12]} {{ mask = k <= q; }}"


def test_stdlib_causal_kernel_name_and_memory_cache(cache_dir):
    first = fadsl.compile("causal", arch="sm_90a")
    assert "causal" in first.kernel_name and "sm90a" in first.kernel_name
    assert first.image_size > 0 and first.path == "cubin"
    second = fadsl.compile("causal", arch="sm_90a")
    assert second.from_cache and second.origin == "memory"
    assert second.kernel_name == first.kernel_name


def test_relative_library_path_loads_from_the_working_directory(lib):
    """FADSL_LIBRARY=libfadsl.so names the file in the working directory (ctypes alone would
    search the loader's path for a bare name)."""
    path = fadsl.library_path()
    code = "import fadsl; print(len(fadsl.variant_params('sliding_window')))"
    env = dict(os.environ, FADSL_LIBRARY=path.name, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=path.parent, check=True, capture_output=True,
                         text=True)
    assert out.stdout.strip().splitlines()[-1] == "2"   # window_left, window_right


def test_cold_compile_then_disk_cache_in_a_new_process(cache_dir):
    source = _unique_source()
    cold = fadsl.compile(source, arch="sm_80", dtype="fp16", head_dim=64)
    assert not cold.from_cache and cold.origin == "compile" and cold.seconds > 0
    assert fadsl.cache_dir() == str(cache_dir)
    code = ("import dataclasses, json, sys, fadsl; "
            "print(json.dumps(dataclasses.asdict(fadsl.compile(sys.argv[1], arch='sm_80', dtype='fp16', head_dim=64))))")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    out = subprocess.run([sys.executable, "-c", code, source], env=env, check=True, capture_output=True, text=True)
    warm = json.loads(out.stdout.strip().splitlines()[-1])
    assert warm["origin"] == "disk" and warm["from_cache"]
    assert warm["kernel_name"] == cold.kernel_name
    assert fadsl.cache_clear() >= 1


def test_variant_file_path(cache_dir, tmp_path):
    path = tmp_path / "mine.fa"
    path.write_text("variant mine { param w : i32 = 64; mask = k <= q && q - k < w; }\n")
    result = fadsl.compile(path, arch="sm_80")
    assert "mine" in result.kernel_name


def test_bad_source_raises_with_caret(lib):
    with pytest.raises(fadsl.FadslError) as info:
        fadsl.compile("variant bad {\n    mask = k <= ;\n}\n", arch="sm_90a")
    err = info.value
    assert isinstance(err, RuntimeError)
    assert err.status == "ERR_SYNTAX"
    assert "<source>:2:" in err.detail and "^" in err.detail
    assert "^" in str(err)


def test_unknown_stdlib_name_lists_known(lib):
    with pytest.raises(fadsl.FadslError) as info:
        fadsl.compile("no_such_variant", arch="sm_90a")
    assert info.value.status == "ERR_VARIANT" and "causal" in info.value.detail


def test_unsupported_key_is_an_error_not_a_crash(lib):
    with pytest.raises(fadsl.FadslError) as info:
        fadsl.compile("causal", arch="sm_90a", head_dim=1000)
    assert info.value.status in ("ERR_UNSUPPORTED", "ERR_INVALID")


@pytest.mark.parametrize("kwargs, error", [
    (dict(arch="sm_70"), ValueError),
    (dict(arch="sm_90a", dtype="fp32"), ValueError),
    (dict(arch="sm_90a", head_dim=0), ValueError),
    (dict(arch="sm_90a", gqa=-2), ValueError),
    (dict(arch="sm_90a", paged=(16, "xyz")), ValueError),
    (dict(arch="sm_90a", paged=0), ValueError),
    (dict(arch="sm_90a", head_dim=2**32 + 128), ValueError),   # ctypes would wrap it to 128
    (dict(arch="sm_90a", gqa=2**32 + 4), ValueError),
    (dict(arch="sm_90a", paged=2**32 + 16), ValueError),
    (dict(arch="sm_90a", paged="16"), TypeError),              # not unpacked as ("1", "6")
    (dict(arch="sm_90a", varlen="no"), TypeError),             # bool("no") is True
    (dict(arch="sm_90a", varlen=2), TypeError),
    (dict(arch="sm_90a", gqa=True), TypeError),                # wrong types: TypeError, ranges: ValueError
    (dict(arch="sm_90a", head_dim="128"), TypeError),
])
def test_bad_compile_arguments(lib, kwargs, error):
    with pytest.raises(error):
        fadsl.compile("causal", **kwargs)


@pytest.mark.parametrize("variant", [None, "", 3])
def test_bad_variant_type(variant):
    with pytest.raises(TypeError):
        fadsl.compile(variant, arch="sm_90a")


@pytest.mark.parametrize("device, error", [("0", TypeError), (True, TypeError), (0.0, TypeError), (-1, ValueError),
                                           (2**32, ValueError)])   # ctypes would wrap 2**32 to 0
def test_bad_device_arch_argument(lib, device, error):
    with pytest.raises(error):
        fadsl.device_arch(device)


def test_variant_with_a_nul_is_refused():
    """The C string would end at the NUL: "causal\0junk" would compile as "causal"."""
    with pytest.raises(ValueError, match="NUL"):
        fadsl.compile("causal\0junk", arch="sm_90a")


def test_cache_stats_count(cache_dir):
    before = fadsl.cache_stats()
    fadsl.compile("none", arch="sm_80")
    fadsl.compile("none", arch="sm_80")
    after = fadsl.cache_stats()
    assert set(after) == {"memory_hits", "disk_hits", "compiles", "corrupt_entries", "write_failures"}
    assert after["memory_hits"] >= before["memory_hits"] + 1


def test_variant_params_describe_the_declarations(lib):
    (slopes,) = fadsl.variant_params("causal_alibi")
    assert slopes == fadsl.VariantParam("slopes", "f32", True, ("q_heads",), None)
    window, _ = fadsl.variant_params("examples/alibi_swa.fa")
    assert (window.name, window.type, window.is_tensor, window.default) == ("window", "i32", False, 4096.0)
    (c,) = fadsl.variant_params("variant x { param c : i32[3, kv_heads]; mask = c[0, hk] > 0; }")
    assert c.dims == (3, "kv_heads")
    with pytest.raises(fadsl.FadslError) as info:
        fadsl.variant_params("variant x { mask = k <=; }")
    assert info.value.status == "ERR_SYNTAX"


def test_paged_layout_hnd_is_a_deprecated_hdb(lib):
    """compile(paged=(bs, "hnd")) builds the same key as "hdb", with a DeprecationWarning.
    The forward template reads HDB caches on sm_90a only (decode kernels compile on first
    use): elsewhere both are refused alike."""
    with pytest.raises(fadsl.FadslError) as hdb:
        fadsl.compile("causal", arch="sm_80", paged=(16, "hdb"))
    with pytest.warns(DeprecationWarning, match='"hnd" is deprecated') as caught:
        with pytest.raises(fadsl.FadslError) as hnd:
            fadsl.compile("causal", arch="sm_80", paged=(16, "hnd"))
    assert caught[0].filename == __file__
    assert hnd.value.status == hdb.value.status == "ERR_UNSUPPORTED"
    assert hnd.value.detail == hdb.value.detail and "paged layout hdb" in hdb.value.detail
    assert "on sm_80 with a bf16 cache" in hdb.value.detail and "decode template only" in hdb.value.detail


def test_hdb_chunked_prefill_kernel_compiles_for_hopper(cache_dir):
    info = fadsl.compile("causal", arch="sm_90a", paged=(16, "hdb"), gqa=4)
    assert info.kernel_name.startswith("fa3_fwd_paged") and "bs16" in info.kernel_name
    with pytest.warns(DeprecationWarning):
        assert fadsl.compile("causal", arch="sm_90a", paged=(16, "hnd"), gqa=4).kernel_name == info.kernel_name


def test_paged_prefill_kernel_compiles_ahead_of_time(cache_dir):
    info = fadsl.compile("causal", arch="sm_90a", paged=16, gqa=8)
    assert "paged" in info.kernel_name and "bs16" in info.kernel_name and "gqa8" in info.kernel_name
