//! The SHA-256 of an input's bytes as they are read, for `input_sha256`:
//! the evidence of exactly what was judged.

use sha2::{Digest, Sha256};
use std::io::{self, Read};
use std::sync::{Arc, Mutex, PoisonError};

/// A digest that a [`Hashing`] reader feeds and its owner reads at the end.
#[derive(Clone, Default)]
pub(crate) struct Shared(Arc<Mutex<Sha256>>);

impl Shared {
    /// The lowercase hex SHA-256 of every byte read so far.
    pub(crate) fn hex(&self) -> String {
        let digest = self.0.lock().unwrap_or_else(PoisonError::into_inner).clone().finalize();
        hex(&digest)
    }
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

/// A reader that hashes what it reads.
pub(crate) struct Hashing<R> {
    inner: R,
    digest: Shared,
}

impl<R> Hashing<R> {
    pub(crate) fn new(inner: R, digest: Shared) -> Hashing<R> {
        Hashing { inner, digest }
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.digest.0.lock().unwrap_or_else(PoisonError::into_inner).update(&buf[..n]);
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
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let digest = Shared::default();
        let mut reader = Hashing::new(data.as_slice(), digest.clone());
        let mut buf = [0u8; 997];
        while reader.read(&mut buf).unwrap() > 0 {}
        assert_eq!(digest.hex(), sha256_hex(&data));
        assert_eq!(sha256_reader(data.as_slice()).unwrap(), sha256_hex(&data));
    }
}
