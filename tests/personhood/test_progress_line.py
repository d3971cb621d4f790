"""Progress on long work (issue 25): a line on stderr while circuits compile or verifiers build, nothing
on stdout (which carries the JSON), nothing under --quiet, no redrawing when stderr is not a terminal."""

from __future__ import annotations

import io
import json
import time

import pytest

from personhood.commands import progress_line
from personhood.commands.progress_line import ProgressLine


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _clocked() -> tuple[list[float], object]:
    now = [100.0]
    return now, lambda: now[0]


def test_off_a_terminal_a_step_is_announced_once_when_it_runs_long() -> None:
    now, clock = _clocked()
    out = io.StringIO()
    with ProgressLine("building", out, after_s=1.0, interval_s=3600, clock=clock) as line:
        line.step("fast step")
        now[0] += 0.5
        line.render()  # under a second: nothing yet
        line.step("slow step")
        now[0] += 1.5
        line.render()
        line.render()  # announced once only
        now[0] += 2.0
    assert out.getvalue() == "building: slow step ...\nbuilding: done in 4.0 s\n"
    assert "\r" not in out.getvalue()


def test_cached_work_that_ends_at_once_prints_nothing() -> None:
    now, clock = _clocked()
    out = io.StringIO()
    with ProgressLine("building", out, clock=clock, interval_s=3600) as line:
        line.step("compiling (cached)")
        now[0] += 0.2
        line.render()
    assert out.getvalue() == ""


def test_on_a_terminal_the_line_is_redrawn_and_cleared(monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    now, clock = _clocked()
    out = Terminal()
    with ProgressLine("setup", out, clock=clock, interval_s=3600) as line:
        now[0] += 1.0
        line.render()  # before any step: the label alone
        line.step("groth16 setup")
        now[0] += 2.0
        line.render()
        line.step("zkey verify")
        now[0] += 1.0
        line.render()
    assert out.getvalue() == (
        "\r\x1b[Ksetup (1 s)\r\x1b[Ksetup: groth16 setup (3 s)\r\x1b[Ksetup: zkey verify (4 s)"
        "\r\x1b[Ksetup: done in 4.0 s\n"
    )


def test_a_line_wider_than_the_terminal_is_cut_so_it_can_be_redrawn(monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "30")
    _, clock = _clocked()
    out = Terminal()
    with ProgressLine("building contracts", out, clock=clock, interval_s=3600) as line:
        line.step("verifier 3/4 (depth 3): exporting from its zkey (snarkjs)")
        line.render()
        drawn = out.getvalue().removeprefix("\r\x1b[K")
    assert len(drawn) == 29 and drawn.startswith("…") and drawn.endswith("(snarkjs) (0 s)")


def test_quiet_prints_nothing_and_a_failure_prints_no_done_line() -> None:
    now, clock = _clocked()
    out = io.StringIO()
    with ProgressLine("x", out, quiet=True, clock=clock) as line:
        line.step("long")
        now[0] += 10
    assert out.getvalue() == ""
    with pytest.raises(RuntimeError), ProgressLine("x", out, clock=clock, interval_s=3600) as line:
        now[0] += 10
        raise RuntimeError("the compiler failed")
    assert "done" not in out.getvalue()


def test_the_ticker_thread_announces_by_itself() -> None:
    out = io.StringIO()
    with ProgressLine("waiting", out, after_s=0.0, interval_s=0.01) as line:
        line.step("a step")
        for _ in range(200):
            if "a step" in out.getvalue():
                break
            time.sleep(0.01)
    assert out.getvalue().startswith("waiting: a step ...\n")


@pytest.mark.node
def test_chain_build_json_is_unchanged_and_progress_goes_to_stderr(capsys, monkeypatch) -> None:
    from personhood.cli import main

    monkeypatch.setattr(progress_line, "ANNOUNCE_AFTER_S", 0.0)  # announce even cached (fast) work
    monkeypatch.setattr(progress_line, "REDRAW_EVERY_S", 0.01)
    assert main(["--quiet", "chain", "build", "--depths", "1", "--json"]) == 0
    quiet = capsys.readouterr()
    assert main(["chain", "build", "--depths", "1", "--json"]) == 0
    shown = capsys.readouterr()
    assert quiet.err == "" and quiet.out == shown.out
    result = json.loads(shown.out)  # stdout is exactly one JSON document
    assert result["verifier_depths"] == [1] and "PersonhoodRegistry" in result["contracts"]
    assert "building contracts and 1 verifier(s)" in shown.err and "done in" in shown.err


def test_quiet_keeps_errors_and_drops_progress(tmp_path, capsys) -> None:
    from personhood.cli import main

    out = str(tmp_path / "set")
    assert main(["--quiet", "bio", "synth", out, "--subjects", "0"]) == 2
    assert "--subjects and --captures must be >= 1" in capsys.readouterr().err  # an error is not progress
    assert main(["--quiet", "bio", "synth", out, "--subjects", "1", "--captures", "1", "--json"]) == 0
    quiet = capsys.readouterr()
    assert quiet.err == "" and json.loads(quiet.out)
