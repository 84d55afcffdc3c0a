"""Endpoint import and export in Pinpoint's file formats (CSV with dotted headers, JSON Lines).

CSV: one endpoint per row; headers are field paths (``ChannelType``, ``Address``, ``Id``,
``User.UserId``, ``User.UserAttributes.FirstName``, ``Attributes.Plan``, ``Metrics.score``,
``Location.Country``, ``Demographic.Platform``, ``OptOut``...). A cell holds ONE value: an
attribute cell becomes a one-item list, an empty cell leaves the field out. Multi-valued
attributes need JSON Lines (one ``EndpointBatchItem``/``EndpointResponse`` object per line).
Response-only fields (``ApplicationId``, ``CohortId``, ``CreationDate``) are ignored on import,
so an export imports back unchanged. A row without ``Id`` gets a stable id derived from its
channel and address, so importing the same file twice updates rather than duplicates.
"""

from __future__ import annotations

import csv
import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from engagement.endpoints.rules import MAX_BATCH_ITEMS, normalise_address

SCALAR_COLUMNS = ("Id", "ChannelType", "Address", "EndpointStatus", "OptOut", "EffectiveDate", "RequestId")
RESPONSE_ONLY = ("ApplicationId", "CohortId", "CreationDate")
LIST_GROUPS = ("Attributes", "User.UserAttributes")
VALUE_GROUPS = ("Metrics", "Location", "Demographic")
_ID_NAMESPACE = uuid.UUID("6f1c3b8e-5d0a-4c41-9a57-2f1e0c9b7d10")
_BATCH_ITEM = re.compile(r"^Item\[(\d+)\]\.(.*)$")

Row = tuple[int, dict[str, Any]]  # (line number in the file, raw endpoint object)


# ---------------------------------------------------------------- CSV <-> nested objects
def header_problems(header: Iterable[str]) -> list[str]:
    known = set(SCALAR_COLUMNS) | set(RESPONSE_ONLY) | {"User.UserId"}
    groups = LIST_GROUPS + VALUE_GROUPS
    return [
        f"column {name!r}: not an endpoint field"
        for name in header
        if name not in known
        and not any(name.startswith(group + ".") and name > group + "." for group in groups)
    ]


def row_to_object(row: dict[str, str]) -> dict[str, Any]:
    """``{"User.UserAttributes.First": "Ana"}`` -> ``{"User": {"UserAttributes": {"First": ["Ana"]}}}``."""
    endpoint: dict[str, Any] = {}
    for column, cell in row.items():
        if cell is None or cell == "" or column in RESPONSE_ONLY:
            continue
        group = next((g for g in LIST_GROUPS + VALUE_GROUPS if column.startswith(g + ".")), None)
        if group is None:
            parent, name, value = endpoint, column, cell
            if column == "User.UserId":
                parent, name = endpoint.setdefault("User", {}), "UserId"
        else:
            parent = endpoint
            for part in group.split("."):
                parent = parent.setdefault(part, {})
            name, value = column[len(group) + 1 :], [cell] if group in LIST_GROUPS else cell
        parent[name] = value
    return endpoint


def object_to_row(endpoint: dict[str, Any]) -> dict[str, str]:
    """The CSV row of an ``EndpointResponse``; multi-valued attributes can't be one cell."""
    row = {key: str(endpoint[key]) for key in SCALAR_COLUMNS + RESPONSE_ONLY if key in endpoint}
    user = endpoint.get("User") or {}
    if user.get("UserId"):
        row["User.UserId"] = user["UserId"]
    sources = {"Attributes": endpoint.get("Attributes"), "User.UserAttributes": user.get("UserAttributes")}
    for group, values in sources.items():
        for name, items in (values or {}).items():
            if len(items) > 1:
                raise ValueError(
                    f"{group}.{name}: {len(items)} values don't fit one CSV cell; use --format json"
                )
            if items:
                row[f"{group}.{name}"] = items[0]
    for group in VALUE_GROUPS:
        for name, value in (endpoint.get(group) or {}).items():
            row[f"{group}.{name}"] = repr(value) if isinstance(value, float) else str(value)
    return row


def read_rows(stream: IO[str], file_format: str) -> Iterator[Row]:
    """Raw endpoint objects with their line numbers (CSV data starts on line 2)."""
    if file_format == "csv":
        reader = csv.DictReader(stream)
        problems = header_problems(reader.fieldnames or [])
        if problems:
            raise ValueError("; ".join(problems))
        for row in reader:
            yield reader.line_num, row_to_object(row)
        return
    for number, line in enumerate(stream, start=1):
        if line.strip():
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as error:
                yield number, {"__error__": f"not a JSON object ({error.msg})"}


# ---------------------------------------------------------------- import
def to_batch_item(raw: Any) -> dict[str, Any]:
    """Validate one raw endpoint (pydantic, at the edge); raises ``ValueError`` naming fields."""
    from pydantic import ValidationError

    from engagement.models.endpoint import EndpointBatchItem, problems_of

    if not isinstance(raw, dict) or "__error__" in raw:
        raise ValueError(raw.get("__error__") if isinstance(raw, dict) else "not a JSON object")
    item = {key: value for key, value in raw.items() if key not in RESPONSE_ONLY}
    if not item.get("Id"):
        if not (isinstance(item.get("ChannelType"), str) and isinstance(item.get("Address"), str)):
            raise ValueError("Id: required unless ChannelType and Address are given")
        address = normalise_address(item["ChannelType"], item["Address"])
        item["Id"] = uuid.uuid5(_ID_NAMESPACE, f"{item['ChannelType']}#{address}").hex
    try:
        return EndpointBatchItem.model_validate(item).to_pinpoint()
    except ValidationError as error:
        raise ValueError("; ".join(problems_of(error))) from None


