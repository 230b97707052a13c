"""The one error type of geometry, here so the light loader can raise it without
importing NumPy (instrument specs must import without the science stack)."""


class GeometryError(Exception):
    """A geometry file cannot be chosen, made or fetched; the message says why."""
