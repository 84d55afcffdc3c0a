"""Settings parsed once, at the edge, from the environment.

Handlers build their feature's settings object at cold start and pass it down; library code
never reads ``os.environ`` itself. Each feature declares its own subclass next to its code.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Self

from pydantic import BaseModel, ConfigDict


class EnvSettings(BaseModel):
    """Base for settings read from environment variables (field aliases are the variable names)."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        """Validate the environment once; a missing or malformed variable fails the cold start clearly."""
        source = os.environ if environ is None else environ
        return cls.model_validate({key: value for key, value in source.items() if value != ""})
