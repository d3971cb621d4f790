"""The native gallery kernel under AddressSanitizer and UndefinedBehaviorSanitizer: every path reads and
writes only its own memory, and runs no undefined operation.

The counting loops write one slot per shift into caller arrays of HM_SHIFTS; a loop that runs one
shift too far (`k <= HM_SHIFTS`) writes past them onto the stack, and whether that changes a result
depends on the compiler's stack layout: no result-level test sees it (the mutation campaign's
survivor, tests/mutation/BASELINE.md). Built here from enrollment/gallery/native/ with
-fsanitize=address and run in a child Python with the sanitizer preloaded, such a write stops the
child with a report. Bounded and unbounded scans, several rows, on every path this CPU runs.
UBSan (aborting on the first report) catches what stays inside one object, where ASan cannot: an
index past a member array into the next member, a shift by the width of its type.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from enrollment.gallery import native_kernel

from .kernel_builds import EMULATE_AVX512, SOURCES, compiler, extension_name, has_simde, python_include

pytestmark = pytest.mark.slow

CHILD = """
import importlib.util, sys
import numpy as np
spec = importlib.util.spec_from_file_location("enrollment.gallery._hamming", sys.argv[1])
kernel = importlib.util.module_from_spec(spec)
spec.loader.exec_module(kernel)
rng = np.random.default_rng(11)
rows = 301  # two of the scan's 256-row blocks, the second odd: a pair run past its end writes out of bounds
probe = rng.integers(0, 2**63, 256, dtype=np.uint64)
probe_mask = rng.integers(0, 2**63, 256, dtype=np.uint64) | rng.integers(0, 2**63, 256, dtype=np.uint64)
codes = rng.integers(0, 2**63, (rows, 256), dtype=np.uint64)
codes[7] = np.roll(probe, 3)  # a duplicate: the bounded scan scores it in full
masks = np.full((rows, 256), ~np.uint64(0), dtype=np.uint64)
for path in kernel.paths():
    for bound in (-1.0, 0.3):
        d, s, n = np.empty(rows), np.empty(rows, np.int64), np.empty(rows, np.uint64)
        kernel.scan(probe, probe_mask, codes, masks, 5120, bound, path, 2, d, s, n)
        assert d[7] < 0.3, (path, bound, d[7])
print("ok", ",".join(kernel.paths()))
"""


def _asan_runtime(compiler: str) -> str | None:
    found = subprocess.run(
        [compiler, "-print-file-name=libasan.so"], capture_output=True, text=True, timeout=30, check=False
    ).stdout.strip()
    return found if os.path.isabs(found) and os.path.exists(found) else None


def _paths_to_run(cc: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(extra compiler flags, the paths the sanitized build will run): a CPU without AVX-512 runs that path
    on SIMDe's software AVX-512 when libsimde-dev is there, so its loops are sanitized too."""
    if "avx512" in native_kernel.PATHS or not has_simde(cc):
        return (), native_kernel.PATHS
    return EMULATE_AVX512, ("avx512", *native_kernel.PATHS)


def test_every_native_path_stays_in_bounds_under_address_sanitizer(tmp_path: Path) -> None:
    cc = compiler()
    runtime = _asan_runtime(cc) if shutil.which(cc) else None
    if runtime is None:
        pytest.skip(f"no {cc} with AddressSanitizer's runtime (libasan.so) on this machine")
    flags, paths = _paths_to_run(cc)
    built = tmp_path / extension_name()
    command = [cc, "-O1", "-g", "-fsanitize=address,undefined", "-fno-sanitize-recover=undefined"]
    command += ["-fno-omit-frame-pointer", "-std=gnu11", "-pthread", "-ffp-contract=off", "-fPIC", "-shared"]
    command += [*flags, python_include(), *SOURCES, "-o", str(built)]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    env = dict(os.environ, LD_PRELOAD=runtime, ASAN_OPTIONS="detect_leaks=0")
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(built)], capture_output=True, text=True, timeout=300, env=env
    )
    assert "AddressSanitizer" not in child.stderr, child.stderr[-3000:]
    assert "runtime error" not in child.stderr, child.stderr[-3000:]  # UndefinedBehaviorSanitizer
    assert child.returncode == 0, child.stderr[-3000:]
    assert child.stdout.split() == ["ok", ",".join(paths)]  # every path ran
