"""The two HTTP routes that put the session cookie into the browser and take it out again, and the middleware
that gives every browser an id of its own. ``server.py`` mounts them on Streamlit's server (``st.App``).

Why routes: a Streamlit script reads the cookies a browser sent (``st.context.cookies``) but cannot set one,
and a cookie that JavaScript can read (``document.cookie``) could be stolen by any script that ever ran in
the page. These routes answer plain HTTP requests, so the cookie is ``HttpOnly`` (no script reads it),
``SameSite=Lax`` (no other site's page sends it along, also not on a WebSocket), ``Secure`` over HTTPS, and
scoped to the app's path. See docs/decisions/0004-sessions-cookie-via-st-app.md.

The hand-off: after a password check the sign-in page starts a session (``Store.start_session``) and asks
for a one-time code (``Store.session_handoff``), bound to the browser id below. A few lines of script on
the page POST the code to ``enter``, which exchanges it (``Store.redeem_handoff``: once, within two minutes,
for that browser only, giving the session a fresh token) and answers with the cookie. ``leave`` ends the
session named by the cookie and deletes the cookie. Both accept only same-origin POSTs.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.routing import Route

from replycoach.config import get_settings
from replycoach.ui.clients import is_trusted_proxy

SESSION_COOKIE = "replycoach_session"
BROWSER_COOKIE = "replycoach_browser"
ENTER_PATH = "replycoach-session/enter"
LEAVE_PATH = "replycoach-session/leave"
#: A browser id lives long: it only ties a sign-in to the browser it happened in.
_BROWSER_MAX_AGE = 400 * 24 * 3600
_MAX_BODY = 4096

#: True once ``server.py`` has mounted the routes in this process. Without them (``streamlit run app.py``,
#: AppTest) sign-in still works, but only in the tab it happened in, as before sessions had cookies.
mounted = False


def base_path() -> str:
    """Streamlit's ``server.baseUrlPath`` as ``/base`` (or ``""``)."""
    from streamlit import config

    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def url(path: str) -> str:
    return f"{base_path()}/{path}"


def routes() -> list[Route]:
    """The routes for ``st.App(routes=...)``; marks them mounted for the app's scripts in this process."""
    global mounted
    mounted = True
    return [
        Route(f"/{ENTER_PATH}", enter, methods=["POST"]),
        Route(f"/{LEAVE_PATH}", leave, methods=["POST"]),
    ]


class BrowserIdMiddleware:
    """Give each browser a random id in an HttpOnly cookie of its own on its first HTTP response (the page
    load), so the WebSocket that follows, and so the sign-in page, can see it."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or BROWSER_COOKIE in HTTPConnection(scope).cookies:
            await self.app(scope, receive, send)
            return
        secure = _is_https(HTTPConnection(scope))

        async def send_with_cookie(message) -> None:
            if message["type"] == "http.response.start":
                response = Response()
                response.set_cookie(
                    BROWSER_COOKIE,
                    secrets.token_urlsafe(24),
                    max_age=_BROWSER_MAX_AGE,
                    path=base_path() or "/",
                    httponly=True,
                    samesite="lax",
                    secure=secure,
                )
                headers = MutableHeaders(scope=message)
                headers.append("set-cookie", response.headers["set-cookie"])
            await send(message)

        await self.app(scope, receive, send_with_cookie)


async def enter(request: Request) -> Response:
    """Exchange a hand-off code for the session cookie (204), or refuse (403) without saying why."""
    if not _same_origin(request):
        return Response(status_code=403)
    body = await request.body()
    try:
        code = json.loads(body[:_MAX_BODY]).get("code") if len(body) <= _MAX_BODY else None
    except (ValueError, AttributeError):
        code = None
    browser = request.cookies.get(BROWSER_COOKIE)
    if not isinstance(code, str) or not browser:
        return Response(status_code=403)
    session = await run_in_threadpool(_store().redeem_handoff, code, browser=browser)
    if session is None:
        return Response(status_code=403)
    response = _no_store(Response(status_code=204))
    response.set_cookie(
        SESSION_COOKIE,
        session.token,
        max_age=max(0, int((session.expires_at - datetime.now(UTC)).total_seconds())),
        path=base_path() or "/",
        httponly=True,
        samesite="lax",
        secure=_is_https(request),
    )
    return response


async def leave(request: Request) -> Response:
    """End the session the cookie names (if any) and delete the cookie."""
    if not _same_origin(request):
        return Response(status_code=403)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await run_in_threadpool(_store().end_session, token)
    response = _no_store(Response(status_code=204))
    response.delete_cookie(SESSION_COOKIE, path=base_path() or "/", httponly=True, samesite="lax")
    return response


def _store():
    from replycoach.ui import services

    return services.get_store()


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def _same_origin(request: Request) -> bool:
    """A browser sends ``Origin`` with every POST made by script; it must be this server (no cross-site POST,
    whatever cookies it would carry)."""
    origin = request.headers.get("origin")
    host = request.headers.get("host")
    return bool(origin and host) and urlsplit(origin).netloc == host


def _is_https(connection: HTTPConnection) -> bool:
    """Over HTTPS directly, or behind a trusted reverse proxy that says so (``X-Forwarded-Proto``)."""
    if connection.url.scheme == "https":
        return True
    peer = connection.client.host if connection.client else None
    forwarded = connection.headers.get("x-forwarded-proto", "").split(",")[-1].strip()
    return forwarded == "https" and is_trusted_proxy(peer, get_settings().trusted_proxies)
