"""Form parsing reads back exactly what stripe-python's encoder writes."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stripe._encode import _api_encode

from sandbox.stripe import ApiError
from sandbox.stripe.forms import parse_form

keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
values = st.text(alphabet="aZ09 _-.:/[]=&%+?#é€😀", max_size=12)
params = st.recursive(
    values,
    lambda children: st.one_of(
        st.lists(
            st.one_of(values, st.dictionaries(keys, children, min_size=1, max_size=3)),
            min_size=1,
            max_size=3,
        ),
        st.dictionaries(keys, children, min_size=1, max_size=3),
    ),
    max_leaves=12,
)


@given(st.dictionaries(keys, params, max_size=4))
def test_parse_form_inverts_stripe_pythons_encoding(original: dict[str, Any]) -> None:
    body = urlencode(list(_api_encode(original)))

    assert parse_form(parse_qsl(body, keep_blank_values=True)) == original


def test_empty_brackets_append_to_a_list() -> None:
    parsed = parse_form([("expand[]", "customer"), ("expand[]", "latest_invoice")])

    assert parsed == {"expand": ["customer", "latest_invoice"]}


def test_malformed_key_is_a_400() -> None:
    with pytest.raises(ApiError) as raised:
        parse_form([("metadata[tier", "pro")])

    assert raised.value.status == 400
