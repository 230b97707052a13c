"""The four processing services, wired from core + kafka + instruments."""
