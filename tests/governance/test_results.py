"""Results from the chain: JSON and HTML pages, the PNG chart, and recounts from events equal to the
contract's tallies."""

from __future__ import annotations

import pytest

from governance import bar_chart_png
from governance.proposals import ONE_PERSON_ONE_VOTE, QUADRATIC

from .conftest import QV_VOTES
from .test_relayer import qv_body, vote_body

pytestmark = [pytest.mark.slow, pytest.mark.node]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_results_after_relayed_votes_match_on_chain_and_recount(gov_chain, client):
    gov = gov_chain
    assert client.post("/v1/relay/vote", json=vote_body(gov)).status_code == 200
    assert client.post("/v1/relay/vote", json=qv_body(gov)).status_code == 200
    one = client.get(f"/v1/proposals/{ONE_PERSON_ONE_VOTE}/{gov.proposals['open']}/results").json
    assert one["tallies"] == one["recount"] == [0, 0, 1] and one["consistent"] and not one["final"]
    qv = client.get(f"/v1/proposals/{QUADRATIC}/{gov.proposals['qv']}/results").json
    assert qv["tallies"] == qv["recount"] == list(QV_VOTES) and qv["budget"] == 100
    page = client.get(f"/proposals/{QUADRATIC}/{gov.proposals['qv']}")
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    row = "<td>0</td><td>option 0</td><td class='n'>3</td><td class='n'>3</td><td class='n'>75.00%</td>"
    assert "data:image/png;base64," in text and row in text
    chart = client.get(f"/proposals/{ONE_PERSON_ONE_VOTE}/{gov.proposals['open']}/chart.png")
    assert chart.mimetype == "image/png" and chart.data.startswith(PNG_MAGIC)


@pytest.mark.parametrize(
    "path",
    [
        "/v1/proposals/one_person_one_vote/999/results",
        f"/v1/proposals/quadratic/{2**256}/results",
        "/v1/proposals/ranked/0/results",
        "/v1/proposals/one_person_one_vote/999/results.csv",
        "/v1/proposals/one_person_one_vote/999/metadata",
    ],
)
def test_unknown_proposals_are_404_json_on_the_api(client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.json["error"] == "not_found"


@pytest.mark.parametrize(
    "path",
    [
        "/proposals/one_person_one_vote/999",
        "/proposals/one_person_one_vote/999/chart.png",
        f"/proposals/quadratic/{2**256}",
        "/proposals/ranked/0",
        "/proposals/one_person_one_vote/-1",
        "/proposals/no/such/page",
    ],
)
def test_unknown_proposals_are_404_html_pages(client, path):
    response = client.get(path)
    text = response.get_data(as_text=True)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert text.startswith("<!doctype html>") and "error code: not_found" in text and "Traceback" not in text


def test_the_bar_chart_is_a_png_that_depends_on_the_counts():
    a, b = bar_chart_png([1, 2, 0], "t"), bar_chart_png([2, 1, 0], "t")
    assert a.startswith(PNG_MAGIC) and b.startswith(PNG_MAGIC) and a != b
