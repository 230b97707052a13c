"""DREAM, the ESS powder diffractometer: four detector banks, two monitors, logs.

Fully offline: the registered NeXus geometry file (made from the synthetic but
real-sized layout.py when none is available), an analytical wavelength table from
the chopper settings (wavelength.py) and essdiffraction's powder reduction.
"""
