"""Coalesce a batch's suppressions: one target per (application, channel, address).

A 10,000-record batch often holds many events for the same few addresses (a bounce storm, a
complaint followed by an unsubscribe). Each distinct address becomes one ``Target`` carrying the
records that depend on it, so the registry sees at most one write per address and batch, and
the records of a failed write (and only those) are retried.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from engagement.suppression.classify import Classified


def normalise(channel: str, address: str) -> str:
    """The registry's matching form (trimmed; e-mail lower-cased; phone punctuation dropped)."""
    from engagement.endpoints.rules import normalise_address

    return normalise_address(channel, address)


@dataclass
class Target:
    """Everything one registry write must achieve for one address (or one endpoint id)."""

    application_id: str
    channel: str
    address: str | None
    reason: str
    at_ms: int
    endpoint_ids: set[str] = field(default_factory=set)
    records: list[Classified] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str, str]:
        if self.address:
            return (self.application_id, self.channel, normalise(self.channel, self.address))
        return (self.application_id, self.channel, "id:" + next(iter(sorted(self.endpoint_ids)), ""))

    def absorb(self, other: Target) -> None:
        """Merge another target for the same address; the earliest event's reason wins."""
        if other.at_ms < self.at_ms:
            self.reason, self.at_ms = other.reason, other.at_ms
        self.endpoint_ids |= other.endpoint_ids
        self.records.extend(other.records)


def targets_of(record: Classified, reason: str | None = None) -> list[Target]:
    """One target per address the record names, or one for its endpoint id if it names none."""
    ids = {record.endpoint_id} if record.endpoint_id else set()
    app, channel, at_ms = record.application_id, record.channel, record.timestamp_ms
    reason = reason or record.reason
    distinct = {normalise(record.channel, address): address for address in record.addresses}
    return [
        Target(app, channel, address, reason, at_ms, set(ids), [record])
        for address in (list(distinct.values()) or [None])
    ]


def coalesce(targets: Iterable[Target]) -> list[Target]:
    merged: dict[tuple[str, str, str], Target] = {}
    for target in targets:
        existing = merged.get(target.key)
        if existing is None:
            merged[target.key] = target
        else:
            existing.absorb(target)
    return list(merged.values())
