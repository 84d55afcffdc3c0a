"""Settings are parsed once from the environment; bad values fail loudly at cold start."""

from __future__ import annotations

import pydantic
import pytest
from pydantic import Field

from engagement.config import EnvSettings


class _Example(EnvSettings):
    store: str = Field(alias="ENDPOINT_STORE")
    workers: int = Field(16, alias="MAX_WORKERS")


def test_reads_aliases_and_ignores_unrelated_variables():
    settings = _Example.from_env({"ENDPOINT_STORE": "dynamodb://t", "MAX_WORKERS": "4", "PATH": "/bin"})
    assert (settings.store, settings.workers) == ("dynamodb://t", 4)


def test_empty_variables_mean_default():
    assert _Example.from_env({"ENDPOINT_STORE": "pinpoint", "MAX_WORKERS": ""}).workers == 16


def test_missing_required_variable_names_it():
    with pytest.raises(pydantic.ValidationError, match="ENDPOINT_STORE"):
        _Example.from_env({})


def test_settings_are_immutable():
    settings = _Example.from_env({"ENDPOINT_STORE": "pinpoint"})
    with pytest.raises(pydantic.ValidationError):
        settings.workers = 2


def test_a_settings_error_is_one_line_naming_each_variable_and_no_value():
    from engagement.config import SettingsError

    with pytest.raises(SettingsError) as caught:
        _Example.from_env({"MAX_WORKERS": "many", "SECRET_TOKEN": "s3cr3t"})
    error = caught.value
    assert str(error) == (
        "ENDPOINT_STORE: required, not set; "
        "MAX_WORKERS: Input should be a valid integer, unable to parse string as an integer"
    )
    assert isinstance(error, pydantic.ValidationError) and isinstance(error, ValueError)
    assert "s3cr3t" not in repr(error) and "many" not in repr(error)
