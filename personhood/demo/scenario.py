"""`run_demo`: the whole system on the embedded defaults, in one process, step by step.

    deploy → start the uniqueness service → enroll through N stations (one duplicate, back at another
    station; one printed iris) → open two proposals →
    everyone votes through the relayer over HTTP (one tries twice) → tallies vs recount, charts →
    a dapp verifies a unique-human airdrop claim once and refuses the second

Everything it starts (anvil, the prover's node workers, the HTTP server) is stopped on the way out,
whatever happens; keys, gallery, journal, audit log and the nullifier database live in a temporary
directory removed at the end. Only the charts and summary.json are written to `out`.
"""

from __future__ import annotations

import json
import math
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from governance import (
    NullifierStore,
    ProofChecker,
    RateLimit,
    RateLimiter,
    Services,
    bar_chart_png,
    sqlite_url,
)
from governance.local_server import serve_in_thread
from governance.proposals import ONE_PERSON_ONE_VOTE, QUADRATIC
from personhood.app import create_app
from personhood.config import Settings
from zk_identity import ProverPool, ProvingSetup

from .dapp import airdrop
from .enroll_people import enroll_everyone
from .errors import DemoError
from .local_chain import start_chain
from .people import OPTIONS, Person, check_people, check_seed, make_cast
from .stations import check_stations, open_deployment
from .summary import DemoSummary, TallyCheck
from .voting import Ballots, everyone_votes, open_proposals, sync_group

STEPS = 7
PROVER_WORKERS = 2  # warm node processes proving and verifying Groth16 proofs
DEMO_RATE_LIMIT = RateLimit(requests=1_000, window_s=60.0)  # every demo voter is the same local client
CHART_TITLES = {
    ONE_PERSON_ONE_VOTE: ("Demo: where to build the well (one person, one vote)", "votes"),
    QUADRATIC: ("Demo: split the budget (quadratic voting)", "votes (cost: votes² credits)"),
}
Report = Callable[[str], None]


@dataclass(frozen=True)
class DemoParams:
    """How many people (3..30, two of whom are refused), the seed of their eyes and votes, where the
    charts go, and how many stations (1..8) share the deployment's uniqueness service."""

    people: int = 10
    seed: int = 0
    out: Path = Path(".cache/demo")
    stations: int = 2

    def __post_init__(self) -> None:
        check_people(self.people)
        check_stations(self.stations)
        check_seed(self.seed)
        if self.out.exists() and not self.out.is_dir():
            raise ValueError(f"--out {self.out} exists and is not a directory")


def group_depth(members: int) -> int:
    """The LeanIMT depth of a group of `members` (at least 1, the smallest official circuit)."""
    return max(1, math.ceil(math.log2(max(members, 1))))


def expected_tallies(voters: tuple[Person, ...]) -> dict[str, tuple[int, ...]]:
    """What each proposal's tallies must be, summed from the votes the people chose."""
    one = [0] * OPTIONS
    quadratic = [0] * OPTIONS
    for person in voters:
        one[person.option] += 1
        for option, votes in enumerate(person.votes):
            quadratic[option] += votes
    return {ONE_PERSON_ONE_VOTE: tuple(one), QUADRATIC: tuple(quadratic)}


def write_charts(tallies: dict[str, TallyCheck], out: Path) -> tuple[str, ...]:
    """One PNG bar chart per proposal in `out`; their paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for ballot, check in tallies.items():
        title, ylabel = CHART_TITLES[ballot]
        path = out / f"{ballot}.png"
        path.write_bytes(bar_chart_png(check.results.tallies, title, ylabel))
        paths.append(str(path))
    return tuple(paths)


def run_demo(settings: Settings, params: DemoParams, report: Report) -> DemoSummary:
    """Run every step; `report` gets one progress line per step (and per person). Raises only for a
    failure of the machinery (chain, prover, server); refusals are results, read them in the summary."""
    started = time.perf_counter()
    cast = make_cast(params.people, params.seed)
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="personhood-demo-")))
        depths = range(1, group_depth(len(cast.honest)) + 1)
        where = settings.rpc_url or "an embedded anvil"
        report(f"[1/{STEPS}] deploying the contracts on {where} (verifiers for depths 1..{depths[-1]})")
        demo = start_chain(stack, settings, depths, workdir)
        report(f"  registry {demo.chain.registry.address}; station device {demo.device.address} authorized")

        deployment = open_deployment(stack, demo, workdir, params.stations)
        report(
            f"[2/{STEPS}] enrolling {params.people} synthetic people at {params.stations} station(s); "
            f"uniqueness service {deployment.service.key.address} on {deployment.url} "
            f"(eyes: {' + '.join(deployment.service.params.eyes)})"
        )
        enrollments = enroll_everyone(deployment.stations, cast, report)
        if not enrollments.enrolled:
            raise DemoError("nobody could enroll, so nobody can vote; see the refusals above")

        report(f"[3/{STEPS}] opening a one-person-one-vote and a quadratic proposal")
        ballots: Ballots = open_proposals(demo)
        pool = ProverPool(size=PROVER_WORKERS, node_modules=settings.node_modules)
        stack.callback(pool.close)
        store = NullifierStore(sqlite_url(workdir))
        stack.callback(store.close)
        # official Semaphore keys; proofs made and checked in the one warm worker pool
        setup = ProvingSetup(node_modules=settings.node_modules, pool=pool, verifier="node")
        checker = ProofChecker(demo.chain.registry, setup=setup)
        services = Services(checker, store, demo.chain, demo.vote_relayer, RateLimiter(DEMO_RATE_LIMIT))
        api = stack.enter_context(serve_in_thread(create_app({"PERSONHOOD_SERVICES": services})))
        report(f"  relayer and verification API listening on {api}")

        report(f"[4/{STEPS}] voting: proofs made locally (official Semaphore keys), sent through the relayer")
        group = sync_group(demo, workdir / "group.json")
        report(
            f"  the indexer rebuilt the group from the registry's events: {group.size} members, root matches"
        )
        voting = everyone_votes(demo, ballots, enrollments.enrolled, group, setup, api, report)

        report(f"[5/{STEPS}] tallies: the contracts' counters against a recount from the vote events")
        expected = expected_tallies(enrollments.enrolled)
        tallies = {}
        for ballot in (ONE_PERSON_ONE_VOTE, QUADRATIC):
            results = demo.chain.proposals.results(ballot, ballots.of(ballot).proposal_id)
            tallies[ballot] = TallyCheck(results, expected[ballot])
            report(
                f"  {ballot}: on chain {list(results.tallies)}, recount {list(results.recount)}, "
                f"votes cast {list(expected[ballot])}: {'consistent' if tallies[ballot].ok else 'MISMATCH'}"
            )

        report(f"[6/{STEPS}] writing the charts to {params.out}")
        charts = write_charts(tallies, params.out)

        report(f"[7/{STEPS}] a dapp verifies a unique-human airdrop claim through /v1/verify")
        claims = airdrop(enrollments.enrolled[-1], group, setup, api, report, demo.chain.deployment.chain_id)
        report("  shutting down the API server, the prover workers and anvil")
    summary = DemoSummary(enrollments, voting, tallies, claims, charts, time.perf_counter() - started)
    params.out.mkdir(parents=True, exist_ok=True)
    (params.out / "summary.json").write_text(json.dumps(summary.to_json(), indent=2) + "\n")
    return summary
