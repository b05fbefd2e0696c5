"""DataFrames from the columns the native side builds (see columns.rs).

Nothing here makes a Python object per key: numbers, flags and times are
buffers read in place by numpy, statuses and other repeated text are
dictionary codes, and other text goes through Arrow buffers when pyarrow is
installed (else through one list of ``str`` per column).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple, Union

if TYPE_CHECKING:
    import pandas
    import polars

    from . import _native

    Native = Union[_native.AnalysisData, _native.ReportData, _native.PlanData, _native.DiffData]

Columns = List[Tuple[str, str, Any]]


def _import_pandas() -> Tuple[Any, Any]:
    try:
        import numpy
        import pandas
    except ImportError as error:
        raise ImportError("to_pandas() needs pandas 2.0 or later: pip install 'pandas>=2'") from error
    major = int(pandas.__version__.split(".")[0])
    if major < 2:
        raise ImportError(
            f"to_pandas() needs pandas 2.0 or later (for datetime64[us, UTC] columns), "
            f"not {pandas.__version__}: pip install -U 'pandas>=2'"
        )
    return pandas, numpy


def _import_polars() -> Tuple[Any, Any]:
    try:
        import polars
    except ImportError as error:
        raise ImportError("to_polars() needs polars: pip install polars numpy") from error
    try:
        import numpy
    except ImportError as error:
        raise ImportError("to_polars() needs numpy besides polars: pip install numpy") from error
    return polars, numpy


def _pyarrow() -> Optional[Any]:
    try:
        import pyarrow
    except ImportError:
        return None
    return pyarrow


def _arrow_text(pa: Any, chunks: List[Tuple[bytes, bytes]]) -> Any:
    """A text column as an Arrow ``large_string`` chunked array over the
    buffers of its chunks (``i64`` offsets, UTF-8 data)."""
    arrays = [
        pa.LargeStringArray.from_buffers(len(offsets) // 8 - 1, pa.py_buffer(offsets), pa.py_buffer(data))
        for offsets, data in chunks
    ]
    return pa.chunked_array(arrays, type=pa.large_string())


def _pandas_text_dtype(pd: Any) -> Any:
    """The dtype pandas itself gives text: ``str`` in pandas 3 (Arrow-backed
    when pyarrow is installed), ``object`` before."""
    return pd.Series(["x"]).dtype


def _is_slot(name: str) -> bool:
    """A slot number (1 or 2): ``slot``, and a diff's ``old_slot`` and
    ``new_slot``, are 8-bit."""
    return name == "slot" or name.endswith("_slot")


def to_pandas(data: "Native") -> "pandas.DataFrame":
    pd, np = _import_pandas()
    text_dtype = _pandas_text_dtype(pd)
    pa = _pyarrow() if getattr(text_dtype, "storage", None) == "pyarrow" else None
    columns: Columns = data.columns(text_lists=pa is None)
    out: Dict[str, Any] = {}
    for name, kind, payload in columns:
        if kind == "category":
            codes_buf, categories, _fixed, ordered, width = payload
            codes = np.frombuffer(codes_buf, dtype=f"<i{width}")
            dtype = pd.CategoricalDtype(pd.Index(categories, dtype=text_dtype), ordered=ordered)
            out[name] = pd.Categorical.from_codes(codes, dtype=dtype)
        elif kind == "text":
            out[name] = pd.array(_arrow_text(pa, payload), dtype=text_dtype)
        elif kind == "text_list":
            out[name] = pd.array(payload, dtype=text_dtype)
        else:
            values_buf, nulls_buf, nullable = payload[:3]
            nulls = np.frombuffer(nulls_buf, dtype=bool) if nulls_buf is not None else None
            if kind == "int":
                values = np.frombuffer(values_buf, dtype=f"<i{payload[3]}")
                if _is_slot(name) and values.dtype != np.int8:
                    values = values.astype("int8")
                if nullable:
                    mask = nulls if nulls is not None else np.zeros(len(values), dtype=bool)
                    out[name] = pd.arrays.IntegerArray(values, mask)
                else:
                    out[name] = values
            elif kind == "bool":
                values = np.frombuffer(values_buf, dtype=bool)
                if nullable:
                    mask = nulls if nulls is not None else np.zeros(len(values), dtype=bool)
                    out[name] = pd.arrays.BooleanArray(values, mask)
                else:
                    out[name] = values
            elif kind == "time":
                # NaT is already in place of every null.
                times = np.frombuffer(values_buf, dtype="<i8").view("datetime64[us]")
                out[name] = pd.Series(times, copy=False).dt.tz_localize("UTC").array
            else:  # pragma: no cover - a new kind in columns.rs
                raise AssertionError(f"unknown column kind {kind!r}")
    frame: "pandas.DataFrame" = pd.DataFrame(out, copy=False)
    return frame


def to_polars(data: "Native") -> "polars.DataFrame":
    pl, np = _import_polars()
    pa = _pyarrow()
    columns: Columns = data.columns(text_lists=pa is None)
    out: List[Any] = []
    for name, kind, payload in columns:
        if kind == "category":
            codes_buf, categories, fixed, _ordered, width = payload
            # -1 (null) does not fit u32 and becomes null in a non-strict cast.
            index = pl.Series(np.frombuffer(codes_buf, dtype=f"<i{width}")).cast(pl.UInt32, strict=False)
            texts = pl.Series(name, categories, dtype=pl.String).gather(index)
            out.append(texts.cast(pl.Enum(categories) if fixed else pl.Categorical))
        elif kind == "text":
            out.append(pl.Series(name, pl.from_arrow(_arrow_text(pa, payload)), dtype=pl.String))
        elif kind == "text_list":
            out.append(pl.Series(name, payload, dtype=pl.String))
        else:
            values_buf, nulls_buf = payload[:2]
            if kind == "bool":
                series = pl.Series(name, np.frombuffer(values_buf, dtype=bool))
            elif kind == "int":
                series = pl.Series(name, np.frombuffer(values_buf, dtype=f"<i{payload[3]}"))
            else:
                series = pl.Series(name, np.frombuffer(values_buf, dtype="<i8"))
            if nulls_buf is not None:
                series = series.set(pl.Series(np.frombuffer(nulls_buf, dtype=bool)), None)
            if kind == "time":
                series = series.cast(pl.Datetime("us", "UTC"))
            elif _is_slot(name):
                series = series.cast(pl.Int8)
            out.append(series)
    frame: "polars.DataFrame" = pl.DataFrame(out)
    return frame
