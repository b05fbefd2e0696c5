"""What ``analyze`` and ``parse`` accept, and how each kind of source is read.

The rule for ``str`` (documented in the README):

1. a ``str`` with no line break that names an existing file is a path;
2. otherwise a ``str`` holding a line break, a comma, or starting with ``{``
   is the report itself (CSV, or the JSON of ``aws iam get-credential-report``);
3. otherwise a ``str`` made only of base64 characters is the report as base64
   (what ``--query Content --output text`` prints, on one line);
4. anything else (``"report.csv"`` when no such file exists) is a path, to a
   file that does not exist: ``FileNotFoundError``.
"""

from __future__ import annotations

import base64
import errno
import glob
import json
import os
import re
from datetime import datetime
from typing import Any, List, Mapping, NamedTuple, Optional, Tuple, Union

from . import _native
from ._errors import ParseError, PolicyError, _sentence

_BASE64_TEXT = re.compile(r"[A-Za-z0-9+/=\s]*")


class FileSource(NamedTuple):
    """A report file, read by the native side (streamed, without the GIL)."""

    path: Union[str, "os.PathLike[str]"]


class DataSource(NamedTuple):
    """Report bytes; ``format`` is set when the kind of source decides it."""

    data: bytes
    format: Optional[str] = None


Resolved = Union[FileSource, DataSource]


def _text_bytes(text: str) -> bytes:
    # Text decoded with errors="surrogateescape" gets its bytes back; lone
    # surrogates otherwise go through, and the core reports them as invalid
    # UTF-8 with the line and column.
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def _is_existing_file(text: str) -> bool:
    try:
        return os.path.isfile(text)
    except (OSError, ValueError):
        return False


def resolve(source: Any, format: str) -> Resolved:
    """Classifies ``source`` and returns what to hand to the native side."""
    if isinstance(source, str):
        one_line = "\n" not in source and "\r" not in source
        if one_line and source and _is_existing_file(source):
            return FileSource(source)
        stripped = source.lstrip("\ufeff \t")
        if not one_line or "," in source or stripped.startswith("{"):
            return DataSource(_text_bytes(source))
        if _BASE64_TEXT.fullmatch(source):
            return DataSource(_text_bytes(source))
        # A path to a file that does not exist: opening it raises
        # FileNotFoundError (analyze), or fails that one input (analyze_many).
        return FileSource(source)
    if isinstance(source, os.PathLike):
        return FileSource(source)
    if isinstance(source, (bytes, bytearray, memoryview)):
        return DataSource(bytes(source))
    if isinstance(source, Mapping):
        if format not in ("auto", "cli_json"):
            raise PolicyError(
                _sentence(
                    f"a boto3 response is read as `cli_json`, so `format` must be `auto` or `cli_json`, not `{format}`",
                    column="format",
                ),
                code="invalid_policy",
                column="format",
                value=format,
            )
        return DataSource(response_json(source), "cli_json")
    read = getattr(source, "read", None)
    if callable(read):
        content = read()
        if isinstance(content, str):
            return DataSource(_text_bytes(content))
        if isinstance(content, (bytes, bytearray, memoryview)):
            return DataSource(bytes(content))
        raise TypeError(f"the file object's read() returned {type(content).__name__}, not bytes or str")
    raise TypeError(
        "source must be a path (str or os.PathLike), bytes, a str holding the report, a binary file object, "
        f"or the dict boto3's get_credential_report() returns, not {type(source).__name__}"
    )


def report_paths(source: Any) -> Optional[List[str]]:
    """The reports a folder or a glob pattern names, in name order: a
    folder's (the core's rule, as ``keyrot check folder/`` takes them), a
    pattern's files; ``None`` when ``source`` is neither. A folder with no
    report, or a pattern that matches no file, raises ``FileNotFoundError``
    (an empty result would read "compliant")."""
    if isinstance(source, (str, os.PathLike)) and os.path.isdir(source):
        paths = [os.fspath(p) for p in _native.reports_in(source)]
        if not paths:
            raise FileNotFoundError(errno.ENOENT, "the folder holds no reports", os.fspath(source))
        return paths
    if isinstance(source, str) and glob.escape(source) != source and not os.path.exists(source):
        paths = sorted(p for p in glob.glob(source) if os.path.isfile(p))
        if not paths:
            raise FileNotFoundError(errno.ENOENT, "no file matches the pattern", source)
        return paths
    return None


def _named(sources: Any, format: str) -> List[Tuple[str, Any]]:
    """The sources of ``analyze_many``, each with its name: a folder's
    reports (the core's rule, as ``keyrot check folder/`` takes them) or a
    glob pattern's files, each named by its path, in name order; a dict's
    items; a list's sources, a path named by itself and any other source
    ``#1``, ``#2``, … by its position."""
    paths = report_paths(sources)
    if paths is not None:
        return [(path, path) for path in paths]
    if isinstance(sources, (str, bytes, bytearray, memoryview, os.PathLike)) or (
        isinstance(sources, Mapping) and "Content" in sources
    ):
        raise TypeError(
            "analyze_many() takes a folder, a glob pattern, a list of sources or a dict from names to sources; "
            "for one report, use analyze() or pass [source]"
        )
    if isinstance(sources, Mapping):
        return [(str(name), source) for name, source in sources.items()]
    named = []
    for position, source in enumerate(sources, start=1):
        is_path = isinstance(source, os.PathLike) or (
            isinstance(source, str) and isinstance(resolve(source, format), FileSource)
        )
        named.append((os.fspath(source) if is_path else f"#{position}", source))
    return named


