from engagement.masking import mask_address


def test_masks_email_keeping_first_letter_and_domain():
    assert mask_address("alice@example.com") == "a***@example.com"


def test_masks_phone_keeping_country_area_and_last_four():
    assert mask_address("+12065550199") == "+1206***0199"


def test_short_or_empty_values_reveal_nothing():
    assert mask_address("12345") == "***"
    assert mask_address("") == ""
