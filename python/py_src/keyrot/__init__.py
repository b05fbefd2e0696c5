"""keyrot: judge every access key in a saved AWS IAM credential report against
the 90-day rotation rule, offline.

>>> import keyrot
>>> analysis = keyrot.analyze("credential-report.csv")      # doctest: +SKIP
>>> analysis.to_pandas().query("status == 'fail'")          # doctest: +SKIP

``analyze`` judges a report (a path, bytes, text, a binary file object, or
the dict boto3's ``iam.get_credential_report()`` returns); ``analyze_many``
judges several together (an organisation's accounts: a folder, a glob
pattern, a list or a dict of reports); ``parse`` reads the rows without
judging them. ``plan`` (and ``Analysis.plan()``) gives each user's next
step of the rotation workflow, with the ``aws iam`` commands to run after
checking; ``diff`` says what changed between an older and a newer report.
All run in the Rust core with the GIL released, and every result serializes
to the JSON contract that keyrot's command line and JavaScript package
share.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timezone
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Tuple,
    Union,
)

from . import _native
from ._errors import KeyrotError, ParseError, PolicyError, _sentence
from ._history import History, history
from ._names import ANOMALY_CODES, CHANGES, RULES, STATUSES, STEPS
from ._native import Finding, Row
from ._options import (
    AnalyzeOptions,
    DiffOptions,
    ManyOptions,
    PlanFormat,
    PlanKeys,
    PlanOptions,
    ReadOptions,
    Source,
    _default,
    takes,
)
from ._records import (
    AccountSummary,
    Anomaly,
    Change,
    ChangedKey,
    Counts,
    DiffSide,
    PlanKey,
    Policy,
    ReportOutcome,
    Step,
    Summary,
    _time,
)
from ._source import DataSource, FileSource, Resolved, access_keys_json, many_inputs, resolve, resolve_exemptions
from ._source import report_paths as _paths

if TYPE_CHECKING:
    import pandas
    import polars
    import pyarrow
    from matplotlib.axes import Axes
    from typing_extensions import Unpack

__version__: str = _native.__version__

__all__ = [
    "ANOMALY_CODES",
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
    "FindingStream",
    "History",
    "KeyrotError",
    "ManyAnalysis",
    "ParseError",
    "Plan",
    "PlanKey",
    "Policy",
    "PolicyError",
    "RULES",
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
    "plan",
    "stream",
]


def _instant(text: str) -> datetime:
    """An instant the contract always holds, as an aware ``datetime``."""
    instant = _time(text)
    assert instant is not None, text
    return instant


class _Table:
    """What every result with a table shares: ``len()``, the JSON contract
    (``to_dict()``, ``to_dicts()``, ``to_json()``), the Arrow C stream and
    the DataFrames read from it, and the notebook view."""

    __slots__ = ("_cached_head", "_cached_rows", "_table")

    def __init__(self, table: _native.Table) -> None:
        self._table = table
        self._cached_head: Optional[Dict[str, Any]] = None
        self._cached_rows: Optional[Tuple[Any, ...]] = None

    def _rows(self, make: Callable[[], Tuple[Any, ...]]) -> Tuple[Any, ...]:
        """The table's rows as objects (findings, rows, steps or changes),
        made once."""
        if self._cached_rows is None:
            self._cached_rows = make()
        return self._cached_rows

    @property
    def _head(self) -> Dict[str, Any]:
        """The contract's dict without the rows."""
        if self._cached_head is None:
            self._cached_head = self._table.head()
        return self._cached_head

    def __len__(self) -> int:
        return len(self._table)

    def to_dicts(self) -> List[Dict[str, Any]]:
        """The rows of the table (findings, report rows, steps or changes)
        as the JSON contract's dicts; literals such as ``N/A`` are kept as
        text."""
        return self._table.records()

    def to_dict(self) -> Dict[str, Any]:
        """The whole result as the JSON contract's dict: what the command's
        ``--format json`` prints and the golden cases hold."""
        result: Dict[str, Any] = json.loads(self._table.to_json())
        return result

    def to_json(self, indent: Optional[int] = None) -> str:
        """The JSON contract as text, compact or indented."""
        return self._table.to_json(indent)

    def to_pandas(self) -> "pandas.DataFrame":
        """The table as a pandas DataFrame, one row per row of
        ``to_dicts()``, with the columns and dtypes the README lists:
        timestamps ``datetime64[us, UTC]`` (NaT when unknown), the columns
        with a fixed list of values (``status``, ``step``, ``change``, …)
        categoricals of every value, in order, the repeated text columns
        categoricals, nullable integers and flags ``Int64``/``Int8``/
        ``boolean``. Needs pandas 2.0 or later and pyarrow 15 or later."""
        from . import _frames

        return _frames.to_pandas(self._table)

    def to_polars(self) -> "polars.DataFrame":
        """The table as a polars DataFrame, with the columns and types of
        ``to_pandas()`` (the fixed lists of values as ``Enum``s), read
        through the Arrow stream. Needs polars (1.3 or later); not
        pyarrow."""
        from . import _frames

        return _frames.to_polars(self._table)

    def __arrow_c_stream__(self, requested_schema: Optional[object] = None) -> object:
        """The table as an Arrow C stream (the Arrow PyCapsule interface):
        ``pyarrow.table(x)``, ``polars.DataFrame(x)``, ``duckdb.sql("select *
        from x")`` and ``pandas.DataFrame.from_arrow(x)`` read it without a
        copy. ``requested_schema`` is not honoured: the schema is fixed
        (see the README's Arrow section)."""
        return self._table.__arrow_c_stream__(requested_schema)

    def _repr_html_(self) -> str:
        from . import _html

        return _html.render(self)


