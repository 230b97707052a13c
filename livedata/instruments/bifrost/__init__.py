"""BIFROST, the ESS indirect-geometry spectrometer: 45 detector triplets.

5 arcs (analyser energies) x 9 channels (scattering angles), each a triplet of 3
position-sensitive tubes. On the wire every triplet is a stream; livedata merges
them into one ``unified_detector`` folded to (arc, tube, channel, pixel) (F2).
"""
