"""The dashboard's filter travels to the export routes in the link's query string and comes back the same."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlsplit

import pytest
from starlette.datastructures import QueryParams

from replycoach.storage.types import AttemptFilter
from replycoach.ui import export_routes


def _round_trip(flt: AttemptFilter) -> AttemptFilter:
    link = export_routes.export_url(export_routes.CSV_PATH, flt)
    assert urlsplit(link).path == f"/{export_routes.CSV_PATH}"
    return export_routes.filter_from_query(QueryParams(parse_qsl(urlsplit(link).query, keep_blank_values=True)))


@pytest.mark.parametrize(
    "flt",
    [
        AttemptFilter(),
        AttemptFilter(turn=None),
        AttemptFilter(turn=2, languages=("de", "ru")),
        AttemptFilter(teams=("Store A & B", "Магазин №1", "x=1;y"), case_ids=("price-complaint",)),
        AttemptFilter(teams=()),  # nothing chosen is not "everything"
        AttemptFilter(since=datetime(2026, 9, 3, tzinfo=UTC), until=datetime(2026, 12, 2, tzinfo=UTC)),
        AttemptFilter(since=datetime(2026, 9, 3, 2, 30, tzinfo=timezone(timedelta(hours=2)))),
    ],
)
def test_the_filter_survives_the_link(flt):
    back = _round_trip(flt)
    assert back == flt


@pytest.mark.parametrize("query", ["since=yesterday", "until=2026-13-01", "turn=first"])
def test_a_filter_that_does_not_parse_says_which_part(query):
    with pytest.raises(ValueError, match=query.split("=")[0]):
        export_routes.filter_from_query(QueryParams(query))
