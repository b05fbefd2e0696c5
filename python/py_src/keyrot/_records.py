"""The records of a result: frozen dataclasses made from the core's JSON
contract (the dicts its serialized output holds), with timestamps as aware
``datetime``s in UTC. Equality, hashing, ``repr`` and typing are the
dataclasses'; ``to_dict()`` gives the contract's dict back as the core
wrote it.

A finding and a report row are not here: they are the native module's lazy
views (``Finding``, ``Row``), so that a million of them copy nothing.
"""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Callable, ClassVar, Dict, List, Literal, Mapping, Optional, Tuple, Union

from ._names import STATUSES, AnomalyCode, ChangeCode, Granularity, Role, Status, StepCode

#: A fraction of a second finer than Python's microseconds.
_NANOS = re.compile(r"(\.\d{6})\d+")

#: When a key was last used: a ``datetime``, ``"never"``, ``"no_information"``,
#: or ``None`` in the legacy layout.
LastUsed = Union[datetime, Literal["never", "no_information"], None]


@functools.lru_cache(maxsize=4096)  # a report repeats its instants; datetimes are immutable
def _time(text: Optional[str]) -> Optional[datetime]:
    """An instant of the contract (RFC 3339 text) as an aware ``datetime``;
    ``None`` for none, or for one Python's ``datetime`` cannot hold (outside
    the years 1 to 9999: ``to_dict()`` keeps its text)."""
    if text is None:
        return None
    if "." in text:
        text = _NANOS.sub(r"\1", text)
    try:
        return datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        return None


def _last_used(value: Optional[str]) -> LastUsed:
    return value if value in ("never", "no_information") else _time(value)  # type: ignore[return-value]


class _Record:
    """What every record shares: it is made from the contract's dict, which
    ``to_dict()`` gives back."""

    #: How a field is read from its contract value, when not as it is.
    _read: ClassVar[Mapping[str, Callable[[Any], Any]]] = {}
    #: The contract's name of a field named otherwise here.
    _key: ClassVar[Mapping[str, str]] = {}
    _raw: Mapping[str, Any]

    @classmethod
    def _from_contract(cls, raw: Mapping[str, Any], **given: Any) -> Any:
        # A frozen dataclass' __init__ sets each field through
        # object.__setattr__; filling the instance's dict at once is the same
        # record, made several times faster (a plan may have 100,000 steps).
        record = object.__new__(cls)
        fill = record.__dict__
        for name, key, read in cls._reading():
            value = raw.get(key)
            fill[name] = value if read is None else read(value)
        fill.update(given)
        fill["_raw"] = raw
        return record

    @classmethod
    @functools.lru_cache(maxsize=None)
    def _reading(cls) -> Tuple[Tuple[str, str, Optional[Callable[[Any], Any]]], ...]:
        """Each field: its name, its contract's name, how it is read."""
        names = [f.name for f in fields(cls) if f.name != "_raw"]  # type: ignore[arg-type]
        return tuple((name, cls._key.get(name, name), cls._read.get(name)) for name in names)

    def to_dict(self) -> Dict[str, Any]:
        """The record as the JSON contract's dict."""
        return copy.deepcopy(dict(self._raw))


