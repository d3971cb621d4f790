"""Runtime code runs without the optional and test-only packages (pyproject: `ray` is the `[ray]` extra,
eth-tester is dev-only): every runtime package imports with them absent, nothing imports them behind
our back, and asking for the Ray engine without Ray names the extra to install.

A child Python makes them absent: `sys.modules[name] = None` makes any `import name` raise ImportError,
exactly as when the package is not installed."""

from __future__ import annotations

import json
import subprocess
import sys

from zk_identity.node_tools import PROJECT_ROOT

CHILD = """
import json, sys
for name in ("ray", "eth_tester"):
    sys.modules[name] = None
import contracts, enrollment, enrollment.gallery, governance, hardware, liveness, uniqueness, zk_identity
import personhood.app, personhood.cli, uniqueness.service
from enrollment.gallery import Gallery, GalleryError
local = Gallery.connect("local", shards=2)
local.close()
try:
    Gallery.connect("ray", shards=2)
    ray_error = None
except GalleryError as e:
    ray_error = str(e)
print(json.dumps({"ray_error": ray_error}))
"""


def test_runtime_packages_run_without_ray_and_eth_tester() -> None:
    child = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120
    )
    assert child.returncode == 0, child.stderr[-3000:]
    ray_error = json.loads(child.stdout.splitlines()[-1])["ray_error"]
    assert ray_error is not None and "'ray' extra" in ray_error and "personhood[ray]" in ray_error
