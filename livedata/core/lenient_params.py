"""Params as the facility's services read them: unknown fields ignored, not fatal.

The deployed dashboard may send fields a receiver does not know (a newer client,
a field of its own); the deployed services ignore them, so a livedata service
does too, and says which ones it ignored (log line, job heartbeat warning).
Everything else (wrong types, values out of range) still refuses the config.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError


@dataclass(frozen=True)
class LenientParams:
    """The validated model and the dotted paths of the fields that were ignored."""

    model: BaseModel | None
    ignored: tuple[str, ...] = ()

    def warning(self) -> str | None:
        if not self.ignored:
            return None
        return f"ignored unknown params: {', '.join(self.ignored)}"


def validate_leniently(
    model: type[BaseModel], params: Mapping[str, Any]
) -> LenientParams:
    """``model.model_validate(params)`` minus fields the model forbids as extra.

    Raises ``ValidationError`` for any other problem, exactly as the strict call.
    """
    data = dict(params)
    ignored: list[str] = []
    for _ in range(16):  # nested extras surface one level at a time at most
        try:
            return LenientParams(model.model_validate(data), tuple(ignored))
        except ValidationError as error:
            extras = [
                e["loc"] for e in error.errors() if e["type"] == "extra_forbidden"
            ]
            if not extras:  # only real problems are left: refuse with them
                raise
            data = copy.deepcopy(data)
            for loc in extras:
                _drop(data, loc)
                ignored.append(".".join(str(part) for part in loc))
    return LenientParams(model.model_validate(data), tuple(ignored))


def _drop(data: Any, loc: tuple[Any, ...]) -> None:
    for part in loc[:-1]:
        data = data[part]
    data.pop(loc[-1], None)
