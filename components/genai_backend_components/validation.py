"""How every component checks its args: all problems at once, each naming its arg, before anything exists.

A component's public args are a ``TypedDict`` (what Pulumi's schema inference reads, so every Pulumi
language sees the same shape); beside it sits a pydantic model with the same field names that holds the
checks and the defaults. ``check_args`` runs that model over the args the caller gave and turns pydantic's
errors into ``Problem``s with paths a Python caller would write (``oidc_providers[0].scopes``), so a caller
that maps its own configuration onto args can report every problem under its own names.

Values that Pulumi resolves later (an ``Output``, an awaitable) cannot be checked while the program is
declaring resources. Fields that accept them are typed ``Deferred[...]``: a known value is checked, an
unknown one passes through unchanged, and the arg's docstring says what goes unchecked then.
"""

import inspect
from collections.abc import Mapping, Sequence
from difflib import get_close_matches
from types import UnionType
from typing import Annotated, Any, NamedTuple, TypeVar, Union, get_args, get_origin

import pulumi
from pydantic import BaseModel, ConfigDict, ValidationError, WrapValidator

__all__ = [
    "ArgsModel",
    "Deferred",
    "InvalidArgsError",
    "Problem",
    "check_args",
    "format_path",
    "is_unknown",
    "nested_problems",
]

T = TypeVar("T")

SECRET_ARG_NAMES = frozenset({"access_token", "client_secret", "private_key"})
"""Args whose value never appears in a message: messages end up in terminals and pull-request comments."""


def is_unknown(value: object) -> bool:
    """True for a value Pulumi resolves later, which no check can see while resources are declared."""
    return isinstance(value, pulumi.Output) or inspect.isawaitable(value)


def _pass_unknown(value: Any, handler: Any) -> Any:
    return value if is_unknown(value) else handler(value)


Deferred = Annotated[T, WrapValidator(_pass_unknown)]
"""A field that may also be an ``Output``: a known value is checked as ``T``, an Output is kept unchecked."""


class Problem(NamedTuple):
    """One bad value: where it is (a path into the args) and what is allowed instead."""

    path: str
    message: str


class InvalidArgsError(ValueError):
    """Every problem of one args object, raised before the component declares anything."""

    def __init__(self, args_name: str, problems: Sequence[Problem]) -> None:
        self.args_name = args_name
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {problem.path or '(args)'}: {problem.message}" for problem in self.problems)
        count = "1 invalid value" if len(self.problems) == 1 else f"{len(self.problems)} invalid values"
        super().__init__(f"{args_name} has {count}:\n{lines}")


class ArgsModel(BaseModel):
    """Base of the checking models: frozen, and an unknown key is a problem rather than silently dropped.

    Rules that involve several fields go in ``cross_problems``, which runs once every field is valid, so
    each such problem can still name the exact field to change.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True, defer_build=True)

    def cross_problems(self) -> list[Problem]:
        """Problems of combinations of fields; paths are relative to this model."""
        return []


M = TypeVar("M", bound=ArgsModel)


def join_path(prefix: str, path: str) -> str:
    """``join_path("groups[0]", "name")`` -> ``groups[0].name``."""
    if not prefix or not path:
        return prefix or path
    return f"{prefix}{path}" if path.startswith("[") else f"{prefix}.{path}"


def nested_problems(prefix: str, models: Sequence[ArgsModel] | ArgsModel | None) -> list[Problem]:
    """The ``cross_problems`` of nested models, under ``prefix`` (``groups`` -> ``groups[0].name``)."""
    if models is None:
        return []
    if isinstance(models, ArgsModel):
        return [
            Problem(join_path(prefix, problem.path), problem.message) for problem in models.cross_problems()
        ]
    return [
        problem
        for index, model in enumerate(models)
        for problem in nested_problems(f"{prefix}[{index}]", model)
    ]


def _unwrap(annotation: Any) -> Any:
    """Digs through Annotated and Optional to the model, list or mapping type a location steps into."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
            continue
        if origin in (Union, UnionType):
            members = [member for member in get_args(annotation) if member is not type(None)]
            if len(members) == 1:
                annotation = members[0]
                continue
        return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def format_path(location: Sequence[str | int], model: Any = None) -> str:
    """``("groups", 0, "name")`` -> ``groups[0].name``; mapping keys as ``data_sources['LeagueTable']``."""
    path, current = "", _unwrap(model)
    after_key = False
    for part in location:
        if after_key and part == "[key]":
            after_key = False  # pydantic's marker for a bad mapping key, which the path already names
            continue
        after_key = False
        origin = get_origin(current)
        if _is_model(current) and part in current.model_fields:
            path = join_path(path, str(part))
            current = _unwrap(current.model_fields[str(part)].annotation)
        elif origin in (dict, Mapping):
            path += f"[{part!r}]"
            current = _unwrap(get_args(current)[1])
            after_key = True
        elif origin in (list, tuple, Sequence) and isinstance(part, int):
            path += f"[{part}]"
            current = _unwrap(get_args(current)[0])
        else:
            path = path + f"[{part}]" if isinstance(part, int) else join_path(path, str(part))
            current = None
    return path


