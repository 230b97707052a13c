"""LOKI, the ESS small-angle scattering instrument: 9 banks, monitors, I(Q).

Fully offline: the geometry file (real sizes, made from ``layout.py`` when none is
available), a no-chopper lookup table, direct beam, transmission reference and
beam-stop mask are generated locally; the detector carriage log moves the rear bank.
"""
