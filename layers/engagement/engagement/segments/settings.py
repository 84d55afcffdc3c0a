"""Settings of the segment scan worker, read once at cold start (see ``engagement.config``)."""

from __future__ import annotations

from pydantic import Field

from engagement.config import EnvSettings


class SegmentSettings(EnvSettings):
    segment_store: str = Field(alias="SEGMENT_STORE")  # dynamodb://<table>
    endpoint_store: str = Field(alias="ENDPOINT_STORE")  # dynamodb://<table>: snapshots scan its table
