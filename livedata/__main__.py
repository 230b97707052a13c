"""``python -m livedata`` = the ``livedata`` command."""

from livedata.cli.main import run

run()
