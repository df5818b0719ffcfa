"""ReplyCoach as several app processes on one PostgreSQL (issue 11, "Scale-out"; docs/deploy.md).

Two real app processes (``streamlit run server.py``, as ``scripts/start`` runs it) share a throwaway
PostgreSQL, a case folder and a data folder. Fifty trainees practise across both at once: four in Chromium,
the others through Streamlit's own WebSocket protocol (``streamlit_client``: what the browser sends and
reads, without drawing it, so fifty fit on two cores). Some sign in on one process and fetch their cookie
from the other, some double-click Submit, some carry their open case to the other process mid-answer and
submit it there and in the first tab too. Every attempt is stored exactly once. Then: a session survives a
crash and restart of its process and works on the other one; a case saved in the studio on one process is
served by the other at its next page load; and nginx with ``deploy/nginx.conf`` in front of both keeps each
browser on one process, passes the WebSockets, and moves browsers to the survivor when a process dies.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from e2e_support import CHROMIUM, ROOT, choose_option, sign_in
from playwright.sync_api import expect
from scale_support import NGINX, AppProcess, Nginx, deployment_env, free_port, replycoach
from sqlalchemy import func, select
from streamlit_client import Browser, EventLoopThread, ProtocolError, Tab
from streamlit_client import sign_in as sign_in_over_protocol

from replycoach.storage.facade import Store
from replycoach.storage.models import AttemptRow
from replycoach.storage.types import AttemptFilter, Role, User

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.timeout(900)]

TRAINEES = 50
IN_CHROMIUM = 4
PASSWORD = "scale-out-pass-1"
CASE = "price-complaint"
REPLY = (
    "Fair point, Michael, and sorry the prices put you off. Our Sale section has ankle boots at up to 50% off "
    "this week, and I'll send you the link in a direct message today. Thanks for telling us!"
)
HR = User(0, "hr", "HR", Role.hr, None)
#: How long an expectation waits for a page to be drawn (ms; Playwright's default is 5 s): fifty trainees keep
#: both servers busy, and the machine may be shared.
DRAWN = 60_000


@dataclass
class Deployment:
    a: AppProcess
    b: AppProcess
    store: Store
    cases: Path
    folder: Path

    @property
    def apps(self) -> tuple[AppProcess, AppProcess]:
        return self.a, self.b


@pytest.fixture(scope="module")
def deployment(postgres_server, tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/test installs it)")
    folder = tmp_path_factory.mktemp("scale-out")
    cases, data = folder / "cases", folder / "data"  # the shared storage every process mounts
    cases.mkdir()
    data.mkdir()
    for name in (f"{CASE}.yaml", "late-delivery.yaml"):
        shutil.copy(ROOT / "scenarios" / name, cases / name)
    env = deployment_env(postgres_server.create_database("replycoach_scale"), cases, data)
    replycoach(env, "db", "upgrade")  # the migrations run once, before the app processes start
    store = Store(env["REPLYCOACH_DATABASE_URL"])
    people = [(f"trainee{i:02d}", Role.trainee, f"Store {'AB'[i % 2]}") for i in range(TRAINEES)]
    people += [("restarter", Role.trainee, "Store A"), ("coach", Role.coach, None), ("proxied", Role.trainee, None)]
    with ThreadPoolExecutor(2) as pool:  # production password hashing: a few seconds for all of them
        list(pool.map(lambda p: store.add_user(p[0], PASSWORD, p[1], team=p[2]), people))
    a, b = AppProcess("a", free_port(), env, folder), AppProcess("b", free_port(), env, folder)
    a.start(), b.start()
    try:
        a.wait(), b.wait()
        yield Deployment(a, b, store, cases, folder)
    finally:
        a.stop(), b.stop()
        store.close()


def _attempt_shown(tab: Tab) -> int:
    """The attempt whose feedback the tab shows (its id is in the URL, the grade on the page)."""
    found = re.search(r"(?:^|&)attempt=(\d+)", tab.query_string)
    if found is None or not any("rc-overall" in body for body in tab.html()):
        raise ProtocolError(f"no feedback shown: {tab.query_string!r} {tab.texts()[-300:]}")
    return int(found.group(1))


async def _trainee_over_the_protocol(index: int, deployment: Deployment, sign_ins: asyncio.Semaphore) -> tuple:
    """One trainee in a tab on their home process. Returns (username, the turn's token, attempt ids shown)."""
    name = f"trainee{index:02d}"
    home, away = deployment.apps[index % 2], deployment.apps[(index + 1) % 2]
    browser = Browser(address=f"10.20.{index // 200}.{index % 200 + 1}")  # behind a proxy, each their own
    tab = await Tab(browser, home.url).open()
    async with sign_ins:  # people arrive over a few seconds, not in one instant
        await sign_in_over_protocol(tab, name, PASSWORD, enter_on=away.url)  # the session is in the database
    await tab.run(trigger=f"open_{CASE}_en")
    [token] = [key.removeprefix("reply_") for key in tab.keys_like(r"reply_[0-9a-f]{32}")]
    await tab.run(**{f"reply_{token}": REPLY, f"handling_{token}": "Reply publicly"})  # kept as a draft
    shown = []
    if index % 3 == 0:  # one click
        await tab.run(trigger="submit_reply")
        shown.append(_attempt_shown(tab))
    elif index % 3 == 1:  # a double click: the second arrives while the first is being graded
        await tab.send_only(trigger="submit_reply")
        await tab.send_only(trigger="submit_reply")
        await tab.drain()
        shown.append(_attempt_shown(tab))
    else:  # the same browser reaches the other process mid-answer (a reload behind a proxy, a failover)
        moved = await Tab(browser, away.url).open()
        assert f"reply_{token}" in moved.widget_keys(), "the open case did not come back on the other process"
        await moved.run(trigger="submit_reply")
        shown.append(_attempt_shown(moved))
        await tab.run(trigger="submit_reply")  # and the first tab, still open, submits the same turn
        shown.append(_attempt_shown(tab))
        await moved.close()
    await tab.close()
    return name, token, shown


def _wait_for_draft(store: Store, username: str, text: str) -> None:
    """Until the server has kept what the browser sent (a rerun under load can take a few seconds)."""
    user = store.find_user(username)
    deadline = time.monotonic() + 120
    while (draft := store.practice_draft(user)) is None or draft.reply != text:
        assert time.monotonic() < deadline, f"the draft of {username} was not kept"
        time.sleep(0.2)


def _trainee_in_chromium(browser, index: int, deployment: Deployment) -> tuple:
    name = f"trainee{index:02d}"
    home, away = deployment.apps[index % 2], deployment.apps[(index + 1) % 2]
    context = browser.new_context(viewport={"width": 1400, "height": 1500})
    try:
        page = context.new_page()
        page.set_default_timeout(120_000)
        sign_in(page, home.url, name, password=PASSWORD)
        page.locator(f".st-key-open_{CASE}_en button").click()
        page.locator(".rc-post").wait_for()
        page.get_by_text("Reply publicly", exact=True).click()
        box = page.locator("textarea")
        box.fill(REPLY)
        box.press("Tab")  # leaving the box sends the text to the server, which keeps it as a draft
        _wait_for_draft(deployment.store, name, REPLY)
        if index % 2:  # the same browser opens the other process: cookie, case and draft come along
            page.goto(away.url)
            expect(page.locator("textarea")).to_have_value(REPLY, timeout=DRAWN)  # drawn a moment after the post
        page.get_by_role("button", name="Submit reply").click()
        page.locator(".rc-overall").wait_for()
        return name, None, [int(re.search(r"attempt=(\d+)", page.url).group(1))]
    finally:
        context.close()


@pytest.fixture
def tabs():
    """Where the protocol tabs run (their own thread's event loop, next to Chromium's)."""
    loop = EventLoopThread()
    yield loop
    loop.close()


def test_fifty_trainees_on_two_processes_store_every_attempt_exactly_once(deployment, browser, tabs):
    async def swarm() -> list[tuple]:
        sign_ins = asyncio.Semaphore(6)
        return await asyncio.gather(
            *(_trainee_over_the_protocol(i, deployment, sign_ins) for i in range(IN_CHROMIUM, TRAINEES))
        )

    swarming = tabs.start(swarm())  # the protocol trainees practise while the Chromium ones do
    chromium = [_trainee_in_chromium(browser, i, deployment) for i in range(IN_CHROMIUM)]
    results = {"swarm": swarming.result(timeout=600)}

    store = deployment.store
    for name, token, shown in chromium + results["swarm"]:
        user = store.find_user(name)
        stored = store.list_attempts(user, AttemptFilter(turn=None))
        assert len(stored) == 1, f"{name} has {len(stored)} attempts"
        assert set(shown) == {stored[0].id}, f"{name} was shown {shown}, stored {stored[0].id}"
        assert store.practice_draft(user) is None  # the turn is done, its draft put away
        if token is not None:  # the turn's token, which the tab on the other process had too
            with store.engine.connect() as connection:
                stored_token = connection.scalar(select(AttemptRow.client_token).where(AttemptRow.user_id == user.id))
            assert stored_token == token
    with store.engine.connect() as connection:
        tokens = connection.execute(select(func.count(), func.count(func.distinct(AttemptRow.client_token)))).one()
    assert tuple(tokens) == (TRAINEES, TRAINEES)
    figures = store.key_figures(HR)
    assert figures.attempts == figures.active_trainees == TRAINEES  # the dashboard's rollups agree
    direct = Store(store.url, rollups=False)
    assert direct.key_figures(HR).attempts == TRAINEES
    direct.close()


def test_a_session_survives_a_crash_of_its_process_and_works_on_the_other(deployment, page):
    a, b = deployment.apps
    sign_in(page, a.url, "restarter", password=PASSWORD)
    page.locator(f".st-key-open_{CASE}_en button").click()
    page.locator(".rc-post").wait_for()
    box = page.locator("textarea")
    box.fill("Half a reply, then the server went down")
    box.press("Tab")
    _wait_for_draft(deployment.store, "restarter", "Half a reply, then the server went down")

    a.kill()  # a crash: no goodbye to the WebSocket
    a.start().wait()
    page.reload()
    page.locator(".rc-post").wait_for()  # still signed in, the case open again
    expect(page.locator("textarea")).to_have_value("Half a reply, then the server went down", timeout=DRAWN)
    assert page.get_by_role("button", name="Sign in").count() == 0

    page.goto(f"{b.url}/progress")  # the same cookie on the other process
    page.get_by_role("heading", name="My progress").wait_for()
    page.get_by_role("button", name="Sign out", exact=True).wait_for()


def test_a_case_saved_in_the_studio_on_one_process_is_served_by_the_other(deployment, page, tabs):
    a, b = deployment.apps
    new_title = "Prices are horror under the ankle boots edited on B"
    browser = Browser(address="10.30.0.1")
    open_tab = tabs.run(Tab(browser, a.url).open())
    tabs.run(sign_in_over_protocol(open_tab, "trainee00", PASSWORD))
    assert new_title not in open_tab.texts()

    sign_in(page, b.url, "coach", password=PASSWORD)  # the coach works on the other process
    page.goto(f"{b.url}/studio")
    page.get_by_role("heading", name="Case studio").wait_for()
    choose_option(page, "studio_pick", f"{CASE}.yaml")  # retries where a busy machine drops the click
    title = page.locator(".st-key-studio_f_title input")
    # The case's own title: the blank new case's title is in the form until the pick's rerun has drawn.
    expect(title).to_have_value(yaml.safe_load((deployment.cases / f"{CASE}.yaml").read_text())["title"], timeout=DRAWN)
    title.fill(new_title)
    title.press("Tab")
    expect(page.locator(".st-key-studio_yaml textarea")).to_contain_text(new_title, timeout=DRAWN)  # form to YAML
    page.get_by_role("button", name="Save case").click()
    page.get_by_text(f"Saved {CASE}.yaml").wait_for()

    tabs.run(open_tab.run())  # the next click in a tab that was open on A before the save
    assert new_title in open_tab.texts()
    fresh = tabs.run(Tab(browser, a.url).open())  # and a page load on A
    assert new_title in fresh.texts()
    for tab in (open_tab, fresh):
        tabs.run(tab.close())


@pytest.fixture
def nginx(deployment):
    if not Path(NGINX).exists():
        pytest.skip("Debian's nginx is not installed (scripts/test installs it)")
    proxy = Nginx(free_port(), deployment.folder / f"nginx-{free_port()}")
    proxy.prefix.mkdir()
    proxy.start(list(deployment.apps))
    yield proxy
    proxy.stop()


def _upstreams_by_browser(nginx: Nginx) -> dict[str, set[str]]:
    seen: dict[str, set[str]] = {}
    for line in nginx.access_log.read_text().splitlines():
        found = re.search(r"upstream=(\S+) browser=(\S+)$", line)
        if found and found.group(2) != "-":
            seen.setdefault(found.group(2), set()).add(found.group(1))
    return seen


def test_nginx_keeps_each_browser_on_one_process_and_moves_it_when_the_process_dies(deployment, nginx, page, tabs):
    # Chromium through the proxy: the WebSocket passes, the session cookie is set through it.
    sign_in(page, nginx.url, "proxied", password=PASSWORD)
    page.get_by_role("heading", name="Practice").wait_for()

    async def signed_in(index: int) -> Tab:
        tab = await Tab(Browser(address=f"10.40.0.{index + 1}"), nginx.url).open()
        await sign_in_over_protocol(tab, f"trainee{10 + index:02d}", PASSWORD)
        return await tab.run()  # a click: one more request of that browser

    # Sixteen browsers: the consistent hash splits its ring unevenly between two upstreams (ports differ from run to
    # run); with eight browsers, all eight once landed on one process.
    signed = [tabs.run(signed_in(i)) for i in range(16)]
    by_browser = _upstreams_by_browser(nginx)
    assert len(by_browser) >= 16
    assert all(len(upstreams) == 1 for upstreams in by_browser.values()), by_browser  # sticky
    used = set().union(*by_browser.values())
    assert used == {f"127.0.0.1:{app.port}" for app in deployment.apps}  # and spread over both

    deployment.b.kill()  # (the module's last test: the deployment is not needed whole again)
    # Every trainee reloads: those whose process died land on the live one, still signed in.
    for tab in signed:
        reloaded = tabs.run(Tab(tab.browser, nginx.url).open())
        assert "sign_out" in reloaded.widget_keys(), reloaded.texts()[-300:]
        tabs.run(reloaded.close())
    assert nginx.health() == 200