class _Policed(_Table):
    """A result judged under a policy (an analysis, a plan, a diff)."""

    __slots__ = ()

    @property
    def policy(self) -> Policy:
        """The policy as applied (for a plan, the analysis'; its
        ``grace_days`` decides when an inactive key may be deleted; for a
        diff, the one both reports were judged by)."""
        return Policy._from_contract(self._head["policy"])


class _Input(_Table):
    """What one report's input said about itself (``Report``, ``Analysis``)."""

    __slots__ = ()

    @property
    def input_format(self) -> str:
        """The form the input was in: ``csv``, ``base64`` or ``cli_json``
        (also for a boto3 response)."""
        return str(self._head["input_format"])

    @property
    def layout(self) -> str:
        """``current`` (22 columns) or ``legacy`` (16, before 2015)."""
        return str(self._head["layout"])

    @property
    def generated_time(self) -> Optional[datetime]:
        """The report's ``GeneratedTime``, when the input carried one."""
        return _time(self._head["generated_time"])


class Report(_Input):
    """A credential report read into typed rows, without judging it.

    Iterating gives the rows; ``len()`` is their number. ``to_pandas()`` has
    the report's column names (plus ``line``, ``account_id``, ``is_root``,
    ``malformed``), timestamps ``datetime64[us, UTC]`` and flags nullable
    ``boolean``; a cell holding a literal (``N/A``, ``no_information``,
    ``not_supported``) is null there, and ``to_dicts()`` keeps the literal.
    """

    __slots__ = ()

    @property
    def rows(self) -> Tuple[Row, ...]:
        """Every row, in input order."""
        return self._rows(lambda: tuple(self._table.views()))

    @property
    def columns(self) -> List[str]:
        """The header's column names as read (trimmed, lowercased)."""
        return list(self._head["columns"])

    @property
    def anomalies(self) -> Tuple[Anomaly, ...]:
        """Header anomalies, then one ``row_error`` per bad row (lenient)."""
        return tuple(Anomaly._from_contract(a) for a in self._head["anomalies"])

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __repr__(self) -> str:
        return f"<keyrot.Report {len(self):,} rows, {self.layout} layout, {self.input_format}>"


