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
