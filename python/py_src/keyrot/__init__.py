"""keyrot: judge every access key in a saved AWS IAM credential report against
the 90-day rotation rule, offline.

>>> import keyrot
>>> analysis = keyrot.analyze("credential-report.csv")      # doctest: +SKIP
>>> analysis.to_pandas().query("status == 'fail'")          # doctest: +SKIP

``analyze`` judges a report (a path, bytes, text, a binary file object, or
the dict boto3's ``iam.get_credential_report()`` returns); ``analyze_many``
judges several together (an organisation's accounts); ``parse`` reads the
rows without judging them. ``Analysis.plan()`` gives each user's next step
of the rotation workflow, with the ``aws iam`` commands to run after
checking; ``diff`` says what changed between an older and a newer report.
All run in the Rust core with the GIL released, and every result serializes
to the JSON contract that keyrot's command line and JavaScript package
share.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Union,
    cast,
)

from . import _native
from ._errors import KeyrotError, ParseError, PolicyError
from ._history import History, history
from ._native import Anomaly, Change, ChangedKey, DiffSide, Finding, PlanKey, ReportOutcome, Row, Step
from ._source import DataSource, FileSource, Resolved, access_keys_json, resolve, resolve_exemptions

if TYPE_CHECKING:
    from typing import BinaryIO

    import pandas
    import polars

    Source = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, BinaryIO, Mapping[str, Any]]
    ExemptionsSource = Union[str, "os.PathLike[str]", Sequence[Mapping[str, Any]], _native.Exemptions]
    AccessKeysSource = Union[
        str, "os.PathLike[str]", bytes, bytearray, memoryview, BinaryIO, Mapping[str, Any], Sequence[Any]
    ]

__version__: str = _native.__version__

__all__ = [
    "AccountSummary",
    "Analysis",
    "Anomaly",
    "CHANGES",
    "Change",
    "ChangedKey",
    "Counts",
    "Diff",
    "DiffSide",
    "Finding",
    "History",
    "KeyrotError",
    "ManyAnalysis",
    "ParseError",
    "Plan",
    "PlanKey",
    "Policy",
    "PolicyError",
    "Report",
    "ReportOutcome",
    "Row",
    "STATUSES",
    "STEPS",
    "Step",
    "Summary",
    "__version__",
    "analyze",
    "analyze_many",
    "diff",
    "history",
    "parse",
]

#: Every status, most severe first: the order of the ``status`` categories in
#: DataFrames, and of the counts in ``Summary.by_status``.
STATUSES: Tuple[str, ...] = ("fail", "invalid", "due_soon", "pass", "inactive")

#: Every step of the rotation plan, in the order of rotation-rule.md §2.1
#: (the first that applies to a user is its step): the categories of the
#: ``step`` column of ``Plan.to_pandas()``.
STEPS: Tuple[str, ...] = (
    "remove_root_key",
    "rotate_both",
    "deactivate_unused_key",
    "update_applications",
    "deactivate_old_key",
    "free_slot",
    "create_new_key",
    "delete_inactive_key",
    "wait_before_delete",
    "schedule_rotation",
)

#: Every kind of change between two reports, in the contract's order (that
#: of ``Diff.counts``).
CHANGES: Tuple[str, ...] = (
    "rotated",
    "newly_overdue",
    "still_overdue",
    "fixed",
    "key_deleted",
    "key_created",
    "user_added",
    "user_removed",
)

#: The statuses that make a report non-compliant.
_NON_COMPLIANT = ("fail", "invalid")


@dataclass(frozen=True)
class Policy:
    """The rule's options as applied (rotation-rule.md §1.1)."""

    max_age_days: int
    warn_days: int
    include_inactive: bool
    granularity: str
    grace_days: int

    def to_dict(self) -> Dict[str, Any]:
        """The policy as the JSON contract's dict."""
        return {
            "max_age_days": self.max_age_days,
            "warn_days": self.warn_days,
            "include_inactive": self.include_inactive,
            "granularity": self.granularity,
            "grace_days": self.grace_days,
        }


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

    accounts: Tuple[AccountSummary, ...] = ()
    _raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def _from_contract(cls, raw: Mapping[str, Any]) -> "Summary":
        accounts = tuple(AccountSummary(account_id=a["account_id"], **Counts._fields(a)) for a in raw["accounts"])
        return cls(accounts=accounts, _raw=raw, **Counts._fields(raw))

    def to_dict(self) -> Dict[str, Any]:
        """The summary as the JSON contract's dict."""
        result: Dict[str, Any] = json.loads(json.dumps(self._raw))
        return result


