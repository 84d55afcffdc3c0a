"""PhoneNumberValidate from libphonenumber's data, in Pinpoint's NumberValidateResponse shape."""

from __future__ import annotations

import pytest

from engagement.models.errors import BadRequestException
from engagement.models.service import validate_shape
from engagement.phones import PhoneNumberValidator


def validate(number: str, region: str | None = None) -> dict:
    request = {"PhoneNumber": number, **({"IsoCountryCode": region} if region else {})}
    body = PhoneNumberValidator().phone_number_validate(NumberValidateRequest=request)[
        "NumberValidateResponse"
    ]
    validate_shape("NumberValidateResponse", body)
    return body


def test_a_mobile_number_is_cleansed_with_its_country_carrier_and_zone():
    body = validate("+49 151 2345 6789")
    assert body["CleansedPhoneNumberE164"] == "+4915123456789"
    assert body["CleansedPhoneNumberNational"] == "15123456789"
    assert (body["CountryCodeIso2"], body["CountryCodeNumeric"], body["Country"]) == ("DE", "49", "Germany")
    assert (body["PhoneType"], body["PhoneTypeCode"]) == ("MOBILE", 0)
    assert body["Carrier"] and body["Timezone"] == "Europe/Berlin"
    assert body["OriginalPhoneNumber"] == "+49 151 2345 6789" and "OriginalCountryCodeIso2" not in body


def test_a_national_number_is_read_in_the_given_country():
    body = validate("020 7946 0000", "gb")
    assert body["CleansedPhoneNumberE164"] == "+442079460000" and body["OriginalCountryCodeIso2"] == "GB"
    assert (body["PhoneType"], body["PhoneTypeCode"], body["City"]) == ("LANDLINE", 1, "London")


def test_a_north_american_number_is_other_not_a_guessed_mobile():
    """The plan shares ranges between mobiles and landlines there: OTHER (code 4)."""
    body = validate("+1 206 555 0100")
    assert (body["PhoneType"], body["PhoneTypeCode"]) == ("OTHER", 4)
    assert body["Timezone"] == "America/Los_Angeles" and body["CountryCodeIso2"] == "US"


@pytest.mark.parametrize("number", ["not a number", "+1 555", "+999 1234"])
def test_an_invalid_number_answers_invalid_not_an_error(number):
    body = validate(number)
    assert (body["PhoneType"], body["PhoneTypeCode"]) == ("INVALID", 3)
    assert "CleansedPhoneNumberE164" not in body and body["OriginalPhoneNumber"] == number


@pytest.mark.parametrize("number", ["", "   ", "1" * 65])
def test_an_empty_or_oversized_number_is_a_400_naming_the_field(number):
    with pytest.raises(BadRequestException) as caught:
        PhoneNumberValidator().phone_number_validate(NumberValidateRequest={"PhoneNumber": number})
    assert "NumberValidateRequest.PhoneNumber" in caught.value.message
