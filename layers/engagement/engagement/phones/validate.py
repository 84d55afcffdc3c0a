"""``PhoneNumberValidate``: what a phone number's numbering plan says about it, in Pinpoint's shape.

Pinpoint looked numbers up with a carrier data provider. Without one, this answers from
libphonenumber's data (``phonenumbers``, ADR 0051): the cleansed E.164 and national forms, the
country, the area's description (``City``), the carrier the number range was allocated to, the
time zone when the number maps to exactly one, and the type of number the plan allows. A number
that cannot be parsed or is not valid for its country answers ``PhoneType`` ``INVALID`` (code 3), as
Pinpoint does, not an error.

The plan cannot always tell a mobile number from a landline: in the North American plan both share
the same ranges, and libphonenumber answers "fixed line or mobile". Those numbers answer ``OTHER``
(code 4), never a guessed ``MOBILE``. ``PREPAID`` is not in the data, so it is never answered.
``County`` and ``ZipCode`` are not in the data either and are left out.
"""

from __future__ import annotations

from typing import Any

from engagement.models.errors import BadRequestException

# Pinpoint's PhoneType and PhoneTypeCode (botocore's NumberValidateResponse documentation).
_CODES = {"MOBILE": 0, "LANDLINE": 1, "VOIP": 2, "INVALID": 3, "OTHER": 4, "PREPAID": 5}
_MAX_INPUT = 64


class PhoneNumberValidator:
    """boto3's ``phone_number_validate`` (``POST /v1/phone/number/validate``)."""

    def phone_number_validate(self, *, NumberValidateRequest: dict[str, Any]) -> dict[str, Any]:  # noqa: N803
        request = NumberValidateRequest
        original = str(request.get("PhoneNumber") or "")
        if not original.strip() or len(original) > _MAX_INPUT:
            raise BadRequestException(
                f"NumberValidateRequest.PhoneNumber: 1 to {_MAX_INPUT} characters", "PhoneNumberValidate"
            )
        region = str(request.get("IsoCountryCode") or "").upper() or None
        answer = {"OriginalPhoneNumber": original, **describe(original, region)}
        if region:
            answer["OriginalCountryCodeIso2"] = region
        return {"NumberValidateResponse": answer}


def describe(number: str, region: str | None) -> dict[str, Any]:
    """Pinpoint's fields for ``number`` (read in ``region`` when it has no ``+`` country code)."""
    import phonenumbers  # its data loads on first use: the API's cold start does not pay for it
    from phonenumbers import carrier, geocoder

    from engagement.localtime import number_zone

    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return _typed("INVALID")
    if not phonenumbers.is_valid_number(parsed):
        return _typed("INVALID")
    iso = phonenumbers.region_code_for_number(parsed)
    found: dict[str, Any] = {
        "CleansedPhoneNumberE164": phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
        "CleansedPhoneNumberNational": phonenumbers.national_significant_number(parsed),
        "CountryCodeIso2": iso,
        "CountryCodeNumeric": str(parsed.country_code),
        "Country": geocoder.country_name_for_number(parsed, "en"),
        "Carrier": carrier.name_for_number(parsed, "en"),
        **_typed(_phone_type(phonenumbers.number_type(parsed))),
    }
    area = geocoder.description_for_number(parsed, "en")
    if area and area != found["Country"]:
        found["City"] = area
    found["Timezone"] = number_zone(parsed)
    return {key: value for key, value in found.items() if value not in (None, "")}


def _phone_type(number_type: int) -> str:
    from phonenumbers import PhoneNumberType as T

    return {T.MOBILE: "MOBILE", T.FIXED_LINE: "LANDLINE", T.VOIP: "VOIP"}.get(number_type, "OTHER")


def _typed(phone_type: str) -> dict[str, Any]:
    return {"PhoneType": phone_type, "PhoneTypeCode": _CODES[phone_type]}
