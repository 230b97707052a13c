"""NeXus geometry: dated file registry, pooch fetching, synthetic files (F3)."""
