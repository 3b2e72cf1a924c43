"""Unknown-parameter checks, using stripe-python's own request TypedDicts as the schema."""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Mapping
from typing import Any

from .errors import ApiError

_PARAMS_CLASS = re.compile(r"\b([A-Z]\w*Params\w*)\b")

# Fields of stripe-python's RequestOptions, which are client options and never form fields.
_CLIENT_OPTIONS = frozenset(
    {
        "api_key",
        "idempotency_key",
        "stripe_account",
        "stripe_context",
        "stripe_version",
        "headers",
        "base_address",
        "max_network_retries",
        "content_type",
    }
)


def _is_typeddict(value: Any) -> bool:
    # typing.is_typeddict misses typing_extensions' TypedDicts, which stripe-python uses.
    return (
        isinstance(value, type) and issubclass(value, dict) and hasattr(value, "__required_keys__")
    )


def schema(module: str, name: str) -> type | None:
    """The stripe-python params TypedDict `module.name`, or None if this version lacks it."""
    try:
        found = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None
    return found if _is_typeddict(found) else None


def check_known(params: Mapping[str, Any], typed_dict: type | None, prefix: str = "") -> None:
    """Raise Stripe's 400 `parameter_unknown` for a key the API does not define."""
    if typed_dict is None:
        return
    fields: dict[str, Any] = typed_dict.__annotations__
    for key, value in params.items():
        full = f"{prefix}[{key}]" if prefix else key
        if key not in fields or (not prefix and key in _CLIENT_OPTIONS):
            raise ApiError(
                400, f"Received unknown parameter: {full}", code="parameter_unknown", param=full
            )
        child = _nested(fields[key], typed_dict.__module__)
        if child is None:
            continue
        if isinstance(value, list):
            for index, element in enumerate(value):
                if isinstance(element, Mapping):
                    check_known(element, child, f"{full}[{index}]")
        elif isinstance(value, Mapping):
            check_known(value, child, full)


def _nested(annotation: Any, module_name: str) -> type | None:
    """The TypedDict a field's annotation points to, when there is exactly one."""
    namespace = vars(sys.modules[module_name])
    names = set(_PARAMS_CLASS.findall(str(annotation)))
    found = [namespace[n] for n in names if n in namespace and _is_typeddict(namespace[n])]
    return found[0] if len(found) == 1 else None