class _Judged:
    """What ``Analysis`` and ``ManyAnalysis`` share: the findings, the
    counts and the contract views."""

    __slots__ = ("_data", "_findings", "_policy", "_summary")

    def __init__(self, data: _native.AnalysisData) -> None:
        self._data = data
        self._findings: Optional[Tuple[Finding, ...]] = None
        self._policy: Optional[Policy] = None
        self._summary: Optional[Summary] = None

    @property
    def policy(self) -> Policy:
        """The policy as applied."""
        if self._policy is None:
            self._policy = Policy(**self._data.policy())
        return self._policy

    @property
    def summary(self) -> Summary:
        """The counts, overall and per account."""
        if self._summary is None:
            self._summary = Summary._from_contract(self._data.summary())
        return self._summary

    @property
    def compliant(self) -> bool:
        """Whether no key fails and none is invalid (exempted keys aside)."""
        return self._data.compliant

    @property
    def findings(self) -> Tuple[Finding, ...]:
        """Every finding, in input order."""
        if self._findings is None:
            self._findings = tuple(self._data.findings())
        return self._findings

    @property
    def anomalies(self) -> Tuple[Anomaly, ...]:
        """What a person must see that is not a finding (duplicate users, a
        stale report, unknown columns, bad rows in lenient mode, …): the
        first 100 of each code of each report (see ``anomalies_omitted``)."""
        return tuple(self._data.anomalies())

    @property
    def anomalies_omitted(self) -> Dict[str, int]:
        """Per anomaly code, how many more were found than ``anomalies``
        holds (every anomaly is counted; the first 100 of each code of each
        report are kept). Empty unless a report repeats a problem on more
        than 100 rows."""
        return dict(self._data.anomalies_omitted())

    def failing(self) -> List[Finding]:
        """The findings that make the result non-compliant: status ``fail``
        or ``invalid``, not exempted. In input order."""
        return [f for f in self._data.findings_with_status(list(_NON_COMPLIANT)) if f.exempted is None]

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self._data)

    def to_dicts(self) -> List[Dict[str, Any]]:
        """The findings as the JSON contract's dicts."""
        result: List[Dict[str, Any]] = json.loads(self._data.findings_json())
        return result

    def to_dict(self) -> Dict[str, Any]:
        """The whole result as the JSON contract's dict (what
        ``keyrot check --format json`` prints and the golden cases hold)."""
        result: Dict[str, Any] = json.loads(self._data.to_json())
        return result

    def to_json(self, indent: Optional[int] = None) -> str:
        """The JSON contract as text, compact or indented."""
        return self._data.to_json(indent)

    def to_pandas(self) -> "pandas.DataFrame":
        """The findings as a pandas DataFrame, one row per key.

        Timestamps are ``datetime64[us, UTC]`` (NaT when unknown), ``status``
        an ordered categorical (most severe first), account ids, regions,
        services and codes categoricals, ages nullable ``Int64``. ``last_used``
        holds the time of the last use and ``last_used_kind`` says ``used``,
        ``never`` or ``no_information``. Needs pandas 2.0 or later.
        """
        from . import _frames

        return _frames.to_pandas(self._data)

    def __arrow_c_stream__(self, requested_schema: Optional[object] = None) -> object:
        """The table as an Arrow C stream (the Arrow PyCapsule interface):
        ``pyarrow.table(x)``, ``polars.DataFrame(x)``, ``duckdb.sql("select *
        from x")`` and ``pandas.DataFrame.from_arrow(x)`` read it without a
        copy. ``requested_schema`` is not honoured: the schema is fixed
        (see the README's Arrow section)."""
        return self._data.__arrow_c_stream__(requested_schema)

    def to_polars(self) -> "polars.DataFrame":
        """The findings as a polars DataFrame, with the columns and types of
        ``to_pandas()`` (``status`` as an ``Enum``), read through the Arrow
        stream. Needs polars (1.3 or later); not pyarrow."""
        from . import _frames

        return _frames.to_polars(self._data)

    def _repr_html_(self) -> str:
        from . import _html

        return _html.analysis_html(self)

    def _verdict(self) -> str:
        counts = ", ".join(f"{s}={n}" for s, n in self.summary.by_status.items())
        verdict = "compliant" if self.compliant else "NOT compliant"
        return f"{verdict}: {len(self)} keys ({counts})"


