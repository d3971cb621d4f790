"""Fixtures shared by the proving and verifying tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from zk_identity import ProverPool


@pytest.fixture(scope="module")
def pool() -> Iterator[ProverPool]:
    """One persistent node worker per test module, closed when the module is done."""
    with ProverPool(size=1) as p:
        yield p
