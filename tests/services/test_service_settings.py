"""The service settings of the YAML: all read, all checked."""

from __future__ import annotations

import pytest

from livedata.config import ConfigError, load_config
from livedata.core.timestamp import Duration
from livedata.services.settings import ServiceSettings, load_service_settings


def test_the_shipped_settings_are_valid_and_every_key_is_read() -> None:
    shipped = load_config("service")
    settings = load_service_settings()
    assert set(shipped) == set(ServiceSettings.model_fields)
    assert settings.batch_length == Duration.from_seconds(shipped["batch_length_s"])
    assert settings.queue_max_bytes == shipped["queue_max_bytes"]


@pytest.mark.parametrize(
    ("values", "complaint"),
    [
        ({"metrics_interval_s": 30.0}, "metrics_interval_s: Extra inputs"),
        ({"poll_interval_s": -1}, "poll_interval_s: Input should be greater than 0"),
        ({"queue_max_batches": "many"}, "queue_max_batches: Input should be a valid"),
    ],
)
def test_unknown_keys_and_bad_values_are_one_config_error(
    values: dict, complaint: str
) -> None:
    with pytest.raises(ConfigError, match=complaint) as caught:
        ServiceSettings.from_mapping(values)
    assert "\n" not in str(caught.value)
