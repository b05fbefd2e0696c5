//! Bytes between JS and the core: reading a `Uint8Array` or a read
//! function in pieces, and writing output straight into a JS byte array.

use crate::{js_type, to_js_error, type_error};
use js_sys::{Array, ArrayBuffer, Reflect, Uint8Array};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;

/// The input's bytes: a string's UTF-8, or a copy of the byte array.
/// `what` names the argument in the error.
pub(crate) fn input_bytes(input: &JsValue, what: &str) -> Result<Vec<u8>, JsValue> {
    if let Some(text) = input.as_string() {
        Ok(text.into_bytes())
    } else if let Some(bytes) = byte_array(input) {
        Ok(bytes.to_vec())
    } else {
        let kind = if input.is_null() { "null".to_owned() } else { js_type(input) };
        Err(type_error(&format!("{what} must be a string, a Uint8Array or an ArrayBuffer, not {kind}")))
    }
}

/// Reads `inputs`, an array of `{ name, input }` objects: each name, and
/// what `read` makes of its input (given the input's place, for errors:
/// `inputs[0].input`).
pub(crate) fn named_inputs<T>(
    inputs: &JsValue,
    mut read: impl FnMut(&JsValue, &str) -> Result<T, JsValue>,
) -> Result<Vec<(String, T)>, JsValue> {
    if !Array::is_array(inputs) {
        let message = format!("the inputs must be an array of {{ name, input }} objects, not {}", js_type(inputs));
        return Err(type_error(&message));
    }
    let mut named = Vec::new();
    for (index, item) in Array::from(inputs).iter().enumerate() {
        let what = format!("inputs[{index}]");
        let name = Reflect::get(&item, &JsValue::from_str("name")).ok().and_then(|n| n.as_string());
        let Some(name) = name.filter(|_| item.is_object()) else {
            return Err(type_error(&format!("{what} must be an object with a string `name` and an `input`")));
        };
        let input = Reflect::get(&item, &JsValue::from_str("input"))?;
        named.push((name, read(&input, &format!("{what}.input"))?));
    }
    Ok(named)
}

/// The input as a reader, and its size in bytes when known: a string's
/// UTF-8, a byte array read in pieces straight from JS memory, or what a
/// read function gives. What the function throws is kept in `thrown`.
/// `what` names the argument in the error.
pub(crate) fn input_reader(
    input: &JsValue,
    what: &str,
    thrown: &Rc<Cell<Option<JsValue>>>,
) -> Result<(Box<dyn std::io::Read>, Option<usize>), JsValue> {
    if let Some(array) = byte_array(input) {
        let size = array.length() as usize;
        Ok((Box::new(JsBytes { array, at: 0 }), Some(size)))
    } else if let Some(read) = input.dyn_ref::<js_sys::Function>() {
        Ok((Box::new(JsRead { read: read.clone(), buf: None, thrown: Rc::clone(thrown) }), None))
    } else {
        let bytes = input_bytes(input, what)?;
        let size = bytes.len();
        Ok((Box::new(std::io::Cursor::new(bytes)), Some(size)))
    }
}

/// A `Uint8Array` as it is, or an `ArrayBuffer` as one.
fn byte_array(input: &JsValue) -> Option<Uint8Array> {
    input.dyn_ref::<Uint8Array>().cloned().or_else(|| input.dyn_ref::<ArrayBuffer>().map(|b| Uint8Array::new(b)))
}

/// Reads through a JS function that fills the `Uint8Array` it is given and
/// returns how many bytes it put there (0 at the end), as `fs.readSync`
/// does. The array is the reader's own, reused, and copied into the
/// module's memory after each call.
pub(crate) struct JsRead {
    read: js_sys::Function,
    buf: Option<Uint8Array>,
    /// What the function threw, for `checkCsv` to throw again.
    thrown: Rc<Cell<Option<JsValue>>>,
}

impl std::io::Read for JsRead {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        // At most 1 MiB a call: about a chunk.
        let want = out.len().min(1 << 20) as u32;
        if want == 0 {
            return Ok(0);
        }
        let buf = self.buf.take().filter(|buf| buf.length() >= want);
        let view =
            self.buf.insert(buf.unwrap_or_else(|| Uint8Array::new_with_length(want.max(1 << 16)))).subarray(0, want);
        let got = self.read.call1(&JsValue::NULL, &view).map_err(|err| {
            self.thrown.set(Some(err));
            std::io::Error::other("the read function threw")
        })?;
        let n = got.as_f64().filter(|n| n.fract() == 0.0 && (0.0..=f64::from(want)).contains(n)).ok_or_else(|| {
            let shown = got.as_f64().map_or_else(|| js_type(&got), |n| n.to_string());
            std::io::Error::other(format!(
                "the read function returned {shown}; it must return the number of bytes it put in the array, 0 to {want}"
            ))
        })? as usize;
        view.subarray(0, n as u32).copy_to(&mut out[..n]);
        Ok(n)
    }
}

