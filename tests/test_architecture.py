"""The architecture is checked, not described: import-linter's contracts (.importlinter) and the
benchmarks' independence from the tests."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold() -> None:
    """`lint-imports` keeps every contract: layers, runtime apart from simulation/training/evaluation,
    liveness independent of the iris pipeline."""
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "lint-imports is missing: pip install -e '.[dev]'"
    proc = subprocess.run(
        [exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_benchmarks_do_not_import_tests() -> None:
    """bench/ stands on the packages (and the test peers in peers/), never on tests/."""
    offenders = [p.name for p in sorted((ROOT / "bench").glob("*.py")) if "tests" in _imported_roots(p)]
    assert offenders == []


def test_commands_share_helpers_through_public_names() -> None:
    """A CLI command never reaches into another command's private functions (shared helpers live in
    modules made for sharing, e.g. personhood/commands/device_key_args.py)."""
    private = []
    for path in sorted((ROOT / "personhood").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.level or "personhood" in (node.module or "")):
                private += [
                    f"{path.name}: {a.name}"
                    for a in node.names
                    if a.name.startswith("_") and a.name != "__version__"
                ]
    assert private == []