def many_inputs(sources: Any, format: str) -> List[Tuple[str, Union[bytes, str, "os.PathLike[str]"]]]:
    """What ``analyze_many`` hands the native side: each source's name, and
    its path or bytes (a boto3 response becomes the JSON the core detects
    by itself)."""
    inputs: List[Tuple[str, Union[bytes, str, "os.PathLike[str]"]]] = []
    for name, source in _named(sources, format):
        resolved = resolve(source, format)
        inputs.append((name, resolved.path if isinstance(resolved, FileSource) else resolved.data))
    return inputs


def _generated_time(value: Any) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            message = (
                "`GeneratedTime` is a naive datetime (no tzinfo), so the instant it means depends on a time "
                "zone keyrot cannot know; boto3 gives an aware one"
            )
            raise ParseError(
                _sentence(message, column="GeneratedTime"),
                code="invalid_json",
                column="GeneratedTime",
                value=repr(value),
            )
        return value.isoformat()
    raise TypeError(f"`GeneratedTime` must be a datetime or RFC 3339 text, not {type(value).__name__}")


def response_json(response: Mapping[str, Any]) -> bytes:
    """The dict that boto3's ``iam.get_credential_report()`` returns, as the
    JSON the core reads (``Content`` as base64, ``GeneratedTime`` as RFC 3339),
    so the core itself checks it and takes ``GeneratedTime`` as the report's."""
    wrapper: dict[str, Any] = {}
    if "Content" in response:
        content = response["Content"]
        if isinstance(content, (bytes, bytearray, memoryview)):
            wrapper["Content"] = base64.b64encode(bytes(content)).decode("ascii")
        elif content is None or isinstance(content, str):
            wrapper["Content"] = content
        else:
            raise TypeError(f"`Content` must be bytes or str, not {type(content).__name__}")
    if "ReportFormat" in response:
        report_format = response["ReportFormat"]
        wrapper["ReportFormat"] = report_format if report_format is None else str(report_format)
    generated = _generated_time(response.get("GeneratedTime"))
    if generated is not None:
        wrapper["GeneratedTime"] = generated
    return json.dumps(wrapper).encode("utf-8")


def resolve_exemptions(value: Any) -> Optional[_native.Exemptions]:
    """Exemptions from TOML text, a path to a TOML file (``os.PathLike``, or
    a ``str`` without a line break naming an existing file), a list of
    dicts, or already checked ones."""
    if value is None or isinstance(value, _native.Exemptions):
        return value
    if isinstance(value, os.PathLike) or (isinstance(value, str) and "\n" not in value and _is_existing_file(value)):
        with open(value, encoding="utf-8") as f:
            return _native.Exemptions.from_toml(f.read())
    if isinstance(value, str):
        return _native.Exemptions.from_toml(value)
    if isinstance(value, (list, tuple)):
        return _native.Exemptions.from_entries(list(value))
    raise TypeError(
        f"exemptions must be TOML text, a path to a TOML file, or a list of dicts, not {type(value).__name__}"
    )


def _access_keys_value(value: Any) -> Any:
    """``json.dumps``' fallback for the parsed access-key list: boto3 gives
    ``CreateDate`` as an aware ``datetime``."""
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            message = (
                "a datetime in `access_keys` is naive (no tzinfo), so the instant it means depends on a time "
                "zone keyrot cannot know; boto3 gives aware ones"
            )
            raise ParseError(
                _sentence(message, column="CreateDate"),
                code="invalid_json",
                column="CreateDate",
                value=repr(value),
            )
        return value.isoformat()
    raise TypeError(f"`access_keys` holds a {type(value).__name__}, which is not JSON data")


def access_keys_json(value: Any) -> bytes:
    """The access-key list (``aws iam list-access-keys`` output) as the JSON
    the core reads. ``value`` is a path (``os.PathLike``, or a ``str``
    without a line break naming an existing file); ``bytes``; a ``str``
    holding the JSON (one document, an array of them, or several one after
    another); the parsed data (a dict such as boto3's ``list_access_keys()``
    response, or a list of them), with ``datetime`` values as boto3 gives
    them; or a file object."""
    if isinstance(value, os.PathLike) or (
        isinstance(value, str) and "\n" not in value and "\r" not in value and _is_existing_file(value)
    ):
        with open(value, "rb") as f:
            return f.read()
    if isinstance(value, str):
        stripped = value.lstrip("\ufeff \t\r\n")
        if not stripped or stripped[0] in "{[":
            return _text_bytes(value)
        # A path to a file that does not exist: FileNotFoundError.
        with open(value, "rb") as f:
            return f.read()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, (Mapping, list, tuple)):
        return json.dumps(value, default=_access_keys_value).encode("utf-8")
    read = getattr(value, "read", None)
    if callable(read):
        content = read()
        if isinstance(content, str):
            return _text_bytes(content)
        if isinstance(content, (bytes, bytearray, memoryview)):
            return bytes(content)
        raise TypeError(f"the file object's read() returned {type(content).__name__}, not bytes or str")
    raise TypeError(
        "access_keys must be a path, bytes or str holding the JSON `aws iam list-access-keys` prints, "
        f"or that JSON parsed (a dict or a list), not {type(value).__name__}"
    )
