"""Placeholder handler; the feature lands with its issue."""


def lambda_handler(event, context):
    raise NotImplementedError("custom_channel is not implemented yet")
