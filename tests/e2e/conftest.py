"""A real ReplyCoach server (``streamlit run server.py``, as scripts/start runs it) on a free port against a temp
SQLite database with the demo users, and Debian's Chromium driven by Playwright. Never ``playwright install``:
downloads fail here."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from e2e_support import CHROMIUM, ROOT

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _create_demo_users(env: dict) -> None:
    """The demo accounts, created exactly as ``scripts/start`` creates them."""
    subprocess.run(
        [sys.executable, "-m", "replycoach.cli", "users", "demo"], env=env, cwd=ROOT, check=True, capture_output=True
    )


@pytest.fixture(scope="session")
def e2e_dir(tmp_path_factory) -> Path:
    """The served app's data folder; its database is ``e2e.sqlite3`` (see ``app_store``)."""
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="session")
def app_url(e2e_dir):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/test installs it)")
    tmp = e2e_dir
    cases = tmp / "cases"
    cases.mkdir()
    for source in [
        ROOT / "scenarios" / "price-complaint.yaml",
        ROOT / "tests" / "ui" / "cases" / "hostile-markup.yaml",
        ROOT / "tests" / "e2e" / "cases" / "outside-links.yaml",
    ]:
        shutil.copy(source, cases / source.name)
    env = {
        **os.environ,
        "REPLYCOACH_DATA_DIR": str(tmp),
        "REPLYCOACH_DATABASE_URL": f"sqlite:///{tmp / 'e2e.sqlite3'}",
        "REPLYCOACH_SCENARIOS_DIR": str(cases),
        "REPLYCOACH_LLM": "off",
        "HF_HUB_OFFLINE": "1",
        # the checkout's embedding cache: a training run from the app need not embed the shipped data again
        "REPLYCOACH_VECTOR_DIR": str(ROOT / "data" / "vectors"),
    }
    _create_demo_users(env)
    port = _free_port()
    log = open(tmp / "streamlit.log", "w")  # noqa: SIM115 - closed after the server stops
    server = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(ROOT / "server.py"),
            "--server.headless=true", "--server.address=127.0.0.1", f"--server.port={port}",
            "--browser.gatherUsageStats=false", "--server.fileWatcherType=none",
        ],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start: {(tmp / 'streamlit.log').read_text()[-2000:]}")
            time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="session")
def app_store(app_url, e2e_dir):
    """The served app's database, for what an admin or another process would do meanwhile."""
    from replycoach.storage.facade import Store

    store = Store(f"sqlite:///{e2e_dir / 'e2e.sqlite3'}")
    yield store
    store.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1500})
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    yield tab
    context.close()


@pytest.fixture
def new_browser(browser):
    """Open more browsers (contexts: their own cookies), closed after the test."""
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1400, "height": 1500})
        contexts.append(context)
        tab = context.new_page()
        tab.set_default_timeout(30_000)
        return tab

    yield make
    for context in contexts:
        context.close()