def _contract() -> Any:
    """The hidden field that keeps a record's contract dict."""
    return field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class Policy:
    """The rule's options as applied (rotation-rule.md §1.1)."""

    max_age_days: int
    warn_days: int
    include_inactive: bool
    granularity: Granularity
    grace_days: int

    def to_dict(self) -> Dict[str, Any]:
        """The policy as the JSON contract's dict."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def _from_contract(cls, raw: Mapping[str, Any]) -> "Policy":
        return cls(**{f.name: raw[f.name] for f in fields(cls)})


@dataclass(frozen=True)
class Counts:
    """Counts for the whole report or one account.

    ``by_status`` maps each status (``fail``, ``invalid``, ``due_soon``,
    ``pass``, ``inactive``) to its number of keys; ``exempted`` counts the
    keys covered by an exemption in force (they keep their status but do not
    count against ``compliant``).
    """

    users: int
    users_with_keys: int
    keys: int
    active_keys: int
    by_status: Mapping[str, int]
    exempted: int
    oldest_active_key_age_days: Optional[int]
    compliant: bool

    @staticmethod
    def _fields(raw: Mapping[str, Any]) -> Dict[str, Any]:
        return {
            "users": raw["users"],
            "users_with_keys": raw["users_with_keys"],
            "keys": raw["keys"],
            "active_keys": raw["active_keys"],
            "by_status": {status: raw[status] for status in STATUSES},
            "exempted": raw.get("exempted", 0),
            "oldest_active_key_age_days": raw["oldest_active_key_age_days"],
            "compliant": raw["compliant"],
        }


@dataclass(frozen=True)
class AccountSummary(Counts):
    """The counts of one account."""

    account_id: str = ""


@dataclass(frozen=True)
class Summary(Counts):
    """The counts over every row, and per account (sorted by account id)."""

    accounts: tuple[AccountSummary, ...] = ()
    _raw: Mapping[str, Any] = _contract()

    @classmethod
    def _from_contract(cls, raw: Mapping[str, Any]) -> "Summary":
        accounts = tuple(AccountSummary(account_id=a["account_id"], **Counts._fields(a)) for a in raw["accounts"])
        return cls(accounts=accounts, _raw=raw, **Counts._fields(raw))

    def to_dict(self) -> Dict[str, Any]:
        """The summary as the JSON contract's dict."""
        return copy.deepcopy(dict(self._raw))


@dataclass(frozen=True)
class Anomaly(_Record):
    """Something about a report that a person must see and that is not a
    finding: a duplicate user, a stale report, an unknown column, a bad row
    in lenient mode, …"""

    #: The stable code, e.g. ``duplicate_user``, ``report_stale``, ``row_error``.
    code: AnomalyCode
    #: The 1-based line it concerns, when one applies.
    line: Optional[int]
    #: The column (by header name) it concerns, when one applies.
    column: Optional[str]
    #: The offending value, cut to a readable length.
    value: Optional[str]
    #: For ``row_error``: the code of the error strict mode would have raised.
    error: Optional[str]
    #: A sentence for people.
    message: str
    #: The report it concerns (``analyze_many``); ``None`` for ``analyze``.
    source: Optional[str] = None
    _raw: Mapping[str, Any] = _contract()


@dataclass(frozen=True)
class ReportOutcome(_Record):
    """What happened to one input of ``analyze_many``: its evaluation time
    and counts, or the error that kept it from being judged (its findings
    are then left out)."""

    #: The name given for the input.
    source: str
    #: The evaluation instant of this report (``None`` when it failed).
    as_of: Optional[datetime]
    #: Where ``as_of`` came from: ``explicit``, ``date``, ``report`` or ``clock``.
    as_of_source: Optional[str] = field(repr=False)
    #: ``csv``, ``base64`` or ``cli_json``.
    input_format: Optional[str] = field(repr=False)
    #: The lowercase hex SHA-256 of the input's bytes (``None`` when it failed).
    input_sha256: Optional[str] = field(repr=False)
    #: ``current`` or ``legacy``.
    layout: Optional[str] = field(repr=False)
    #: ``GeneratedTime`` from the input's wrapper, when known.
    generated_time: Optional[datetime] = field(repr=False)
    #: The latest timestamp in the report.
    newest_timestamp: Optional[datetime] = field(repr=False)
    #: This report's counts, as the JSON contract's dict (``None`` when it failed).
    counts: Optional[Dict[str, Any]] = field(repr=False, hash=False)
    #: Why the input could not be judged: a ``keyrot.ParseError`` (or
    #: ``PolicyError``) instance, not raised; ``None`` when it was judged.
    error: Optional[Exception] = field(compare=False)
    _raw: Mapping[str, Any] = _contract()

    _read = {"as_of": _time, "generated_time": _time, "newest_timestamp": _time}
    _key = {"counts": "summary"}


@dataclass(frozen=True)
class PlanKey(_Record):
    """One key of a step: which slot, its role in the step, what the report
    says about it, and the id ``list-access-keys`` gave for it, if any."""

    #: The report's slot, 1 or 2.
    slot: int
    #: What the step does with it: ``target`` (the key acted on), ``old``,
    #: ``new`` (the replacement, left alone) or ``inactive``.
    role: Role
    #: The key's status in the analysis.
    status: Status
    #: When the key was created or last rotated (its ``CreateDate`` in
    #: ``list-access-keys``).
    last_rotated: Optional[datetime]
    #: The access key id, when ``access_keys`` listed a key of this user
    #: created at ``last_rotated``.
    access_key_id: Optional[str]
    #: Whether the key is active.
    active: bool = field(repr=False)
    #: When the key was last used.
    last_used: LastUsed = field(repr=False)
    #: The shell variable that stands for the key id in the commands.
    variable: str = field(repr=False)
    _raw: Mapping[str, Any] = _contract()

    _read = {"last_rotated": _time, "last_used": _last_used}


