"""UI suite: how long the trainee waits in the app, beyond the grading itself.

Drives the real entry point (``app.py``) in-process with Streamlit's ``AppTest`` against a temp SQLite
database and the real casebook, warm (model loaded, case prepared), and times:

- **open**: clicking a case's "Open" button until the page with the post, clock and reply box is built;
- **submit**: clicking "Submit reply" until the stored attempt's feedback is built (grade, store, render);
- **grading**: the time spent inside ``engine.grade`` during that submit (the engine's method is wrapped
  with a timer), so ``submit - grading`` is the app's own overhead (storage, reading back, rendering).

Run: ``replycoach bench --suite ui [--quick]``.
"""

from __future__ import annotations

import logging
import os
import statistics
import tempfile
import time
from pathlib import Path

from replycoach.bench import machine_line
from replycoach.config import PROJECT_ROOT, get_settings

CASE_ID = "price-complaint"
REPLY = (
    "Fair point, Michael Kors is one of the pricier brands we carry. Open the catalogue and set the price "
    "filter: there are ankle boots for every budget, and the Sale section has last season's pairs at up to "
    "50% off. Thanks for telling us! (try {n})"
)


def _median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f} ms"


def _max_ms(values: list[float]) -> str:
    return f"{max(values) * 1000:.0f} ms"


def run(quick: bool = False) -> str:
    """Measure and return a markdown section (printed and recorded by ``replycoach bench``)."""
    # the services are called outside a script run here on purpose; Streamlit warns about that on every call
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    from streamlit.testing.v1 import AppTest

    from replycoach.storage.types import Role
    from replycoach.ui import services
    from replycoach.ui.session import headless_session

    rounds = 3 if quick else 10
    saved_env = {k: os.environ.get(k) for k in ("REPLYCOACH_DATA_DIR", "REPLYCOACH_DATABASE_URL", "REPLYCOACH_LLM")}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["REPLYCOACH_DATA_DIR"] = tmp
        os.environ["REPLYCOACH_DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        os.environ["REPLYCOACH_LLM"] = "off"
        get_settings.cache_clear()
        services.get_store.clear()
        try:
            settings = get_settings()
            store = services.get_store()
            user = store.add_user("bench-trainee", "bench-trainee-pass", Role.trainee, display_name="Bench")
            engine = services.get_engine()
            case = services.get_library().cases[CASE_ID].localized("en")
            # warm: the case's exemplars embedded, the app's modules imported (as after the first visitor)
            engine.grade(case, REPLY.format(n="warm"), response_seconds=30.0, handling="public_reply")
            grade_seconds: list[float] = []
            untimed_grade = engine.grade

            def timed_grade(*args, **kwargs):
                start = time.perf_counter()
                try:
                    return untimed_grade(*args, **kwargs)
                finally:
                    grade_seconds.append(time.perf_counter() - start)

            engine.grade = timed_grade  # an instance attribute: removed again below
            opens, submits, gradings = [], [], []
            for n in range(rounds + 1):
                at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
                key, token = headless_session(user)
                at.session_state[key] = token
                at.run()
                t0 = time.perf_counter()
                at.button(key=f"open_{CASE_ID}_en").click().run()
                t1 = time.perf_counter()
                at.radio[0].set_value("public_reply")
                at.text_area[0].input(REPLY.format(n=n))
                at.run()
                grade_seconds.clear()
                t2 = time.perf_counter()
                at.button(key="submit_reply").click().run()
                t3 = time.perf_counter()
                if at.exception or not any("rc-overall" in el.proto.body for el in at.get("html")):
                    raise RuntimeError(f"the feedback did not render: {at.exception}")
                if n == 0:
                    continue  # the first round imports the pages: not a warm number
                opens.append(t1 - t0)
                submits.append(t3 - t2)
                gradings.append(sum(grade_seconds))
            overheads = [s - g for s, g in zip(submits, gradings, strict=True)]
        finally:
            vars(services.get_engine()).pop("grade", None)
            services.get_store.clear()
            for key, value in saved_env.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            get_settings.cache_clear()
    return "\n".join(
        [
            "## UI: trainee waits (AppTest, warm)",
            "",
            f"`replycoach bench --suite ui{' --quick' if quick else ''}` · {machine_line()} · "
            f"embedder {settings.embedder}, case `{CASE_ID}`, {rounds} rounds, SQLite",
            "",
            "| step | median | max | target |",
            "|---|---|---|---|",
            f"| open a case → page ready | {_median_ms(opens)} | {_max_ms(opens)} | < 1 s |",
            f"| submit → feedback shown (total) | {_median_ms(submits)} | {_max_ms(submits)} | |",
            f"| of which grading alone | {_median_ms(gradings)} | {_max_ms(gradings)} | |",
            f"| submit beyond grading (store + render) | {_median_ms(overheads)} | {_max_ms(overheads)} | < 1 s |",
            "",
            "AppTest runs the real `app.py` in-process (no browser, no network); a browser adds its own "
            "rendering on top (the e2e test: about 1-3 s for a full page update on this machine).",
        ]
    )


if __name__ == "__main__":  # pragma: no cover
    print(run(quick=True))
