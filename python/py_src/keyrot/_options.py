"""The keyword options of the package's functions, each named and typed once.

The ``TypedDict``s below list them; a function takes ``**options`` typed
with one of them (``Unpack``), so a type checker or an IDE knows each name
and type, and ``takes`` gives it the signature ``help()`` shows, with the
defaults of the core (``_native.DEFAULT_OPTIONS``: written once, there).
It also checks the names given before the function runs: a misspelt one
(``asof=``) raises ``keyrot.PolicyError`` with the core's message and
did-you-mean, as an unknown name in ``options.json`` or a JS options object
does, rather than Python's bare ``TypeError``.
"""

import functools
import inspect
import os
from datetime import date, datetime
from typing import Any, BinaryIO, Callable, Dict, Literal, Mapping, Optional, Sequence, TypedDict, TypeVar, Union, cast

from . import _native
from ._names import CisVersion, Granularity, InputFormat, Rule

#: A report: a path, bytes, a ``str`` holding it, a binary (or text) file
#: object, or the dict boto3's ``iam.get_credential_report()`` returns.
Source = Union[str, os.PathLike[str], bytes, bytearray, memoryview, BinaryIO, Mapping[str, Any]]
#: An evaluation instant: an aware ``datetime``, a date (its midnight UTC),
#: or RFC 3339 text or a date alone (``"2026-11-26"``).
Instant = Union[datetime, date, str, None]
#: Exemptions: TOML text, a path to a TOML file, a list of dicts, or checked ones.
ExemptionsSource = Union[str, os.PathLike[str], Sequence[Mapping[str, Any]], _native.Exemptions]
#: What ``aws iam list-access-keys`` printed: a path, the JSON as bytes or
#: text, the parsed data (a dict, or a list of them), or a file object.
AccessKeysSource = Union[
    str, os.PathLike[str], bytes, bytearray, memoryview, BinaryIO, Mapping[str, Any], Sequence[Any]
]


class ReadOptions(TypedDict, total=False):
    """How a report is read (``parse``)."""

    lenient: bool
    format: InputFormat


class _Policy(TypedDict, total=False):
    """How keys are judged against the rotation rule."""

    max_age_days: int
    warn_days: int
    include_inactive: bool
    granularity: Granularity


class _Judging(_Policy, total=False):
    """The rule's options, and when keys are judged."""

    as_of: Instant


class _Checks(TypedDict, total=False):
    """The plan's grace, the checks judged and their options."""

    grace_days: int
    rules: Union[Literal["all"], Rule, Sequence[Rule], None]
    cis_version: Optional[CisVersion]
    unused_days: int
    root_use_days: int
    setup_seconds: int
    rotation_window_days: int


class DiffOptions(_Judging, ReadOptions, total=False):
    """The options of ``diff``: the old report has its own time."""

    old_as_of: Instant


class ManyOptions(_Judging, ReadOptions, _Checks, total=False):
    """The options of ``analyze_many``: every check and the exemptions."""

    exemptions: Optional[ExemptionsSource]


#: The time given for a report of a history: an aware ``datetime``, a date,
#: or RFC 3339 text.
ReportTime = Union[datetime, date, str]


class HistoryOptions(_Policy, ReadOptions, _Checks, total=False):
    """The options of ``history``: the judging options but ``as_of`` (each
    report is judged at its own time), the times of the reports, and the
    history's own (``stall_days``, ``last_used_per_report``)."""

    times: Optional[Mapping[str, ReportTime]]
    time_from_name: Optional[str]
    stall_days: int
    last_used_per_report: bool
    threads: Optional[int]


class AnalyzeOptions(ManyOptions, total=False):
    """The options of ``analyze``: also how many threads judge the report."""

    threads: Optional[int]


class PlanKeys(TypedDict, total=False):
    """The options of ``Analysis.plan()``: the key ids to fill in."""

    access_keys: Optional[AccessKeysSource]


class PlanOptions(AnalyzeOptions, PlanKeys, total=False):
    """The options of ``plan``: those of ``analyze``, and the key ids."""


def _default(name: str) -> Any:
    """The core's default of an option, a judging option's or a history's
    (``None`` for the package's own)."""
    value = _native.DEFAULT_OPTIONS.get(name, _native.HISTORY_DEFAULTS.get(name))
    return tuple(value) if isinstance(value, list) else value


F = TypeVar("F", bound=Callable[..., Any])


def takes(options: Any) -> Callable[[F], F]:
    """Gives a function of ``**options`` the signature of ``options`` (a
    ``TypedDict``) with the core's defaults, and checks the names given."""

    def decorate(function: F) -> F:
        scope = getattr(function, "__globals__", {})

        def resolved(annotation: Any) -> Any:
            return eval(annotation, scope) if isinstance(annotation, str) else annotation

        own = inspect.signature(function)
        named = [
            p.replace(annotation=resolved(p.annotation)) for p in own.parameters.values() if p.kind != p.VAR_KEYWORD
        ]
        # A TypedDict's annotations hold its bases' too, theirs first.
        types: Dict[str, Any] = dict(options.__annotations__)
        keywords = [
            inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=_default(n), annotation=t)
            for n, t in types.items()
        ]
        known = [p.name for p in named] + list(types)

        @functools.wraps(function)
        def checked(*args: Any, **given: Any) -> Any:
            for name in given:
                if name not in known:
                    raise _native.unknown_option(function.__name__, name, list(types))
            return function(*args, **given)

        signature = own.replace(parameters=named + keywords, return_annotation=resolved(own.return_annotation))
        checked.__signature__ = signature  # type: ignore[attr-defined]
        return cast(F, checked)

    return decorate
