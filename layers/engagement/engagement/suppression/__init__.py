"""Automatic opt-out: which events suppress an address, and applying that to the registry."""
