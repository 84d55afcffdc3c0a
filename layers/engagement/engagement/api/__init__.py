"""Pinpoint's REST API, served: existing ``boto3.client("pinpoint")`` code works against it.

- :mod:`engagement.api.wire`: routes, request parsing and response serialization from botocore's
  Pinpoint model (nothing re-described by hand).
- :mod:`engagement.api.router`: the Powertools Event Handler behind API Gateway.
- :mod:`engagement.api.services`: the ONE registration point of the objects that serve the
  operations (endpoint registry, messaging, events, templates; segments, campaigns, journeys
  and KPIs plug in with one line each).
- :mod:`engagement.api.messaging`, :mod:`~engagement.api.events`, :mod:`~engagement.api.templates`:
  the send, event and template operations.

docs/api.md lists every route with a boto3 example.
"""
