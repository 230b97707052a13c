"""The ``livedata`` command line: a module per command group, heavy imports deferred."""
