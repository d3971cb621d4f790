"""Proposal metadata on the session chain: a proposal opened with the metadata's hash shows its title
and labels on the index, the results page, the JSON and the CSV; metadata that does not hash to the
chain's descriptionHash is refused; a row edited in the database shows as unverified; results hidden
until close are hidden before and shown after (anvil's evm_increaseTime)."""

from __future__ import annotations

import csv
import io

import pytest

from governance.proposal_metadata import ProposalMetadata
from governance.proposals import ONE_PERSON_ONE_VOTE

from .test_relayer import vote_body

pytestmark = [pytest.mark.slow, pytest.mark.node]
META = ProposalMetadata("Fund the <b>well</b>", "Dig it by spring.", ("Yes", "No", "Later"))
HOUR = 3600


def open_with(gov, meta: ProposalMetadata, duration: int = 10 * HOUR, delay: int = -60) -> int:
    start = gov.now() + delay
    created = gov.chain.proposals.create(
        ONE_PERSON_ONE_VOTE, meta.digest(), len(meta.options), start, start + duration, gov.owner
    )
    return created.proposal_id


def publish(client, proposal_id: int, meta: ProposalMetadata | dict):
    body = meta.to_json() if isinstance(meta, ProposalMetadata) else meta
    return client.post(f"/v1/proposals/{ONE_PERSON_ONE_VOTE}/{proposal_id}/metadata", json=body)


def test_published_metadata_shows_on_the_index_results_and_list(gov_chain, client):
    pid = open_with(gov_chain, META)
    base = f"/v1/proposals/{ONE_PERSON_ONE_VOTE}/{pid}"
    assert client.get(f"{base}/metadata").json["metadataStatus"] == "missing"
    assert client.get(f"{base}/results").json["labels"] == ["option 0", "option 1", "option 2"]
    first = publish(client, pid, META)
    assert first.status_code == 201 and first.json["metadataStatus"] == "verified"
    assert first.json["descriptionHash"] == "0x" + META.digest().hex()
    assert publish(client, pid, META).status_code == 200  # already there
    results = client.get(f"{base}/results").json
    assert results["title"] == META.title and results["labels"] == list(META.options)
    assert results["metadata"] == META.to_json() and results["startTime"].endswith(" UTC")
    assert results["groupSize"] == 4 and results["turnout"] == 0.0
    page = client.get(f"/proposals/{ONE_PERSON_ONE_VOTE}/{pid}").get_data(as_text=True)
    assert "Fund the &lt;b&gt;well&lt;/b&gt;" in page and "<b>well" not in page  # escaped
    assert "<td>2</td><td>Later</td>" in page and "Metadata verified" in page and " UTC" in page
    index = client.get("/proposals")
    assert index.status_code == 200 and index.mimetype == "text/html"
    text = index.get_data(as_text=True)
    assert f"href='/proposals/{ONE_PERSON_ONE_VOTE}/{pid}'>Fund the &lt;b&gt;well" in text
    assert "(metadata missing)" in text  # the session's proposals opened with a bare description
    listed = {(p["ballot"], p["proposalId"]): p for p in client.get("/v1/proposals").json["proposals"]}
    assert listed[(ONE_PERSON_ONE_VOTE, pid)]["title"] == META.title
    assert listed[(ONE_PERSON_ONE_VOTE, gov_chain.proposals["open"])]["metadataStatus"] == "missing"


def test_metadata_that_does_not_hash_to_the_chain_is_refused(gov_chain, client, services):
    pid = open_with(gov_chain, META)
    swapped = ProposalMetadata(META.title, META.description, ("No", "Yes", "Later"))
    refused = publish(client, pid, swapped)
    assert refused.status_code == 409 and refused.json["error"] == "metadata_mismatch"
    fewer = ProposalMetadata(META.title, META.description, ("Yes", "No"))
    assert publish(client, pid, fewer).status_code == 409
    bare = publish(
        client, gov_chain.proposals["open"], {"title": "Fund the well", "options": ["a", "b", "c"]}
    )
    assert bare.status_code == 409  # opened with keccak256 of its text: no metadata hashes to that
    assert publish(client, pid, {"title": "x"}).json["error"] == "invalid_metadata"
    path = f"/v1/proposals/{ONE_PERSON_ONE_VOTE}/{pid}/metadata"
    assert client.get(path).json == {
        "metadataStatus": "missing",
        "descriptionHash": "0x" + META.digest().hex(),
        "metadata": None,
    }  # nothing was stored
    assert publish(client, pid, META).status_code == 201
    with services.nullifiers.engine.begin() as connection:  # the database is edited behind our back
        connection.exec_driver_sql("UPDATE proposal_metadata SET body = replace(body, 'spring', 'autumn')")
    assert client.get(path).json["metadataStatus"] == "unverified"
    page = client.get(f"/proposals/{ONE_PERSON_ONE_VOTE}/{pid}").get_data(as_text=True)
    assert "Metadata unverified" in page and "autumn" not in page and "Later" not in page


