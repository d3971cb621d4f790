"""The AVX-512 gallery kernel on any x86-64 CPU: the same source built on SIMDe's software AVX-512.

`hamming_avx512.c` is the fastest path where the CPU has AVX-512 (VPOPCNTQ), and the only one with
its own early-stop loop over pairs of rows; on a CPU without it, the kernel tests report that path
skipped, so a CI machine without AVX-512 never ran it. Built here with -DHM_AVX512_EMULATED
(`hamming_avx512_emulated.h`: SIMDe under the intrinsics' own names, from Debian's libsimde-dev,
which `make system-deps` installs), the extension offers the path on every x86-64 CPU, and a child
Python runs every avx512 case of the kernel tests against it (the Python reference, the tight early-stop
bound, ties, row counts and places, thread counts): the source's logic is tested; the instructions are
SIMDe's, so a fault in the CPU's own AVX-512 is not (the native build runs where the CPU has it).
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .kernel_builds import (
    EMULATE_AVX512,
    SIMDE_HEADER,
    SOURCES,
    compiler,
    extension_name,
    has_simde,
    python_include,
)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
KERNEL_TESTS = (
    "tests/enrollment/test_gallery_kernel.py",
    "tests/enrollment/test_gallery_tight_bound.py",
    "tests/enrollment/test_gallery_kernel_rows.py",
)

# The child puts the emulated build where `enrollment.gallery._hamming` is looked up, then runs pytest.
CHILD = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("enrollment.gallery._hamming", sys.argv[1])
kernel = importlib.util.module_from_spec(spec)
spec.loader.exec_module(kernel)
sys.modules["enrollment.gallery._hamming"] = kernel
assert kernel.paths()[0] == "avx512", kernel.paths()
import pytest
sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "-rs", "-k", "avx512", *sys.argv[2:]]))
"""


def test_the_avx512_path_passes_the_kernel_tests_on_software_avx512(tmp_path: Path) -> None:
    if platform.machine() not in ("x86_64", "AMD64"):
        pytest.skip("the AVX-512 path exists on x86-64 only")
    cc = compiler()
    if not shutil.which(cc) or not has_simde(cc):
        pytest.skip(f"no {SIMDE_HEADER} for {cc}: install libsimde-dev (make system-deps does, as root)")
    built = tmp_path / extension_name()
    command = [cc, "-O2", "-std=gnu11", "-pthread", "-ffp-contract=off", "-fPIC", "-shared"]
    command += [*EMULATE_AVX512, python_include(), *SOURCES, "-o", str(built)]
    subprocess.run(command, check=True, capture_output=True, timeout=600)
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(built), *KERNEL_TESTS],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    report = child.stdout[-4000:] + child.stderr[-2000:]
    assert child.returncode == 0, report
    passed = re.search(r"(\d+) passed", child.stdout)
    assert passed is not None and int(passed.group(1)) >= 40, report  # every avx512 case ran ...
    assert "skipped" not in child.stdout, report  # ... and none was skipped for want of the CPU