class Analysis(_Judged):
    """The result of judging one report.

    Iterating gives the findings (one per access key, in input order, slot 1
    before slot 2); ``len()`` is their number. ``to_dict()`` is exactly the
    JSON contract; ``to_pandas()`` and ``to_polars()`` build a table with
    proper dtypes straight from columns made in Rust.
    """

    __slots__ = ()

    @property
    def as_of(self) -> datetime:
        """The evaluation instant (aware, UTC)."""
        value = self._data.as_of
        assert value is not None
        return value

    @property
    def as_of_source(self) -> str:
        """Where ``as_of`` came from: ``explicit`` (the argument), ``report``
        (the report's ``GeneratedTime``) or ``clock`` (the current time)."""
        return str(self._data.as_of_source)

    @property
    def input_format(self) -> str:
        """The form the input was in: ``csv``, ``base64`` or ``cli_json``
        (also for a boto3 response)."""
        return str(self._data.input_format)

    @property
    def input_sha256(self) -> Optional[str]:
        """The lowercase hex SHA-256 of the input's bytes, as given (before a
        base64 or JSON wrapper is taken off): the evidence of exactly what
        was judged. ``None`` for ``analyze_many`` (each report's outcome
        has its own)."""
        return self._data.input_sha256

    @property
    def layout(self) -> str:
        """``current`` (22 columns) or ``legacy`` (16, before 2015)."""
        return str(self._data.layout)

    @property
    def generated_time(self) -> Optional[datetime]:
        """The report's ``GeneratedTime``, when the input carried one."""
        return self._data.generated_time

    @property
    def newest_timestamp(self) -> Optional[datetime]:
        """The latest timestamp in the report: a lower bound for when it was
        generated."""
        return self._data.newest_timestamp

    def plan(self, *, access_keys: Optional["AccessKeysSource"] = None) -> "Plan":
        """The rotation plan (rotation-rule.md §2): for each user with
        something to do, the one next step of the rotation workflow, with
        the read-only ``checks`` and the ``aws iam`` ``commands`` to run
        after them (keyrot runs nothing). Made from this analysis, at its
        ``as_of`` and with its policy's ``grace_days``, without reading the
        report again.

        Args:
            access_keys: what ``aws iam list-access-keys`` printed, so the
                commands name real key ids (a key is matched by user and
                ``CreateDate`` = ``last_rotated``): a path to the JSON;
                ``bytes`` or a ``str`` holding it (one document, an array of
                them, or several one after another, one per user); or the
                parsed data: a dict such as boto3's ``iam.list_access_keys()``
                response (``CreateDate`` an aware ``datetime``), or a list of
                them; or a file object. Without it, key ids are shell
                variables (``"$ACCESS_KEY_ID"``).

        Raises:
            ParseError: ``access_keys`` is not that JSON (``invalid_json``).
            FileNotFoundError: (and other ``OSError``) its path cannot be read.
        """
        keys = None if access_keys is None else access_keys_json(access_keys)
        return Plan(self._data.plans(keys)[0])

    def __repr__(self) -> str:
        return f"<keyrot.Analysis {self._verdict()}; as_of {self._data.as_of_text()} ({self.as_of_source})>"


class ManyAnalysis(_Judged):
    """Several reports judged together (one per account, say): one verdict,
    the counts per account across them, and every finding and anomaly naming
    its ``source``. Each report is judged at its own ``as_of``.

    An input that cannot be read does not stop the others: it is listed in
    ``failed()`` with its error, and its findings are left out. ``compliant``
    speaks for the reports that were judged; check ``failed()`` too.
    """

    __slots__ = ()

    @property
    def reports(self) -> Tuple[ReportOutcome, ...]:
        """What happened to each input, in the order given."""
        return tuple(self._data.reports())

    def failed(self) -> List[ReportOutcome]:
        """The inputs that could not be judged, each with its ``error``."""
        return [r for r in self._data.reports() if r.error is not None]

    def plan(self, *, access_keys: Optional["AccessKeysSource"] = None) -> Dict[str, "Plan"]:
        """The rotation plan of each report that was judged, by source name
        in the order given, each at its report's ``as_of`` (a plan is made of
        one report's rows, as ``keyrot plan a.csv b.csv`` makes one per
        file). Reports that could not be read have none (see ``failed()``).

        ``access_keys`` is taken as by ``Analysis.plan()`` and applies to
        every report (keys are matched by user name and creation time).

        Raises:
            ValueError: two reports have the same name (the same path given
                twice): name them with a dict.
        """
        keys = None if access_keys is None else access_keys_json(access_keys)
        plans: Dict[str, Plan] = {}
        for data in self._data.plans(keys):
            name = data.source or ""
            if name in plans:
                raise ValueError(
                    f"two reports are named {name!r}, so their plans cannot be told apart: "
                    "pass analyze_many() a dict from distinct names to sources"
                )
            plans[name] = Plan(data)
        return plans

    def __repr__(self) -> str:
        failed = len(self.failed())
        failures = f"; {failed} of {len(self.reports)} reports could not be read" if failed else ""
        return f"<keyrot.ManyAnalysis {len(self.reports)} reports, {self._verdict()}{failures}>"


