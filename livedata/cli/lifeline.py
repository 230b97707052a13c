"""Children of ``livedata demo`` stop when the demo dies, however it dies.

The demo starts services and fakes in their own sessions (so Ctrl-C reaches only
the demo, which stops them in order). Should the demo be killed hard or crash,
nobody would stop them; so a child started with ``LIVEDATA_PARENT_PID`` asks the
Linux kernel for SIGTERM when its parent goes (PR_SET_PDEATHSIG), which the
services treat like any SIGTERM: a graceful stop. Standard library only.
"""

from __future__ import annotations

import os
import signal
import sys

PARENT_PID_ENV = "LIVEDATA_PARENT_PID"
_PR_SET_PDEATHSIG = 1


def hold_on_to_parent() -> None:
    """If started by the demo, get SIGTERM when it dies (no-op elsewhere)."""
    expected = os.environ.get(PARENT_PID_ENV)
    if not expected or not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM))
    except (OSError, AttributeError, ValueError):
        return
    if str(os.getppid()) != expected:  # the parent died before we asked
        os.kill(os.getpid(), signal.SIGTERM)
