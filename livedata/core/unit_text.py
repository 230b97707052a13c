"""Units as an operator reads them: scipp's spelling made readable (F5).

scipp prints a power of the ångström through its SI scale
(``1.00000000000000013e-40*m^4`` for Å⁴) and powers with ``^``/``**``. For the
console and the CLI's text output this gives ``Å⁴``, ``counts·Å⁴``, ``1/Å``,
``Å²``. Pure string work (no scipp import): the CLI's start-up stays light.
Machine-readable output (``--json``, the wire) keeps scipp's spelling, which
``scipp.Unit`` parses back.
"""

from __future__ import annotations

import math
import re

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
# A scale times metres to a power: an ångström power when the scale is 1e-10^n.
_SCALED_METRE = re.compile(r"(?P<scale>\d+(?:\.\d*)?e[-+]?\d+)\*m(?:\^|\*\*)(?P<n>\d+)")
_POWER = re.compile(r"(?:\^|\*\*)\(?(?P<n>-?\d+)\)?")


def _scaled_metre(match: re.Match) -> str:
    n = int(match["n"])
    scale = float(match["scale"])
    if n > 0 and math.isclose(scale, 10.0 ** (-10 * n), rel_tol=1e-9):
        return f"Å^{n}"
    return match[0]


def readable_unit(text: str | None) -> str | None:
    """``None`` stays ``None``; anything unrecognised comes back unchanged."""
    if text is None:
        return None
    out = _SCALED_METRE.sub(_scaled_metre, text)
    out = out.replace("angstrom", "Å")
    out = _POWER.sub(lambda m: m["n"].translate(_SUPERSCRIPT), out)
    return out.replace("*", "·")
