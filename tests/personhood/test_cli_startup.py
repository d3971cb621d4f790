"""Start-up: only the subcommand being run is imported (issue 25: every command loaded onnxruntime,
matplotlib and web3, 2.7-3.4 s, before doing anything). Timings are in bench/cli_startup.py; this checks
what is imported, which does not depend on the machine's load."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from personhood.cli import COMMAND_MODULES, NOUNS, build_parser, requested_noun

HEAVY = ("web3", "onnxruntime", "matplotlib", "cv2", "flask", "governance", "enrollment", "liveness")
PROBE = (
    "import json, sys\nfrom personhood.cli import main\ncode = main(sys.argv[1:])\n"
    f"print(json.dumps({{'code': code, 'loaded': [m for m in {HEAVY!r} if m in sys.modules]}}))\n"
)


def run_probe(*argv: str) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], env=env, capture_output=True, text=True, timeout=120
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_id_new_imports_nothing_heavy(tmp_path: Path) -> None:
    result = run_probe("id", "new", "--out", str(tmp_path / "me.key"))
    assert result == {"code": 0, "loaded": []}
    assert (tmp_path / "me.key").exists()


def test_version_and_help_import_no_command_module() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    code = "import sys; from personhood.cli import main\ntry: main(['--version'])\nexcept SystemExit: pass\n"
    code += "print(sorted(m for m in sys.modules if m.startswith(('personhood.commands.', 'zk_identity'))))"
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert "personhood" in proc.stdout
    loaded = proc.stdout.strip().splitlines()[-1]
    assert loaded == "['personhood.commands.error_lines', 'personhood.commands.exit_codes']"


def test_the_noun_table_names_what_each_module_registers() -> None:
    eager = build_parser()
    lazy = build_parser(["--help"])
    eager_nouns = set(eager._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    lazy_nouns = set(lazy._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    assert eager_nouns == lazy_nouns == set(NOUNS)
    assert {module for module, _ in NOUNS.values()} == set(COMMAND_MODULES)
    for noun in NOUNS:  # the real module is loaded for the noun being run, a placeholder for the others
        choices = build_parser([noun])._subparsers._group_actions[0].choices  # type: ignore[union-attr]
        real = choices[noun]
        assert real._subparsers is not None or real.get_default("handler") is not None, noun
        other = choices["id" if noun != "id" else "gov"]
        assert other._subparsers is None and other.get_default("handler") is None


def test_requested_noun_skips_top_level_options() -> None:
    assert requested_noun(["--config", "x.toml", "-v", "id", "new"]) == "id"
    assert requested_noun(["--version"]) is None
    assert requested_noun(["-v", "gov", "--help"]) == "gov"
