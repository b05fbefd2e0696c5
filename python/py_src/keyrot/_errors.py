"""The exceptions keyrot raises. The native module builds them from the core's
errors, so they carry the core's stable ``code`` and where the problem is."""

from __future__ import annotations

from typing import Any, Optional, Tuple

__all__ = ["KeyrotError", "ParseError", "PolicyError"]


class KeyrotError(ValueError):
    """A report or an option that keyrot cannot use.

    ``str(err)`` is the core's sentence, naming the line, the column and the
    value (``line 4, column `access_key_1_last_rotated`: invalid timestamp
    `2024-13-01```). Programs should key on ``code``, which does not change,
    never on the message.

    Attributes:
        code: the stable snake_case code, e.g. ``missing_columns``,
            ``invalid_timestamp``, ``invalid_policy``.
        line: the 1-based line of the input, when the error belongs to one.
        column: the column's header name, or the option's name.
        value: the offending value, cut to 80 characters.
    """

    code: str
    line: Optional[int]
    column: Optional[str]
    value: Optional[str]

    def __init__(
        self,
        message: str,
        *,
        code: str,
        line: Optional[int] = None,
        column: Optional[str] = None,
        value: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.line = line
        self.column = column
        self.value = value

    def __reduce__(self) -> Tuple[Any, ...]:
        # Keep the attributes through pickle (multiprocessing, joblib).
        return (
            _rebuild,
            (type(self), str(self), self.code, self.line, self.column, self.value),
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({str(self)!r}, code={self.code!r}, line={self.line!r}, "
            f"column={self.column!r}, value={self.value!r})"
        )


class ParseError(KeyrotError):
    """The input cannot be read as a credential report: not a report, a bad
    header, a bad cell in strict mode, broken base64 or JSON, text that is not
    UTF-8, or a read failure (``io``)."""


class PolicyError(KeyrotError):
    """An option is out of range or malformed (``invalid_policy``; ``column``
    names the option), the evaluation time is missing, naive or not RFC 3339
    (``invalid_as_of``), or the exemptions are not a valid TOML file
    (``invalid_exemptions``)."""


def _rebuild(
    cls: type,
    message: str,
    code: str,
    line: Optional[int],
    column: Optional[str],
    value: Optional[str],
) -> KeyrotError:
    error: KeyrotError = cls(message, code=code, line=line, column=column, value=value)
    return error


def _sentence(message: str, line: Optional[int] = None, column: Optional[str] = None) -> str:
    """The core's ``Display`` form, for the few errors raised on the Python side."""
    if line is not None and column is not None:
        return f"line {line}, column `{column}`: {message}"
    if line is not None:
        return f"line {line}: {message}"
    if column is not None:
        return f"`{column}`: {message}"
    return message
