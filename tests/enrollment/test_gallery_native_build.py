"""Where a C compiler exists (every machine `make` supports), the native gallery kernel must have built.

The extension is optional so that an install never fails for want of gcc (the gallery then runs
the numba kernel), and the native kernel tests skip without it; this test keeps that skip honest:
on a machine with a compiler, a missing extension is a build failure, not a reason to skip.
"""

from __future__ import annotations

import platform
import shutil
import sysconfig

import pytest

from enrollment.gallery import native_kernel


def test_the_native_gallery_kernel_built_where_a_compiler_exists():
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        pytest.skip(f"no C compiler ({compiler}) on this machine: the numba kernel searches instead")
    assert native_kernel.AVAILABLE, f"the native gallery kernel did not build: {native_kernel.IMPORT_ERROR}"
    assert native_kernel.PATHS[-1] == "generic"
    if platform.machine() in ("x86_64", "AMD64"):
        assert "popcnt" in native_kernel.PATHS  # every x86-64 CPU of the last 15 years
