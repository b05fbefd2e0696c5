//! The Arrow PyCapsule interface: `__arrow_c_stream__` hands a consumer
//! (pyarrow, polars, DuckDB, pandas 3) an Arrow C stream of the core's
//! record batches (`keyrot::arrow`), made as the consumer pulls them.

use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{RecordBatch, RecordBatchIterator, RecordBatchReader};
use arrow_schema::{ArrowError, SchemaRef};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

/// The capsule of a stream of `batches` with `schema`. `requested_schema`
/// (a consumer's wish for other types) is not honoured: the schema is
/// documented and fixed, as the interface allows.
pub(crate) fn stream<'py>(
    py: Python<'py>,
    reader: impl RecordBatchReader + Send + 'static,
) -> PyResult<Bound<'py, PyCapsule>> {
    let stream = FFI_ArrowArrayStream::new(Box::new(reader));
    PyCapsule::new_with_value(py, stream, c"arrow_array_stream")
}

/// The capsule of a stream of one record batch (rows, steps or changes,
/// whose tables are small and already whole).
pub(crate) fn one_batch<'py>(
    py: Python<'py>,
    batch: Result<RecordBatch, ArrowError>,
    schema: SchemaRef,
) -> PyResult<Bound<'py, PyCapsule>> {
    stream(py, RecordBatchIterator::new([batch], schema))
}

/// The columns of `schema` read as enumerations (the fields with the core's
/// `keyrot.enum` metadata), each with its values in order.
pub(crate) fn enums(schema: &SchemaRef) -> Vec<(String, Vec<String>)> {
    schema
        .fields()
        .iter()
        .filter_map(|f| {
            let values = f.metadata().get(keyrot::arrow::ENUM_KEY)?;
            Some((f.name().clone(), values.split(',').map(str::to_owned).collect()))
        })
        .collect()
}
