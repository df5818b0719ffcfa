"""ReplyCoach's server: Streamlit serving ``app.py``, plus plain HTTP routes next to it: the two that put the
session cookie into the browser and take it out again (a Streamlit script can read cookies but not set them),
the middleware that gives each browser an id the sign-in is tied to (``replycoach/ui/cookie_routes.py``), and
the HR exports streamed as downloads (``replycoach/ui/export_routes.py``).

Start it as ``streamlit run server.py`` (``scripts/start`` does); every ``streamlit run`` option still applies.
"""

import streamlit as st
from starlette.middleware import Middleware

from replycoach.ui import cookie_routes, export_routes

app = st.App(
    "app.py",
    routes=cookie_routes.routes() + export_routes.routes(),
    middleware=[Middleware(cookie_routes.BrowserIdMiddleware)],
)