/// Output bytes written straight into a JS byte array, so the module's
/// memory holds one chunk's rows at a time. The array starts at the size of
/// the input, 1 MiB when that is not known (the CSV of the failing keys of
/// a real report is smaller than the report; a large allocation that is
/// never written costs no memory), and doubles when full.
///
/// Measured on a 1,000,000-row report (`only: ['fail']`, 193 MB of CSV): a
/// JS array per chunk joined at the end, or this with a final copy to the
/// exact size, took 15 to 20 % more time and about 180 MB more peak memory.
pub(crate) struct JsOut {
    buf: Uint8Array,
    len: u32,
    /// More than a JS byte array can hold was written.
    overflow: bool,
}

impl JsOut {
    pub(crate) fn with_capacity(capacity: usize) -> JsOut {
        let capacity = capacity.clamp(1 << 16, 1 << 31);
        JsOut { buf: Uint8Array::new_with_length(capacity as u32), len: 0, overflow: false }
    }

    pub(crate) fn push(&mut self, bytes: &[u8]) {
        let need = u64::from(self.len) + bytes.len() as u64;
        if need > u64::from(u32::MAX) || self.overflow {
            self.overflow = true;
            return;
        }
        if need > u64::from(self.buf.length()) {
            let grown = need.max(2 * u64::from(self.buf.length())).min(u64::from(u32::MAX));
            let grown = Uint8Array::new_with_length(grown as u32);
            grown.set(&self.buf.subarray(0, self.len), 0);
            self.buf = grown;
        }
        self.buf.subarray(self.len, need as u32).copy_from(bytes);
        self.len = need as u32;
    }

    /// The bytes written: a view of the array when they fill at least half
    /// of it (no copy), else a copy of the exact size, so that what is kept
    /// alive is at most twice what was written.
    pub(crate) fn finish(self) -> Result<Uint8Array, JsValue> {
        if self.overflow {
            let err = keyrot::Error::new(keyrot::ErrorCode::LimitExceeded, "the CSV output would be 4 GiB or more");
            return Err(to_js_error(err));
        }
        Ok(if self.len >= self.buf.length() / 2 { self.buf.subarray(0, self.len) } else { self.buf.slice(0, self.len) })
    }
}

/// Reads a JS byte array from its start, copying each piece asked for into
/// the module's memory.
pub(crate) struct JsBytes {
    array: Uint8Array,
    at: u32,
}

impl std::io::Read for JsBytes {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.array.length() - self.at;
        let n = left.min(u32::try_from(buf.len()).unwrap_or(u32::MAX));
        self.array.subarray(self.at, self.at + n).copy_to(&mut buf[..n as usize]);
        self.at += n;
        Ok(n as usize)
    }
}

/// Hands each write to the JS function `write`, as a copy (it may keep
/// it); what `write` throws is kept in `thrown`.
pub(crate) struct JsPieces<'a> {
    pub(crate) write: &'a js_sys::Function,
    pub(crate) thrown: &'a Cell<Option<JsValue>>,
}

/// Runs `body` with a writer that hands what it writes to `write` in pieces
/// of about a mebibyte, in order, then flushes it; an error is what `write`
/// threw, else a `TypeError` naming the failure.
pub(crate) fn write_to_js(
    write: &js_sys::Function,
    body: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), JsValue> {
    let thrown = Cell::new(None);
    let mut pieces = std::io::BufWriter::with_capacity(1 << 20, JsPieces { write, thrown: &thrown });
    body(&mut pieces)
        .and_then(|()| std::io::Write::flush(&mut pieces))
        .map_err(|e| thrown.take().unwrap_or_else(|| type_error(&e.to_string())))
}

impl std::io::Write for JsPieces<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.write.call1(&JsValue::NULL, &Uint8Array::from(bytes)).map_err(|err| {
            self.thrown.set(Some(err));
            std::io::Error::other("the write function threw")
        })?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
