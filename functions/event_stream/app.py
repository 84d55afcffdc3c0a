"""Placeholder handler; the feature lands with its issue."""


def lambda_handler(event, context):
    raise NotImplementedError("event_stream is not implemented yet")
