"""DataFrames over the Arrow C stream the native side exports.

Every result with a table (an analysis, a parsed report, a plan, a diff)
implements the Arrow PyCapsule interface (``__arrow_c_stream__``), so pyarrow,
polars, DuckDB and pandas 3 read it directly. ``to_pandas()`` and
``to_polars()`` are that, with the dtypes a notebook expects: nullable
integers and flags as pandas' ``Int64``/``Int8``/``boolean``, text as pandas'
own text dtype, and the columns with a fixed list of values as polars
``Enum``s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Tuple

if TYPE_CHECKING:
    import pandas
    import polars

    from ._native import Table as Native


def _import_pandas() -> Tuple[Any, Any]:
    try:
        import pandas
        import pyarrow
    except ImportError as error:
        raise ImportError(
            "to_pandas() needs pandas 2.0 or later and pyarrow 15 or later: pip install 'pandas>=2' 'pyarrow>=15'"
        ) from error
    for module, oldest, why in ((pandas, 2, "datetime64[us, UTC] columns"), (pyarrow, 15, "the Arrow C stream")):
        major = int(module.__version__.split(".")[0])
        if major < oldest:
            raise ImportError(
                f"to_pandas() needs {module.__name__} {oldest}.0 or later (for {why}), not {module.__version__}: "
                f"pip install -U '{module.__name__}>={oldest}'"
            )
    return pandas, pyarrow


def _import_polars() -> Any:
    try:
        import polars
    except ImportError as error:
        raise ImportError("to_polars() needs polars 1.3 or later: pip install polars") from error
    return polars


def to_pandas(data: "Native") -> "pandas.DataFrame":
    pd, pa = _import_pandas()
    table = pa.table(data)
    # pandas' own dtype for text: `str` in pandas 3, `object` before.
    text = pd.Series(["x"]).dtype
    nullable = {pa.int64(): pd.Int64Dtype(), pa.int8(): pd.Int8Dtype(), pa.bool_(): pd.BooleanDtype()}
    # Nullable integers and flags keep a nullable dtype whether or not this
    # data holds a null; the rest go through pyarrow's one (threaded) pass.
    apart = [f.name for f in table.schema if f.nullable and f.type in nullable]
    rest = table.drop_columns(apart)

    def mapper(kind: Any) -> Any:
        return text if pa.types.is_large_string(kind) and hasattr(text, "__from_arrow__") else None

    frame: "pandas.DataFrame" = rest.to_pandas(types_mapper=mapper)
    for name in apart:
        column = table.column(name)
        frame.insert(table.column_names.index(name), name, nullable[column.type].__from_arrow__(column))
    for name, values in data.enums():
        if list(frame[name].cat.categories) != values:
            # Every value of an enumeration, whatever the data holds.
            frame[name] = frame[name].cat.set_categories(values)
    return frame


def to_polars(data: "Native") -> "polars.DataFrame":
    pl = _import_polars()
    frame: "polars.DataFrame" = pl.DataFrame(data)
    enums = [pl.col(name).cast(pl.Enum(values)) for name, values in data.enums()]
    return frame.with_columns(enums) if enums else frame
