"""The services tests run against the governance world (anvil, deployment, real proofs): its fixtures."""

from ..governance.conftest import client, gov, gov_chain, services  # noqa: F401  (fixtures)