class Report:
    """A credential report read into typed rows, without judging it.

    Iterating gives the rows; ``len()`` is their number.
    """

    __slots__ = ("_data", "_rows")

    def __init__(self, data: _native.ReportData) -> None:
        self._data = data
        self._rows: Optional[Tuple[Row, ...]] = None

    @property
    def rows(self) -> Tuple[Row, ...]:
        """Every row, in input order."""
        if self._rows is None:
            self._rows = tuple(self._data.rows())
        return self._rows

    @property
    def columns(self) -> List[str]:
        """The header's column names as read (trimmed, lowercased)."""
        return self._data.columns_read

    @property
    def input_format(self) -> str:
        """``csv``, ``base64`` or ``cli_json``."""
        return self._data.input_format

    @property
    def layout(self) -> str:
        """``current`` or ``legacy``."""
        return self._data.layout

    @property
    def generated_time(self) -> Optional[datetime]:
        """The report's ``GeneratedTime``, when the input carried one."""
        return self._data.generated_time

    @property
    def anomalies(self) -> Tuple[Anomaly, ...]:
        """Header anomalies, then one ``row_error`` per bad row (lenient)."""
        return tuple(self._data.anomalies())

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self._data)

    def to_dicts(self) -> List[Dict[str, Any]]:
        """The rows as the JSON contract's dicts (literals such as ``N/A``
        kept as text)."""
        result: List[Dict[str, Any]] = json.loads(self._data.rows_json())
        return result

    def to_dict(self) -> Dict[str, Any]:
        """The whole report as the JSON contract's dict."""
        result: Dict[str, Any] = json.loads(self._data.to_json())
        return result

    def to_json(self, indent: Optional[int] = None) -> str:
        """The JSON contract as text, compact or indented."""
        return self._data.to_json(indent)

    def to_pandas(self) -> "pandas.DataFrame":
        """The rows as a pandas DataFrame with the report's column names,
        typed: timestamps ``datetime64[us, UTC]``, flags nullable
        ``boolean``; a cell holding a literal (``N/A``, ``no_information``,
        ``not_supported``) is null there (``to_dicts()`` keeps the literal).
        Needs pandas 2.0 or later."""
        from . import _frames

        return _frames.to_pandas(self._data)

    def __arrow_c_stream__(self, requested_schema: Optional[object] = None) -> object:
        """The table as an Arrow C stream (the Arrow PyCapsule interface):
        ``pyarrow.table(x)``, ``polars.DataFrame(x)``, ``duckdb.sql("select *
        from x")`` and ``pandas.DataFrame.from_arrow(x)`` read it without a
        copy. ``requested_schema`` is not honoured: the schema is fixed
        (see the README's Arrow section)."""
        return self._data.__arrow_c_stream__(requested_schema)

    def to_polars(self) -> "polars.DataFrame":
        """The rows as a polars DataFrame, typed as in ``to_pandas()``."""
        from . import _frames

        return _frames.to_polars(self._data)

    def __repr__(self) -> str:
        return f"<keyrot.Report {len(self)} rows, {self.layout} layout, {self.input_format}>"