class Plan(_Policed):
    """The rotation plan of one report (rotation-rule.md §2): for each user
    with something to do, the one next step of the rotation workflow.

    Iterating gives the steps (``Step`` objects, in input order); ``len()``
    is their number. Commands are text for a person to run after the checks:
    every value from the report is quoted for the shell, a value holding a
    control character is kept out of them (the step's ``notes`` say so), and
    key ids not known are shell variables (``"$ACCESS_KEY_ID"``).
    ``to_dict()`` is exactly the JSON contract (``keyrot plan --format
    json``).

    ``to_pandas()`` has one row per step: ``step`` a categorical of every
    step of ``STEPS``; ``slot_1_role`` and ``slot_2_role`` what the step
    does with each slot's key (``target``, ``old``, ``new``, ``inactive``;
    null when it does not concern it); ``checks``, ``commands`` and
    ``notes`` one text each, their lines joined by ``"\\n"``
    (``.str.split("\\n")`` gives the lists back); ``delete_after``
    ``datetime64[us, UTC]``; a ``source`` column first for a plan of
    ``ManyAnalysis.plan()``.
    """

    __slots__ = ("_name",)

    def __init__(self, table: _native.Table, name: Optional[str] = None) -> None:
        super().__init__(table)
        self._name = name

    @property
    def source(self) -> Optional[str]:
        """The report the plan is for (``ManyAnalysis.plan()``); ``None``
        for ``Analysis.plan()``."""
        source: Optional[str] = self._head["source"]
        return source

    def export(self, format: PlanFormat = "markdown", *, source: Optional[str] = None) -> str:
        """The plan as ``keyrot plan --format FORMAT`` writes it for the same
        report, byte for byte: ``json``, ``markdown`` (a checklist, commands
        in fenced blocks), ``sh`` (a shell script: the read-only checks
        live, every command that changes anything commented out), ``csv``
        (one row per step) or ``table`` (the terminal's text). All are
        written by the core.

        ``source`` names the report as the command names its file (the sh
        script's ``Report:`` comment, the CSV's ``source`` column); by
        default the plan's ``source``, else the path the analysis read, else
        ``<stdin>``.

        Raises:
            PolicyError: ``format`` is not one of those.
        """
        name = source if source is not None else self.source if self.source is not None else self._name
        return self._table.export(format, name if name is not None else "<stdin>")

    def write(
        self, path: Union[str, "os.PathLike[str]"], format: PlanFormat = "markdown", *, source: Optional[str] = None
    ) -> None:
        """Writes ``export(format, source=source)`` to the file ``path``
        (UTF-8)."""
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(self.export(format, source=source))

    @property
    def as_of(self) -> datetime:
        """The evaluation instant of the analysis (aware, UTC)."""
        return _instant(self._head["as_of"])

    @property
    def steps(self) -> Tuple[Step, ...]:
        """Every step, in input order."""
        return self._rows(lambda: self._first(None))

    def _first(self, limit: Optional[int]) -> Tuple[Step, ...]:
        return tuple(Step._from_contract(s, source=self.source) for s in self._table.records(limit))

    @property
    def counts(self) -> Dict[str, int]:
        """How many steps of each kind, every step of ``STEPS`` listed (0
        when absent)."""
        return {**dict.fromkeys(STEPS, 0), **self._head["step_counts"]}

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __repr__(self) -> str:
        counts = ", ".join(f"{step}={n:,}" for step, n in self.counts.items() if n)
        source = f" {self.source!r}" if self.source is not None else ""
        return (
            f"<keyrot.Plan{source} {len(self):,} step{'s' if len(self) != 1 else ''}"
            f"{' (' + counts + ')' if counts else ''}; as_of {self._head['as_of']}>"
        )


class Diff(_Policed):
    """What changed from an older report to a newer one of the same
    accounts: keys rotated, created and deleted, users added and removed,
    and keys that became, stayed or stopped being overdue.

    Keys are matched by user and creation time (``last_rotated``), never by
    slot (slots move). Each report is judged at its own time: ``old`` and
    ``new`` say when and why then. Iterating gives the changes (``Change``
    objects: users in the new report's order, then users removed); ``len()``
    is their number. ``to_dict()`` is exactly the JSON contract (``keyrot
    diff --format json``). ``to_pandas()`` has one row per change:
    ``change``, ``account_id``, ``user``, each side's key (``old_slot``/
    ``new_slot``, ``old_last_rotated``/``new_last_rotated``,
    ``old_status``/``new_status``, ``old_active``/``new_active``; null where
    that side has no key), ``overdue_days`` and ``message``.
    """

    __slots__ = ()

    @property
    def old(self) -> DiffSide:
        """The older report: ``as_of``, ``as_of_source`` (``explicit``,
        ``date``, ``report`` or ``newest_timestamp``), ``generated_time``,
        ``keys``, ``fail``."""
        side: DiffSide = DiffSide._from_contract(self._head["old"])
        return side

    @property
    def new(self) -> DiffSide:
        """The newer report (``as_of_source``: ``explicit``, ``date``,
        ``report`` or ``clock``)."""
        side: DiffSide = DiffSide._from_contract(self._head["new"])
        return side

    @property
    def counts(self) -> Dict[str, int]:
        """How many changes of each kind, every kind of ``CHANGES`` listed
        (0 when absent; ``to_dict()["counts"]`` lists only those present)."""
        return {**dict.fromkeys(CHANGES, 0), **self._head["counts"]}

    @property
    def changes(self) -> Tuple[Change, ...]:
        """Every change: users in the new report's order, then users
        removed."""
        return self._rows(lambda: tuple(Change._from_contract(c) for c in self._table.records()))

    def became_overdue(self) -> bool:
        """Whether a key became overdue since the old report (a
        ``newly_overdue`` change: the command's exit status 1)."""
        return bool(self._head["became_overdue"])

    def __iter__(self) -> Iterator[Change]:
        return iter(self.changes)

    def __repr__(self) -> str:
        counts = ", ".join(f"{change}={n:,}" for change, n in self.counts.items() if n)
        overdue = "; a key became overdue" if self.became_overdue() else ""
        return (
            f"<keyrot.Diff {len(self):,} change{'s' if len(self) != 1 else ''}"
            f"{' (' + counts + ')' if counts else ''}{overdue}>"
        )


