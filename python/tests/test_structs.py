"""The ctypes mirrors against the C headers: every struct's size and every field's offset
(from a small C program built with the system compiler), and the enum orders."""
import ctypes
import re
import shutil
import subprocess

import pytest

from fadsl import _structs


def _c_layout(tmp_path, runtime, compiler):
    """{"type": size, "type.field": offset} as the C compiler lays them out."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        pytest.skip("no C compiler")
    lines = ['#include "fadsl.h"', "#include <stddef.h>", "#include <stdio.h>", "int main(void) {"]
    for cls, cname in _structs.C_NAMES.items():
        lines.append(f'    printf("{cname} %zu\\n", sizeof({cname}));')
        for field, _ in cls._fields_:
            lines.append(f'    printf("{cname}.{field} %zu\\n", offsetof({cname}, {field}));')
    lines += ["    return 0;", "}"]
    src, exe = tmp_path / "layout.c", tmp_path / "layout"
    src.write_text("\n".join(lines) + "\n")
    subprocess.run([cc, "-std=c11", f"-I{runtime}", f"-I{compiler}", str(src), "-o", str(exe)], check=True)
    out = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout
    return {name: int(value) for name, value in (line.split() for line in out.splitlines())}


def test_struct_layouts_match_headers(tmp_path, headers):
    c = _c_layout(tmp_path, *headers)
    mismatches = []
    for cls, cname in _structs.C_NAMES.items():
        if ctypes.sizeof(cls) != c[cname]:
            mismatches.append(f"sizeof({cname}): ctypes {ctypes.sizeof(cls)}, C {c[cname]}")
        for field, _ in cls._fields_:
            offset = getattr(cls, field).offset
            if offset != c[f"{cname}.{field}"]:
                mismatches.append(f"{cname}.{field}: ctypes {offset}, C {c[f'{cname}.{field}']}")
    assert not mismatches, "\n".join(mismatches)


def _x_macro_ids(text, list_name):
    """The first argument of every X(...) in the #define of list_name."""
    body = re.search(rf"#define {list_name}\(X\)(.*?)\n\s*\n", text + "\n\n", re.S).group(1)
    return re.findall(r"X\((\w+),", body)


def test_enum_orders_match_headers(headers):
    runtime, compiler = headers
    fadsl_h, fadslc_h = (runtime / "fadsl.h").read_text(), (compiler / "fadslc.h").read_text()
    assert tuple(_x_macro_ids(fadsl_h, "FADSL_STATUS_LIST")) == _structs.STATUS_NAMES
    assert len(_x_macro_ids(fadslc_h, "FA_ARCH_LIST")) == len(_structs.ARCH_NAMES)
    assert len(_x_macro_ids(fadslc_h, "FA_DTYPE_LIST")) == len(_structs.DTYPE_NAMES)
    extents = re.findall(r'X\(\w+, "([^"]+)"\)', re.search(r"#define FA_EXTENT_LIST\(X\)(.*?)\n\s*\n", fadslc_h, re.S).group(1))
    assert tuple(extents) == _structs.EXTENT_NAMES
    assert re.search(r"enum\s*{\s*FA_PARAM_I32,\s*FA_PARAM_F32\s*}", fadslc_h)
    assert re.search(r"enum\s*{\s*FA_PAGED_HDB,\s*FA_PAGED_NHD\s*}", fadslc_h)
    assert re.search(r"enum\s*{\s*FADSL_FROM_COMPILE,\s*FADSL_FROM_MEMORY,\s*FADSL_FROM_DISK\s*}", fadsl_h)
    assert re.search(r"enum\s*{\s*FADSL_PATH_CUBIN,\s*FADSL_PATH_PTX\s*}", fadsl_h)


def test_enum_names_match_library(lib):
    for i, name in enumerate(_structs.ARCH_NAMES):
        assert lib.fa_arch_name(i).decode() == name
    for i, name in enumerate(_structs.DTYPE_NAMES):
        assert lib.fa_dtype_name(i).decode() == name
    assert lib.fadsl_status_name(0).decode() == "ok"
    assert lib.fadsl_status_name(_structs.STATUS_NAMES.index("ERR_UNSUPPORTED")).decode() == "unsupported key"
