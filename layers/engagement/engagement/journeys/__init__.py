"""Event-based journeys: EventBridge events to Pinpoint ``PutEvents`` or Step Functions journeys.

    routes.json  → which events start which journey (validated against template.yaml's rules)
    trigger.py   → match a route, resolve (and upsert) endpoints, start the target, dead-letter failures

Submodules import boto3/jmespath only when used, so ``import engagement.journeys`` stays cheap.
"""
