"""Shared fixtures: the loaded library (tests skip, saying why, when none is found) and
the source tree's root (for the header-based checks)."""
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def lib():
    """libfadsl loaded through the package's own lookup; skips when it is not built."""
    from fadsl import _lib
    try:
        _lib.library_path()
    except FileNotFoundError as e:
        pytest.skip(f"libfadsl.so not available: {e}")
    return _lib.lib()


@pytest.fixture(scope="session")
def headers():
    """The directories holding fadsl.h and fadslc.h; skips outside the source tree."""
    runtime, compiler = REPO / "runtime", REPO / "compiler"
    if not (runtime / "fadsl.h").is_file() or not (compiler / "fadslc.h").is_file():
        pytest.skip(f"C headers not found under {REPO}")
    return runtime, compiler
