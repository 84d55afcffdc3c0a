"""Channels that put a rendered message on the wire: SES email, End User Messaging SMS, webhook.

Each sender returns the provider's message id or raises a :class:`DeliveryError` that says
whether trying again later can help (temporary) or not (permanent).
"""
