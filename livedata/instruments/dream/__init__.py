"""DREAM, the ESS powder diffractometer: four detector banks, two monitors, logs.

Fully offline: synthetic bank geometry (layout.py), an analytical wavelength table
from the chopper settings (wavelength.py) and essdiffraction's powder reduction.
"""
