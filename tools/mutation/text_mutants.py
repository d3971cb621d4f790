"""Mutation testing for Solidity and C: plant one textual bug at a time, rebuild, run the targeted tests.

mutmut mutates Python only, so contracts/*.sol and the native gallery kernel get this small driver.
Each mutant is one of the bugs an auditor would plant: a comparison moved by one (`>` to `>=`, ...), `==` /
`!=` swapped, `&&` / `||` swapped, `+` / `-` swapped, or a guard removed (an `if (...) revert X(...);`
line, a `revert` in an if-block, a `require(...)`; in C, a `return 0;` / `return 1;` line; in the SIMD
kernels, an intrinsic swapped for its neighbour (`cmpge` / `cmpgt`, `min` / `max`, `add` / `sub`, `and` /
`andnot`, ...), a compare predicate, or one truth-table bit of a VPTERNLOG immediate). For each
one the file is rewritten, `--build` runs if given (a failed build: the mutant is invalid, not killed),
the pytest selection runs (`-x`: the first failing test kills it), and the original is put back (and
rebuilt), also when the run is stopped.

Usage, from the repository root (`make mutation` runs the campaigns of tests/mutation/BASELINE.md):
    python tools/mutation/text_mutants.py contracts/PersonhoodRegistry.sol \\
        --tests tests/contracts/test_registry.py tests/contracts/test_registry_time_boundaries.py \\
        [--lines 120-180] [--list] [--report tests/mutation/sol-PersonhoodRegistry.json]
    python tools/mutation/text_mutants.py enrollment/gallery/native/hamming_scan.c \\
        --build tools/mutation/build_gallery_kernel.sh --tests tests/enrollment/test_gallery_tight_bound.py
A contract mutant costs ~10-20 s (anvil, deployment; the Semaphore peer's proofs are cached across
mutants), a kernel mutant ~5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMPARISON = re.compile(r"(?<=\s)(>=|<=|==|!=|>|<)(?=\s)")
SWAP = {">": ">=", ">=": ">", "<": "<=", "<=": "<", "==": "!=", "!=": "=="}
LOGIC = re.compile(r"(?<=\s)(&&|\|\|)(?=\s)")
ARITH = re.compile(r"(?<=\s)([+-])(?=\s)")
GUARD_LINE = re.compile(r"^\s*if \(.*\) revert \w+\(.*\);\s*$")
REVERT_LINE = re.compile(r"^\s*revert \w+\(.*\);\s*$")
REQUIRE_LINE = re.compile(r"^\s*require\(.*\);\s*$")
C_RETURN_LINE = re.compile(r"^\s*(?:if \(.*\) )?return [01];\s*$")
# SIMD intrinsics (the gallery kernels): the neighbouring operation, an existing intrinsic of the same shape
# (`_mm512_cmpge_epu64_mask` -> `_mm512_cmpgt_epu64_mask`, `min` -> `max`, `add` -> `sub`, ...), the
# comparison predicate of a floating-point compare, and one truth-table bit of a VPTERNLOG immediate.
INTRINSIC = re.compile(r"(?<=_mm)(\d*_)(cmpge|cmpgt|cmple|cmplt|cmpeq|min|max|add|sub|and|or|xor)(?=_)")
INTRINSIC_SWAP = {
    "cmpge": "cmpgt", "cmpgt": "cmpge", "cmple": "cmplt", "cmplt": "cmple", "cmpeq": "cmpneq",
    "min": "max", "max": "min", "add": "sub", "sub": "add", "and": "andnot", "or": "xor", "xor": "or",
}  # fmt: skip
PREDICATE = re.compile(r"_CMP_(EQ|LE|LT|GE|GT)_OQ")
PREDICATE_SWAP = {"EQ": "LE", "LE": "LT", "LT": "LE", "GE": "GT", "GT": "GE"}
TERNLOG_IMMEDIATE = re.compile(r"(?<=ternarylogic_epi)(?:32|64)\(.*,\s*(0x[0-9a-fA-F]{1,2})\s*\)")


@dataclass(frozen=True)
class Mutant:
    """One planted bug: line number (1-based), what it does, the line before and after."""

    line: int
    kind: str
    before: str
    after: str


@dataclass(frozen=True)
class Outcome:
    mutant: Mutant
    status: str  # killed / survived / invalid / timeout
    seconds: float
    detail: str


def _code(line: str) -> str:
    """The part of a line that is code: no comments (a `//` or `/*` inside a string literal is not one)."""
    stripped = line.lstrip()
    if stripped.startswith(("//", "/*", "*", "#")):
        return ""
    masked = _mask_strings(line)
    ends = [i for i in (masked.find("//"), masked.find("/*")) if i >= 0]
    return line[: min(ends)] if ends else line


def _mask_strings(code: str) -> str:
    """`code` with the inside of every string or character literal ("...", '...') replaced by `_`.

    Same length as `code`, so that a match found in the mask is at the same place in the code: the
    operators of an error message ("y^2 = x^3 + 3") are text, not code, and are never mutated.
    Backslash escapes are honoured; a literal left open at the end of the line is masked to the end.
    """
    out = []
    quote = ""
    escaped = False
    for ch in code:
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = ""
                out.append(ch)
                continue
            out.append("_")
        else:
            if ch in "\"'":
                quote = ch
            out.append(ch)
    return "".join(out)


def mutants(source: str) -> list[Mutant]:
    """Every mutant of `source`, in line order."""
    out: list[Mutant] = []
    lines = source.split("\n")
    for number, line in enumerate(lines, start=1):
        code = _code(line)
        if not code.strip() or code.lstrip().startswith(("pragma", "import", "event", "error")):
            continue
        rest = line[len(code) :]
        masked = _mask_strings(code)
        for pattern, replace, kind in (
            (COMPARISON, lambda m: SWAP[m.group(1)], "comparison"),
            (LOGIC, lambda m: "||" if m.group(1) == "&&" else "&&", "logic"),
            (ARITH, lambda m: "-" if m.group(1) == "+" else "+", "arithmetic"),
            (INTRINSIC, lambda m: m.group(1) + INTRINSIC_SWAP[m.group(2)], "intrinsic"),
            (PREDICATE, lambda m: f"_CMP_{PREDICATE_SWAP[m.group(1)]}_OQ", "predicate"),
        ):
            for match in pattern.finditer(masked):
                mutated = code[: match.start()] + replace(match) + code[match.end() :]
                out.append(
                    Mutant(number, f"{kind} {match.group(0)} -> {replace(match)}", line, mutated + rest)
                )
        for match in TERNLOG_IMMEDIATE.finditer(masked):
            value = match.group(1)
            flipped = f"0x{int(value, 16) ^ 1:02x}"
            mutated = code[: match.start(1)] + flipped + code[match.end(1) :]
            out.append(Mutant(number, f"ternlog {value} -> {flipped}", line, mutated + rest))
        if GUARD_LINE.match(code) or REVERT_LINE.match(code) or REQUIRE_LINE.match(code):
            out.append(Mutant(number, "guard removed", line, ""))
        elif C_RETURN_LINE.match(code):
            flipped = (
                code.replace("return 0;", "return 1;")
                if "return 0;" in code
                else code.replace("return 1;", "return 0;")
            )
            out.append(Mutant(number, "return flipped", line, flipped + rest))
    return out


def apply(source: str, mutant: Mutant) -> str:
    lines = source.split("\n")
    assert lines[mutant.line - 1] == mutant.before, "the source changed since the mutants were listed"
    lines[mutant.line - 1] = mutant.after
    return "\n".join(lines)


def run_tests(tests: list[str], timeout: float) -> tuple[int | None, str]:
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    try:
        proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None, "timeout"
    return proc.returncode, proc.stdout[-3000:] + proc.stderr[-2000:]


def _solc_cache() -> set[Path]:
    folder = ROOT / ".cache" / "solc"
    return set(folder.glob("*.json")) if folder.is_dir() else set()


def build(command: str | None) -> tuple[bool, str]:
    """Run the build step (if any); (ok, its output)."""
    if not command:
        return True, ""
    proc = subprocess.run(command.split(), cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    return proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]


def campaign(
    path: Path, chosen: list[Mutant], tests: list[str], timeout: float, build_command: str | None = None
) -> list[Outcome]:
    original = path.read_text(encoding="utf-8")
    outcomes = []

    def restore(*_: object) -> None:
        path.write_text(original, encoding="utf-8")
        build(build_command)
        raise SystemExit("interrupted: original restored")

    signal.signal(signal.SIGTERM, restore)
    cached = _solc_cache()
    try:
        for i, mutant in enumerate(chosen, start=1):
            path.write_text(apply(original, mutant), encoding="utf-8")
            start = time.monotonic()
            built, output = build(build_command)
            rc, more = run_tests(tests, timeout) if built else (1, "")
            output += more
            seconds = time.monotonic() - start
            path.write_text(original, encoding="utf-8")
            for junk in _solc_cache() - cached:  # a mutant's compiler output is never needed again
                junk.unlink(missing_ok=True)
            if rc is None:
                status = "timeout"
            elif not built or "ContractBuildError" in output or "CompilerError" in output:
                status = "invalid"
            else:
                status = "survived" if rc == 0 else "killed"
            detail = next((ln for ln in output.splitlines() if ln.startswith(("FAILED", "ERROR"))), "")
            outcomes.append(Outcome(mutant, status, round(seconds, 1), detail))
            print(
                f"[{i}/{len(chosen)}] line {mutant.line} {mutant.kind}: {status} ({seconds:.0f} s)",
                flush=True,
            )
    finally:
        path.write_text(original, encoding="utf-8")
        build(build_command)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("contract", type=Path)
    parser.add_argument("--tests", nargs="+", default=["tests/contracts"])
    parser.add_argument("--lines", help="only mutants on lines A-B[,C-D...]")
    parser.add_argument(
        "--kinds",
        nargs="+",
        help="only mutants of these kinds (comparison, arithmetic, intrinsic, ternlog, ...)",
    )
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument(
        "--timeout", type=float, default=300.0, help="seconds per mutant's test run (then: a hang, caught)"
    )
    parser.add_argument("--report", type=Path, help="write the outcomes as JSON here")
    parser.add_argument("--build", help="command that rebuilds what the tests import (C sources)")
    args = parser.parse_args(argv)
    path = (ROOT / args.contract).resolve()
    chosen = mutants(path.read_text(encoding="utf-8"))
    if args.lines:
        spans = [tuple(int(v) for v in span.split("-")) for span in args.lines.split(",")]
        chosen = [m for m in chosen if any(first <= m.line <= last for first, last in spans)]
    if args.kinds:
        chosen = [m for m in chosen if m.kind.split()[0] in args.kinds]
    if args.list:
        for m in chosen:
            print(f"line {m.line} {m.kind}: {m.after.strip() or '(removed) ' + m.before.strip()}")
        return 0
    os.environ.setdefault("PYTHONPATH", str(ROOT))
    # the contract tests' Semaphore peer answers the same requests for every mutant: ask it once
    os.environ.setdefault("PERSONHOOD_TEST_PEER_CACHE", str(ROOT / ".cache" / "mutation" / "peer"))
    outcomes = campaign(path, chosen, args.tests, args.timeout, args.build)
    counted = [o for o in outcomes if o.status != "invalid"]
    killed = sum(o.status in ("killed", "timeout") for o in counted)  # a hang is caught too (CI timeout)
    print(f"{args.contract}: {killed}/{len(counted)} killed ({len(outcomes) - len(counted)} invalid)")
    for o in counted:
        if o.status not in ("killed", "timeout"):
            shown = o.mutant.after.strip() or "(removed) " + o.mutant.before.strip()
            print(f"  {o.status}: line {o.mutant.line} {o.mutant.kind}: {shown}")
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps([asdict(o) for o in outcomes], indent=1) + "\n", encoding="utf-8")
    return 0 if killed == len(counted) else 1


if __name__ == "__main__":
    sys.exit(main())
