"""Workflows: what jobs run. ``*_spec.py`` modules are light; the rest import science."""
