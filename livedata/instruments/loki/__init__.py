"""LOKI, the ESS small-angle scattering instrument: 9 banks, monitors, I(Q).

Fully offline: geometry, direct beam, transmission reference and beam-stop mask
are generated locally from ``layout.py`` (pixel counts reduced, see ``banks``).
"""
