"""Workflows under the facility's ids: its params schemas and output names (issue 12).

The facility's deployed live-data system registers workflow ids that its
dashboard and NICOS drive (``peer-contract/workflows-*.json``). An id means the
same thing on both systems, so these specs take the facility's params (names,
nesting, enums, units spelled as there) and publish its output names, and their
factories run livedata's own workflows underneath.
"""
