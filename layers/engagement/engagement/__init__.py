"""A Pinpoint-compatible customer-engagement backend for AWS Lambda.

Kept import-free on purpose: ``import engagement`` must cost almost nothing at cold start,
so every subpackage loads its own (heavier) dependencies only when it is used.
"""

__version__ = "0.1.0"
