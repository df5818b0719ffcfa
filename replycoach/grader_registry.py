"""Which grader grades: the shipped one, or the one an admin promoted from the team's reviews.

A promoted grader's model lives in the database (migration 0006), so every app process serves the same one:
``engine_for`` asks the store which grader is active (one indexed row) each time it is called and builds that
grader's engine once per process. The engine shares the shipped engine's embedder and rule graders; only the
learned heads differ, so switching costs a model read, not a model load.
"""

from __future__ import annotations

import logging
import threading

from grading.engine import Engine
from grading.model.heads import model_from_bytes

log = logging.getLogger(__name__)
_PROMOTED: dict[str, Engine] = {}
_UNUSABLE: dict[str, str] = {}  # version -> why its stored model cannot grade
_LOCK = threading.Lock()


def engine_for(store, shipped: Engine) -> Engine:
    """The engine that grades new attempts: ``shipped`` unless an admin promoted a grader for its embedder."""
    active = store.active_grader()
    if active is None or active[1] != shipped.embedder_name:
        return shipped
    version = active[0]
    if version in _UNUSABLE:
        return shipped
    try:
        return engine_of(store, shipped, version)
    except Exception as exc:  # a broken stored model must not take grading down: the shipped grader grades
        _UNUSABLE[version] = f"{type(exc).__name__}: {exc}"
        log.error("promoted grader %s cannot grade (%s); grading with the shipped grader", version, exc)
        return shipped


def engine_of(store, shipped: Engine, version: str) -> Engine:
    """The engine of a stored grader (e.g. a candidate an admin tries before promoting it)."""
    with _LOCK:
        if version not in _PROMOTED:
            model = model_from_bytes(store.grader_model(version), source=f"grader {version}")
            _PROMOTED[version] = Engine(shipped.embedder_name, graders=shipped.graders, model=model)
        return _PROMOTED[version]