def test_csv_matches_the_json_results(gov_chain, client):
    gov = gov_chain
    assert client.post("/v1/relay/vote", json=vote_body(gov)).status_code == 200
    base = f"/v1/proposals/{ONE_PERSON_ONE_VOTE}/{gov.proposals['open']}"
    results = client.get(f"{base}/results").json
    response = client.get(f"{base}/results.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    header, *rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert header == ["option", "label", "on_chain", "recount", "percent"]
    assert [int(r[2]) for r in rows] == results["tallies"] == [0, 0, 1]
    assert [int(r[3]) for r in rows] == results["recount"]
    assert [float(r[4]) for r in rows] == results["percentages"] == [0.0, 0.0, 100.0]
    assert [r[1] for r in rows] == results["labels"]
    assert results["ballots"] == 1 and results["turnout"] == 25.0  # 1 of the 4 enrolled


def test_results_hidden_until_close_are_hidden_before_and_shown_after(gov_chain, client):
    gov = gov_chain
    hidden = ProposalMetadata("Secret until close", "", ("a", "b"), hide_results_until_close=True)
    pid = open_with(gov, hidden, duration=HOUR)
    assert publish(client, pid, hidden).status_code == 201
    base = f"/v1/proposals/{ONE_PERSON_ONE_VOTE}/{pid}"
    before = client.get(f"{base}/results").json
    assert before["hidden"] is True and before["tallies"] is None and before["recount"] is None
    assert gov.tallies(ONE_PERSON_ONE_VOTE, pid) == [0, 0]  # the chain itself still answers
    csv_refused = client.get(f"{base}/results.csv")
    assert csv_refused.status_code == 403 and csv_refused.json["error"] == "results_hidden"
    chart = client.get(f"/proposals/{ONE_PERSON_ONE_VOTE}/{pid}/chart.png")
    assert chart.status_code == 403 and chart.mimetype == "text/html"
    page = client.get(f"/proposals/{ONE_PERSON_ONE_VOTE}/{pid}").get_data(as_text=True)
    assert "Results are hidden until voting closes" in page and "<img" not in page
    gov.warp(HOUR + 60)
    after = client.get(f"{base}/results").json
    assert after["hidden"] is False and after["final"] is True and after["tallies"] == [0, 0]
    assert client.get(f"{base}/results.csv").status_code == 200
    assert client.get(f"/proposals/{ONE_PERSON_ONE_VOTE}/{pid}/chart.png").mimetype == "image/png"


def test_the_window_state_follows_chain_time(gov_chain, client):
    pid = open_with(gov_chain, META, duration=HOUR, delay=HOUR)
    path = f"/proposals/{ONE_PERSON_ONE_VOTE}/{pid}"
    assert client.get(f"/v1{path}/results").json["state"] == "upcoming"
    assert "voting not open yet" in client.get(path).get_data(as_text=True)
    gov_chain.warp(HOUR + 1)
    assert client.get(f"/v1{path}/results").json["state"] == "open"
    assert "voting open" in client.get(path).get_data(as_text=True)
    gov_chain.warp(HOUR)
    closed = client.get(f"/v1{path}/results").json
    assert closed["state"] == "closed" and closed["final"] is True
    assert "voting closed" in client.get(path).get_data(as_text=True)


def test_metadata_published_within_a_block_relabels_the_chart(gov_chain, client):
    pid = open_with(gov_chain, META)
    path = f"/proposals/{ONE_PERSON_ONE_VOTE}/{pid}/chart.png"
    numbered = client.get(path).data
    assert client.get(path).data == numbered  # the same block: the kept chart
    assert publish(client, pid, META).status_code == 201  # no transaction: still the same block
    assert client.get(path).data != numbered  # drawn again with the labels
