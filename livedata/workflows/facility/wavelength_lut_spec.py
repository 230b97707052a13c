"""The facility's ``<instrument>/wavelength_lut/1`` (light: no scipp).

A job with no data input (``WorkflowSpec.data_input``): its source,
``chopper_cascade``, names the instrument's chopper cascade, not a stream. It
publishes the wavelength lookup table (Ltotal x event_time_offset ->
wavelength) and the wavelength bands the chopper cascade lets through at some
distances, once when started and again on reset or a service restart. The
timeseries service owns it, as at the facility.
"""

from __future__ import annotations

from pydantic import BaseModel

from ...core.workflow_spec import CoordTemplate, OutputTemplate, WorkflowSpec
from .convert import scipp_unit
from .lut_params import WavelengthLutParams

SOURCE = "chopper_cascade"
OUTPUTS = ("wavelength_lut", "chopper_cascade_bands")
WAVELENGTH_UNIT = "angstrom"


def lut_outputs(params: BaseModel | None) -> dict[str, OutputTemplate]:
    """The two outputs: units and sizes follow the params (time and distance
    axes in the units asked for; ``num_bins`` time bins of bands)."""
    given = params if isinstance(params, WavelengthLutParams) else None
    given = given or WavelengthLutParams()
    time_unit = scipp_unit(given.time_resolution.unit)
    distance_unit = given.distance_range.unit
    band_unit = given.cascade_bands.unit
    dims = ("distance", "event_time_offset")
    band_coords = {
        "distance": CoordTemplate(("distance",), band_unit),
        "event_time_offset": CoordTemplate(("event_time_offset",), time_unit, True),
        "wavelength_min": CoordTemplate(dims, WAVELENGTH_UNIT),
        "wavelength_max": CoordTemplate(dims, WAVELENGTH_UNIT),
    }
    return {
        "wavelength_lut": OutputTemplate(
            "Wavelength lookup table",
            dims,
            WAVELENGTH_UNIT,
            (None, None),
            {
                "distance": CoordTemplate(("distance",), distance_unit),
                "event_time_offset": CoordTemplate(("event_time_offset",), time_unit),
            },
            description="Mean wavelength of the neutrons arriving at a flight "
            "distance (source to pixel) at a time in the frame; the variances "
            "are their spread. NaN where no neutron arrives.",
        ),
        "chopper_cascade_bands": OutputTemplate(
            "Chopper cascade bands",
            dims,
            WAVELENGTH_UNIT,
            (None, given.cascade_bands.num_bins),
            band_coords,
            description="Per distance and time bin, the wavelengths the chopper "
            "cascade lets through: their extent (wavelength_min, wavelength_max) "
            "and its centre as the value; NaN where nothing passes.",
        ),
    }


def wavelength_lut_spec(instrument: str, choppers: str) -> WorkflowSpec:
    """``choppers``: one sentence on the choppers the table is made with."""
    return WorkflowSpec(
        instrument=instrument,
        name="wavelength_lut",
        namespace="timeseries",
        title="Wavelength lookup table",
        description="The table of wavelength against flight distance and time "
        "of arrival (essreduce's analytical mode) and the chopper cascade's "
        f"wavelength bands, computed when the job starts or is reset. {choppers}",
        group="Reduction",
        source_names=(SOURCE,),
        params=WavelengthLutParams,
        outputs=lut_outputs(None),
        output_templates=lambda params, source: lut_outputs(params),
        facility=True,
        data_input=False,
    )
