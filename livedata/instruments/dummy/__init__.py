"""The dummy instrument: a 128x128 panel, a camera, two monitors, two motors.

Fully offline and synthetic; its workflow ids match the ESS dummy instrument so
existing clients recognise them.
"""
