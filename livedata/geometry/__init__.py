"""NeXus geometry: dated file registry, pooch fetching, synthetic files (F3), the
geometry services read (E3) and the wavelength lookup tables made from it."""
