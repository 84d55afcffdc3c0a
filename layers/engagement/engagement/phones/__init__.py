"""Pinpoint's ``PhoneNumberValidate`` from libphonenumber's numbering-plan data (docs/phone-validation.md).

from engagement.phones import PhoneNumberValidator
PhoneNumberValidator().phone_number_validate(NumberValidateRequest={"PhoneNumber": "+12065550100"})
"""

from engagement.phones.validate import PhoneNumberValidator

__all__ = ["PhoneNumberValidator"]