class Plan:
    """The rotation plan of one report (rotation-rule.md §2): for each user
    with something to do, the one next step of the rotation workflow.

    Iterating gives the steps (``Step`` objects, in input order); ``len()``
    is their number. Commands are text for a person to run after the checks:
    every value from the report is quoted for the shell, a value holding a
    control character is kept out of them (the step's ``notes`` say so), and
    key ids not known are shell variables (``"$ACCESS_KEY_ID"``).
    ``to_dict()`` is exactly the JSON contract (``keyrot plan --format
    json``).
    """

    __slots__ = ("_data", "_policy", "_steps")

    def __init__(self, data: _native.PlanData) -> None:
        self._data = data
        self._steps: Optional[Tuple[Step, ...]] = None
        self._policy: Optional[Policy] = None

    @property
    def source(self) -> Optional[str]:
        """The report the plan is for (``ManyAnalysis.plan()``); ``None``
        for ``Analysis.plan()``."""
        return self._data.source

    @property
    def as_of(self) -> datetime:
        """The evaluation instant of the analysis (aware, UTC)."""
        return self._data.as_of

    @property
    def policy(self) -> Policy:
        """The policy of the analysis (its ``grace_days`` decides when an
        inactive key may be deleted)."""
        if self._policy is None:
            self._policy = Policy(**self._data.policy())
        return self._policy

    @property
    def steps(self) -> Tuple[Step, ...]:
        """Every step, in input order."""
        if self._steps is None:
            self._steps = tuple(self._data.steps())
        return self._steps

    @property
    def counts(self) -> Dict[str, int]:
        """How many steps of each kind, every step of ``STEPS`` listed (0
        when absent)."""
        return dict(self._data.step_counts())

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self._data)

    def to_dicts(self) -> List[Dict[str, Any]]:
        """The steps as the JSON contract's dicts."""
        result: List[Dict[str, Any]] = json.loads(self._data.steps_json())
        return result

    def to_dict(self) -> Dict[str, Any]:
        """The plan as the JSON contract's dict (``as_of``, ``policy``,
        ``steps``): what ``keyrot plan --format json`` prints and the golden
        cases' ``expected_plan.json`` hold."""
        result: Dict[str, Any] = json.loads(self._data.to_json())
        return result

    def to_json(self, indent: Optional[int] = None) -> str:
        """The JSON contract as text, compact or indented."""
        return self._data.to_json(indent)

    def to_pandas(self) -> "pandas.DataFrame":
        """The steps as a pandas DataFrame, one row per step (one per user
        with something to do).

        ``step`` is a categorical with every step of ``STEPS``;
        ``slot_1_role`` and ``slot_2_role`` say what the step does with each
        slot's key (``target``, ``old``, ``new``, ``inactive``; null when it
        does not concern it); ``checks``, ``commands`` and ``notes`` are
        text, one line each, joined by ``"\\n"`` (empty when there are none:
        ``.str.split("\\n")`` gives the lists back; ``print()`` gives lines to
        paste); ``delete_after`` is ``datetime64[us, UTC]``. With a
        ``source`` column first for a plan of ``ManyAnalysis.plan()``.
        Needs pandas 2.0 or later.
        """
        from . import _frames

        return _frames.to_pandas(self._data)

    def __arrow_c_stream__(self, requested_schema: Optional[object] = None) -> object:
        """The table as an Arrow C stream (the Arrow PyCapsule interface):
        ``pyarrow.table(x)``, ``polars.DataFrame(x)``, ``duckdb.sql("select *
        from x")`` and ``pandas.DataFrame.from_arrow(x)`` read it without a
        copy. ``requested_schema`` is not honoured: the schema is fixed
        (see the README's Arrow section)."""
        return self._data.__arrow_c_stream__(requested_schema)

    def to_polars(self) -> "polars.DataFrame":
        """The steps as a polars DataFrame, with the columns and types of
        ``to_pandas()`` (``step`` as an ``Enum``)."""
        from . import _frames

        return _frames.to_polars(self._data)

    def _repr_html_(self) -> str:
        from . import _html

        return _html.plan_html(self)

    def __repr__(self) -> str:
        counts = ", ".join(f"{step}={n}" for step, n in self.counts.items() if n)
        source = f" {self.source!r}" if self.source is not None else ""
        return (
            f"<keyrot.Plan{source} {len(self)} step{'s' if len(self) != 1 else ''}"
            f"{' (' + counts + ')' if counts else ''}; as_of {self._data.as_of_text()}>"
        )


