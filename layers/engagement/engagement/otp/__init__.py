"""Pinpoint's one-time passwords: ``send_otp_message`` / ``verify_otp_message`` (docs/otp.md)."""

from __future__ import annotations

from engagement.otp.service import OtpService
from engagement.otp.store import OtpStore

__all__ = ["OtpService", "OtpStore"]
