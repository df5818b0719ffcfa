"""Fixtures for the LLM tests: a real chat-completions server on 127.0.0.1, settings pointing at it, a case.
Plain values and helpers live in llm_support.py."""

from __future__ import annotations

import pytest
from fake_server import FakeChatServer
from llm_support import CASE_DATA, make_settings

from replycoach.cases.models import Case
from replycoach.config import Settings
from replycoach.llm.client import forget_server_formats


@pytest.fixture(scope="session")
def _running_server():
    server = FakeChatServer().start()
    yield server
    server.stop()


@pytest.fixture
def server(_running_server: FakeChatServer) -> FakeChatServer:
    """The shared fake server, reset for this test (no queued answers, no recorded requests)."""
    _running_server.reset()
    forget_server_formats()
    return _running_server


@pytest.fixture
def settings(server: FakeChatServer) -> Settings:
    return make_settings(server)


@pytest.fixture(scope="session")
def case() -> Case:
    return Case.model_validate(CASE_DATA)