class Diff:
    """What changed from an older report to a newer one of the same
    accounts: keys rotated, created and deleted, users added and removed,
    and keys that became, stayed or stopped being overdue.

    Keys are matched by user and creation time (``last_rotated``), never by
    slot (slots move). Each report is judged at its own time: ``old`` and
    ``new`` say when and why then. Iterating gives the changes (``Change``
    objects: users in the new report's order, then users removed); ``len()``
    is their number. ``to_dict()`` is exactly the JSON contract (``keyrot
    diff --format json``).
    """

    __slots__ = ("_changes", "_data", "_policy")

    def __init__(self, data: _native.DiffData) -> None:
        self._data = data
        self._changes: Optional[Tuple[Change, ...]] = None
        self._policy: Optional[Policy] = None

    @property
    def policy(self) -> Policy:
        """The policy both reports were judged by."""
        if self._policy is None:
            self._policy = Policy(**self._data.policy())
        return self._policy

    @property
    def old(self) -> DiffSide:
        """The older report: ``as_of``, ``as_of_source`` (``explicit``,
        ``report`` or ``newest_timestamp``), ``generated_time``, ``keys``,
        ``fail``."""
        return self._data.old

    @property
    def new(self) -> DiffSide:
        """The newer report (``as_of_source``: ``explicit``, ``report`` or
        ``clock``)."""
        return self._data.new

    @property
    def counts(self) -> Dict[str, int]:
        """How many changes of each kind, every kind of ``CHANGES`` listed
        (0 when absent; ``to_dict()["counts"]`` lists only those present)."""
        return dict(self._data.counts())

    @property
    def changes(self) -> Tuple[Change, ...]:
        """Every change: users in the new report's order, then users
        removed."""
        if self._changes is None:
            self._changes = tuple(self._data.changes())
        return self._changes

    def became_overdue(self) -> bool:
        """Whether a key became overdue since the old report (a
        ``newly_overdue`` change: the command's exit status 1)."""
        return self._data.became_overdue()

    def __iter__(self) -> Iterator[Change]:
        return iter(self.changes)

    def __len__(self) -> int:
        return len(self._data)

    def to_dicts(self) -> List[Dict[str, Any]]:
        """The changes as the JSON contract's dicts."""
        result: List[Dict[str, Any]] = json.loads(self._data.changes_json())
        return result

    def to_dict(self) -> Dict[str, Any]:
        """The diff as the JSON contract's dict (``policy``, ``old``,
        ``new``, ``counts``, ``changes``)."""
        result: Dict[str, Any] = json.loads(self._data.to_json())
        return result

    def to_json(self, indent: Optional[int] = None) -> str:
        """The JSON contract as text, compact or indented."""
        return self._data.to_json(indent)

    def to_pandas(self) -> "pandas.DataFrame":
        """The changes as a pandas DataFrame, one row per change: ``change``
        (a categorical with every kind of ``CHANGES``), ``account_id``,
        ``user``, each side's key (``old_slot``/``new_slot`` ``Int8``,
        ``old_last_rotated``/``new_last_rotated`` ``datetime64[us, UTC]``,
        ``old_status``/``new_status`` ordered categoricals,
        ``old_active``/``new_active`` nullable ``boolean``; null where that
        side has no key), ``overdue_days`` (``Int64``) and ``message``.
        Needs pandas 2.0 or later."""
        from . import _frames

        return _frames.to_pandas(self._data)

    def __arrow_c_stream__(self, requested_schema: Optional[object] = None) -> object:
        """The table as an Arrow C stream (the Arrow PyCapsule interface):
        ``pyarrow.table(x)``, ``polars.DataFrame(x)``, ``duckdb.sql("select *
        from x")`` and ``pandas.DataFrame.from_arrow(x)`` read it without a
        copy. ``requested_schema`` is not honoured: the schema is fixed
        (see the README's Arrow section)."""
        return self._data.__arrow_c_stream__(requested_schema)

    def to_polars(self) -> "polars.DataFrame":
        """The changes as a polars DataFrame, typed as in ``to_pandas()``."""
        from . import _frames

        return _frames.to_polars(self._data)

    def _repr_html_(self) -> str:
        from . import _html

        return _html.diff_html(self)

    def __repr__(self) -> str:
        counts = ", ".join(f"{change}={n}" for change, n in self.counts.items() if n)
        overdue = "; a key became overdue" if self.became_overdue() else ""
        return (
            f"<keyrot.Diff {len(self)} change{'s' if len(self) != 1 else ''}"
            f"{' (' + counts + ')' if counts else ''}{overdue}>"
        )


