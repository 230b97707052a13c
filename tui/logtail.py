"""Following the log files of the services a demo started (``<name>.log`` in one
folder): the last lines of each, then whatever each gains.

No Textual here: the logs view asks ``LogFolder`` for lines at its refresh and
shows them. Reads are small (the tail is read from the end of the file, later
reads from where the last one stopped), so they run on the UI thread. A file
that shrank (rotated, truncated) is read again from its start; a line still
being written is held back until its newline arrives.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TAIL_LINES = 200  # lines of each file shown when the view opens
TAIL_BYTES = 256 * 1024  # how far back from the end the tail is looked for
READ_LIMIT = 1024 * 1024  # at most this much of one file per refresh


@dataclass(frozen=True)
class LogLine:
    """One line of one service's log (``source`` is the file's name less ``.log``)."""

    source: str
    text: str


def last_lines(path: Path, n: int = TAIL_LINES) -> tuple[list[str], int]:
    """The last ``n`` complete lines of ``path`` and the offset after them."""
    with path.open("rb") as f:
        end = f.seek(0, os.SEEK_END)
        start = max(0, end - TAIL_BYTES)
        f.seek(start)
        data = f.read(end - start)
    complete = data[: data.rfind(b"\n") + 1]
    lines = complete.decode(errors="replace").splitlines()
    if start > 0 and lines:
        lines = lines[1:]  # the first line was cut by the window
    return lines[-n:], start + len(complete)


class LogFolder:
    """The ``*.log`` files of one folder, each followed from its tail."""

    def __init__(self, folder: Path, tail: int = TAIL_LINES) -> None:
        self.folder = Path(folder)
        self.tail = tail
        self._offsets: dict[str, int] = {}

    def sources(self) -> list[str]:
        """The names of the logs there are now, sorted (``data_reduction``, ...)."""
        try:
            return sorted(p.stem for p in self.folder.glob("*.log") if p.is_file())
        except OSError:
            return []

    def read(self) -> list[LogLine]:
        """The tail of each log not read yet, then the new lines of the others."""
        out: list[LogLine] = []
        for source in self.sources():
            path = self.folder / f"{source}.log"
            try:
                if source not in self._offsets:
                    lines, offset = last_lines(path, self.tail)
                else:
                    lines, offset = self._new_lines(path, self._offsets[source])
            except OSError:
                continue
            self._offsets[source] = offset
            out.extend(LogLine(source, line) for line in lines)
        return out

    @staticmethod
    def _new_lines(path: Path, offset: int) -> tuple[list[str], int]:
        with path.open("rb") as f:
            end = f.seek(0, os.SEEK_END)
            if end < offset:  # truncated or replaced: from the start again
                offset = 0
            f.seek(offset)
            data = f.read(min(end - offset, READ_LIMIT))
        complete = data[: data.rfind(b"\n") + 1]
        return complete.decode(errors="replace").splitlines(), offset + len(complete)
