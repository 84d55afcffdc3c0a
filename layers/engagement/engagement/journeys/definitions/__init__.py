"""Journey definitions: a Pinpoint ``WriteJourneyRequest`` runs as a Step Functions journey.

A pipeline you can name (docs/journey-definitions.md):

    validate.validate_journey(body)          # botocore's model + the graph + Pinpoint's quotas
    compiler.compile_journey(journey, arns)  # one state machine per journey version (decision 0020)
    runtime.JourneyRuntime.step(request)     # what each activity does for one participant
    store.JourneyStore                       # boto3-shaped create_journey / get_journey / ...

Kept import-light: submodules load boto3 and pydantic when used.
"""

MESSAGE_ACTIVITIES = ("EMAIL", "SMS", "PUSH", "CUSTOM")
ACTIVITY_TYPES = (
    *MESSAGE_ACTIVITIES,
    "Wait",
    "ConditionalSplit",
    "MultiCondition",
    "RandomSplit",
    "Holdout",
    "ContactCenter",
)