def _model_at(model: type[BaseModel], location: Sequence[str | int]) -> type[BaseModel] | None:
    """The nested model class a location points into, to suggest the right field names."""
    current: Any = model
    for part in location:
        if _is_model(current) and isinstance(part, str) and part in current.model_fields:
            current = _first_model(current.model_fields[part].annotation)
    return current if _is_model(current) else None


def _first_model(annotation: Any) -> Any:
    if _is_model(annotation):
        return annotation
    for argument in get_args(annotation):
        found = _first_model(argument)
        if found is not None:
            return found
    return None


def _shown(location: Sequence[str | int], value: Any) -> str:
    """The offending value as the message shows it; a secret's value is never shown."""
    if any(part in SECRET_ARG_NAMES for part in location if isinstance(part, str)):
        return "a value"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


_TYPE_NAMES = {
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "string_type": "text",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "a mapping (dict)",
    "model_type": "a mapping (dict)",
    "model_attributes_type": "a mapping (dict)",
}


def _message(model: type[BaseModel], error: Mapping[str, Any]) -> str:
    kind, location, value = error["type"], error["loc"], error.get("input")
    context = error.get("ctx") or {}
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        owner = _model_at(model, location[:-1])
        known = sorted(owner.model_fields) if owner else []
        guess = get_close_matches(str(location[-1]), known, n=1)
        hint = f"did you mean {guess[0]!r}? " if guess else ""
        return f"is not a known arg; {hint}known: {', '.join(known)}"
    if kind in ("value_error", "assertion_error"):
        return str(context.get("error", error["msg"]))
    if kind == "enum":
        allowed = str(context.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return f"{_shown(location, value)} is not one of {allowed}"
    if kind in _TYPE_NAMES:
        return f"must be {_TYPE_NAMES[kind]} (got {_shown(location, value)})"
    if kind in ("too_short", "too_long"):
        message = str(error["msg"])
        for subject in ("Value should", "List should", "Tuple should", "Dictionary should"):
            message = message.replace(subject, "must")
        return message.replace(" after validation", "")
    return f"{error['msg']} (got {_shown(location, value)})"


def check_args(model: type[M], args_name: str, args: object) -> M:
    """Checks ``args`` with ``model``; raises ``InvalidArgsError`` listing every problem, else the model."""
    if not isinstance(args, Mapping):
        raise InvalidArgsError(
            args_name, [Problem("", f"must be a mapping of arg names to values, got {type(args).__name__}")]
        )
    try:
        checked = model.model_validate(dict(args))
    except ValidationError as error:
        problems = [
            Problem(format_path(detail["loc"], model), _message(model, detail)) for detail in error.errors()
        ]
        raise InvalidArgsError(args_name, problems) from None
    cross = checked.cross_problems()
    if cross:
        raise InvalidArgsError(args_name, cross)
    return checked
