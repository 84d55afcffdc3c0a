"""Pydantic models of Pinpoint's shapes, used at the edges (handler input, CSV/JSON import).

Import the submodule you need (``engagement.models.endpoint``); this package imports nothing,
so ``import engagement`` stays cheap.
"""
