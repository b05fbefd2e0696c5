"""The names keyrot uses (statuses, rules, steps, changes, ...), from the
core: each list is the core's own, in its order, as the native module
exports it, and each ``Literal`` type is made of that list at run time, so
``help()`` shows the values and they cannot drift from the core. Type
checkers read the same ``Literal`` types from the stub (``_native.pyi``,
which a test compares with these lists)."""

from typing import TYPE_CHECKING, Literal, Tuple

from . import _native

__all__ = [
    "ANOMALY_CODES",
    "CHANGES",
    "CIS_VERSIONS",
    "RULES",
    "STATUSES",
    "STEPS",
    "AnomalyCode",
    "ChangeCode",
    "CisVersion",
    "Granularity",
    "InputFormat",
    "Role",
    "Rule",
    "Status",
    "StepCode",
]

#: Every status, most severe first: the order of the ``status`` categories
#: in DataFrames, and of the counts in ``Summary.by_status``.
STATUSES: Tuple[str, ...] = _native.STATUSES
#: Every check, in the order of the benchmark's v1.4.0 numbers.
RULES: Tuple[str, ...] = _native.RULES
#: Every CIS version whose numbers label the findings, oldest first.
CIS_VERSIONS: Tuple[str, ...] = _native.CIS_VERSIONS
#: Every step of the rotation plan, in the order of rotation-rule.md §2.1
#: (the first that applies to a user is its step).
STEPS: Tuple[str, ...] = _native.STEPS
#: Every kind of change between two reports, in the contract's order.
CHANGES: Tuple[str, ...] = _native.CHANGES
#: Every anomaly code.
ANOMALY_CODES: Tuple[str, ...] = _native.ANOMALY_CODES

if TYPE_CHECKING:
    from ._native import _AnomalyCode as AnomalyCode
    from ._native import _ChangeCode as ChangeCode
    from ._native import _CisVersion as CisVersion
    from ._native import _Format as InputFormat
    from ._native import _Granularity as Granularity
    from ._native import _Role as Role
    from ._native import _Rule as Rule
    from ._native import _Status as Status
    from ._native import _Step as StepCode
else:
    Status = Literal[STATUSES]
    Rule = Literal[RULES]
    CisVersion = Literal[CIS_VERSIONS]
    Granularity = Literal[_native.GRANULARITIES]
    InputFormat = Literal[_native.FORMATS]
    StepCode = Literal[STEPS]
    Role = Literal[_native.ROLES]
    ChangeCode = Literal[CHANGES]
    AnomalyCode = Literal[ANOMALY_CODES]
