"""pydantic's validation errors as one line an operator or a sender can act on."""

from __future__ import annotations

from pydantic import ValidationError


def validation_problems(
    error: ValidationError, whole: str, *, first_only: bool = False
) -> str:
    """``loc: msg`` per error, joined by ``"; "``; ``whole`` names the location of
    an error about the whole input (pydantic gives it an empty ``loc``)."""
    errors = error.errors()[:1] if first_only else error.errors()
    return "; ".join(
        f"{'.'.join(str(part) for part in e['loc']) or whole}: {e['msg']}"
        for e in errors
    )
