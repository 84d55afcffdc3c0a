import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagement.masking import mask_address


def test_masks_email_keeping_first_letter_and_domain():
    assert mask_address("alice@example.com") == "a***@example.com"


def test_masks_phone_keeping_only_the_last_four_digits():
    assert mask_address("+12065550199") == "+***0199"


@pytest.mark.parametrize(("number", "masked"), [("+44 20 7946 0958", "+***0958"), ("12345678", "***78")])
def test_formatted_and_short_numbers_keep_at_most_four_digits(number, masked):
    assert mask_address(number) == masked


def test_short_or_empty_values_reveal_nothing():
    assert mask_address("12345") == "***"
    assert mask_address("") == ""


@given(st.from_regex(r"\+?[0-9 ()-]{0,20}", fullmatch=True))
def test_a_phone_number_never_shows_more_than_four_digits(number):
    assert len(re.findall(r"\d", mask_address(number))) <= 4


def test_mask_text_hides_dotted_local_parts_and_phones_split_by_any_whitespace() -> None:
    from engagement.masking import mask_text

    text = mask_text("to alice.smith@example.com or +1 206\t555 0199")
    assert "alice" not in text and "smith" not in text and "206" not in text
    assert text == "to a***@example.com or +***0199"
