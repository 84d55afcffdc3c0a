"""Placeholder handler; the feature lands with its issue."""


def lambda_handler(event, context):
    raise NotImplementedError("journey_trigger is not implemented yet")