def analyze(
    source: "Source",
    *,
    as_of: Union[datetime, str, None] = None,
    max_age_days: int = 90,
    warn_days: int = 14,
    include_inactive: bool = False,
    granularity: str = "exact",
    grace_days: int = 7,
    lenient: bool = False,
    format: str = "auto",
    rules: Union[str, Sequence[str], None] = None,
    cis_version: Optional[str] = None,
    unused_days: int = 45,
    root_use_days: int = 1,
    setup_seconds: int = 600,
    rotation_window_days: int = 14,
    exemptions: Optional["ExemptionsSource"] = None,
    threads: Optional[int] = None,
) -> Analysis:
    """Reads a credential report and judges every access key in it.

    Args:
        source: a path (``str`` or ``os.PathLike``), ``bytes``, a ``str``
            holding the report (CSV, base64 or the AWS CLI's JSON), a binary
            file object, or the dict boto3's ``iam.get_credential_report()``
            returns. A ``str`` with no line break that names an existing
            file is a path; see the README for the whole rule.
        as_of: the evaluation instant, an aware ``datetime`` or RFC 3339
            text. Default: the report's ``GeneratedTime`` when the source
            carries one (a boto3 response, the CLI's JSON), else now.
        max_age_days: a key older than this fails (1 to 3650).
        warn_days: an active key within this many days of the limit is
            ``due_soon``; 0 disables.
        include_inactive: count inactive keys over the limit as failing.
        granularity: ``exact`` (to the second) or ``whole_days`` (Prowler's
            floor of days).
        grace_days: rotation plan only (0 to 365); recorded in the policy.
        lenient: keep going past bad rows (each becomes a ``row_error``
            anomaly and its keys ``invalid``) instead of raising.
        format: ``auto``, ``csv``, ``base64`` or ``cli_json``.
        rules: the CIS checks to judge: rule ids (a list, or one string
            separated by commas) or ``"all"``; default ``access_key_rotated``
            alone. With any other, every finding has ``rule`` and ``cis``
            in its dict, and the summary counts each rule.
        cis_version: the CIS version whose numbers label the findings
            (``"v1.4.0"``, ``"1.4"``, ...); default the newest.
        unused_days: ``access_key_unused`` and ``console_password_unused``:
            this many days or more without use fails (the benchmark's "45
            days or greater").
        root_use_days: ``root_recent_use``: a use within this many days fails.
        setup_seconds: ``no_key_at_setup``: a key made within this many
            seconds of its user.
        rotation_window_days: ``one_active_key``: two active keys, one over
            the limit, are a rotation in progress (``due_soon``) while the
            newer is at most this many days old; after that the rotation was
            abandoned and fails.
        exemptions: accepted exceptions to the rule: the TOML text of an
            exemptions file, a path to one, or a list of dicts with
            ``account``, ``user``, optional ``slot``, ``reason``, ``owner``
            and ``expires`` (a ``datetime.date`` or ``"YYYY-MM-DD"``). A key
            an exemption in force covers keeps its status, gets
            ``exempted``, and does not count against compliance.
        threads: how many threads judge the report (1 to 256; default: one
            per core, one per 4 MB of input at most). The result does
            not depend on it.

    Raises:
        ParseError: the input is not a readable credential report.
        PolicyError: an option is out of range, ``as_of`` is naive or
            malformed, or the exemptions are not a valid TOML file.
        FileNotFoundError: (and other ``OSError``) the path cannot be opened.
    """
    resolved = resolve(source, format)
    if isinstance(resolved, DataSource) and resolved.format is not None:
        format = resolved.format
    options = _native.Options(
        as_of=as_of,
        clock=datetime.now(timezone.utc),
        max_age_days=max_age_days,
        warn_days=warn_days,
        include_inactive=include_inactive,
        granularity=granularity,
        grace_days=grace_days,
        lenient=lenient,
        format=format,
        rules=rules,
        cis_version=cis_version,
        unused_days=unused_days,
        root_use_days=root_use_days,
        setup_seconds=setup_seconds,
        rotation_window_days=rotation_window_days,
    )
    checked = resolve_exemptions(exemptions)
    if isinstance(resolved, FileSource):
        return Analysis(_native.analyze_file(resolved.path, options, checked, threads=threads))
    return Analysis(_native.analyze_bytes(resolved.data, options, checked, threads=threads))


