//! The SHA-256 of an input's bytes as they are read, for `input_sha256`:
//! the evidence of exactly what was judged.

use sha2::{Digest, Sha256};
use std::io::{self, Read};
use std::sync::{Arc, Mutex, PoisonError};

/// A digest that a [`Hashing`] reader feeds and its owner reads at the end.
/// The first [`INLINE_BYTES`] are hashed as they are read; beyond them (off
/// wasm32, which has no threads) the hashing moves to a thread of its own,
/// fed copies of what is read (at most a few in flight), off the reading
/// thread's path.
#[derive(Clone)]
pub(crate) struct Shared(Arc<Mutex<State>>);

#[derive(Default)]
enum State {
    /// Taken out while the digest ends.
    #[default]
    Empty,
    /// Hashing as the bytes are read: the hasher and the bytes it has seen.
    Inline(Sha256, u64),
    /// Hashing on a thread, sent copies of the bytes.
    Thread(std::sync::mpsc::SyncSender<Vec<u8>>, std::thread::JoinHandle<String>),
    /// Ended: the hex digest.
    Done(String),
}

impl Shared {
    /// A digest of nothing yet.
    pub(crate) fn new() -> Shared {
        Shared(Arc::new(Mutex::new(State::Inline(Sha256::new(), 0))))
    }

    fn update(&self, bytes: &[u8]) {
        let mut state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let State::Inline(_, seen) = &*state {
            if *seen > INLINE_BYTES && !cfg!(target_arch = "wasm32") {
                if let State::Inline(hasher, seen) = std::mem::take(&mut *state) {
                    *state = spawn(hasher.clone()).unwrap_or(State::Inline(hasher, seen));
                }
            }
        }
        match &mut *state {
            State::Inline(hasher, seen) => {
                hasher.update(bytes);
                *seen += bytes.len() as u64;
            }
            State::Thread(sender, _) => {
                // The thread only stops when the sender is dropped.
                let _ = sender.send(bytes.to_vec());
            }
            State::Empty | State::Done(_) => {}
        }
    }

    /// The lowercase hex SHA-256 of every byte read (the first call ends
    /// the digest).
    pub(crate) fn hex(&self) -> String {
        let mut state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let hex = match std::mem::take(&mut *state) {
            State::Inline(hasher, _) => hex(&hasher.finalize()),
            State::Thread(sender, handle) => {
                drop(sender);
                handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            }
            State::Done(hex) => hex,
            State::Empty => hex(&Sha256::new().finalize()),
        };
        *state = State::Done(hex.clone());
        hex
    }
}

/// How many bytes are hashed on the reading thread before the hashing
/// moves to one of its own (one account's report never does).
pub(crate) const INLINE_BYTES: u64 = 4 << 20;

/// A hashing thread that goes on from `hasher`, or `None` when one cannot
/// be started.
fn spawn(mut hasher: Sha256) -> Option<State> {
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
    let handle = std::thread::Builder::new()
        .name("keyrot-sha256".to_owned())
        .spawn(move || {
            for bytes in receiver {
                hasher.update(&bytes);
            }
            hex(&hasher.finalize())
        })
        .ok()?;
    Some(State::Thread(sender, handle))
}

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// The lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The lowercase hex SHA-256 of everything `input` yields.
pub fn sha256_reader(mut input: impl Read) -> io::Result<String> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match input.read(&mut buf) {
            Ok(0) => return Ok(hex(&hasher.finalize())),
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// A reader that hashes what it reads (when it is given a digest).
pub(crate) struct Hashing<R> {
    inner: R,
    digest: Option<Shared>,
}

impl<R> Hashing<R> {
    pub(crate) fn new(inner: R, digest: Option<Shared>) -> Hashing<R> {
        Hashing { inner, digest }
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(digest) = &self.digest {
            digest.update(&buf[..n]);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_known_digests() {
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn a_hashing_reader_hashes_every_byte_in_any_reads() {
        // Past INLINE_BYTES, so that the hashing moves to its thread midway.
        let data: Vec<u8> = (0..(INLINE_BYTES as u32 + 300_001)).map(|i| (i % 251) as u8).collect();
        let digest = Shared::new();
        let mut reader = Hashing::new(data.as_slice(), Some(digest.clone()));
        let mut buf = vec![0u8; 99_991];
        while reader.read(&mut buf).unwrap() > 0 {}
        assert_eq!(digest.hex(), sha256_hex(&data));
        assert_eq!(sha256_reader(data.as_slice()).unwrap(), sha256_hex(&data));
    }
}
