"""Proposal metadata without a chain: the canonical bytes and their keccak256 (checked against ethers in
node), the schema's refusals, the content-addressed store, and the results' shares, turnout, hiding
and CSV."""

from __future__ import annotations

import csv
import io
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from eth_utils import keccak

from governance.metadata_publish import MISSING, UNVERIFIED, VERIFIED, MetadataView, check_against, lookup
from governance.metadata_store import MetadataStore, ProposalKey
from governance.proposal_metadata import MetadataError, MetadataMismatchError, ProposalMetadata, hex32
from governance.proposals import ONE_PERSON_ONE_VOTE, Proposal, ProposalResults
from governance.results_view import ResultsView, human_time, results_csv, shares, turnout_percent

META = ProposalMetadata("Fund the well ☂", 'Line one\nsays "why"', ("Yes", "No", "Ábstain"), True)
KEY = ProposalKey(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3", 7)


def proposal_for(meta: ProposalMetadata, end: int = 2_000) -> Proposal:
    return Proposal(
        ONE_PERSON_ONE_VOTE, KEY.proposal_id, len(meta.options), 1_000, end, None, hex32(meta.digest())
    )


def test_canonical_bytes_are_sorted_compact_utf8_and_hashed_with_keccak():
    body = META.canonical()
    assert body.decode("utf-8") == (
        '{"description":"Line one\\nsays \\"why\\"","hideResultsUntilClose":true,'
        '"options":["Yes","No","Ábstain"],"title":"Fund the well ☂"}'
    )
    assert META.digest() == keccak(body)
    assert ProposalMetadata.from_bytes(json.dumps(META.to_json(), indent=2).encode()) == META


@pytest.mark.node
def test_the_hash_matches_an_independent_canonicalization_in_javascript(run_node):
    # ethers' keccak256 over JSON.stringify of the object with its keys inserted in sorted order
    out = run_node(
        "import { keccak256, toUtf8Bytes } from 'ethers';"
        "const m = JSON.parse(process.argv[1]);"
        "const sorted = Object.fromEntries(Object.keys(m).sort().map((k) => [k, m[k]]));"
        "console.log(JSON.stringify({h: keccak256(toUtf8Bytes(JSON.stringify(sorted)))}))",
        json.dumps(META.to_json()),
    )
    assert out["h"] == hex32(META.digest())


@pytest.mark.parametrize(
    "value",
    [
        [],
        {"options": ["a", "b"]},  # no title
        {"title": "t"},  # no options
        {"title": "t", "options": ["a", "b"], "extra": 1},
        {"title": " ", "options": ["a", "b"]},
        {"title": "t", "options": ["a"]},
        {"title": "t", "options": ["a", "a"]},
        {"title": "t", "options": ["a", 2]},
        {"title": "t", "options": "ab"},
        {"title": "t", "options": ["a", "b"], "hideResultsUntilClose": "yes"},
        {"title": "t" * 201, "options": ["a", "b"]},
        {"title": "t\x00", "options": ["a", "b"]},
        {"title": "t", "options": [str(i) for i in range(33)]},
    ],
)
def test_metadata_outside_the_schema_is_refused(value):
    with pytest.raises(MetadataError):
        ProposalMetadata.from_json(value)


def test_bytes_that_are_not_utf8_json_are_refused():
    for data in (b"\xff", b"{", b"x" * (64 * 1024 + 1)):
        with pytest.raises(MetadataError):
            ProposalMetadata.from_bytes(data)


def test_metadata_must_hash_to_the_chain_and_fit_its_options():
    proposal = proposal_for(META)
    check_against(proposal, META)
    tampered = ProposalMetadata("Fund the well ☂", META.description, ("No", "Yes", "Ábstain"), True)
    with pytest.raises(MetadataMismatchError) as caught:
        check_against(proposal, tampered)
    assert caught.value.expected == proposal.description_hash != caught.value.actual


@pytest.fixture
def store(sql_url):
    """The store on a SQLite file and on a real PostgreSQL database (tests/conftest.py's sql_url)."""
    built = MetadataStore.from_url(sql_url)
    try:
        yield built
    finally:
        built.close()


class _Book:
    """The one ProposalBook method lookup uses, over a fixed chain id and address."""

    class _Client:
        chain_id, address = KEY.chain_id, KEY.contract

    def client(self, _ballot):
        return self._Client()


def test_the_store_is_content_addressed_and_re_hashes_what_it_reads(store):
    proposal = proposal_for(META)
    assert lookup(_Book(), store, proposal).status == MISSING
    assert store.put(KEY, proposal.description_hash, META.canonical()) is True
    assert store.put(KEY, proposal.description_hash, META.canonical()) is False  # once
    assert lookup(_Book(), store, proposal) == MetadataView(VERIFIED, proposal.description_hash, META)
    other = ProposalMetadata("Another", "", ("a", "b", "c"))  # a new proposal at the same id: other hash
    assert lookup(_Book(), store, proposal_for(other)).status == MISSING
    with store.engine.begin() as connection:  # someone edits the row in the database
        connection.exec_driver_sql("UPDATE proposal_metadata SET body = replace(body, 'Yes', 'Yep')")
    assert lookup(_Book(), store, proposal) == MetadataView(UNVERIFIED, proposal.description_hash)


def test_racing_publishers_store_one_row(store):
    """16 threads publishing the same metadata at once: exactly one stores it, none fails."""
    proposal = proposal_for(META)
    barrier = threading.Barrier(16)

    def publish(_: int) -> bool:
        barrier.wait()
        return store.put(KEY, proposal.description_hash, META.canonical())

    with ThreadPoolExecutor(16) as pool:
        outcomes = list(pool.map(publish, range(16)))
    assert outcomes.count(True) == 1
    assert store.get(KEY, proposal.description_hash) == META.canonical()


def results(recount: tuple[int, ...], final: bool, ballots: int) -> ProposalResults:
    return ProposalResults(proposal_for(META), recount, recount, final, ballots)


def test_shares_turnout_and_dates():
    assert shares((1, 2, 1)) == (25.0, 50.0, 25.0) and shares((0, 0)) == (0.0, 0.0)
    assert shares((1, 1, 1)) == (33.33, 33.33, 33.33)
    assert turnout_percent(3, 8) == 37.5 and turnout_percent(0, 0) is None
    assert human_time(0) == "1970-01-01 00:00:00 UTC" and human_time(1_800_000_000).endswith(" UTC")


def test_hidden_results_null_the_counts_until_final():
    verified = MetadataView(VERIFIED, hex32(META.digest()), META)
    open_view = ResultsView(results((2, 1, 0), False, 3), verified, 10)
    body = open_view.to_json()
    assert open_view.hidden and body["hidden"] is True
    assert body["tallies"] is body["recount"] is body["percentages"] is body["turnout"] is None
    assert body["labels"] == ["Yes", "No", "Ábstain"] and body["title"] == META.title
    closed = ResultsView(results((2, 1, 0), True, 3), verified, 10).to_json()
    assert not closed["hidden"] and closed["recount"] == [2, 1, 0] and closed["turnout"] == 30.0
    missing = ResultsView(results((2, 1, 0), False, 3), MetadataView(MISSING, verified.description_hash), 10)
    assert not missing.hidden and missing.to_json()["labels"] == ["option 0", "option 1", "option 2"]


def test_csv_has_one_row_per_option_and_labels_cannot_run_as_formulas():
    meta = ProposalMetadata("t", "", ("=HYPERLINK(1)", "plain, with comma"))
    view = ResultsView(
        ProposalResults(proposal_for(meta), (1, 3), (1, 3), True, 4),
        MetadataView(VERIFIED, hex32(meta.digest()), meta),
        8,
    )
    rows = list(csv.reader(io.StringIO(results_csv(view))))
    assert rows == [
        ["option", "label", "on_chain", "recount", "percent"],
        ["0", "'=HYPERLINK(1)", "1", "1", "25.00"],
        ["1", "plain, with comma", "3", "3", "75.00"],
    ]
