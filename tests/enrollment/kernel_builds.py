"""Building the native gallery kernel apart from the installed one, for the tests that need another build
(sanitizers, SIMDe's software AVX-512): the sources, the compiler, and whether SIMDe is there."""

from __future__ import annotations

import subprocess
import sysconfig
from pathlib import Path

NATIVE = Path(__file__).resolve().parents[2] / "enrollment" / "gallery" / "native"
SOURCES = tuple(
    str(NATIVE / name)
    for name in ("hamming_module.c", "hamming_scan.c", "hamming_avx2.c", "hamming_avx512.c")
)
SIMDE_HEADER = "simde/x86/avx512.h"
EMULATE_AVX512 = ("-DHM_AVX512_EMULATED", "-Wno-psabi")  # hamming_avx512.c on SIMDe


def compiler() -> str:
    """The C compiler CPython was built with (its first word), as setuptools uses it."""
    return (sysconfig.get_config_var("CC") or "cc").split()[0]


def extension_name() -> str:
    return f"_hamming{sysconfig.get_config_var('EXT_SUFFIX')}"


def python_include() -> str:
    return f"-I{sysconfig.get_paths()['include']}"


def has_simde(cc: str) -> bool:
    """Whether `cc` finds SIMDe's AVX-512 header (Debian's libsimde-dev; `make system-deps` installs it)."""
    probe = subprocess.run(
        [cc, "-E", "-x", "c", "-"],
        input=f"#include <{SIMDE_HEADER}>\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return probe.returncode == 0
