"""Stripe JSON checked against stripe-python's generated models (the API version it pins).

Every key of an object must be a field its class declares, every declared field that is not
Optional must be there, and each value must fit the field's type (scalars, closed Literals,
lists, maps, ListObject pages, expandable ids or objects), recursing into nested classes.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import sys
import types
from decimal import Decimal
from typing import Any, ClassVar, ForwardRef, Literal, Union, get_args, get_origin

from stripe import ListObject, StripeObject
from stripe._object_classes import get_object_class
from stripe._stripe_object import UntypedStripeObject

SCALARS: dict[type, tuple[type, ...]] = {
    str: (str,),
    int: (int,),
    float: (int, float),
    bool: (bool,),
}


@functools.cache
def _imports_of(module_name: str) -> dict[str, tuple[str, str]]:
    """Names a module imports (also under TYPE_CHECKING): alias -> (module, name)."""
    tree = ast.parse(inspect.getsource(sys.modules[module_name]))
    return {
        alias.asname or alias.name: (node.module, alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names
    }


def _resolve(ref: ForwardRef, module_name: str) -> Any:
    head, *rest = ref.__forward_arg__.split(".")
    found = getattr(sys.modules[module_name], head, None)
    if found is None:
        module, name = _imports_of(module_name)[head]
        found = getattr(importlib.import_module(module), name)
    for part in rest:
        found = getattr(found, part)
    return found


# A plain dict, not functools.cache: typeshed reads a dict subclass's class object as unhashable.
_FIELDS: dict[type[StripeObject], dict[str, Any]] = {}


def fields(cls: type[StripeObject]) -> dict[str, Any]:
    """The fields a StripeObject class declares (its bases' too), name -> annotation."""
    if cls not in _FIELDS:
        _FIELDS[cls] = _declared_fields(cls)
    return _FIELDS[cls]


def _declared_fields(cls: type[StripeObject]) -> dict[str, Any]:
    declared: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        if klass is StripeObject or not issubclass(klass, StripeObject):
            continue
        for name, hint in vars(klass).get("__annotations__", {}).items():
            if not name.startswith("_") and get_origin(hint) is not ClassVar:
                declared[name] = (hint, klass.__module__)
    return declared


def _optional(hint: Any) -> bool:
    return get_origin(hint) in (Union, types.UnionType) and type(None) in get_args(hint)


def object_class(name: str) -> type[StripeObject]:
    """The class stripe-python builds for an `object` value ("subscription"...)."""
    return get_object_class("V1", name)


def check_object(value: Any, cls: type[StripeObject], at: str) -> list[str]:
    """Every way `value` (a JSON object) differs from what `cls` declares."""
    if not isinstance(value, dict):
        return [f"{at}: expected a {cls.__qualname__} object, got {value!r:.60}"]
    declared = fields(cls)
    if not declared:
        return []  # an untyped StripeObject: any keys
    found = [f"{at}.{k}: not a field of {cls.__qualname__}" for k in value if k not in declared]
    for name, (hint, module) in declared.items():
        if name in value:
            found += check_value(value[name], hint, module, f"{at}.{name}")
        elif not _optional(hint):
            found.append(f"{at}.{name}: missing (required by {cls.__qualname__})")
    return found


def check_value(value: Any, hint: Any, module: str, at: str) -> list[str]:
    """Every way `value` does not fit the annotation `hint` (written in `module`)."""
    if isinstance(hint, ForwardRef):
        hint = _resolve(hint, module)
    if isinstance(hint, str):
        hint = _resolve(ForwardRef(hint), module)
    origin, args = get_origin(hint), get_args(hint)
    if hint is Any:
        return []
    if hint is type(None):
        return [] if value is None else [f"{at}: expected null, got {value!r:.60}"]
    if origin in (Union, types.UnionType):
        return _check_union(value, args, module, at)
    if origin is Literal:
        return [] if value in args else [f"{at}: {value!r:.60} is not one of {args!r:.120}"]
    if origin is list:
        if not isinstance(value, list):
            return [f"{at}: expected a list, got {value!r:.60}"]
        return [
            p
            for n, item in enumerate(value)
            for p in check_value(item, args[0], module, f"{at}[{n}]")
        ]
    if origin is dict or (inspect.isclass(origin) and issubclass(origin, UntypedStripeObject)):
        if not isinstance(value, dict):
            return [f"{at}: expected a map, got {value!r:.60}"]
        item = args[-1] if args else Any
        return [p for k, v in value.items() for p in check_value(v, item, module, f"{at}.{k}")]
    if inspect.isclass(origin) and issubclass(origin, ListObject):
        return _check_page(value, args[0] if args else Any, module, at)
    if inspect.isclass(hint) and issubclass(hint, StripeObject):
        return check_object(value, hint, at)
    if hint is Decimal:  # `*_decimal` fields travel as strings
        return [] if _is_decimal(value) else [f"{at}: expected a decimal string, got {value!r:.60}"]
    if hint in SCALARS:
        fits = isinstance(value, SCALARS[hint]) and not (
            hint is not bool and isinstance(value, bool)
        )
        return [] if fits else [f"{at}: expected {hint.__name__}, got {value!r:.60}"]
    raise TypeError(f"{at}: no check for annotation {hint!r}")


def _is_decimal(value: Any) -> bool:
    try:
        Decimal(value)
    except (ArithmeticError, TypeError, ValueError):
        return False
    return isinstance(value, str)


def _check_page(value: Any, item: Any, module: str, at: str) -> list[str]:
    if not isinstance(value, dict) or value.get("object") != "list":
        return [f"{at}: expected a list object, got {value!r:.60}"]
    found = [
        f"{at}.{k}: missing (required by ListObject)"
        for k in ("data", "has_more", "url")
        if k not in value
    ]
    found += [
        f"{at}.{k}: not a field of ListObject"
        for k in value
        if k not in ("object", "data", "has_more", "url")
    ]
    for n, entry in enumerate(value.get("data") or []):
        found += check_value(entry, item, module, f"{at}.data[{n}]")
    return found


def _check_union(value: Any, options: tuple[Any, ...], module: str, at: str) -> list[str]:
    tried = [check_value(value, option, module, at) for option in options]
    if any(not problems for problems in tried):
        return []
    # report the branch of the value's kind (an object, not its id), else a non-null one
    same_kind = [p for p, o in zip(tried, options, strict=True) if _kind_fits(value, o, module)]
    not_null = [p for p, o in zip(tried, options, strict=True) if o is not type(None)]
    return min(same_kind or not_null or tried, key=len)


def _kind_fits(value: Any, hint: Any, module: str) -> bool:
    if isinstance(hint, ForwardRef):
        hint = _resolve(hint, module)
    origin = get_origin(hint) or hint
    if value is None:
        return hint is type(None)
    if isinstance(value, dict):
        return inspect.isclass(origin) and issubclass(origin, (StripeObject, dict))
    if isinstance(value, list):
        return origin is list
    return origin is Literal or hint in SCALARS or hint is Decimal


def check_event(event: Any) -> list[str]:
    """A webhook event: the envelope against `stripe.Event`, `data.object` against its class,
    and `data.previous_attributes` naming only fields of that class."""
    at = f"event {event.get('type')} {event.get('id')}"
    found = check_object(event, object_class("event"), at)
    data = event.get("data") or {}
    obj = data.get("object") or {}
    cls = object_class(obj.get("object", ""))
    if cls is StripeObject:
        return [*found, f"{at}: data.object is of an unknown kind {obj.get('object')!r}"]
    found += check_object(obj, cls, f"{at} data.object")
    declared = fields(cls)
    previous = data.get("previous_attributes") or {}
    found += [
        f"{at} previous_attributes.{k}: not a field of {cls.__qualname__}"
        for k in previous
        if k not in declared
    ]
    return found
