"""Finding and loading libfadsl.so, declaring the functions the binding calls, and turning
a failed status into a FadslError.

The library is looked up, first match wins, in:
  1. $FADSL_LIBRARY (a path to the .so; an error if it does not exist),
  2. libfadsl.so bundled in this package's directory,
  3. build/libfadsl.so of the source tree this package sits in (python/../build), where
     the README's build command puts it.
It is loaded on first use, so `import fadsl` works before the library is built.
"""
import ctypes
import os
import pathlib
import threading

from ._structs import (FaKey, FaParamInfo, FadslCacheStats, FadslCompileInfo, FadslFwdDesc,
                       STATUS_NAMES)

_PACKAGE_DIR = pathlib.Path(__file__).resolve().parent
_BUNDLED = _PACKAGE_DIR / "libfadsl.so"
_REPO_BUILD = _PACKAGE_DIR.parent.parent / "build" / "libfadsl.so"

_lock = threading.Lock()
_lib = None


class FadslError(RuntimeError):
    """A failed libfadsl call.

    Attributes: ``status`` (the status's enum name, e.g. "ERR_SYNTAX"), ``code`` (its
    number), ``summary`` (the status's fixed text) and ``detail`` (fadsl_last_error():
    for a DSL error the file:line:col diagnostics with the source line and a caret).
    """

    def __init__(self, code, summary, detail):
        self.code = code
        self.status = STATUS_NAMES[code] if 0 <= code < len(STATUS_NAMES) else f"STATUS_{code}"
        self.summary = summary
        self.detail = detail
        super().__init__(f"{self.status} ({summary}): {detail}" if detail else f"{self.status} ({summary})")


def library_path():
    """The path libfadsl.so is (or would be) loaded from; FileNotFoundError if none exists."""
    env = os.environ.get("FADSL_LIBRARY")
    if env:
        if not os.path.isfile(env):
            raise FileNotFoundError(f"FADSL_LIBRARY={env} does not name a file")
        return pathlib.Path(env).resolve()   # ctypes would search the loader's path for a bare name
    for candidate in (_BUNDLED, _REPO_BUILD):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        "libfadsl.so not found: set FADSL_LIBRARY to its path, copy it into "
        f"{_PACKAGE_DIR}, or build it into {_REPO_BUILD.parent} "
        "(cmake -S . -B build && cmake --build build --target fadsl)")


# name -> (restype, argtypes) of every C function the binding calls.
_SIGNATURES = {
    "fadsl_status_name": (ctypes.c_char_p, [ctypes.c_int]),
    "fadsl_last_error": (ctypes.c_char_p, []),
    "fadsl_forward": (ctypes.c_int, [ctypes.POINTER(FadslFwdDesc), ctypes.c_void_p]),
    "fadsl_make_key": (ctypes.c_int, [ctypes.POINTER(FadslFwdDesc), ctypes.POINTER(FaKey)]),
    "fadsl_variant_params": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(FaParamInfo), ctypes.c_int,
                                            ctypes.POINTER(ctypes.c_int)]),
    "fadsl_workspace_size": (ctypes.c_int, [ctypes.POINTER(FadslFwdDesc), ctypes.POINTER(ctypes.c_size_t)]),
    "fadsl_compile": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(FaKey),
                                     ctypes.POINTER(FadslCompileInfo)]),
    "fadsl_device_init": (ctypes.c_int, [ctypes.c_int, ctypes.POINTER(ctypes.c_int)]),
    "fadsl_cache_stats_get": (None, [ctypes.POINTER(FadslCacheStats)]),
    "fadsl_cache_dir": (ctypes.c_int, [ctypes.c_char_p, ctypes.c_size_t]),
    "fadsl_cache_clear": (ctypes.c_int, [ctypes.POINTER(ctypes.c_int)]),
    "fa_key_init": (None, [ctypes.POINTER(FaKey)]),
    "fa_arch_name": (ctypes.c_char_p, [ctypes.c_int]),
    "fa_dtype_name": (ctypes.c_char_p, [ctypes.c_int]),
}


def lib():
    """The loaded library with its function signatures declared (loaded once)."""
    global _lib
    with _lock:
        if _lib is None:
            handle = ctypes.CDLL(str(library_path()))
            for name, (restype, argtypes) in _SIGNATURES.items():
                fn = getattr(handle, name)
                fn.restype = restype
                fn.argtypes = argtypes
            _lib = handle
        return _lib


def check(code):
    """Raises FadslError for a non-OK status, with this thread's last-error text."""
    if code != 0:
        handle = lib()
        summary = (handle.fadsl_status_name(code) or b"").decode(errors="replace")
        detail = (handle.fadsl_last_error() or b"").decode(errors="replace")
        raise FadslError(code, summary, detail)
