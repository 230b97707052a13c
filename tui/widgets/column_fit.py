"""Which columns a table shows in the width it has, and how wide.

At 80 columns a view cannot show every column at its natural width. The key
columns (name or id, state, the main number: ``priority`` 0) always stay;
the others give way in order of ``priority``, highest first: a column that
grows to its content is first cut (its cells end in an ellipsis) down to its
``min_width``, and hidden when that is not enough; what hiding freed goes back
to the cut columns, the most important first. Pure: the table calls it with
the natural widths of its columns and the width it has.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

GAP = 2  # one space either side of every cell


@dataclass(frozen=True)
class ColumnFit:
    """What ``fit_widths`` needs to know of one column."""

    priority: int  # 0: always shown; higher gives way first
    flexible: bool  # grows to its content, so may be cut
    min_width: int  # the narrowest a cut leaves it


def fit_widths(
    columns: Sequence[ColumnFit], natural: Sequence[int], available: int
) -> list[int]:
    """Widths to draw (0: hidden) so the row fits ``available`` cells, if the
    key columns allow it (else they keep their width and the table scrolls)."""
    widths = list(natural)

    def total() -> int:
        return sum(w + GAP for w in widths if w)

    if total() <= available:
        return widths
    order = sorted(range(len(columns)), key=lambda i: (-columns[i].priority, -i))
    for i in order:  # least important first: cut it, and if that is not enough,
        excess = total() - available  # hide it (a key column is only cut)
        if excess <= 0:
            break
        if columns[i].flexible:
            floor = min(widths[i], columns[i].min_width)
            widths[i] = max(floor, widths[i] - excess)
        if total() > available and columns[i].priority > 0:
            widths[i] = 0
    spare = available - total()
    for i in reversed(order):  # room freed goes back, most important first
        if spare <= 0:
            break
        if widths[i]:
            grow = min(natural[i] - widths[i], spare)
            widths[i] += grow
            spare -= grow
    return widths
