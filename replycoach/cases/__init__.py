"""Cases: the format (``models``) and loading/validating case files (``loader``)."""

from replycoach.cases.models import (
    LANGUAGES,
    PRINCIPLES,
    SCHEMA_VERSION,
    Case,
    Complaint,
    Handling,
    Negativity,
)

__all__ = ["LANGUAGES", "PRINCIPLES", "SCHEMA_VERSION", "Case", "Complaint", "Handling", "Negativity"]
