"""Discord's own OpenAPI description (tests/fixtures/discord-api-spec), loaded once per session.

Finds the operation a concrete REST call hits and checks JSON against the spec's schemas
(OpenAPI 3.1 schemas are JSON Schema 2020-12), naming each mismatch by `Component.field`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry
from referencing.jsonschema import DRAFT202012

SPEC_FILE = Path(__file__).parents[1] / "fixtures" / "discord-api-spec" / "openapi.json"
SPEC_URI = "urn:discord-api-spec"
COMPONENT_REF = f"{SPEC_URI}#/components/schemas/"
METHODS = ("get", "put", "post", "patch", "delete")
INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


@dataclass(frozen=True)
class Mismatch:
    """One place where JSON the bot or the sandbox sent disagrees with the spec."""

    where: str  # "GET /guilds/{guild_id} 200 answer", "GUILD_CREATE members[]" ...
    path: str  # where in the JSON, list indices as []
    field: str  # the spec's "Component.property" the check failed on (allowlist key)
    detail: str

    def __str__(self) -> str:
        at = f" at {self.path}" if self.path else ""
        return f"{self.where}{at}: {self.detail} [{self.field}]"


@dataclass(frozen=True)
class Operation:
    """One operation of the spec: `GET /guilds/{guild_id}`."""

    method: str
    template: str
    spec: dict[str, Any]
    parameters: tuple[dict[str, Any], ...]

    @property
    def name(self) -> str:
        """The operation as "METHOD /template", spelled as in the spec."""
        return f"{self.method} {self.template}"


@cache
def document() -> dict[str, Any]:
    """The spec, with every `#/...` reference made absolute so any sub-schema resolves alone."""
    text = SPEC_FILE.read_text(encoding="utf-8")
    spec: dict[str, Any] = json.loads(text.replace('"$ref": "#/', f'"$ref": "{SPEC_URI}#/'))
    return spec


@cache
def _registry() -> Registry[Any]:
    registry: Registry[Any] = Registry().with_resource(
        SPEC_URI, DRAFT202012.create_resource(document())
    )
    return registry


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    """Follow `$ref`s (schemas, responses) until a concrete object."""
    while "$ref" in node:
        pointer = node["$ref"].split("#", 1)[1]
        target: Any = document()
        for part in pointer.strip("/").split("/"):
            target = target[part]
        node = target
    return node


def _check_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _int_checker(low: int, high: int) -> Callable[[object], bool]:
    def check(value: object) -> bool:
        return not isinstance(value, int) or low <= value <= high

    return check


@cache
def _formats() -> FormatChecker:
    checker = FormatChecker(formats=())
    checker.checks("date-time")(_check_date_time)
    for name, (low, high) in INT_RANGES.items():
        checker.checks(name)(_int_checker(low, high))
    return checker


class Schema:
    """A schema of the spec with its compiled validator (`name`: the component, if any)."""

    def __init__(self, name: str, schema: dict[str, Any]) -> None:
        self.name = name
        self.schema = schema
        self.validator = Draft202012Validator(
            schema, registry=_registry(), format_checker=_formats()
        )


@cache
def component(name: str, *, optional: frozenset[str] = frozenset()) -> Schema:
    """A component schema, or a partial of it where the `optional` keys may be missing."""
    ref = {"$ref": COMPONENT_REF + name}
    if not optional:
        return Schema(name, ref)
    base = resolve(ref)
    required = [k for k in base.get("required", []) if k not in optional]
    return Schema(name, {**base, "required": required})


_INLINE: dict[int, Schema] = {}


def inline(schema: dict[str, Any]) -> Schema:
    """A schema found inside the spec (request or response body), compiled once."""
    found = _INLINE.get(id(schema))
    if found is None:
        ref = schema.get("$ref", "")
        name = ref.rsplit("/", 1)[-1] if ref.startswith(COMPONENT_REF) else ""
        found = _INLINE[id(schema)] = Schema(name, schema)
    return found


@cache
def _operations() -> tuple[tuple[re.Pattern[str], int, Operation], ...]:
    found = []
    for template, item in document()["paths"].items():
        shared = tuple(item.get("parameters", []))
        regex = re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$")
        literal = sum(1 for part in template.split("/") if part and not part.startswith("{"))
        for method in METHODS:
            if method in item:
                spec = item[method]
                params = shared + tuple(spec.get("parameters", []))
                found.append((regex, literal, Operation(method.upper(), template, spec, params)))
    return tuple(found)


def operation(method: str, path: str) -> Operation | None:
    """The operation a concrete call hits (literal segments beat parameters, as in routers)."""
    hits = [
        (literal, op)
        for regex, literal, op in _operations()
        if op.method == method and regex.match(path)
    ]
    return max(hits, key=lambda hit: hit[0])[1] if hits else None


def _shape(path: Iterable[str | int]) -> str:
    text = ""
    for part in path:
        text += "[]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _spec_field(root: Schema, error: ValidationError) -> str:
    """The innermost `Component.property` the error's schema path went through."""
    node: Any = root.schema
    name, prop = root.name, ""
    keys = list(error.absolute_schema_path)
    for index, key in enumerate(keys):
        # jsonschema leaves `$ref` hops out of the path: follow them when the key is not here
        while isinstance(node, dict) and "$ref" in node and key not in node:
            target = node["$ref"].rsplit("/", 1)[-1]
            node = resolve(node)
            if "properties" in node or not prop:  # a scalar type keeps naming its field
                name, prop = target, ""
        if index > 0 and keys[index - 1] == "properties":
            prop = str(key)
        node = node[key]
    required = error.validator_value  # the stubs allow it to be unset; `required` has a list
    if error.validator == "required" and isinstance(required, list):
        prop = next((str(k) for k in required if repr(k) in error.message), prop)
    return f"{name or 'inline'}.{prop}" if prop else (name or "inline")


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    """The errors of the `anyOf`/`oneOf` alternative that was meant, else the error itself."""
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        yield error
        return
    base = len(error.absolute_path)
    by_branch: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        by_branch.setdefault(sub.schema_path[0], []).append(sub)

    def meant(errors: list[ValidationError]) -> tuple[bool, int, int]:
        depths = [len(e.absolute_path) - base for e in errors]
        wrong_kind = any(
            (e.validator == "type" and d == 0) or (e.validator in ("const", "enum") and d <= 1)
            for e, d in zip(errors, depths, strict=True)
        )
        return (not wrong_kind, min(depths), -len(errors))

    best = max(by_branch.values(), key=meant)
    branches = error.validator_value
    assert isinstance(branches, list), branches  # anyOf/oneOf always list their alternatives
    # a branch passed (oneOf matched twice), or none is of the right kind: the union is the news
    if len(by_branch) < len(branches) or not meant(best)[0]:
        yield error
        return
    for sub in best:
        yield from _leaves(sub)


# Ids and times differ from run to run but never change whether an object fits the spec
# (the spec has no id or time enums): an object equal to one that passed, up to those, passes.
ID_OR_TIME = re.compile(r'"(?:[1-9][0-9]{16,19}|\d{4}-\d\d-\d\dT[0-9:.]+(?:Z|[+-]\d\d:\d\d)?)"')
_PASSED: set[tuple[int, str]] = set()


def check(schema: Schema, instance: Any, where: str) -> list[Mismatch]:
    """Every way `instance` fails `schema`."""
    seen = (id(schema), ID_OR_TIME.sub('"x"', json.dumps(instance, sort_keys=True)))
    if seen in _PASSED:
        return []
    found = []
    for error in schema.validator.iter_errors(instance):
        for leaf in _leaves(error):
            found.append(
                Mismatch(
                    where,
                    _shape(leaf.absolute_path),
                    _spec_field(schema, leaf),
                    _detail(leaf),
                )
            )
    if not found:
        _PASSED.add(seen)
    return found


def _detail(error: ValidationError) -> str:
    message = error.message
    return message if len(message) <= 200 else message[:197] + "..."
