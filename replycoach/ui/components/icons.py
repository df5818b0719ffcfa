"""Small line icons (the platforms' like / comment / share, the clock's stopwatch) as SVG images.

``st.html`` sanitizes its HTML with the "html" profile, which drops inline ``<svg>``; an emoji such as ⏱ needs an
emoji font that a stock browser may lack (it then draws an empty box). An ``<img>`` with an SVG ``data:`` URI
needs neither: it renders in any browser, offline, and holds only the paths below (never text from people).
"""

from __future__ import annotations

import base64
from functools import cache

PATHS = {
    "heart": '<path d="M12 21s-7.5-4.6-9.3-9.4C1.4 8 3.6 4.5 7.2 4.5c2 0 3.6 1.1 4.8 2.8 1.2-1.7 2.8-2.8 4.8-2.8 '
    '3.6 0 5.8 3.5 4.5 7.1C19.5 16.4 12 21 12 21z"/>',
    "comment": '<path d="M21 11.5a8.4 8.4 0 0 1-12.3 7.4L3 21l2-5.3A8.4 8.4 0 1 1 21 11.5z"/>',
    "share": '<path d="M22 3 11 14"/><path d="M22 3l-7 19-4-8-8-4z"/>',
    "bookmark": '<path d="M19 21l-7-5-7 5V5a2 2 0 0 1 2-2h10a2 2 0 0 1 2 2z"/>',
    "like": '<path d="M7 10v11H3V10z"/><path d="M7 10l4-8a3 3 0 0 1 3 3v4h6a2 2 0 0 1 2 2.3l-1.4 8A2 2 0 0 1 18.6 21H7"/>',
    "reply": '<path d="M9 17l-5-5 5-5"/><path d="M4 12h11a5 5 0 0 1 5 5v3"/>',
    "repost": '<path d="M17 2l4 4-4 4"/><path d="M3 11V9a3 3 0 0 1 3-3h15"/><path d="M7 22l-4-4 4-4"/>'
    '<path d="M21 13v2a3 3 0 0 1-3 3H3"/>',
    "views": '<path d="M4 20V10"/><path d="M10 20V4"/><path d="M16 20v-7"/><path d="M22 20H2"/>',
    "globe": '<circle cx="12" cy="12" r="9"/><path d="M3 12h18"/><path d="M12 3a14 14 0 0 1 0 18a14 14 0 0 1 0-18"/>',
    "flag": '<path d="M4 22V4"/><path d="M4 4h13l-2 4 2 4H4"/>',
    "not_recommended": '<circle cx="12" cy="12" r="9"/><path d="M8 8l8 8"/><path d="M16 8l-8 8"/>',
    "stopwatch": '<circle cx="12" cy="13" r="8"/><path d="M12 9v4l2.5 2.5"/><path d="M9.5 2h5"/><path d="M12 2v3"/>',
}


@cache
def icon_html(name: str, size: int = 18, colour: str = "#65676b") -> str:
    """The icon ``name`` drawn in ``colour`` at ``size`` pixels, as an ``<img>``."""
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 24 24" fill="none" '
        f'stroke="{colour}" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">{PATHS[name]}</svg>'
    )
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (
        f'<img class="rc-icon rc-icon-{name}" alt="" width="{size}" height="{size}" '
        f'src="data:image/svg+xml;base64,{data}" style="vertical-align:middle">'
    )
