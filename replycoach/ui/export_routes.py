"""The HR dashboard's exports as HTTP downloads that stream: a million attempts go out row by row from a
server-side cursor, in constant memory. ``server.py`` mounts these routes on Streamlit's server (``st.App``).

Why routes: ``st.download_button`` needs the whole file as bytes before the page is drawn (or, given a
function, when it is clicked), and keeps them in the server's memory until the browser fetches them: for a
million attempts that is hundreds of megabytes per click. These routes answer a plain GET instead: the
browser sends the session cookie (``cookie_routes``), the session and the user's role are checked exactly as
a page rerun checks them, and the body is written while the database is read (docs/decisions/0010).

The dashboard links here with its filter in the query string (``export_url``); a filter that does not parse
gets a 400 with a plain message, a request without a live session or from a role without the dashboard 403.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from replycoach.analytics.csv_export import iter_csv_bytes
from replycoach.analytics.xapi import iter_json_array, iter_statements
from replycoach.config import get_settings
from replycoach.storage.types import AttemptFilter, User
from replycoach.ui import cookie_routes
from replycoach.ui.navigation import allowed

CSV_PATH = "replycoach-export/attempts.csv"
XAPI_PATH = "replycoach-export/xapi.json"
#: The page whose viewers may export (the same rule as opening the dashboard itself).
PAGE = "dashboard"

#: True once ``server.py`` has mounted the routes in this process; without them (``streamlit run app.py``,
#: AppTest) the dashboard offers ``st.download_button`` instead, which holds the file in memory.
mounted = False


def routes() -> list[Route]:
    global mounted
    mounted = True
    return [Route(f"/{CSV_PATH}", attempts_csv, methods=["GET"]), Route(f"/{XAPI_PATH}", xapi_json, methods=["GET"])]


def export_url(path: str, flt: AttemptFilter) -> str:
    """The route's URL (under Streamlit's base path) with ``flt`` in the query string."""
    params: list[tuple[str, str]] = []
    for name, values in (("team", flt.teams), ("case", flt.case_ids), ("language", flt.languages)):
        if values is not None:
            params += [(name, v) for v in values] or [(name, "")]  # an empty choice is a choice of nothing
    for name, moment in (("since", flt.since), ("until", flt.until)):
        if moment is not None:
            params.append((name, moment.astimezone(UTC).isoformat()))
    params.append(("turn", "any" if flt.turn is None else str(flt.turn)))
    return f"{cookie_routes.url(path)}?{urlencode(params)}"


def filter_from_query(query) -> AttemptFilter:
    """The filter ``export_url`` wrote (``query``: the request's multi-dict). Raises ``ValueError`` with a
    message for the person who edited the URL."""

    def several(name: str) -> tuple[str, ...] | None:
        values = query.getlist(name)
        return tuple(v for v in values if v) if values else None

    def moment(name: str) -> datetime | None:
        raw = query.get(name)
        if raw is None:
            return None
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"{name} must be a date and time like 2026-01-31T00:00:00+00:00") from None
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    turn = query.get("turn", "1")
    if turn != "any" and not turn.isdigit():
        raise ValueError("turn must be a number or 'any'")
    return AttemptFilter(
        teams=several("team"),
        case_ids=several("case"),
        languages=several("language"),
        since=moment("since"),
        until=moment("until"),
        turn=None if turn == "any" else int(turn),
    )


async def attempts_csv(request: Request) -> Response:
    """Every attempt under the filter with every principle's score, as CSV."""
    return await _export(request, "csv")


async def xapi_json(request: Request) -> Response:
    """Every attempt under the filter as an xAPI 1.0.3 statement, as one JSON array."""
    return await _export(request, "xapi")


async def _export(request: Request, kind: str) -> Response:
    try:
        flt = filter_from_query(request.query_params)
    except ValueError as err:
        return _no_store(PlainTextResponse(str(err), status_code=400))
    user = await run_in_threadpool(_signed_in_user, request.cookies.get(cookie_routes.SESSION_COOKIE))
    if user is None or not allowed(user.role, PAGE):
        return _no_store(PlainTextResponse("Sign in as HR or an admin to export.", status_code=403))
    store = _store()
    stamp = f"{date.today():%Y-%m-%d}"
    if kind == "csv":
        body = iter_csv_bytes(store.iter_export_rows(user, flt), store.export_principles())
        media, name = "text/csv; charset=utf-8", f"replycoach-attempts-{stamp}.csv"
    else:
        from replycoach.ui import services

        titles = {cid: c.title for cid, c in services.get_library().cases.items()}
        body = iter_json_array(iter_statements(store.iter_export_rows(user, flt), case_titles=titles))
        media, name = "application/json", f"replycoach-xapi-{stamp}.json"
    # A plain (sync) iterator: Starlette reads it in a worker thread, one chunk at a time.
    response = StreamingResponse(body, media_type=media)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return _no_store(response)


def _signed_in_user(token: str | None) -> User | None:
    idle = timedelta(minutes=get_settings().session_idle_minutes)
    return _store().check_session(token, idle=idle).user


def _store():
    from replycoach.ui import services

    return services.get_store()


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
