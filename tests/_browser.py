"""Headless Chromium for the report's browser test (selenium + the system's chromedriver).

The browser test fails when Chromium, its driver or selenium is missing, unless
`KERNELRICH_BROWSER_TEST=optional` says it may be skipped: `scripts/test.sh` sets that when the
environment variable `CI` is unset (a developer's machine), never in CI.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-quic",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--window-size=1280,1000",
)


def required() -> bool:
    """Whether this run must not skip the browser test (unless told it is optional)."""
    return os.environ.get("KERNELRICH_BROWSER_TEST", "required").lower() != "optional"


def _unavailable(why: str):
    if required():
        pytest.fail(f"the browser test is required but {why} "
                    "(KERNELRICH_BROWSER_TEST=optional allows skipping it)", pytrace=False)
    pytest.skip(f"{why} (KERNELRICH_BROWSER_TEST=optional)")


def _which(env: str, *names: str) -> str | None:
    """The executable named by the environment variable `env`, else the first of `names` on
    PATH; `None` if not found."""
    if os.environ.get(env):
        return shutil.which(os.environ[env])
    return next((p for p in map(shutil.which, names) if p), None)


@contextmanager
def chromium():
    """A selenium WebDriver on headless Chromium with a fresh profile; skips or fails (CI) when
    Chromium, chromedriver or selenium is missing."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium is not installed (pip install selenium)")
    browser = _which("CHROMIUM", "chromium", "chromium-browser", "google-chrome")
    driver_path = _which("CHROMEDRIVER", "chromedriver")
    if browser is None or driver_path is None:
        _unavailable(f"chromium ({browser}) or chromedriver ({driver_path}) not found "
                     "(apt-get install chromium chromium-driver)")
    os.environ.setdefault("SE_AVOID_STATS", "true")  # selenium-manager: no telemetry,
    os.environ.setdefault("SE_OFFLINE", "true")  # no downloads (the driver path is given)
    with tempfile.TemporaryDirectory(prefix="kernelrich-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for flag in (*FLAGS, f"--user-data-dir={profile}"):
            options.add_argument(flag)
        driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
        try:
            driver.set_page_load_timeout(120)
            yield driver
        finally:
            driver.quit()


def full_page_png(driver, path: Path, max_height: int = 40000) -> Path:
    """Save a full-page screenshot of the current page (Chrome DevTools protocol) to `path`."""
    import base64

    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], max_height),
            "scale": 1}
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {"format": "png", "captureBeyondViewport": True, "clip": clip},
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def print_pdf(driver, path: Path) -> Path:
    """Print the current page to PDF (A4, print CSS, backgrounds) at `path`."""
    import base64

    pdf = driver.execute_cdp_cmd(
        "Page.printToPDF",
        {"printBackground": True, "paperWidth": 8.27, "paperHeight": 11.69, "marginTop": 0.6,
         "marginBottom": 0.6, "marginLeft": 0.6, "marginRight": 0.6},
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(pdf["data"]))
    return path