def analyze_many(
    sources: Union[Mapping[str, "Source"], Iterable["Source"]],
    *,
    as_of: Union[datetime, str, None] = None,
    max_age_days: int = 90,
    warn_days: int = 14,
    include_inactive: bool = False,
    granularity: str = "exact",
    grace_days: int = 7,
    lenient: bool = False,
    format: str = "auto",
    rules: Union[str, Sequence[str], None] = None,
    cis_version: Optional[str] = None,
    unused_days: int = 45,
    root_use_days: int = 1,
    setup_seconds: int = 600,
    rotation_window_days: int = 14,
    exemptions: Optional["ExemptionsSource"] = None,
) -> ManyAnalysis:
    """Judges several reports together: one verdict, counts per account
    across them, each finding and anomaly naming its report.

    ``sources`` is a dict from a name to a source, or a list of sources (a
    path is then named by itself, other sources ``#1``, ``#2``, … by
    position). Each source is taken as by ``analyze``; each report is
    judged at ``as_of`` when given, else at its own ``GeneratedTime``, else
    now. The same account in several reports is an
    ``account_in_several_files`` anomaly, the same user a ``duplicate_user``
    anomaly: never a silent merge. A report that cannot be read (or opened)
    is listed in ``failed()`` and does not stop the others.
    """
    if isinstance(sources, (str, bytes, bytearray, memoryview, os.PathLike)) or (
        isinstance(sources, Mapping) and "Content" in sources
    ):
        raise TypeError(
            "analyze_many() takes a list of sources or a dict from names to sources; "
            "for one report, use analyze() or pass [source]"
        )
    if isinstance(sources, Mapping):
        named = [(str(name), source) for name, source in sources.items()]
    else:
        named = []
        for position, source in enumerate(sources, start=1):
            is_path = isinstance(source, os.PathLike) or (
                isinstance(source, str) and isinstance(resolve(source, format), FileSource)
            )
            named.append(
                (os.fspath(cast("Union[str, os.PathLike[str]]", source)) if is_path else f"#{position}", source)
            )
    inputs: List[Tuple[str, Any]] = []
    for name, source in named:
        # A boto3 response becomes the JSON the core detects by itself.
        resolved = resolve(source, format)
        inputs.append((name, resolved.path if isinstance(resolved, FileSource) else resolved.data))
    options = _native.Options(
        as_of=as_of,
        clock=datetime.now(timezone.utc),
        max_age_days=max_age_days,
        warn_days=warn_days,
        include_inactive=include_inactive,
        granularity=granularity,
        grace_days=grace_days,
        lenient=lenient,
        format=format,
        rules=rules,
        cis_version=cis_version,
        unused_days=unused_days,
        root_use_days=root_use_days,
        setup_seconds=setup_seconds,
        rotation_window_days=rotation_window_days,
    )
    return ManyAnalysis(_native.analyze_many(inputs, options, resolve_exemptions(exemptions)))


def parse(source: "Source", *, lenient: bool = False, format: str = "auto") -> Report:
    """Reads a credential report into typed rows, without judging it.

    ``source`` is taken as by ``analyze``. In strict mode (the default) the
    first bad cell raises ``ParseError``; with ``lenient=True`` bad rows are
    kept and each problem becomes a ``row_error`` anomaly.
    """
    resolved = resolve(source, format)
    if isinstance(resolved, DataSource) and resolved.format is not None:
        format = resolved.format
    if isinstance(resolved, FileSource):
        return Report(_native.parse_file(resolved.path, lenient=lenient, format=format))
    return Report(_native.parse_bytes(resolved.data, lenient=lenient, format=format))


def _native_input(resolved: Resolved) -> Union[bytes, str, "os.PathLike[str]"]:
    return resolved.path if isinstance(resolved, FileSource) else resolved.data


def diff(
    old: "Source",
    new: "Source",
    *,
    as_of: Union[datetime, str, None] = None,
    old_as_of: Union[datetime, str, None] = None,
    max_age_days: int = 90,
    warn_days: int = 14,
    include_inactive: bool = False,
    granularity: str = "exact",
    lenient: bool = False,
    format: str = "auto",
) -> Diff:
    """What changed from an older report to a newer one of the same
    accounts (``keyrot diff``).

    ``old`` and ``new`` are taken as by ``analyze`` (a path, bytes, a
    ``str`` holding the report, a binary file object, or boto3's
    ``get_credential_report()`` response). Each report is judged at its own
    time, under the same policy:

    - the new one at ``as_of``, else its ``GeneratedTime`` (a boto3
      response, the CLI's JSON), else now;
    - the old one at ``old_as_of``, else its ``GeneratedTime``, else its
      newest timestamp (a lower bound for when it was made).

    ``Diff.old.as_of_source`` and ``Diff.new.as_of_source`` say which.

    Raises:
        ParseError: a report cannot be read (the message says which).
        PolicyError: an option is out of range; ``as_of`` or ``old_as_of``
            is naive or malformed; the old report has no time to be judged
            at (``invalid_as_of``, column ``old_as_of``).
        FileNotFoundError: (and other ``OSError``) a path cannot be opened.
    """
    old_resolved = resolve(old, format)
    new_resolved = resolve(new, format)
    options = _native.Options(
        as_of=as_of,
        clock=datetime.now(timezone.utc),
        max_age_days=max_age_days,
        warn_days=warn_days,
        include_inactive=include_inactive,
        granularity=granularity,
        lenient=lenient,
        format=format,
    )

    def side_format(resolved: Resolved) -> Optional[str]:
        return resolved.format if isinstance(resolved, DataSource) else None

    return Diff(
        _native.diff(
            _native_input(old_resolved),
            _native_input(new_resolved),
            options,
            old_as_of=old_as_of,
            old_format=side_format(old_resolved),
            new_format=side_format(new_resolved),
        )
    )


# Shown as keyrot.X in reprs and tracebacks.
for _cls in (KeyrotError, ParseError, PolicyError):
    _cls.__module__ = __name__
del _cls
