"""Where a C compiler exists (every machine `make` supports), the native prover must have built.

The extension is optional so that an install never fails for want of gcc, and the native tests
skip without it; this test keeps that skip honest: on a machine with a compiler, a missing
extension is a build failure, not a reason to skip.
"""

from __future__ import annotations

import shutil
import sysconfig

import pytest

from zk_identity import bn254_native


def test_the_native_extension_built_where_a_compiler_exists():
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        pytest.skip(f"no C compiler ({compiler}) on this machine: the node worker proves instead")
    assert bn254_native.AVAILABLE, f"the native extension did not build: {bn254_native.IMPORT_ERROR}"
