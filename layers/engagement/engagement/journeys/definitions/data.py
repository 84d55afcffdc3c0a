"""The journeys table (DynamoDB, one table): definitions, participants, sends, message events, counters.

| pk | sk | what |
|---|---|---|
| ``APP#<app>`` | ``JOURNEY#<id>`` | the latest ``JourneyResponse`` (JSON), state, state machine ARN |
| ``APP#<app>`` | ``JOURNEY#<id>#V<n>`` | each deployed version (what running executions read) |
| ``PART#<app>#<journey>#<endpoint>`` | ``ENTRY#<iso>#<run>`` | an entry (re-entry cap and interval) |
| ``PART#<app>#<journey>#<endpoint>`` | ``SEND#<iso>#<activity>`` | a message (DailyCap, TotalCap) |
| ``ENDPOINT#<app>#<endpoint>`` | ``SEND#<iso>#<journey>`` | any journey's message (TimeframeCap) |
| ``MSG#<app>#<journey>#<endpoint>`` | ``<activity>#<iso>#<event type>`` | a message event (splits), TTL |
| ``METRIC#<app>#<journey>`` | ``<metric>`` or ``<activity>#<metric>`` | counters (atomic ADD) |
| ``MEMBER#<app>#<journey>`` | ``<endpoint>`` | segment members already entered (only new ones enter) |
| ``RUN#<app>#<journey>`` | ``<run>`` | participants entered / left per run (``get_journey_runs``) |
| ``REFRESH#<app>`` | ``<journey>`` | when the start segment was last read |
| ``RATE#<journey>#<unix second>`` | ``RATE`` | MessagesPerSecond pacing, TTL 2 min |
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from engagement.journeys.definitions.durations import iso
from engagement.paging import query_items

MESSAGE_EVENT_TTL = timedelta(days=30)  # longer than any EvaluationWaitTime the console offers
TIMEFRAME_TTL = timedelta(days=31)  # TimeframeCap looks back at most 30 days


class JourneyTable:
    """Typed access to the journeys table; ``table`` is a boto3 ``dynamodb.Table`` resource."""

    def __init__(self, table: Any) -> None:
        self.table = table

    # -- definitions ---------------------------------------------------------------------------
    def put_journey(self, journey: Mapping[str, Any], *, state_machine_arn: str = "") -> None:
        app, journey_id, version = journey["ApplicationId"], journey["Id"], int(journey.get("Version", 1))
        body = json.dumps(dict(journey), separators=(",", ":"))
        for sk in (f"JOURNEY#{journey_id}#V{version}", f"JOURNEY#{journey_id}"):  # the version first
            self.table.put_item(
                Item={"pk": f"APP#{app}", "sk": sk, "journey": body, "arn": state_machine_arn}
            )

    def get_journey(
        self, app: str, journey_id: str, version: int | None = None
    ) -> tuple[dict[str, Any], str] | None:
        sk = f"JOURNEY#{journey_id}" + (f"#V{version}" if version else "")
        item = self.table.get_item(Key={"pk": f"APP#{app}", "sk": sk}).get("Item")
        return (json.loads(item["journey"]), item.get("arn", "")) if item else None

    def list_journeys(self, app: str) -> list[dict[str, Any]]:
        return [journey for journey, _ in self.list_journeys_and_arns(app)]

    def list_journeys_and_arns(self, app: str) -> list[tuple[dict[str, Any], str]]:
        """Every journey's latest body and state machine ARN, from one query."""
        items = self._query(f"APP#{app}", "JOURNEY#")
        return [
            (json.loads(item["journey"]), item.get("arn", "")) for item in items if "#V" not in item["sk"]
        ]

    def delete_journey(self, app: str, journey_id: str) -> None:
        for item in self._query(f"APP#{app}", f"JOURNEY#{journey_id}"):
            if item["sk"] == f"JOURNEY#{journey_id}" or item["sk"].startswith(f"JOURNEY#{journey_id}#V"):
                self.table.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})

    # -- participants --------------------------------------------------------------------------
    def entries(self, app: str, journey_id: str, endpoint_id: str) -> list[str]:
        """The ISO times this endpoint entered the journey, oldest first."""
        items = self._query(f"PART#{app}#{journey_id}#{endpoint_id}", "ENTRY#")
        return [item["sk"].split("#")[1] for item in items]

    def record_entry(self, app: str, journey_id: str, endpoint_id: str, run_id: str, now: datetime) -> None:
        self.table.put_item(
            Item={"pk": f"PART#{app}#{journey_id}#{endpoint_id}", "sk": f"ENTRY#{iso(now)}#{run_id}"}
        )

    def sends(self, app: str, journey_id: str, endpoint_id: str, since: datetime | None = None) -> list[dict]:
        items = self._query(f"PART#{app}#{journey_id}#{endpoint_id}", "SEND#")
        return [item for item in items if since is None or item["sk"].split("#")[1] > iso(since)]

    def sends_to_endpoint(self, app: str, endpoint_id: str, since: datetime) -> int:
        items = self._query(f"ENDPOINT#{app}#{endpoint_id}", "SEND#")
        return sum(1 for item in items if item["sk"].split("#")[1] >= iso(since))

    def record_send(
        self, app: str, journey_id: str, endpoint_id: str, activity_id: str, execution_id: str, now: datetime
    ) -> bool:
        """Record one message; ``False`` when this execution already sent this activity (a retry)."""
        from botocore.exceptions import ClientError

        try:
            self.table.put_item(
                Item={"pk": f"SENT#{execution_id}", "sk": activity_id, "at": iso(now)},
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        sk = f"SEND#{iso(now)}#{activity_id}#{execution_id[-12:]}"
        self.table.put_item(
            Item={"pk": f"PART#{app}#{journey_id}#{endpoint_id}", "sk": sk, "activity": activity_id}
        )
        expires = int((now + TIMEFRAME_TTL).timestamp())
        self.table.put_item(
            Item={
                "pk": f"ENDPOINT#{app}#{endpoint_id}",
                "sk": f"SEND#{iso(now)}#{journey_id}",
                "expires_at": expires,
            }
        )
        return True

    def sent_at(self, execution_id: str, activity_id: str) -> str | None:
        item = self.table.get_item(Key={"pk": f"SENT#{execution_id}", "sk": activity_id}).get("Item")
        return item["at"] if item else None

    # -- message events ------------------------------------------------------------------------
    def record_message_event(self, event: Mapping[str, Any], now: datetime) -> None:
        pk = f"MSG#{event['application_id']}#{event['journey_id']}#{event['endpoint_id']}"
        sk = f"{event['activity_id']}#{event['at']}#{event['event_type']}"
        item = {"pk": pk, "sk": sk, "expires_at": int((now + MESSAGE_EVENT_TTL).timestamp())}
        item.update(
            {key: str(value) for key, value in event.items() if key not in ("at",) and value is not None}
        )
        for field in ("attributes", "metrics"):  # maps, kept as JSON (metrics compared as numbers)
            if event.get(field):
                item[field] = json.dumps(event[field])
            else:
                item.pop(field, None)
        self.table.put_item(Item=item)

    def message_events(self, app: str, journey_id: str, endpoint_id: str, activity_id: str) -> list[dict]:
        items = self._query(f"MSG#{app}#{journey_id}#{endpoint_id}", f"{activity_id}#")
        for item in items:
            item["at"] = item["sk"].split("#")[1]
            item["attributes"] = json.loads(item.get("attributes") or "{}")
            item["metrics"] = json.loads(item.get("metrics") or "{}")
        return items

    # -- segment members, counters, pacing -----------------------------------------------------
    def entered_members(self, app: str, journey_id: str) -> set[str]:
        return {item["sk"] for item in self._query(f"MEMBER#{app}#{journey_id}", "")}

    def record_member(self, app: str, journey_id: str, endpoint_id: str) -> None:
        self.table.put_item(Item={"pk": f"MEMBER#{app}#{journey_id}", "sk": endpoint_id})

    def last_refresh(self, app: str, journey_id: str) -> tuple[str, str] | None:
        """When the start segment was last read, and which segment version it was."""
        item = self.table.get_item(Key={"pk": f"REFRESH#{app}", "sk": journey_id}).get("Item")
        return (item["at"], item.get("segment_version", "")) if item else None

    def put_refresh(self, app: str, journey_id: str, now: datetime, segment_version: str = "") -> None:
        item = {"pk": f"REFRESH#{app}", "sk": journey_id, "at": iso(now), "segment_version": segment_version}
        self.table.put_item(Item=item)

    def run_moved(self, app: str, journey_id: str, run_id: str, field: str, now: datetime) -> None:
        """A participant of run ``run_id`` entered (``field="entered"``) or left (``"left"``)."""
        self.table.update_item(
            Key={"pk": f"RUN#{app}#{journey_id}", "sk": run_id},
            UpdateExpression="ADD #n :one SET created = if_not_exists(created, :now), updated = :now",
            ExpressionAttributeNames={"#n": field},
            ExpressionAttributeValues={":one": 1, ":now": iso(now)},
        )

    def runs(self, app: str, journey_id: str) -> list[dict[str, Any]]:
        return self._query(f"RUN#{app}#{journey_id}", "")

    def count(
        self, app: str, journey_id: str, metric: str, activity_id: str | None = None, by: int = 1
    ) -> None:
        sk = f"{activity_id}#{metric}" if activity_id else metric
        self.table.update_item(
            Key={"pk": f"METRIC#{app}#{journey_id}", "sk": sk},
            UpdateExpression="ADD #v :n",
            ExpressionAttributeNames={"#v": "value"},
            ExpressionAttributeValues={":n": by},
        )

    def metrics(self, app: str, journey_id: str) -> dict[str, int]:
        return {item["sk"]: int(item["value"]) for item in self._query(f"METRIC#{app}#{journey_id}", "")}

    def take_rate_slot(self, journey_id: str, second: int, per_second: int) -> bool:
        """One of ``per_second`` send slots in this second; ``False`` when they are all taken."""
        from botocore.exceptions import ClientError

        try:
            self.table.update_item(
                Key={"pk": f"RATE#{journey_id}#{second}", "sk": "RATE"},
                UpdateExpression="ADD #v :one SET expires_at = :ttl",
                ConditionExpression="attribute_not_exists(#v) OR #v < :cap",
                ExpressionAttributeNames={"#v": "value"},
                ExpressionAttributeValues={":one": 1, ":cap": per_second, ":ttl": second + 120},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def _query(self, pk: str, prefix: str) -> list[dict[str, Any]]:
        from boto3.dynamodb.conditions import Key

        condition = Key("pk").eq(pk) & Key("sk").begins_with(prefix) if prefix else Key("pk").eq(pk)
        return list(query_items(self.table.query, KeyConditionExpression=condition))
