"""Headless Chromium for the operator UI's browser tests: start it, log in, take screenshots.

`PERSONHOOD_UI_SCREENSHOTS=DIR` makes `screenshot` save PNGs of the page there (the README's
docs/station-ui/); without it, it does nothing.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from flask import Flask
from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

PASSWORD = "operator-password-1"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
)
SCREENSHOTS = os.environ.get("PERSONHOOD_UI_SCREENSHOTS")


def chromium(tmp_path: Path) -> webdriver.Chrome:
    """Headless Chromium with a fresh profile under `tmp_path`, its console kept for `get_log`."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # CSP violations land in the console
    return webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))


def shown(driver: webdriver.Chrome, element_id: str) -> bool:
    """Whether the element is on the page and not hidden, read in one script (the page reloads after
    login and logout: an element found before a reload goes stale)."""
    script = "const e = document.getElementById(arguments[0]); return !!e && !e.hidden;"
    return bool(driver.execute_script(script, element_id))


def log_in(driver: webdriver.Chrome, wait: WebDriverWait, app: Flask, url: str, preview: bool = True) -> None:
    """Open the page at `url`; set the password on first start (then log out), and log in; wait for the
    first preview frame unless `preview` is False (a camera that cannot be opened has none)."""
    driver.get(url + "/")
    wait.until(lambda d: shown(d, "setup") or shown(d, "login"))
    if shown(driver, "setup"):
        driver.find_element(By.ID, "setup-token").send_keys(app.config["STATION_SETUP_TOKEN"])
        driver.find_element(By.ID, "setup-password").send_keys(PASSWORD)
        driver.find_element(By.ID, "setup-button").click()
        wait.until(lambda d: shown(d, "dashboard"))
        driver.find_element(By.ID, "logout").click()
    wait.until(lambda d: shown(d, "login"))
    driver.find_element(By.ID, "login-password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login-button").click()
    wait.until(lambda d: shown(d, "dashboard"))
    if preview:
        wait.until(lambda d: d.execute_script("return document.getElementById('preview').naturalWidth") > 0)


def screenshot(driver: webdriver.Chrome, name: str) -> None:
    """Save the page as PERSONHOOD_UI_SCREENSHOTS/NAME.png when that variable is set."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page = Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB")
        # A 256-colour palette keeps a page of flat colours and text sharp at a third of the size.
        page.quantize(256).save(Path(SCREENSHOTS) / f"{name}.png", optimize=True)