class _Judged(_Policed):
    """What ``Analysis`` and ``ManyAnalysis`` share: the findings, the
    counts and the anomalies."""

    __slots__ = ()

    @property
    def summary(self) -> Summary:
        """The counts, overall and per account."""
        return Summary._from_contract(self._head["summary"])

    @property
    def compliant(self) -> bool:
        """Whether no key fails and none is invalid (exempted keys aside)."""
        return bool(self._head["summary"]["compliant"])

    @property
    def findings(self) -> Tuple[Finding, ...]:
        """Every finding, in input order."""
        return self._rows(lambda: tuple(self._table.views()))

    @property
    def anomalies(self) -> Tuple[Anomaly, ...]:
        """What a person must see that is not a finding (duplicate users, a
        stale report, unknown columns, bad rows in lenient mode, …): the
        first 100 of each code of each report (see ``anomalies_omitted``)."""
        return tuple(Anomaly._from_contract(a) for a in self._head["anomalies"])

    @property
    def anomalies_omitted(self) -> Dict[str, int]:
        """Per anomaly code, how many more were found than ``anomalies``
        holds (every anomaly is counted; the first 100 of each code of each
        report are kept). Empty unless a report repeats a problem on more
        than 100 rows."""
        return dict(self._head.get("anomalies_omitted", {}))

    def failing(self) -> List[Finding]:
        """The findings that make the result non-compliant: status ``fail``
        or ``invalid``, not exempted. In input order."""
        return [f for f in self._table.views(list(_native.NON_COMPLIANT)) if f.exempted is None]

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def _verdict(self) -> str:
        return str(self._head["verdict"])

    def age_chart(self) -> Dict[str, Any]:
        """The keys' ages counted in the core's buckets (the ones the page,
        the HTML report and ``plot()`` draw: a week wide up to the limit,
        then 6 months, 1, 2, 5 and 10 years and older), invalid keys and
        keys dated after ``as_of`` left out (counted in ``unusable``).

        A dict: ``bins`` (each with ``start`` and ``end`` in days, ``end``
        ``None`` for the last open bucket, ``label`` and ``counts`` per
        status: ``fail``, ``due_soon``, ``pass``, ``inactive``), ``shown``,
        ``unusable``, ``tallest``, ``oldest`` and ``max_age_days``."""
        chart: Dict[str, Any] = self._table.chart(600)
        del chart["svg"]
        return chart

    def plot(self, ax: Optional["Axes"] = None) -> "Axes":
        """Draws the keys' ages with matplotlib, in the core's buckets (see
        ``age_chart()``): a stacked bar per bucket (fail, due soon, pass,
        inactive), the limit marked. Invalid keys are left out (they have no
        usable age). Draws on ``ax`` when given, else on a new figure;
        returns the Axes.

        Raises:
            ImportError: matplotlib is not installed (``pip install
                matplotlib``).
        """
        from . import _plot

        return _plot.plot(self._table.chart(600), ax)

    def to_html(self) -> str:
        """The HTML report a person opens and forwards, byte for byte what
        ``keyrot check --format html`` writes for the same reports and
        options: the verdict, each check's and account's counts, the age
        chart, the findings in triage order, the plan and the evidence. One
        self-contained file: no script, nothing loaded."""
        return self._table.to_html(self._name())

    def write_html(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes ``to_html()`` to the file ``path`` (UTF-8)."""
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(self.to_html())

    def _name(self) -> str:
        """The report's name as the command names it: its path as given, or
        ``<stdin>`` for data."""
        return "<stdin>"


class _Made(NamedTuple):
    """What an analysis was made from, to read it again for ``diff``."""

    source: Resolved
    lenient: bool


class Analysis(_Judged, _Input):
    """The result of judging one report.

    Iterating gives the findings (one per access key, in input order, slot 1
    before slot 2); ``len()`` is their number. ``to_dict()`` is exactly the
    JSON contract; ``to_pandas()`` and ``to_polars()`` build a table with
    proper dtypes straight from columns made in Rust. An analysis keeps what
    it was read from (the path, or the bytes as given) so that ``diff`` can
    compare two analyses.
    """

    __slots__ = ("_made",)

    def __init__(self, table: _native.Table, made: Optional[_Made] = None) -> None:
        super().__init__(table)
        self._made = made

    @property
    def as_of(self) -> datetime:
        """The evaluation instant (aware, UTC)."""
        return _instant(self._head["as_of"])

    @property
    def as_of_source(self) -> str:
        """Where ``as_of`` came from: ``explicit`` (the argument), ``date``
        (the argument, a date alone: its midnight UTC), ``report`` (the
        report's ``GeneratedTime``) or ``clock`` (the current time)."""
        return str(self._head["as_of_source"])

    @property
    def input_sha256(self) -> Optional[str]:
        """The lowercase hex SHA-256 of the input's bytes, as given (before a
        base64 or JSON wrapper is taken off): the evidence of exactly what
        was judged."""
        sha256: Optional[str] = self._head.get("input_sha256")
        return sha256

    @property
    def newest_timestamp(self) -> Optional[datetime]:
        """The latest timestamp in the report: a lower bound for when it was
        generated."""
        return _time(self._head["newest_timestamp"])

    @takes(PlanKeys)
    def plan(self, **options: Unpack[PlanKeys]) -> Plan:
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
        return Plan(self._table.plans(_access_keys(options))[0], self._name())

    def _name(self) -> str:
        source = None if self._made is None else self._made.source
        return os.fspath(source.path) if isinstance(source, FileSource) else "<stdin>"

    def _input(self, side: str) -> Union[bytes, str, "os.PathLike[str]"]:
        """What the analysis was read from, to read again as the ``side``
        report of a diff: its bytes, or its file, checked to be unchanged."""
        if self._made is None:
            raise TypeError("this analysis keeps no source to compare")
        source = self._made.source
        if isinstance(source, DataSource):
            return source.data
        digest = hashlib.sha256()
        with open(source.path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != self.input_sha256:
            message = f"the {side} report changed since it was analyzed (its SHA-256 is not the analysis' input_sha256)"
            raise ParseError(_sentence(message), code="io", value=os.fspath(source.path))
        return source.path

    def __repr__(self) -> str:
        return f"<keyrot.Analysis {self._verdict()}; as_of {self._head['as_of']} ({self.as_of_source})>"


class ManyAnalysis(_Judged):
    """Several reports judged together (one per account, say): one verdict,
    the counts per account across them, and every finding and anomaly naming
    its ``source``. Each report is judged at its own ``as_of``, unless
    ``as_of`` is given.

    An input that cannot be read does not stop the others: it is listed in
    ``failed()`` with its error, and its findings are left out. ``compliant``
    speaks for the reports that were judged; check ``failed()`` too.
    """

    __slots__ = ()

    @property
    def reports(self) -> Tuple[ReportOutcome, ...]:
        """What happened to each input, in the order given."""
        errors = self._table.errors()
        return tuple(ReportOutcome._from_contract(r, error=e) for r, e in zip(self._head["reports"], errors))

    def failed(self) -> List[ReportOutcome]:
        """The inputs that could not be judged, each with its ``error``."""
        return [r for r in self.reports if r.error is not None]

    @takes(PlanKeys)
    def plan(self, **options: Unpack[PlanKeys]) -> Dict[str, Plan]:
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
        plans: Dict[str, Plan] = {}
        for table in self._table.plans(_access_keys(options)):
            plan = Plan(table)
            name = plan.source or ""
            if name in plans:
                raise ValueError(
                    f"two reports are named {name!r}, so their plans cannot be told apart: "
                    "pass analyze_many() a dict from distinct names to sources"
                )
            plans[name] = plan
        return plans

    def __repr__(self) -> str:
        failed = len(self.failed())
        failures = f"; {failed:,} of {len(self.reports):,} reports could not be read" if failed else ""
        return f"<keyrot.ManyAnalysis {len(self.reports):,} reports, {self._verdict()}{failures}>"


def _access_keys(options: Mapping[str, Any]) -> Optional[bytes]:
    keys = options.get("access_keys")
    return None if keys is None else access_keys_json(keys)


def _core(given: Mapping[str, Any]) -> _native.Options:
    """The core's options from the keywords given (the package's own left
    out by the caller), with the current time as the last resort for
    ``as_of``."""
    return _native.Options(clock=datetime.now(timezone.utc), **given)


def _native_input(resolved: Resolved) -> Union[bytes, str, "os.PathLike[str]"]:
    return resolved.path if isinstance(resolved, FileSource) else resolved.data


def _read(source: Source, given: Dict[str, Any]) -> Resolved:
    """Classifies ``source``; a kind of source that decides the format (a
    boto3 response) sets it in ``given``."""
    resolved = resolve(source, given.get("format") or _default("format"))
    if isinstance(resolved, DataSource) and resolved.format is not None:
        given["format"] = resolved.format
    return resolved


@takes(AnalyzeOptions)
def analyze(source: Source, **options: Unpack[AnalyzeOptions]) -> Analysis:
    """Reads a credential report and judges every access key in it.

    Args:
        source: a path (``str`` or ``os.PathLike``), ``bytes``, a ``str``
            holding the report (CSV, base64 or the AWS CLI's JSON), a binary
            file object, or the dict boto3's ``iam.get_credential_report()``
            returns. A ``str`` with no line break that names an existing
            file is a path; see the README for the whole rule.
        as_of: the evaluation instant: an aware ``datetime``, a
            ``datetime.date`` or a date alone (``"2026-11-26"``: its
            midnight UTC, ``as_of_source`` ``date``), or RFC 3339 text.
            Default: the report's ``GeneratedTime`` when the source carries
            one (a boto3 response, the CLI's JSON), else now.
        max_age_days: a key older than this fails (1 to 3650).
        warn_days: an active key within this many days of the limit is
            ``due_soon``; 0 disables.
        include_inactive: count inactive keys over the limit as failing.
        granularity: ``exact`` (to the second) or ``whole_days`` (Prowler's
            floor of days).
        lenient: keep going past bad rows (each becomes a ``row_error``
            anomaly and its keys ``invalid``) instead of raising.
        format: ``auto``, ``csv``, ``base64`` or ``cli_json``.
        grace_days: rotation plan only (0 to 365); recorded in the policy.
        rules: the CIS checks to judge: rule ids (``keyrot.RULES``; a list,
            or one string separated by commas) or ``"all"``; default
            ``access_key_rotated`` alone. With any other, every finding has
            ``rule`` and ``cis`` in its dict, and the summary counts each
            rule.
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
        PolicyError: an option is unknown (the message suggests the one
            meant) or out of range, ``as_of`` is naive or malformed, or the
            exemptions are not a valid TOML file.
        FileNotFoundError: (and other ``OSError``) the path cannot be opened.
    """
    given: Dict[str, Any] = dict(options)
    exemptions = resolve_exemptions(given.pop("exemptions", None))
    threads = given.pop("threads", None)
    resolved = _read(source, given)
    table = _native.analyze(_native_input(resolved), _core(given), exemptions, threads=threads)
    return Analysis(table, _Made(resolved, bool(given.get("lenient"))))


@takes(ManyOptions)
def analyze_many(
    sources: Union[Mapping[str, Source], Iterable[Source], str, "os.PathLike[str]"], **options: Unpack[ManyOptions]
) -> ManyAnalysis:
    """Judges several reports together: one verdict, counts per account
    across them, each finding and anomaly naming its report.

    ``sources`` is a folder (its regular files, hidden ones left out, in
    name order: as ``keyrot check folder/`` takes it), a glob pattern
    (``"reports/*.csv"``: the files it matches, in name order), a dict from
    a name to a source, or a list of sources; a file is named by its path,
    and a list's other sources ``#1``, ``#2``, … by position. Each source is
    taken as by ``analyze``, with the same options (but ``threads``); each
    report is judged at ``as_of`` when given, else at its own
    ``GeneratedTime``, else now. The same account in several reports is an
    ``account_in_several_files`` anomaly, the same user a ``duplicate_user``
    anomaly: never a silent merge. A report that cannot be read (or opened)
    is listed in ``failed()`` and does not stop the others; a folder with no
    report, or a pattern that matches no file, raises ``FileNotFoundError``.
    """
    given: Dict[str, Any] = dict(options)
    exemptions = resolve_exemptions(given.pop("exemptions", None))
    inputs = many_inputs(sources, given.get("format") or _default("format"))
    return ManyAnalysis(_native.analyze_many(inputs, _core(given), exemptions))


class FindingStream:
    """The findings of one report or several as Arrow record batches, made on
    the judging threads while the reports are read (``keyrot.stream``).

    It implements the Arrow PyCapsule interface, so ``pyarrow.table(s)``,
    ``polars.DataFrame(s)`` and DuckDB read it directly, and ``to_arrow()``,
    ``to_pandas()`` and ``to_polars()`` build the same tables as an
    ``Analysis``' (its columns are ``keyrot.arrow``'s, ``source`` first for
    several reports). No analysis is held: no counts, no anomalies, no
    plan; use ``analyze`` for those. A stream is read once.

    A report that cannot be read ends the stream with its error, after the
    rows before it: it fails closed. ``to_arrow()``, ``to_pandas()`` and
    ``to_polars()`` raise that error as ``analyze`` would (``ParseError``
    with its code, line and column, naming the report); a consumer reading
    the capsule itself gets its Arrow error with the same message.
    """

    def __init__(self, native: "_native.FindingStream") -> None:
        self._native = native

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        return self._native.__arrow_c_stream__(requested_schema)

    def __arrow_c_schema__(self) -> object:
        return self._native.__arrow_c_schema__()

    def _read(self, read: Callable[[Any], Any]) -> Any:
        try:
            return read(self._native)
        except Exception as error:
            kept = self._native.error()
            if kept is None:
                raise
            raise kept from error

    def to_arrow(self) -> "pyarrow.Table":
        """A ``pyarrow.Table`` of the findings."""
        from . import _frames

        pa = _frames._import_pandas()[1]
        table: "pyarrow.Table" = self._read(pa.table)
        return table

    def to_pandas(self) -> "pandas.DataFrame":
        """A pandas DataFrame, with the dtypes of ``Analysis.to_pandas()``."""
        from . import _frames

        frame: "pandas.DataFrame" = self._read(_frames.to_pandas)
        return frame

    def to_polars(self) -> "polars.DataFrame":
        """A polars DataFrame, with the dtypes of ``Analysis.to_polars()``."""
        from . import _frames

        frame: "polars.DataFrame" = self._read(_frames.to_polars)
        return frame

    def __repr__(self) -> str:
        return "<keyrot.FindingStream: findings as Arrow record batches, read once>"


@takes(AnalyzeOptions)
def stream(sources: Any, **options: Unpack[AnalyzeOptions]) -> FindingStream:
    """Judges one report, or several, and streams the findings as Arrow
    record batches made while they are read: the fastest way from a path
    to ``pyarrow.table``, ``polars.DataFrame`` or pandas, holding no
    analysis.

    ``sources`` is one source, taken as by ``analyze``, or several, taken as
    by ``analyze_many`` (a folder, a glob pattern, a list, a dict from names
    to sources); several give a ``source`` column first. The options are
    ``analyze``'s. Unlike ``analyze_many``, a report that cannot be read
    does not leave the others to stand alone: it ends the stream with its
    error (see ``FindingStream``).
    """
    given: Dict[str, Any] = dict(options)
    exemptions = resolve_exemptions(given.pop("exemptions", None))
    threads = given.pop("threads", None)
    listed = isinstance(sources, (list, tuple)) or (isinstance(sources, Mapping) and "Content" not in sources)
    # A folder or a glob is listed once, here; its files are then a list.
    paths = None if listed else _paths(sources)
    several = listed or paths is not None
    if several:
        inputs = many_inputs(sources if paths is None else paths, given.get("format") or _default("format"))
    else:
        resolved = _read(sources, given)
        name = os.fspath(resolved.path) if isinstance(resolved, FileSource) else "#1"
        inputs = [(name, _native_input(resolved))]
    native = _native.stream(inputs, _core(given), exemptions, threads=threads, with_source=several)
    return FindingStream(native)


@takes(PlanOptions)
def plan(source: Source, **options: Unpack[PlanOptions]) -> Plan:
    """The rotation plan of a report (what ``keyrot plan`` prints): judges
    it as ``analyze`` does, with the same options, and returns
    ``Analysis.plan()``, with ``access_keys`` taken as there."""
    given: Dict[str, Any] = dict(options)
    access_keys = given.pop("access_keys", None)
    return analyze(source, **given).plan(access_keys=access_keys)


@takes(ReadOptions)
def parse(source: Source, **options: Unpack[ReadOptions]) -> Report:
    """Reads a credential report into typed rows, without judging it.

    ``source`` is taken as by ``analyze``. In strict mode (the default) the
    first bad cell raises ``ParseError``; with ``lenient=True`` bad rows are
    kept and each problem becomes a ``row_error`` anomaly.
    """
    given: Dict[str, Any] = dict(options)
    resolved = _read(source, given)
    return Report(_native.parse(_native_input(resolved), _native.Options(**given)))


def _side(value: Union[Source, Analysis], side: str, format: str) -> Tuple[Any, Optional[str]]:
    """One report of a diff, and the format that reads it when the kind of
    source decides it."""
    if isinstance(value, ManyAnalysis):
        raise TypeError(f"diff() compares two reports: `{side}` is several; pass one report or its Analysis")
    if isinstance(value, Analysis):
        return value._input(side), value.input_format
    resolved = resolve(value, format)
    return _native_input(resolved), resolved.format if isinstance(resolved, DataSource) else None


def _judged_like(old: Any, new: Any, given: Mapping[str, Any]) -> Dict[str, Any]:
    """The options of a diff of analyses: each side at its analysis' ``as_of``,
    the policy and ``lenient`` the analyses'; the keywords given win."""
    made: Dict[str, Any] = {}
    for name, value in (("old_as_of", old), ("as_of", new)):
        if isinstance(value, Analysis):
            made[name] = value.as_of
    analyses = [a for a in (old, new) if isinstance(a, Analysis)]
    for name in ("max_age_days", "warn_days", "include_inactive", "granularity"):
        values = {getattr(a.policy, name) for a in analyses}
        if len(values) > 1 and name not in given:
            message = f"the two analyses were judged with different {name} ({' and '.join(map(str, values))}): give it"
            raise PolicyError(_sentence(message, column=name), code="invalid_policy", column=name)
        if values:
            made[name] = values.pop()
    if any(a._made is not None and a._made.lenient for a in analyses):
        made["lenient"] = True
    return {**made, **given}


@takes(DiffOptions)
def diff(old: Union[Source, Analysis], new: Union[Source, Analysis], **options: Unpack[DiffOptions]) -> Diff:
    """What changed from an older report to a newer one of the same
    accounts (``keyrot diff``).

    ``old`` and ``new`` are taken as by ``analyze`` (a path, bytes, a
    ``str`` holding the report, a binary file object, or boto3's
    ``get_credential_report()`` response), or are ``Analysis`` objects
    (of ``analyze``). Each report is judged at its own time, under the same
    policy:

    - the new one at ``as_of``, else its ``GeneratedTime`` (a boto3
      response, the CLI's JSON), else now;
    - the old one at ``old_as_of``, else its ``GeneratedTime``, else its
      newest timestamp (a lower bound for when it was made).

    An ``Analysis`` is read again from what it was made of (its file,
    which must not have changed since: its SHA-256 is checked, or its
    bytes) and judged at its own ``as_of`` (``as_of_source`` then says
    ``explicit``), with its policy and ``lenient``; two analyses judged
    under different policies need the option given. The keywords given win
    over what an analysis says. ``Diff.old.as_of_source`` and
    ``Diff.new.as_of_source`` say which time each side was judged at.

    Raises:
        ParseError: a report cannot be read (the message says which), or an
            analysis' file changed since it was analyzed (``io``).
        PolicyError: an option is unknown or out of range; ``as_of`` or
            ``old_as_of`` is naive or malformed; the old report has no time
            to be judged at (``invalid_as_of``, column ``old_as_of``); two
            analyses disagree on the policy (``invalid_policy``).
        FileNotFoundError: (and other ``OSError``) a path cannot be opened.
        TypeError: ``old`` or ``new`` is a ``ManyAnalysis``.
    """
    given = _judged_like(old, new, options)
    old_as_of = given.pop("old_as_of", None)
    format = given.get("format") or _default("format")
    (old_input, old_format), (new_input, new_format) = _side(old, "old", format), _side(new, "new", format)
    table = _native.diff(
        old_input, new_input, _core(given), old_as_of=old_as_of, old_format=old_format, new_format=new_format
    )
    return Diff(table)


# Shown as keyrot.X in reprs and tracebacks.
for _cls in (KeyrotError, ParseError, PolicyError):
    _cls.__module__ = __name__
del _cls
