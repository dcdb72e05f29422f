"""End-to-end fixtures: a real `streamlit run app.py` on a free port and Debian's Chromium.

Without Chromium these tests skip with a reason; with PORTAL_REQUIRE_BROWSER=1 (set by .ci/run)
a missing browser is a failure instead.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import TEST_COOKIE_KEY

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Portal:
    url: str
    outbox_dir: Path
    documents_dir: Path
    process: subprocess.Popen
    log: Path


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not (os.path.exists(CHROMIUM) and shutil.which(CHROMIUM)):
        if os.environ.get("PORTAL_REQUIRE_BROWSER") == "1":
            pytest.fail(f"PORTAL_REQUIRE_BROWSER=1 but {CHROMIUM} is missing (apt-get install -y chromium)")
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM}")
    try:
        import playwright  # noqa: F401
    except ImportError:
        if os.environ.get("PORTAL_REQUIRE_BROWSER") == "1":
            pytest.fail("PORTAL_REQUIRE_BROWSER=1 but playwright is not installed")
        pytest.skip("browser tests need playwright (pip install -r requirements-dev.txt)")
    return CHROMIUM


def start_portal(tmp: Path, *, extra_env: dict[str, str] | None = None) -> Portal:
    """Start the portal in demo mode on a fresh database and wait until it answers."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update({
        "PORTAL_DB_URL": f"duckdb:///{tmp / 'portal.duckdb'}",
        "PORTAL_DEMO": "1",
        "PORTAL_COOKIE_KEY": TEST_COOKIE_KEY,
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
        "PORTAL_OUTBOX_DIR": str(tmp / "outbox"),
        "PORTAL_DOCUMENTS_DIR": str(tmp / "documents"),
    })
    env.update(extra_env or {})
    log = tmp / "streamlit.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        process.terminate()
        raise RuntimeError(f"streamlit did not start:\n{log.read_text()}")
    return Portal(url, tmp / "outbox", tmp / "documents", process, log)


def stop_portal(portal: Portal) -> None:
    portal.process.terminate()
    try:
        portal.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        portal.process.kill()


@pytest.fixture
def portal(tmp_path):
    """A running portal with demo data on its own database, stopped after the test."""
    running = start_portal(tmp_path)
    yield running
    stop_portal(running)


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    context.set_default_timeout(20_000)
    pg = context.new_page()
    yield pg
    context.close()


def wait_idle(page) -> None:
    """Wait until the page's script run has finished (widgets typed into before that can be lost)."""
    page.wait_for_function("() => document.querySelector('[data-testid=stApp]')"
                           "?.getAttribute('data-test-script-state') === 'notRunning'")


def settle(page) -> None:
    """Wait until the page is idle after the cookie component's first value has rerun the app.

    That component reports the browser's cookies once per page load, which reruns the script; a
    form submitted in the same instant can be lost. People type slower than that; tests wait.
    """
    wait_idle(page)
    page.wait_for_timeout(700)
    wait_idle(page)


def login(page, portal_url: str, email: str, password: str, *, goto: bool = True) -> None:
    """Log in through the real form and wait for the first page after login.

    A submit that lands while the cookie component's first value reruns the app can be lost
    (the form stays filled in, no error): the click is then repeated, at most three times.
    """
    if goto:
        page.goto(portal_url)
    for attempt in range(3):
        page.get_by_label("Email", exact=True).wait_for()
        settle(page)
        page.get_by_label("Email", exact=True).fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Log in").click()
        try:
            page.get_by_role("button", name="Log out").wait_for(timeout=8_000 if attempt < 2 else 20_000)
        except Exception:
            if page.get_by_text("Email or password is incorrect.").count() or attempt == 2:
                raise
            continue
        # The cookie component reports the remember-me cookie it set, which reruns the app once
        # more; a click in that instant (a menu link, an option) can be lost, so tests wait it out.
        remember_me_cookie(page.context)
        settle(page)
        return


def remember_me_cookie(context, timeout: float = 15) -> dict:
    """The portal's remember-me cookie in this browser, once the app has set it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for cookie in context.cookies():
            if cookie["name"] == "portal_auth":
                return cookie
        time.sleep(0.2)
    raise AssertionError("the remember-me cookie was never set")


def login_form_shown(page) -> None:
    """Wait for the login form and check, once the run has finished, that there is exactly one."""
    page.get_by_role("button", name="Log in").first.wait_for()
    wait_idle(page)
    assert page.get_by_role("button", name="Log in").count() == 1
    assert page.get_by_role("button", name="Log out").count() == 0


def nav_links(page) -> list[str]:
    """The page titles in the sidebar navigation."""
    page.locator('[data-testid="stSidebarNav"]').wait_for()
    links = page.locator('[data-testid="stSidebarNav"] [data-testid="stSidebarNavLink"]')
    return [text.split("\n")[-1].strip() for text in links.all_inner_texts()]
