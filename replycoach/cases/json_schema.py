"""The JSON Schema of case files, generated from the pydantic models (never written by hand).

``scenarios/case.schema.json`` is this output, committed so editors can validate and complete case files
as they are typed (``# yaml-language-server: $schema=case.schema.json``); a test keeps it from drifting.
"""

from __future__ import annotations

import json
from typing import Any

from replycoach.cases.models import SCHEMA_VERSION, Case

SCHEMA_ID = f"urn:replycoach:case-schema:v{SCHEMA_VERSION}"
SCHEMA_FILE_NAME = "case.schema.json"


def case_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) a case file's data must match."""
    generated = Case.model_json_schema()
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "ReplyCoach case",
        "description": (
            "One practice case for answering negative customer feedback. Generated from "
            "replycoach/cases/models.py by `replycoach schema`; do not edit by hand. "
            "Documentation: docs/case-format.md."
        ),
    }
    schema.update({k: v for k, v in generated.items() if k not in ("title", "description")})
    # Editors can only offer the version this ReplyCoach reads; the loader explains other versions.
    schema["properties"]["schema_version"]["const"] = SCHEMA_VERSION
    return schema


def case_json_schema_text() -> str:
    """The schema as the exact text of ``scenarios/case.schema.json``."""
    return json.dumps(case_json_schema(), indent=2, ensure_ascii=False) + "\n"
