"""An instrument's parts, found in its package by convention (A5, A6, F3).

``livedata/instruments/<name>/`` holds ``specs.py`` (the ``Instrument``, light),
``streams.py`` (DEV/PROD stream mappings, imported by specs), ``factories.py``
(heavy, phase 2), ``layout.py`` (the numbers its geometry file is made from) and
optionally ``fake.py`` (``GENERATORS`` that replace the generic fakes). This is
the one place that turns an instrument name and a part into a module name;
nothing else builds such import strings.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from importlib.util import find_spec
from types import ModuleType
from typing import TYPE_CHECKING

from .geometry_error import GeometryError

if TYPE_CHECKING:
    from .pixel_layout import InstrumentLayout

INSTRUMENTS_PACKAGE = "livedata.instruments"
PARTS = ("specs", "streams", "factories", "layout", "fake")


class NoLayout(GeometryError):
    """The instrument has no ``layout.py`` to make a geometry file from."""


def part_module(name: str, part: str, package: str = INSTRUMENTS_PACKAGE) -> str:
    """The module name of one part of an instrument package."""
    if part not in PARTS:
        raise ValueError(f"unknown instrument part {part!r}; parts: {', '.join(PARTS)}")
    return f"{package}.{name}.{part}"


def instruments_with(part: str, package: str = INSTRUMENTS_PACKAGE) -> list[str]:
    """Instrument packages that have ``part``, found without importing it."""
    pkg = importlib.import_module(package)
    return sorted(
        info.name
        for info in pkgutil.iter_modules(pkg.__path__)
        if info.ispkg and find_spec(part_module(info.name, part, package)) is not None
    )


def import_part(
    name: str, part: str, package: str = INSTRUMENTS_PACKAGE
) -> ModuleType | None:
    """The part's module, or ``None`` when the instrument does not have it.

    Only a missing part means ``None``: a missing dependency inside the part is
    a real error and propagates.
    """
    module_name = part_module(name, part, package)
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        if err.name not in (f"{package}.{name}", module_name, package):
            raise
        return None


def load_layout(instrument: str) -> InstrumentLayout:
    """``layout()`` of the instrument's ``layout.py``."""
    module = import_part(instrument, "layout")
    if module is None:
        raise NoLayout(
            f"instrument {instrument!r} has no geometry layout "
            f"(livedata/instruments/{instrument}/layout.py)"
        )
    make = getattr(module, "layout", None)
    if not callable(make):
        raise NoLayout(f"{module.__name__} defines no layout() function")
    return make()


def layout_instruments() -> list[str]:
    """Instruments with a ``layout.py`` (found without importing them)."""
    return instruments_with("layout")


def fake_generators(instrument: str) -> dict[str, Callable]:
    """The instrument's own fakes by kind (``fake.py`` ``GENERATORS``), maybe none."""
    module = import_part(instrument, "fake")
    return dict(getattr(module, "GENERATORS", {})) if module is not None else {}
