"""The security suite replays the review's findings (issue 23) as attacks against the real parts:
the governance world (anvil, deployment, real proofs) is the governance tests' own fixture."""

from ..governance.conftest import client, gov, gov_chain, services  # noqa: F401  (fixtures)
