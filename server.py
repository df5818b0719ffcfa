"""ReplyCoach's server: Streamlit serving ``app.py``, plus the two HTTP routes that put the session cookie into
the browser and take it out again (a Streamlit script can read cookies but not set them) and the middleware
that gives each browser an id the sign-in is tied to. See ``replycoach/ui/cookie_routes.py``.

Start it as ``streamlit run server.py`` (``scripts/start`` does); every ``streamlit run`` option still applies.
"""

import streamlit as st
from starlette.middleware import Middleware

from replycoach.ui import cookie_routes

app = st.App("app.py", routes=cookie_routes.routes(), middleware=[Middleware(cookie_routes.BrowserIdMiddleware)])
