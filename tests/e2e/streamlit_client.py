"""A browser tab without the browser: Streamlit's own protocol (protobuf messages over the WebSocket the
frontend opens at ``/_stcore/stream``), so one test process can drive dozens of trainees against real app
processes on two cores. It does what the frontend does and nothing else: it loads the page (the HTTP request
that gives the browser its id cookie), opens the WebSocket with the browser's cookies, asks for a script run
with the widget values a person would have set, and reads the elements the run draws. It runs no
JavaScript: where the app's page runs a script (the session cookie's hand-off after signing in), ``Browser``
makes the same HTTP request the script makes.

Widgets are found by their ``key`` (Streamlit puts it at the end of the widget's id), as the e2e tests find
them by their ``st-key-...`` class.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

RUN_TIMEOUT = 120.0


class ProtocolError(AssertionError):
    """The app did not answer as a browser would have seen it answer."""


@dataclass
class Browser:
    """One person's browser: cookies (shared by its tabs, like a real browser's, whichever app process a
    tab talks to) and the address a reverse proxy would report for it (``X-Forwarded-For``)."""

    address: str
    cookies: dict[str, str] = field(default_factory=dict)

    def headers(self) -> dict[str, str]:
        headers = {"X-Forwarded-For": self.address}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def http(self, url: str, *, data: bytes | None = None, origin: str | None = None) -> int:
        """A request as the page or its script makes it; keeps the cookies the answer sets."""
        request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
        for name, value in self.headers().items():
            request.add_header(name, value)
        if origin:
            request.add_header("Origin", origin)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                self._keep(answer.headers.get_all("Set-Cookie") or [])
                answer.read()
                return answer.status
        except urllib.error.HTTPError as err:
            return err.code

    def _keep(self, set_cookies: list[str]) -> None:
        for header in set_cookies:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value


class Tab:
    """A tab of ``browser`` on the app at ``base_url`` (``http://host:port``)."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url.rstrip("/")
        self.elements: list[tuple[str, object]] = []  # (element type, its proto) drawn by the last run
        self.query_string = ""
        self._socket = None
        self._widgets: dict[str, WidgetState] = {}  # id -> the value this tab holds, as the frontend keeps it

    async def open(self, path: str = "", query: str = "") -> Tab:
        """Load the page (a fresh tab: new WebSocket, new Streamlit session) and wait for its first run."""
        await asyncio.to_thread(self.browser.http, f"{self.base_url}/{path}")
        origin = self.base_url
        url = "ws" + self.base_url.removeprefix("http") + "/_stcore/stream"
        self._socket = await websockets.connect(
            url,
            subprotocols=["streamlit"],
            additional_headers={**self.browser.headers(), "Origin": origin},
            max_size=None,
            open_timeout=30,
        )
        self._widgets.clear()
        self.query_string = query
        self._page = path
        await self.run()
        return self

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
            self._socket = None

    async def run(self, *, trigger: str | None = None, **values) -> Tab:
        """Set widgets (by key: ``reply_abc="text"``, a radio's or selectbox's option text) and, like a click,
        a button's trigger (``trigger="submit_reply"``); then rerun and read what is drawn."""
        for key, value in values.items():
            state = WidgetState(id=self.widget_id(key))
            if isinstance(value, bool):
                state.bool_value = value
            else:
                state.string_value = str(value)
            self._widgets[state.id] = state
        message = self._rerun_message(trigger)
        await self._socket.send(message.SerializeToString())
        await self._read_run()
        return self

    async def send_only(self, *, trigger: str) -> None:
        """Send a click without waiting for its run (a double click sends the second before the first ends)."""
        await self._socket.send(self._rerun_message(trigger).SerializeToString())

    async def drain(self, quiet: float = 1.5) -> Tab:
        """Read runs until the app has been idle for ``quiet`` seconds (after ``send_only``: one click may be
        finished before the next one starts another run)."""
        await self._read_run(settle=quiet)
        return self

    def _rerun_message(self, trigger: str | None) -> BackMsg:
        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query_string
        state.page_name = self._page
        state.widget_states.widgets.extend(self._widgets.values())
        if trigger is not None:
            state.widget_states.widgets.append(WidgetState(id=self.widget_id(trigger), trigger_value=True))
        return message

    async def _read_run(self, *, settle: float | None = None) -> None:
        """Collect the elements the app draws until a run finishes without asking for another (and, with
        ``settle``, no further run starts within that many seconds)."""
        elements: dict[tuple, tuple[str, object]] = {}
        finished = False
        try:
            async with asyncio.timeout(RUN_TIMEOUT):
                while True:
                    if finished and settle is None:
                        break
                    if finished:
                        try:
                            async with asyncio.timeout(settle):
                                raw = await self._socket.recv()
                        except TimeoutError:
                            break
                    else:
                        raw = await self._socket.recv()
                    message = ForwardMsg()
                    message.ParseFromString(raw)
                    kind = message.WhichOneof("type")
                    if kind == "new_session":  # every run starts with one: the page is drawn afresh
                        elements.clear()
                        finished = False
                    elif kind == "page_info_changed":
                        self.query_string = message.page_info_changed.query_string
                    elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                        element = message.delta.new_element
                        element_type = element.WhichOneof("type")
                        elements[tuple(message.metadata.delta_path)] = (element_type, getattr(element, element_type))
                    elif kind == "script_finished":
                        # finished early: st.rerun() or a newer click; the next run draws the page
                        finished = message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN
        except TimeoutError:
            raise ProtocolError(f"no finished run within {RUN_TIMEOUT:g} s") from None
        self.elements = [elements[path] for path in sorted(elements)]
        for element_type, proto in self.elements:
            if element_type == "exception":
                raise ProtocolError(f"the page failed: {proto.type}: {proto.message}")

    # --- reading what is drawn ------------------------------------------------------------------------------
    def widget_id(self, key: str) -> str:
        for widget_id, widget_key in self._ids():
            if widget_key == key:
                return widget_id
        raise ProtocolError(f"no widget with key {key!r} on the page; keys: {self.widget_keys()}")

    def widget_keys(self) -> list[str]:
        return [key for _, key in self._ids()]

    def _ids(self) -> list[tuple[str, str]]:
        """(id, key) of the keyed widgets drawn: Streamlit's ids end in ``-<md5 hex>-<key>``."""
        found = []
        for _, proto in self.elements:
            widget_id = getattr(proto, "id", None)
            match = re.search(r"-[0-9a-f]{32}-(.+)$", widget_id) if isinstance(widget_id, str) else None
            if match:
                found.append((widget_id, match.group(1)))
        return found

    def keys_like(self, pattern: str) -> list[str]:
        return [key for key in self.widget_keys() if re.fullmatch(pattern, key)]

    def texts(self) -> str:
        """Every text, markdown and HTML body drawn, one per line (for ``in`` checks)."""
        out = []
        for element_type, proto in self.elements:
            for name in ("body", "label"):
                value = getattr(proto, name, None)
                if isinstance(value, str) and value:
                    out.append(value)
            if element_type == "alert":
                out.append(proto.body)
        return "\n".join(out)

    def html(self) -> list[str]:
        return [proto.body for element_type, proto in self.elements if element_type == "html"]


async def sign_in(tab: Tab, username: str, password: str, *, enter_on: str | None = None) -> None:
    """Sign in on the form, then do what the page's script does: post the one-time code to the server's
    ``enter`` route (``enter_on``: another app process's, to show the session lives in the database) and load
    the page again, now with the session cookie."""
    await tab.run(login_username=username, login_password=password, trigger="login_submit")
    code = None
    for body in tab.html():
        found = re.search(r"var CODE = (\"[^\"]+\")", body)
        if found:
            code = json.loads(found.group(1))
    if code is None:
        raise ProtocolError(f"no sign-in hand-off for {username}: {tab.texts()[-300:]}")
    base = enter_on or tab.base_url
    status = await asyncio.to_thread(
        tab.browser.http,
        f"{base}/replycoach-session/enter",
        data=json.dumps({"code": code}).encode(),
        origin=base,
    )
    if status != 204 or "replycoach_session" not in tab.browser.cookies:
        raise ProtocolError(f"the session cookie was not handed over ({status})")
    await tab.close()
    await tab.open()


class EventLoopThread:
    """An event loop of its own thread for the tabs, so a test can drive them next to Playwright's sync API
    (which keeps the main thread's loop to itself): ``run(coroutine)`` waits for the result,
    ``start(coroutine)`` returns a future."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="protocol-tabs", daemon=True)
        self._thread.start()

    def start(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)

    def run(self, coroutine, timeout: float = 600):
        return self.start(coroutine).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=30)
        self.loop.close()
