"""Settings parsed once, at the edge, from the environment.

Handlers build their feature's settings object at cold start and pass it down; library code
never reads ``os.environ`` itself. Each feature declares its own subclass next to its code.

Bad settings raise :class:`SettingsError`, one line naming each variable and what is wrong with it
(``MAX_WORKERS: Input should be less than or equal to 50; IDEMPOTENCY_TABLE: required, not set``),
never the values: pydantic's own message would print the whole environment for a missing variable.
The CLI prints it as ``error: <that line>`` (exit 2); a Lambda fails its cold start with it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Self

from pydantic import BaseModel, ConfigDict, ValidationError


class EnvSettings(BaseModel):
    """Base for settings read from environment variables (field aliases are the variable names)."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        """Validate the environment once; a missing or malformed variable fails the cold start clearly."""
        source = os.environ if environ is None else environ
        try:
            return cls.model_validate({key: value for key, value in source.items() if value != ""})
        except ValidationError as error:
            # values left out: a missing variable's "input" is the whole environment
            details = [{**detail, "input": None} for detail in error.errors(include_url=False)]
            raise SettingsError.from_exception_data(error.title, details) from None


class SettingsError(ValidationError):
    """Settings that do not validate; ``str()`` names each environment variable and its problem.

    A pydantic ``ValidationError`` (``except ValidationError`` still catches it) and a ``ValueError``.
    """

    def __str__(self) -> str:
        return "; ".join(self.problems())

    def problems(self) -> list[str]:
        """``"<VARIABLE>: <what is wrong>"`` per problem, the variable (the field's alias) first."""
        found = []
        for detail in self.errors(include_url=False, include_input=False):
            names = [part for part in detail["loc"] if isinstance(part, str)]
            what = "required, not set" if detail["type"] == "missing" else detail["msg"]
            found.append(f"{names[-1] if names else self.title}: {what}")
        return found
