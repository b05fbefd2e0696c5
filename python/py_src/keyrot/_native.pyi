"""Types of the extension module ``keyrot._native`` (python/src/*.rs).

Checked against the built module in CI with ``python -m mypy.stubtest
keyrot._native``; the ``Literal`` types below are the core's lists of names,
which a test compares with the module's tuples.
"""

from datetime import date, datetime
from os import PathLike
from typing import Any, Literal, Optional, Sequence, Tuple, Union, final

from ._errors import KeyrotError, PolicyError
from ._records import Anomaly

__all__ = [
    "__version__",
    "DEFAULT_OPTIONS",
    "HISTORY_DEFAULTS",
    "STATUSES",
    "NON_COMPLIANT",
    "RULES",
    "RULE_TITLES",
    "CIS_VERSIONS",
    "GRANULARITIES",
    "FORMATS",
    "ANOMALY_CODES",
    "STEPS",
    "ROLES",
    "CHANGES",
    "Options",
    "Exemptions",
    "Table",
    "Finding",
    "Row",
    "FindingStream",
    "analyze",
    "analyze_many",
    "parse",
    "stream",
    "diff",
    "reports_in",
    "unknown_option",
    "run_cli",
    "history",
    "time_in_name",
]

__version__: str

# The core's lists of names (a test compares them with the module's tuples).
# fmt: off
_Status = Literal["fail", "invalid", "due_soon", "pass", "inactive"]
_Rule = Literal[
    "access_key_rotated", "access_key_unused", "console_password_unused", "root_access_key", "root_mfa",
    "root_recent_use", "console_user_mfa", "one_active_key", "no_key_at_setup",
]
_CisVersion = Literal["v1.2.0", "v1.4.0", "v1.5.0", "v2.0.0", "v3.0.0", "v4.0.1", "v5.0.0", "v6.0.0", "v7.0.0"]
_Granularity = Literal["exact", "whole_days"]
_Format = Literal["auto", "csv", "base64", "cli_json"]
_AnomalyCode = Literal[
    "duplicate_user", "account_repeated", "as_of_before_report", "report_stale", "unknown_column", "legacy_layout",
    "missing_column", "row_error", "exemption_expired", "exemption_invalid", "exemption_unused",
    "account_in_several_files",
]
_Step = Literal[
    "remove_root_key", "rotate_both", "deactivate_unused_key", "update_applications", "deactivate_old_key",
    "free_slot", "create_new_key", "delete_inactive_key", "wait_before_delete", "schedule_rotation",
    "disable_console_password", "enable_user_mfa", "enable_root_mfa", "stop_root_use", "deactivate_extra_key",
    "delete_setup_key",
]
_Role = Literal["target", "old", "new", "inactive"]
_ChangeCode = Literal[
    "rotated", "newly_overdue", "still_overdue", "fixed", "key_deleted", "key_created", "user_added",
    "user_removed",
]
# fmt: on

DEFAULT_OPTIONS: dict[str, Any]
HISTORY_DEFAULTS: dict[str, Any]
STATUSES: Tuple[_Status, ...]
NON_COMPLIANT: Tuple[_Status, ...]
RULES: Tuple[_Rule, ...]
RULE_TITLES: Tuple[str, ...]
CIS_VERSIONS: Tuple[_CisVersion, ...]
GRANULARITIES: Tuple[_Granularity, ...]
FORMATS: Tuple[_Format, ...]
ANOMALY_CODES: Tuple[_AnomalyCode, ...]
STEPS: Tuple[_Step, ...]
ROLES: Tuple[_Role, ...]
CHANGES: Tuple[_ChangeCode, ...]

_Instant = Union[datetime, date, str, None]

@final
class Options:
    def __new__(
        cls,
        *,
        as_of: _Instant = None,
        clock: Union[datetime, str, None] = None,
        max_age_days: Optional[int] = None,
        warn_days: Optional[int] = None,
        include_inactive: Optional[bool] = None,
        granularity: Optional[_Granularity] = None,
        grace_days: Optional[int] = None,
        lenient: Optional[bool] = None,
        format: Optional[_Format] = None,
        rules: Union[_Rule, Literal["all"], str, Sequence[str], None] = None,
        cis_version: Optional[str] = None,
        unused_days: Optional[int] = None,
        root_use_days: Optional[int] = None,
        setup_seconds: Optional[int] = None,
        rotation_window_days: Optional[int] = None,
    ) -> Options: ...

@final
class Exemptions:
    @staticmethod
    def from_toml(text: str) -> Exemptions: ...
    @staticmethod
    def from_entries(entries: Sequence[Any]) -> Exemptions: ...
    def __len__(self) -> int: ...
    @property
    def problems(self) -> list[Anomaly]: ...

@final
class Table:
    def __len__(self) -> int: ...
    def head(self) -> dict[str, Any]: ...
    def records(self, limit: Optional[int] = None) -> list[dict[str, Any]]: ...
    def views(
        self, statuses: Optional[Sequence[str]] = None, limit: Optional[int] = None, triage: bool = False
    ) -> list[Any]: ...
    def errors(self) -> list[Optional[KeyrotError]]: ...
    def plans(self, access_keys: Optional[bytes] = None) -> list[Table]: ...
    def chart(self, width: int) -> dict[str, Any]: ...
    def to_html(self, source: str) -> str: ...
    def export(self, format: str, source: str) -> str: ...
    def to_json(self, indent: Optional[int] = None) -> str: ...
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...
    def enums(self) -> list[tuple[str, list[str]]]: ...

