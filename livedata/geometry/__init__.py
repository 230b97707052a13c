"""NeXus geometry: dated file registry, pooch fetching, synthetic files (F3), and
the provider that gives instruments the registered file valid today (E3).

``install_nexus_geometry()`` is called once per process by the services (and the
test suite) before any instrument workflow or fake asks for its geometry.
"""

from .detector_source import install_nexus_geometry

__all__ = ["install_nexus_geometry"]
