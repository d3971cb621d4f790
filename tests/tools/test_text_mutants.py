"""tools/mutation/text_mutants.py plants bugs in code, never in the text of string literals or comments.

An operator inside an error message ("y^2 = x^3 + 3") is not code: a mutant there changes no behaviour
and would count as a survivor that no test can kill.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_PATH = Path(__file__).resolve().parents[2] / "tools" / "mutation" / "text_mutants.py"
_SPEC = importlib.util.spec_from_file_location("text_mutants", _PATH)
text_mutants = importlib.util.module_from_spec(_SPEC)
sys.modules["text_mutants"] = text_mutants  # its dataclasses look their module up there
_SPEC.loader.exec_module(text_mutants)


def _kinds(source: str) -> list[str]:
    return [m.kind for m in text_mutants.mutants(source)]


def test_operators_inside_a_c_string_literal_are_not_mutated():
    line = '        PyErr_SetString(PyExc_ValueError, "the point is not on the G1 curve y^2 = x^3 + 3");'
    assert text_mutants.mutants(line) == []


def test_code_around_a_string_literal_is_still_mutated_in_place():
    line = '    if (n > 16 || m != 2) PyErr_SetString(PyExc_ValueError, "n <= 16 || m == 2, x + y");'
    found = text_mutants.mutants(line)
    assert [m.kind for m in found] == ["comparison > -> >=", "comparison != -> ==", "logic || -> &&"]
    assert found[0].after == line.replace("n > 16", "n >= 16")
    assert found[2].after == line.replace("16 || m", "16 && m", 1)
    assert all('"n <= 16 || m == 2, x + y"' in m.after for m in found)


def test_escaped_quotes_and_character_literals_stay_inside_their_literal():
    assert _kinds(r'    puts("say \" a + b \" ok"); x = a + b;') == ["arithmetic + -> -"]
    assert _kinds("    c = '\"'; d = e - f;") == ["arithmetic - -> +"]


def test_solidity_strings_are_skipped_and_guards_still_removed():
    source = '        require(a < b, "a < b + 1");\n        if (x == 0) revert Zero();'
    found = text_mutants.mutants(source)
    assert [(m.line, m.kind) for m in found] == [
        (1, "comparison < -> <="),
        (1, "guard removed"),
        (2, "comparison == -> !="),
        (2, "guard removed"),
    ]


def test_a_comment_marker_inside_a_string_does_not_end_the_code():
    line = '    url = "http://x/*y"; z = a - b; // a + b'
    found = text_mutants.mutants(line)
    assert [m.kind for m in found] == ["arithmetic - -> +"]
    assert found[0].after == '    url = "http://x/*y"; z = a + b; // a + b'


def test_simd_intrinsics_get_their_neighbouring_operation():
    line = "    dead |= (uint32_t)_mm512_cmpge_epu64_mask(acc, _mm512_min_epu64(a, b)) << 8;"
    found = text_mutants.mutants(line)
    assert [m.kind for m in found] == ["intrinsic 512_cmpge -> 512_cmpgt", "intrinsic 512_min -> 512_max"]
    assert found[0].after == line.replace("_mm512_cmpge_epu64_mask", "_mm512_cmpgt_epu64_mask")
    assert found[1].after == line.replace("_mm512_min_epu64", "_mm512_max_epu64")
    # names that merely contain an operation's letters are left alone
    assert text_mutants.mutants("    x = _mm512_popcnt_epi64(_mm512_load_si512(p));") == []


def test_a_compare_predicate_and_a_ternlog_truth_table_bit_are_mutated():
    compare = "    at |= _mm512_cmp_pd_mask(v, b, _CMP_EQ_OQ);"
    assert [m.after for m in text_mutants.mutants(compare)] == [compare.replace("_CMP_EQ_OQ", "_CMP_LE_OQ")]
    ternlog = "    const __m512i d = _mm512_ternarylogic_epi64(p, c, both, 0x28); /* 0x28 */"
    found = text_mutants.mutants(ternlog)
    assert [m.kind for m in found] == ["ternlog 0x28 -> 0x29"]
    assert found[0].after == ternlog.replace("both, 0x28)", "both, 0x29)")  # the comment is untouched
