"""Pinpoint-format event-stream records: build them, write them to Kinesis, read them back.

Kept import-light: submodules import boto3 or pydantic only when used.
"""