@final
class Finding:
    @property
    def source(self) -> Optional[str]: ...
    @property
    def account_id(self) -> str: ...
    @property
    def user(self) -> str: ...
    @property
    def arn(self) -> str: ...
    @property
    def is_root(self) -> bool: ...
    @property
    def slot(self) -> Optional[int]: ...
    @property
    def rule(self) -> _Rule: ...
    @property
    def cis(self) -> Optional[str]: ...
    @property
    def status(self) -> _Status: ...
    @property
    def active(self) -> bool: ...
    @property
    def last_rotated(self) -> Optional[datetime]: ...
    @property
    def age_days(self) -> Optional[int]: ...
    @property
    def due_at(self) -> Optional[datetime]: ...
    @property
    def days_until_due(self) -> Optional[int]: ...
    @property
    def last_used(self) -> Union[datetime, Literal["never", "no_information"], None]: ...
    @property
    def last_used_region(self) -> Optional[str]: ...
    @property
    def last_used_service(self) -> Optional[str]: ...
    @property
    def used_since_rotation(self) -> Optional[bool]: ...
    @property
    def exempted(self) -> Optional[dict[str, Any]]: ...
    @property
    def reason(self) -> str: ...
    @property
    def code(self) -> Optional[str]: ...
    @property
    def line(self) -> int: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

# A report cell: the typed value, AWS's literal or the raw text of an
# unreadable cell as a str, or None for a column the report lacks.
_TimeCell = Union[datetime, str, None]
_BoolCell = Union[bool, str, None]

@final
class Row:
    @property
    def line(self) -> int: ...
    @property
    def user(self) -> str: ...
    @property
    def arn(self) -> str: ...
    @property
    def account_id(self) -> str: ...
    @property
    def is_root(self) -> bool: ...
    @property
    def malformed(self) -> bool: ...
    @property
    def user_creation_time(self) -> _TimeCell: ...
    @property
    def password_enabled(self) -> _BoolCell: ...
    @property
    def password_last_used(self) -> _TimeCell: ...
    @property
    def password_last_changed(self) -> _TimeCell: ...
    @property
    def password_next_rotation(self) -> _TimeCell: ...
    @property
    def mfa_active(self) -> _BoolCell: ...
    @property
    def access_key_1_active(self) -> _BoolCell: ...
    @property
    def access_key_1_last_rotated(self) -> _TimeCell: ...
    @property
    def access_key_1_last_used_date(self) -> _TimeCell: ...
    @property
    def access_key_1_last_used_region(self) -> Optional[str]: ...
    @property
    def access_key_1_last_used_service(self) -> Optional[str]: ...
    @property
    def access_key_2_active(self) -> _BoolCell: ...
    @property
    def access_key_2_last_rotated(self) -> _TimeCell: ...
    @property
    def access_key_2_last_used_date(self) -> _TimeCell: ...
    @property
    def access_key_2_last_used_region(self) -> Optional[str]: ...
    @property
    def access_key_2_last_used_service(self) -> Optional[str]: ...
    @property
    def cert_1_active(self) -> _BoolCell: ...
    @property
    def cert_1_last_rotated(self) -> _TimeCell: ...
    @property
    def cert_2_active(self) -> _BoolCell: ...
    @property
    def cert_2_last_rotated(self) -> _TimeCell: ...
    @property
    def problems(self) -> list[Anomaly]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

_Input = Union[bytes, str, PathLike[str]]

def analyze(
    source: _Input, options: Options, exemptions: Optional[Exemptions] = None, *, threads: Optional[int] = None
) -> Table: ...
def analyze_many(
    inputs: Sequence[Tuple[str, _Input]], options: Options, exemptions: Optional[Exemptions] = None
) -> Table: ...
def parse(source: _Input, options: Options) -> Table: ...

@final
class FindingStream:
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...
    def __arrow_c_schema__(self) -> object: ...
    def enums(self) -> list[tuple[str, list[str]]]: ...
    def error(self) -> Optional[KeyrotError]: ...

def stream(
    inputs: Sequence[Tuple[str, _Input]],
    options: Options,
    exemptions: Optional[Exemptions] = None,
    *,
    threads: Optional[int] = None,
    with_source: bool = False,
) -> FindingStream: ...
def diff(
    old: _Input,
    new: _Input,
    options: Options,
    *,
    old_as_of: _Instant = None,
    old_format: Optional[str] = None,
    new_format: Optional[str] = None,
) -> Table: ...
def reports_in(folder: Union[str, PathLike[str]]) -> list[PathLike[str]]: ...
def unknown_option(function: str, name: str, known: Sequence[str]) -> PolicyError: ...
def run_cli(args: Sequence[Union[str, PathLike[str]]]) -> int: ...
def history(
    reports: Sequence[Tuple[str, _Input, Union[datetime, date, str, None], bool]],
    options: dict[str, Any],
    *,
    threads: Optional[int] = None,
) -> dict[str, Any]: ...
def time_in_name(pattern: str, name: str) -> Optional[str]: ...