@dataclass(frozen=True)
class Step(_Record):
    """The next step of one user: what to do, why, and the ``aws iam``
    commands to run after the checks (keyrot runs nothing)."""

    #: The step's code (one of ``keyrot.STEPS``).
    step: StepCode
    #: The account id.
    account_id: str
    #: The user name (``<root_account>`` for the root row).
    user: str
    #: The 1-based line of the user's row in the input.
    line: int
    #: The user's ARN.
    arn: str = field(repr=False)
    #: Whether this is the root user.
    is_root: bool = field(repr=False)
    #: The keys the step concerns, each with its role.
    keys: List[PlanKey] = field(repr=False, hash=False)
    #: What to do and why, citing the evidence.
    reason: str = field(repr=False)
    #: Read-only commands to run first (find the key id, check its last use).
    checks: List[str] = field(repr=False, hash=False)
    #: The commands that change something, in order, for a person to run
    #: after the checks; empty when the step is to wait or to change
    #: applications, or when a value cannot be put safely in a command.
    commands: List[str] = field(repr=False, hash=False)
    #: For ``wait_before_delete``: the earliest time the key may be deleted.
    delete_after: Optional[datetime] = field(repr=False)
    #: What the person must know: a key ``list-access-keys`` did not list, a
    #: value kept out of the commands.
    notes: List[str] = field(repr=False, hash=False)
    #: The report the step is for (``analyze_many``); ``None`` for ``analyze``.
    source: Optional[str] = field(default=None, repr=False)
    _raw: Mapping[str, Any] = _contract()

    _read = {"keys": lambda keys: [PlanKey._from_contract(k) for k in keys], "delete_after": _time}


@dataclass(frozen=True)
class ChangedKey(_Record):
    """One key of a change, as one report shows it."""

    #: The slot in that report.
    slot: int
    #: The key's creation time: what matches it across reports.
    last_rotated: Optional[datetime]
    #: Its status in that report, judged at that report's ``as_of``.
    status: Status
    #: Whether it is active.
    active: bool
    _raw: Mapping[str, Any] = _contract()

    _read = {"last_rotated": _time}


def _changed_key(raw: Optional[Mapping[str, Any]]) -> Optional[ChangedKey]:
    return None if raw is None else ChangedKey._from_contract(raw)


@dataclass(frozen=True)
class Change(_Record):
    """One change between the reports."""

    #: What changed (one of ``keyrot.CHANGES``).
    change: ChangeCode
    #: The account id.
    account_id: str
    #: The user name.
    user: str
    #: The key as the old report shows it (``None`` for a key that appeared,
    #: and for users added or removed).
    old_key: Optional[ChangedKey] = field(repr=False)
    #: The key as the new report shows it (``None`` for a key that is gone).
    new_key: Optional[ChangedKey] = field(repr=False)
    #: For ``newly_overdue`` and ``still_overdue``: whole days overdue at the
    #: new report's ``as_of``.
    overdue_days: Optional[int] = field(repr=False)
    #: A sentence for people.
    message: str = field(repr=False)
    _raw: Mapping[str, Any] = _contract()

    _read = {"old_key": _changed_key, "new_key": _changed_key}


@dataclass(frozen=True)
class DiffSide(_Record):
    """One side of a diff: when that report was judged, why then, and its
    counts."""

    #: The evaluation instant of this report, an aware ``datetime`` in UTC.
    as_of: datetime
    #: Where ``as_of`` came from: ``explicit``, ``date``, ``report`` (its
    #: ``GeneratedTime``), ``newest_timestamp`` (the old report's newest
    #: timestamp) or ``clock`` (now, for the new report).
    as_of_source: str
    #: The report's ``GeneratedTime``, when its input carried one.
    generated_time: Optional[datetime]
    #: The number of keys in the report.
    keys: int
    #: The number of failing keys in it.
    fail: int
    _raw: Mapping[str, Any] = _contract()

    _read = {"as_of": _time, "generated_time": _time}
