"""The proving page end to end in headless Chromium: an identity imported into the page (the same
commitment as zk_identity's), the group downloaded and the Semaphore v4 proof made IN THE BROWSER with
snarkjs and the official ceremony artifacts served by the app, accepted once by /v1/verify and refused
the second time. Every resource the page loads comes from the app itself (no CDN)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import pytest
from eth_abi import encode
from eth_utils import keccak
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from governance import action_scope, signal_message
from personhood.app import create_app
from zk_identity import LeanIMT, ProvingSetup, prove

from .conftest import MEMBERS

pytestmark = [pytest.mark.slow, pytest.mark.node]
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
ACTION, SIGNAL = "browser-airdrop", "0x00000000000000000000000000000000000000b2"
APP_ID = "app_browser_test"


@pytest.fixture
def served(services) -> Iterator[str]:
    app = create_app({"PERSONHOOD_SERVICES": services})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()


def namespaced_scope(app_id: str, chain_id: int, action: str) -> int:
    return (
        int.from_bytes(keccak(encode(["uint256", "string", "string"], [chain_id, app_id, action])), "big")
        >> 8
    )


def test_prove_in_the_browser_accepted_once(gov, served: str, services) -> None:
    me = gov.identities[MEMBERS - 1]
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        driver.get(served + "/prove")
        driver.find_element(By.ID, "import-key").send_keys(me.export())
        driver.find_element(By.ID, "import").click()
        WebDriverWait(driver, 60).until(lambda d: d.find_element(By.ID, "commitment").text != "none yet")
        assert driver.find_element(By.ID, "commitment").text == str(me.commitment)
        config = json.loads(driver.execute_script(
            "const r = new XMLHttpRequest(); r.open('GET', '/prove/config.json', false); r.send();"
            "return r.responseText;"
        ))  # fmt: skip
        assert config["chainId"] == gov.deployment.chain_id
        # Whichever scope the API uses (the action alone, or namespaced by an app id): the page follows.
        app_id = APP_ID if config["namespaced"] else ""
        scope = namespaced_scope(APP_ID, config["chainId"], ACTION) if app_id else action_scope(ACTION)
        for name, value in (("app-id", app_id), ("action", ACTION), ("signal", SIGNAL)):
            box = driver.find_element(By.ID, name)
            box.clear()
            box.send_keys(value)
        driver.find_element(By.ID, "prove").click()
        status = driver.find_element(By.ID, "status")
        WebDriverWait(driver, 240).until(
            lambda d: "proof made" in status.text or "error" in status.get_attribute("class")
        )
        assert "proof made in the browser" in status.text, status.text
        body = driver.find_element(By.TAG_NAME, "body")
        cold_s = float(body.get_attribute("data-prove-seconds"))  # includes fetching the artifacts
        driver.execute_script("document.getElementById('status').textContent = ''")
        driver.find_element(By.ID, "prove").click()  # again, warm: artifacts cached, wasm compiled
        WebDriverWait(driver, 240).until(lambda d: "proof made" in status.text)
        warm_s = float(body.get_attribute("data-prove-seconds"))
        proof = json.loads(driver.find_element(By.ID, "proof").text)
        assert int(proof["scope"]) == scope and int(proof["message"]) == signal_message(SIGNAL)
        assert int(proof["merkleTreeRoot"]) == gov.chain.registry.current_root()

        answer = driver.find_element(By.ID, "answer")
        driver.find_element(By.ID, "submit").click()
        WebDriverWait(driver, 60).until(lambda d: answer.text)
        assert answer.text.startswith("200 "), answer.text
        # The same person claims again from the page (another signal, a new proof): refused.
        box = driver.find_element(By.ID, "signal")
        box.clear()
        box.send_keys("another-signal")
        driver.find_element(By.ID, "prove").click()
        WebDriverWait(driver, 240).until(lambda d: "proof made" in status.text)
        assert json.loads(driver.find_element(By.ID, "proof").text)["nullifier"] == proof["nullifier"]
        driver.find_element(By.ID, "submit").click()
        WebDriverWait(driver, 60).until(lambda d: answer.text.startswith("409 "))
        assert "nullifier_used" in answer.text
        assert services.nullifiers.count() == 1

        # The World-ID-style scope the module computes where the API namespaces actions, against
        # keccak256(abi.encode(uint256, string, string)) >> 8 computed here by eth_abi.
        cases = [("app_1", 31337, "vote"), ("", 1, ""), ("a" * 40, 2**64, "ünïcödé action " * 5)]
        got = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "import('/prove/personhood-prove.js').then(m => done(arguments[0].map("
            "([a, c, x]) => m.namespacedScope(a, BigInt(c), x).toString())));",
            [[a, str(c), x] for a, c, x in cases],
        )
        assert got == [str(namespaced_scope(a, c, x)) for a, c, x in cases]

        resources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        assert resources and all(url.startswith(served + "/") for url in resources), resources
        assert any("/prove/artifacts/semaphore-" in url for url in resources)
    finally:
        driver.quit()

    group = LeanIMT(i.commitment for i in gov.identities[:MEMBERS])
    native = []
    for _ in range(3):
        started = time.perf_counter()
        prove(me, group, signal_message(SIGNAL), scope, setup=ProvingSetup(pool=gov.pool, prover="native"))
        native.append(time.perf_counter() - started)
    print(
        f"\nproof at depth {max(1, group.depth)}: browser (snarkjs) first {cold_s:.2f} s, "
        f"again {warm_s:.2f} s; "
        f"native prover {sorted(native)[1]:.2f} s (median of 3)"
    )
