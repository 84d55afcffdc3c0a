"""``JourneyStore``: boto3's journey methods over the journeys table and Step Functions.

    store = JourneyStore(table=JourneyTable(ddb_table), sfn=sfn_client, settings=StoreSettings(...))
    store.create_journey(ApplicationId="app", WriteJourneyRequest=body)   # → {"JourneyResponse": {...}}

Creating or updating a journey in state ``ACTIVE`` compiles and deploys its state machine; a new
version replaces the state machine's definition, and running executions keep the version they
started with (Step Functions pins an execution to the definition it started on).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from engagement.journeys.definitions.compiler import compile_journey
from engagement.journeys.definitions.durations import iso, parse_time
from engagement.journeys.definitions.rules import PUBLISHED, default_window
from engagement.journeys.definitions.validate import validate_journey, validate_segments
from engagement.models.errors import BadRequestException, NotFoundException
from engagement.paging import offset_page

MAX_ACTIVE_JOURNEYS = 50  # Pinpoint's quota per application
MAX_ACTIVE_EVENT_JOURNEYS = 20
WRITABLE_STATES = ("DRAFT", "ACTIVE")
STATE_CHANGES = ("ACTIVE", "PAUSED", "CANCELLED")
Body = Mapping[str, Any]
Out = dict[str, Any]
Opt = str | None


@dataclass(frozen=True)
class StoreSettings:
    activity_function_arn: str
    state_machine_role_arn: str
    state_machine_prefix: str = "journey"
    supported_activities: frozenset[str] = frozenset()  # e.g. {"PUSH"} when a push sender exists


class JourneyStore:
    def __init__(
        self,
        *,
        table: Any,
        sfn: Any,
        settings: StoreSettings,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
        segments: Any = None,
    ) -> None:
        self.segments = segments  # a SegmentStore: named segments must exist (None: not checked)
        self.table, self.sfn, self.settings, self.clock, self.new_id = table, sfn, settings, clock, new_id

    def create_journey(self, *, ApplicationId: str, WriteJourneyRequest: Body) -> Out:  # noqa: N803
        body = self._valid(ApplicationId, WriteJourneyRequest, "CreateJourney")
        now = iso(self.clock())
        journey = {**body, "Id": self.new_id(), "ApplicationId": ApplicationId, "CreationDate": now}
        journey.update(LastModifiedDate=now, Version=1, State=body.get("State") or "DRAFT")
        return {"JourneyResponse": self._save(journey, "", "CreateJourney")}

    def get_journey(self, *, ApplicationId: str, JourneyId: str) -> Out:  # noqa: N803
        journey, _arn = self._load(ApplicationId, JourneyId, "GetJourney")
        return {"JourneyResponse": self._shown(journey)}

    def update_journey(self, *, ApplicationId: str, JourneyId: str, WriteJourneyRequest: Body) -> Out:  # noqa: N803
        current, arn = self._load(ApplicationId, JourneyId, "UpdateJourney")
        body = self._valid(ApplicationId, WriteJourneyRequest, "UpdateJourney")
        if current["State"] == "ACTIVE" and (
            body.get("Activities") != current.get("Activities")
            or body.get("StartActivity") != current.get("StartActivity")
        ):
            raise BadRequestException(
                "Activities: the activities of an ACTIVE journey cannot change", "UpdateJourney"
            )
        journey = {
            **body,
            "Id": JourneyId,
            "ApplicationId": ApplicationId,
            "CreationDate": current["CreationDate"],
        }
        journey.update(
            LastModifiedDate=iso(self.clock()),
            Version=int(current["Version"]) + 1,
            State=body.get("State") or current["State"],
        )
        if current.get(PUBLISHED):
            journey[PUBLISHED] = current[PUBLISHED]  # published once: the default start stays
        return {"JourneyResponse": self._save(journey, arn, "UpdateJourney")}

    def update_journey_state(self, *, ApplicationId: str, JourneyId: str, JourneyStateRequest: Body) -> Out:  # noqa: N803
        journey, arn = self._load(ApplicationId, JourneyId, "UpdateJourneyState")
        state = (JourneyStateRequest or {}).get("State")
        if state not in STATE_CHANGES:
            raise BadRequestException(
                f"JourneyStateRequest.State: one of {', '.join(STATE_CHANGES)}", "UpdateJourneyState"
            )
        if journey["State"] in ("CANCELLED", "COMPLETED", "CLOSED"):
            raise BadRequestException(
                f"State: a {journey['State']} journey cannot change state", "UpdateJourneyState"
            )
        if state == "PAUSED" and not journey.get("RefreshFrequency"):
            raise BadRequestException(
                "State: only a journey with a RefreshFrequency can be paused", "UpdateJourneyState"
            )
        journey = {**journey, "State": state, "LastModifiedDate": iso(self.clock())}
        return {"JourneyResponse": self._save(journey, arn, "UpdateJourneyState", recompile=False)}

    def list_journeys(self, *, ApplicationId: str, PageSize: Opt = None, Token: Opt = None) -> Out:  # noqa: N803
        journeys = sorted(self.table.list_journeys(ApplicationId), key=lambda item: item["CreationDate"])
        page = offset_page([self._shown(item) for item in journeys], PageSize, Token, "ListJourneys")
        return {"JourneysResponse": page}

    def get_journey_runs(
        self,
        *,
        ApplicationId: str,  # noqa: N803
        JourneyId: str,  # noqa: N803
        PageSize: Opt = None,  # noqa: N803
        Token: Opt = None,  # noqa: N803
    ) -> Out:
        """Each run (an event id or a segment refresh): RUNNING until all its participants have left."""
        journey, _arn = self._load(ApplicationId, JourneyId, "GetJourneyRuns")
        items = sorted(
            self.table.runs(ApplicationId, JourneyId), key=lambda item: item["created"], reverse=True
        )
        runs = []
        for item in items:
            done = int(item.get("left", 0)) >= int(item.get("entered", 0))
            status = "COMPLETED" if done else "CANCELLED" if journey["State"] == "CANCELLED" else "RUNNING"
            runs.append(
                {
                    "RunId": item["sk"],
                    "Status": status,
                    "CreationTime": item["created"],
                    "LastUpdateTime": item["updated"],
                }
            )
        page = offset_page(runs, PageSize, Token, "GetJourneyRuns")
        return {"JourneyRunsResponse": page}

    def delete_journey(self, *, ApplicationId: str, JourneyId: str) -> Out:  # noqa: N803
        journey, arn = self._load(ApplicationId, JourneyId, "DeleteJourney")
        if arn:
            self.sfn.delete_state_machine(stateMachineArn=arn)
        self.table.delete_journey(ApplicationId, JourneyId)
        return {"JourneyResponse": self._shown(journey)}

    def state_machine_arn(self, application_id: str, journey_id: str) -> str:
        return self._load(application_id, journey_id, "GetJourney")[1]

    # -- helpers ---------------------------------------------------------------------------------
    def _valid(self, app: str, body: Mapping[str, Any], operation: str) -> dict[str, Any]:
        validate_journey(body, operation=operation, supported=self.settings.supported_activities)
        if self.segments is not None:
            validate_segments(body, self.segments, app, operation=operation)
        if (body.get("State") or "DRAFT") not in WRITABLE_STATES:
            raise BadRequestException(f"State: {operation} takes DRAFT or ACTIVE", operation)
        return json.loads(json.dumps(dict(body)))

    def _load(self, app: str, journey_id: str, operation: str) -> tuple[dict[str, Any], str]:
        found = self.table.get_journey(app, journey_id)
        if found is None:
            raise NotFoundException(f"Journey {journey_id} not found in application {app}", operation)
        return found

    def _save(self, journey: dict[str, Any], arn: str, operation: str, *, recompile: bool = True) -> Out:
        if journey["State"] == "ACTIVE":
            journey.setdefault(PUBLISHED, iso(self.clock()))  # Pinpoint's defaults count from here
            self._check_quota(journey, operation)
            if recompile or not arn:
                arn = self._deploy(journey, arn)
        self.table.put_journey(journey, state_machine_arn=arn)
        return self._shown(journey)

    def _deploy(self, journey: Mapping[str, Any], arn: str) -> str:
        definition = json.dumps(
            compile_journey(journey, activity_function_arn=self.settings.activity_function_arn)
        )
        if arn:
            self.sfn.update_state_machine(stateMachineArn=arn, definition=definition)
            return arn
        name = f"{self.settings.state_machine_prefix}-{journey['Id']}"[:80]
        created = self.sfn.create_state_machine(
            name=name, definition=definition, roleArn=self.settings.state_machine_role_arn, type="STANDARD"
        )
        return created["stateMachineArn"]

    def _check_quota(self, journey: Mapping[str, Any], operation: str) -> None:
        others = [
            item
            for item in self.table.list_journeys(journey["ApplicationId"])
            if item["Id"] != journey["Id"] and item.get("State") == "ACTIVE"
        ]
        if len(others) >= MAX_ACTIVE_JOURNEYS:
            raise BadRequestException(
                f"State: at most {MAX_ACTIVE_JOURNEYS} active journeys per application", operation
            )
        is_event = "EventStartCondition" in (journey.get("StartCondition") or {})
        events = [item for item in others if "EventStartCondition" in (item.get("StartCondition") or {})]
        if is_event and len(events) >= MAX_ACTIVE_EVENT_JOURNEYS:
            raise BadRequestException(
                f"StartCondition: at most {MAX_ACTIVE_EVENT_JOURNEYS} active event-started journeys",
                operation,
            )

    def _shown(self, journey: Mapping[str, Any]) -> dict[str, Any]:
        """The response; an ACTIVE journey past its ``Schedule.EndTime`` (or the default end, 540
        days after the start) reads as CLOSED."""
        shown = {key: value for key, value in journey.items() if key != PUBLISHED}
        if shown.get("State") == "ACTIVE" and self._ended(journey):
            shown["State"] = "CLOSED"
        return shown

    def _ended(self, journey: Mapping[str, Any]) -> bool:
        given = (journey.get("Schedule") or {}).get("EndTime")
        end = parse_time(given) if given else default_window(journey)[1]
        return end is not None and self.clock() >= end
