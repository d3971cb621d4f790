"""Finding 9 (Low): results pages scanned `get_logs(from_block=0)` and rendered a chart on every request.

Attack replayed: a flood of results-page requests. Within one block they cost one read and one chart;
vote logs are read in pages of bounded block ranges (providers cap them), each block range once, and a
new block only costs the blocks mined since."""

from __future__ import annotations

import dataclasses

import pytest

from governance import ResultsReader
from governance.proposals import ONE_PERSON_ONE_VOTE
from personhood.app import create_app

from ..governance.test_relayer import vote_body

pytestmark = [pytest.mark.slow, pytest.mark.node]
PAGE = 4


def test_a_flood_of_results_requests_costs_one_read_and_one_chart_per_block(gov_chain, services):
    gov = gov_chain
    w3 = gov.w3
    reader = ResultsReader(
        gov.chain.proposals,
        lambda: w3.eth.block_number,
        lambda n: int(w3.eth.get_block(n)["timestamp"]),
        page_blocks=PAGE,
    )
    client = create_app(
        {"PERSONHOOD_SERVICES": dataclasses.replace(services, results_reader=reader)}
    ).test_client()
    assert client.post("/v1/relay/vote", json=vote_body(gov)).status_code == 200
    path = f"/proposals/{ONE_PERSON_ONE_VOTE}/{gov.proposals['open']}"
    for _ in range(20):
        assert client.get(path).status_code == 200
        assert client.get(path + "/chart.png").status_code == 200
        assert client.get(f"/v1{path}/results").json["recount"] == [0, 0, 1]
    head = w3.eth.block_number
    assert reader.charts_rendered == 1
    pages = list(reader.pages)
    assert all(end - start + 1 <= PAGE for _, start, end in pages)  # bounded ranges
    assert [(s, e) for _, s, e in pages] == [(s, min(s + PAGE - 1, head)) for s in range(0, head + 1, PAGE)]

    w3.provider.make_request("evm_mine", [])
    assert client.get(path).status_code == 200
    assert reader.pages[len(pages) :] == [(ONE_PERSON_ONE_VOTE, head + 1, head + 1)]  # only the new block
    assert reader.charts_rendered == 2
