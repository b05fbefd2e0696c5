//! `keyrot.stream`: the core's `arrow::FindingStream` over the Arrow C
//! stream, its record batches made on the judging threads while the reports
//! are read; the error that ends it kept to be raised as the core's.

use crate::errors::to_py_err;
use crate::exemptions::Exemptions;
use crate::options::Options;
use crate::run::{open, requested_threads, run, FileFailure, Input, Source};
use arrow_array::{RecordBatch, RecordBatchReader};
use arrow_schema::{ArrowError, SchemaRef};
use keyrot::arrow::FindingStream;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use std::io::Read;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

type Kept = Arc<Mutex<Option<keyrot::Error>>>;

/// The record batches of a stream not yet read, and the error that ended
/// it once read.
#[pyclass(module = "keyrot._native", name = "FindingStream", frozen)]
pub(crate) struct Stream {
    stream: Mutex<Option<FindingStream>>,
    schema: SchemaRef,
    error: Kept,
}

/// The stream handed to a consumer: its batches, keeping its error.
struct Keeping(FindingStream, Kept);

impl Iterator for Keeping {
    type Item = Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        let next = self.0.next();
        if let (Some(Err(_)), Ok(mut kept)) = (&next, self.1.lock()) {
            *kept = self.0.error().cloned();
        }
        next
    }
}

impl RecordBatchReader for Keeping {
    fn schema(&self) -> SchemaRef {
        self.0.schema()
    }
}

#[pymethods]
impl Stream {
    /// The findings as an Arrow C stream, read once.
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let taken = self.stream.lock().ok().and_then(|mut stream| stream.take());
        let Some(stream) = taken else {
            return Err(PyRuntimeError::new_err("this stream has been read: a stream is read once"));
        };
        crate::arrow::stream(py, Keeping(stream, Arc::clone(&self.error)))
    }

    /// The schema alone (the Arrow PyCapsule interface), for a consumer
    /// that reads it before the stream, as DuckDB does.
    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        let schema = arrow_schema::ffi::FFI_ArrowSchema::try_from(self.schema.as_ref())
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        PyCapsule::new_with_value(py, schema, c"arrow_schema")
    }

    /// The columns read as enumerations, with their values in order.
    fn enums(&self) -> Vec<(String, Vec<String>)> {
        crate::arrow::enums(&self.schema)
    }

    /// The error that ended the stream, as the exception `analyze` raises
    /// for it; `None` before the end and after a clean one.
    fn error(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        let kept = self.error.lock().ok()?.clone()?;
        Some(to_py_err(py, &kept).into_value(py).into_any())
    }
}

/// An input the stream's own thread reads: bytes copied, a path opened
/// there (a folder of reports is not held open all at once), or one report
/// opened here (its `OSError` raised as `analyze` raises it).
enum Owned {
    Bytes(Vec<u8>),
    Path(PathBuf),
    File(std::fs::File),
}

fn reader((name, input): (String, Owned)) -> (String, std::io::Result<Box<dyn Read + Send>>) {
    let reader: std::io::Result<Box<dyn Read + Send>> = match input {
        Owned::Bytes(bytes) => Ok(Box::new(std::io::Cursor::new(bytes))),
        Owned::Path(path) => open(&path).map(|f| Box::new(std::io::BufReader::with_capacity(64 * 1024, f)) as _),
        Owned::File(file) => Ok(Box::new(std::io::BufReader::with_capacity(64 * 1024, file))),
    };
    (name, reader)
}

#[pyfunction]
#[pyo3(signature = (inputs, options, exemptions=None, *, threads=None, with_source=false))]
pub(crate) fn stream(
    py: Python<'_>,
    inputs: Vec<(String, Bound<'_, PyAny>)>,
    options: &Options,
    exemptions: Option<&Exemptions>,
    threads: Option<i64>,
    with_source: bool,
) -> PyResult<Stream> {
    let mut run = run(options, exemptions, requested_threads(py, threads)?);
    let mut owned = Vec::with_capacity(inputs.len());
    for (name, value) in &inputs {
        owned.push((
            name.clone(),
            match Input::of(value, &format!("input `{name}`"))? {
                Input::Bytes(bytes) => Owned::Bytes(bytes.as_bytes().to_vec()),
                Input::Path(path) => Owned::Path(path),
            },
        ));
    }
    if let [(_, input)] = owned.as_mut_slice() {
        if let Owned::Path(path) = input {
            let file = open(path).map_err(|e| FileFailure::Open(e).into_py(py, Source::Path(path)))?;
            *input = Owned::File(file);
        }
        let size = match input {
            Owned::Bytes(bytes) => Some(bytes.len() as u64),
            Owned::File(file) => file.metadata().ok().filter(std::fs::Metadata::is_file).map(|m| m.len()),
            Owned::Path(_) => None,
        };
        if let Some(size) = size {
            run = run.size_hint(size);
        }
    }
    let stream = FindingStream::new(run, owned.into_iter().map(reader), with_source);
    Ok(Stream { schema: stream.schema(), stream: Mutex::new(Some(stream)), error: Kept::default() })
}
