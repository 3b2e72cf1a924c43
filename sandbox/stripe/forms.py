"""Stripe's request encoding: form keys like `line_items[0][price]` into nested params."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from .errors import ApiError, invalid_param

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_PART = re.compile(r"\[([^\[\]]*)\]")

Params = dict[str, Any]


class _Indexed(dict[str, Any]):
    """A node addressed with `[0]` or `[]`: becomes a list once parsing is done."""


def parse_form(pairs: Iterable[tuple[str, str]]) -> Params:
    """Nested params from decoded form pairs (`a[b]=1`, `a[c][0]=2`, `expand[]=x`)."""
    root: Params = {}
    for key, value in pairs:
        match = _KEY.match(key)
        if match is None:
            raise ApiError(400, f"Invalid parameter name: {key}", code="parameter_invalid")
        parts = [match.group(1), *_PART.findall(match.group(2))]
        node: dict[str, Any] = root
        for index, part in enumerate(parts):
            slot = str(len(node)) if part == "" and isinstance(node, _Indexed) else part
            if part == "" and not isinstance(node, _Indexed):
                raise ApiError(400, f"Invalid array syntax in {key}", code="parameter_invalid")
            if index == len(parts) - 1:
                node[slot] = value
                break
            following = parts[index + 1]
            child = node.get(slot)
            if not isinstance(child, dict):
                child = _Indexed() if following == "" or following.isdigit() else {}
                node[slot] = child
            node = child
    finalized: Params = _finalize(root)
    return finalized


def _finalize(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    values = {key: _finalize(value) for key, value in node.items()}
    if isinstance(node, _Indexed):
        keys = sorted(values, key=int)
        if keys == [str(i) for i in range(len(keys))]:
            return [values[key] for key in keys]
    return values


def get_str(params: Mapping[str, Any], key: str, param: str | None = None) -> str | None:
    """A string param, or None when absent; 400 when it is not a string."""
    value = params.get(key)
    if value is None or isinstance(value, str):
        return value
    raise invalid_param(f"Invalid string: {value!r}", param or key, "parameter_invalid_string")


def get_int(
    params: Mapping[str, Any],
    key: str,
    param: str | None = None,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int | None:
    """An integer param within bounds, or None when absent; Stripe's 400 otherwise."""
    raw = params.get(key)
    if raw is None:
        return None
    name = param or key
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise invalid_param(f"Invalid integer: {raw}", name, "parameter_invalid_integer") from None
    if minimum is not None and value < minimum:
        raise invalid_param(f"This value must be greater than or equal to {minimum}.", name)
    if maximum is not None and value > maximum:
        raise invalid_param(f"This value must be less than or equal to {maximum}.", name)
    return value


def get_bool(params: Mapping[str, Any], key: str, param: str | None = None) -> bool | None:
    """A boolean param (`true`/`false`), or None when absent."""
    raw = params.get(key)
    if raw is None:
        return None
    if raw in ("true", "false"):
        return bool(raw == "true")
    raise invalid_param(f"Invalid boolean: {raw}", param or key, "parameter_invalid_boolean")


def get_dict(params: Mapping[str, Any], key: str, param: str | None = None) -> dict[str, Any]:
    """A hash param, `{}` when absent or sent as an empty string."""
    raw = params.get(key)
    if raw is None or raw == "":
        return {}
    if isinstance(raw, dict):
        return raw
    raise invalid_param(f"Invalid hash: {raw!r}", param or key, "parameter_invalid_hash")


def get_list(params: Mapping[str, Any], key: str, param: str | None = None) -> list[Any]:
    """An array param, `[]` when absent."""
    raw = params.get(key)
    if raw is None:
        return []
    if isinstance(raw, list):
        return raw
    raise invalid_param(f"Invalid array: {raw!r}", param or key, "parameter_invalid_array")


def get_metadata(
    params: Mapping[str, Any], key: str = "metadata", param: str | None = None
) -> dict[str, str]:
    """Metadata checked against Stripe's limits (50 keys, 40-char keys, 500-char values)."""
    name = param or key
    metadata = get_dict(params, key, name)
    if len(metadata) > 50:
        raise invalid_param("You can specify up to 50 keys in metadata.", name)
    for meta_key, value in metadata.items():
        if not isinstance(value, str):
            raise invalid_param(f"Invalid metadata value for {meta_key}", f"{name}[{meta_key}]")
        if len(meta_key) > 40:
            raise invalid_param("Metadata keys can be up to 40 characters.", f"{name}[{meta_key}]")
        if len(value) > 500:
            raise invalid_param(
                "Metadata values can be up to 500 characters.", f"{name}[{meta_key}]"
            )
    return {meta_key: value for meta_key, value in metadata.items() if value != ""}
