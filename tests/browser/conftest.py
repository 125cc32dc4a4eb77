"""Page tests: the embedded platform served by uvicorn in its own process, driven by headless Chromium.

Chromium is Debian's (``/usr/bin/chromium``, or ``MAHALIYAT_CHROMIUM``), launched by
Playwright through its executable path; Playwright's own browser download is never
used. A missing Chromium fails the tests (``.ci/run`` installs it).
Screenshots go to ``test-output/browser/``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output" / "browser"
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    path = (
        os.environ.get("MAHALIYAT_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not path:
        pytest.fail(
            "Chromium is not installed: apt-get install chromium (or set MAHALIYAT_CHROMIUM)"
        )
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def platform_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The embedded platform (demo data seeded) on a free loopback port."""
    var_dir = tmp_path_factory.mktemp("platform") / "var"
    port = free_port()
    log = (var_dir.parent / "platform.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mahaliyat_deploy",
            "run",
            "--port",
            str(port),
            "--var-dir",
            str(var_dir),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "MAHALIYAT_ENVIRONMENT": "test"},
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"the platform exited: {(var_dir.parent / 'platform.log').read_text()[-3000:]}"
                )
            try:
                if httpx.get(f"{url}/api/v1/catalog/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"the platform did not start: {(var_dir.parent / 'platform.log').read_text()[-3000:]}"
                )
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ar-EG")
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()


def screenshot(page: Page, name: str) -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
