"""`personhood gallery stats|delete` on a real encrypted gallery."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from enrollment.gallery import Gallery
from personhood.cli import main
from simulation.synthetic_templates import random_templates

KEY = bytes(range(50, 82))


@pytest.fixture
def gallery_dir(tmp_path: Path) -> Path:
    codes, masks = random_templates(np.random.default_rng(1), 40)
    with Gallery.connect("local", directory=tmp_path / "g", key=KEY, shards=2) as gallery:
        gallery.add_many(np.arange(40, dtype=np.int64), codes, masks)
    (tmp_path / "key.hex").write_text(KEY.hex() + "\n")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_stats_and_delete(gallery_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    common = ["--dir", str(gallery_dir / "g"), "--key-file", str(gallery_dir / "key.hex"), "--json"]
    code, out, _ = run(capsys, "gallery", "stats", *common)
    assert code == 0
    stats = json.loads(out)
    assert stats["records"] == 40 and stats["threshold"] == 0.33 and stats["meets_target"]
    code, out, _ = run(capsys, "gallery", "delete", "3", "17", "999", *common)
    assert code == 0 and json.loads(out) == {"requested": 3, "deleted": 2, "records": 38}
    with Gallery.connect("local", directory=gallery_dir / "g", key=KEY, shards=2) as gallery:
        assert 3 not in gallery.record_ids() and 17 not in gallery.record_ids() and len(gallery) == 38


def test_wrong_key_and_bad_key_file_are_clear_errors(
    gallery_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (gallery_dir / "wrong.key").write_bytes(bytes(32))
    code, _, err = run(
        capsys,
        "gallery",
        "stats",
        "--dir",
        str(gallery_dir / "g"),
        "--key-file",
        str(gallery_dir / "wrong.key"),
    )
    assert code == 2 and "wrong key" in err
    (gallery_dir / "short.key").write_text("abcd")
    code, _, err = run(
        capsys,
        "gallery",
        "stats",
        "--dir",
        str(gallery_dir / "g"),
        "--key-file",
        str(gallery_dir / "short.key"),
    )
    assert code == 2 and "32 raw bytes or 64 hex" in err
    code, _, err = run(
        capsys,
        "gallery",
        "stats",
        "--dir",
        str(gallery_dir / "none"),
        "--key-file",
        str(gallery_dir / "key.hex"),
    )
    assert code == 2 and "no gallery" in err
