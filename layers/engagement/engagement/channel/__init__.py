"""The custom channel: turn a Pinpoint custom-channel batch into one outcome per endpoint.

    from engagement.channel.factory import build_channel
    channel = build_channel(CustomChannelSettings.from_env())     # once, at cold start
    outcomes = channel.deliver(event, context.get_remaining_time_in_millis)

Kept import-free: the modules load boto3, Powertools and the template engine when used.
"""
