"""Helpers shared by the DREAM tests (imported by name: the folder is on sys.path)."""

from livedata.core.events import DetectorEvents, MonitorEvents
from livedata.core.timestamp import PULSE_PERIOD, Timestamp
from livedata.preprocessors.events import ToNXeventData

T0_NS = 1_700_000_000_000_000_000


def nx_events(chunks, *, detector: bool, first_pulse: int = 0):
    """Chunks as the data_reduction service hands them to a job (ToNXeventData)."""
    acc = ToNXeventData()
    for i, chunk in enumerate(chunks):
        ts = Timestamp(T0_NS + (first_pulse + i) * PULSE_PERIOD.ns)
        if detector:
            acc.add(ts, DetectorEvents(chunk.pixel_id, chunk.time_of_arrival))
        else:
            acc.add(ts, MonitorEvents(chunk))
    return acc.get()


def window(first_pulse: int, n_pulses: int = 14) -> dict:
    start = Timestamp(T0_NS + first_pulse * PULSE_PERIOD.ns)
    end = Timestamp(T0_NS + (first_pulse + n_pulses) * PULSE_PERIOD.ns)
    return {"start_time": start, "end_time": end}
