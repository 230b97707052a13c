"""pydantic errors in one line: every problem by location, or just the first."""

import pytest
from pydantic import BaseModel, ValidationError, model_validator

from livedata.core.validation import validation_problems


class Edges(BaseModel):
    start: float
    num_bins: int

    @model_validator(mode="after")
    def _positive(self):
        if self.num_bins == 0:
            raise ValueError("no bins")
        return self


def error_of(**values) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        Edges.model_validate(values)
    return caught.value


def test_every_problem_by_its_dotted_location():
    error = error_of(start="x", num_bins="y")
    assert validation_problems(error, "params") == (
        "start: Input should be a valid number, unable to parse string as a number; "
        "num_bins: Input should be a valid integer, unable to parse string as an"
        " integer"
    )


def test_first_only_and_the_name_of_the_whole_input():
    error = error_of(start=1.0, num_bins=0)
    assert validation_problems(error, "edges", first_only=True) == (
        "edges: Value error, no bins"
    )
    both = error_of(start="x", num_bins="y")
    assert validation_problems(both, "params", first_only=True).startswith("start: ")
    assert ";" not in validation_problems(both, "params", first_only=True)
