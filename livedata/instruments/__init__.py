"""The instrument contract (A5, F1): everything services and clients know of one.

``instrument.py`` (the ``Instrument`` description), ``registry.py`` (finding one
by name), ``loader.py`` (its parts by convention), ``pixel_layout.py`` (the
layout types), ``instrument_geometry.py`` (the geometry workflows ask for, from
a provider the process installs), ``grid.py`` (plot templates) and ``fakes.py``
(fake events every instrument's fakes share). Then one package per instrument:
``specs.py`` (light), ``streams.py``, ``factories.py`` (heavy), ``layout.py``
and optionally ``fake.py``. Nothing here imports geometry, services, control or
a client.
"""

from .registry import UnknownInstrument, available_instruments, get_instrument

__all__ = ["UnknownInstrument", "available_instruments", "get_instrument"]