@dataclass
class ImportReport:
    rows_read: int = 0
    imported: int = 0
    failed: int = 0
    batch_calls: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    # Ids and channels of the rows written (and of the users' endpoints that rows naming only a
    # user stand for), for an imported segment (``--segment-name``).
    endpoint_ids: list[str] = field(default_factory=list)
    channel_counts: dict[str, int] = field(default_factory=dict)
    users_expanded: int = 0

    def summary(self) -> str:
        expanded = f", {self.users_expanded} users expanded to their endpoints" if self.users_expanded else ""
        return (
            f"{self.rows_read} rows read, {self.imported} imported, {self.failed} failed, "
            f"{self.batch_calls} update_endpoints_batch calls{expanded}"
        )


def user_only(raw: Any) -> str | None:
    """The user id of a row that names a user and nothing else (``User.UserId`` alone), else None."""
    if not isinstance(raw, dict) or set(raw) - {"User", *RESPONSE_ONLY}:
        return None
    user = raw.get("User")
    if not isinstance(user, dict) or set(user) != {"UserId"} or not isinstance(user["UserId"], str):
        return None
    return user["UserId"] or None


class Importer:
    """Sends valid rows in batches of <= 100; a row the registry rejects is reported, not retried."""

    def __init__(
        self,
        registry: Any,
        application_id: str,
        on_error: Callable[[int, str], None],
        *,
        expand_users: bool = False,
    ) -> None:
        self._registry = registry
        self._application_id = application_id
        self._on_error = on_error
        self._expand_users = expand_users
        self.report = ImportReport()

    def run(self, rows: Iterable[Row]) -> ImportReport:
        batch: list[tuple[int, dict[str, Any]]] = []
        for number, raw in rows:
            self.report.rows_read += 1
            user_id = user_only(raw) if self._expand_users else None
            if user_id is not None:
                self._expand(number, user_id)
                continue
            try:
                batch.append((number, to_batch_item(raw)))
            except ValueError as error:
                self._fail(number, str(error))
            if len(batch) == MAX_BATCH_ITEMS:
                self._send(batch)
                batch = []
        if batch:
            self._send(batch)
        return self.report

    def _expand(self, number: int, user_id: str) -> None:
        """A row naming only a user stands for that user's endpoints (Pinpoint's import segments)."""
        from botocore.exceptions import ClientError

        try:
            response = self._registry.get_user_endpoints(ApplicationId=self._application_id, UserId=user_id)
        except ClientError as error:
            self._fail(number, f"User.UserId {user_id!r}: {error.response['Error'].get('Message', error)}")
            return
        for endpoint in response["EndpointsResponse"]["Item"]:
            self._count(endpoint)
        self.report.users_expanded += 1

    def _count(self, item: dict[str, Any]) -> None:
        self.report.endpoint_ids.append(item["Id"])
        channel = item.get("ChannelType")
        if channel:
            self.report.channel_counts[channel] = self.report.channel_counts.get(channel, 0) + 1

    def _fail(self, number: int, message: str) -> None:
        self.report.failed += 1
        self.report.errors.append((number, message))
        self._on_error(number, message)

    def _send(self, batch: list[tuple[int, dict[str, Any]]]) -> None:
        from botocore.exceptions import ClientError

        while batch:
            self.report.batch_calls += 1
            try:
                self._registry.update_endpoints_batch(
                    ApplicationId=self._application_id,
                    EndpointBatchRequest={"Item": [item for _, item in batch]},
                )
            except ClientError as error:
                message = error.response["Error"].get("Message", str(error))
                located = _BATCH_ITEM.match(message)
                if error.response["Error"].get("Code") != "BadRequestException" or not located:
                    for number, _ in batch:
                        self._fail(number, message)
                    return
                index = int(located.group(1))
                own = [part for part in message.split("; ") if part.startswith(f"Item[{index}].")]
                self._fail(batch[index][0], "; ".join(part.split(".", 1)[1] for part in own))
                batch = batch[:index] + batch[index + 1 :]
                continue
            self.report.imported += len(batch)
            for _, item in batch:
                self._count(item)
            return


# ---------------------------------------------------------------- export
def export_endpoints(endpoints: Iterable[dict[str, Any]], stream: IO[str], file_format: str) -> int:
    """Write endpoints as JSON Lines, or CSV with every column any endpoint uses."""
    if file_format == "json":
        count = 0
        for count, endpoint in enumerate(endpoints, start=1):  # noqa: B007 - count is the result
            stream.write(json.dumps(endpoint, ensure_ascii=False, separators=(",", ":")) + "\n")
        return count
    rows = [object_to_row(endpoint) for endpoint in endpoints]
    fixed = [
        name for name in (*SCALAR_COLUMNS, "User.UserId", *RESPONSE_ONLY) if any(name in r for r in rows)
    ]
    dotted = sorted({name for row in rows for name in row} - set(fixed))
    writer = csv.DictWriter(stream, fieldnames=fixed + dotted, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return len(rows)
