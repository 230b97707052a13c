"""TBL, the ESS test beamline: an Orca camera (ad00) and two event detectors.

The detectors under test: a bank of He3 tubes and a multiblade-like panel.
"""
