//! A buffer that holds output until every input has been read, so a bad
//! input leaves stdout empty, in bounded memory: past a few megabytes it
//! moves to a temporary file, removed when the buffer is dropped.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

/// How much stays in memory before the buffer moves to a file.
const IN_MEMORY: usize = 4 << 20;

pub(crate) struct SpillBuffer {
    memory: Vec<u8>,
    file: Option<(File, PathBuf)>,
}

impl SpillBuffer {
    pub(crate) fn new() -> SpillBuffer {
        SpillBuffer { memory: Vec::new(), file: None }
    }

    fn spill(&mut self) -> io::Result<()> {
        let dir = std::env::temp_dir();
        for attempt in 0..100u32 {
            let path = dir.join(format!("keyrot-{}-{attempt}.csv", std::process::id()));
            match OpenOptions::new().read(true).write(true).create_new(true).open(&path) {
                Ok(mut file) => {
                    file.write_all(&self.memory)?;
                    self.memory = Vec::new();
                    self.file = Some((file, path));
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::other("cannot create a temporary file for the output"))
    }

    /// Copies everything written to `out`.
    pub(crate) fn copy_to(&mut self, out: &mut dyn Write) -> io::Result<()> {
        match &mut self.file {
            None => out.write_all(&self.memory),
            Some((file, _)) => {
                file.seek(SeekFrom::Start(0))?;
                let mut buf = vec![0; 1 << 16];
                loop {
                    let n = file.read(&mut buf)?;
                    if n == 0 {
                        return Ok(());
                    }
                    out.write_all(&buf[..n])?;
                }
            }
        }
    }
}

impl Write for SpillBuffer {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if let Some((file, _)) = &mut self.file {
            return file.write(data);
        }
        self.memory.extend_from_slice(data);
        if self.memory.len() > IN_MEMORY {
            self.spill()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some((file, _)) => file.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for SpillBuffer {
    fn drop(&mut self) {
        if let Some((_, path)) = &self.file {
            let _ = std::fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_output_round_trips_through_a_file_that_is_removed() {
        let mut buf = SpillBuffer::new();
        let chunk: Vec<u8> = (0..=255u8).cycle().take(1 << 20).collect();
        for _ in 0..6 {
            buf.write_all(&chunk).unwrap();
        }
        let path = buf.file.as_ref().map(|(_, p)| p.clone()).expect("spilled to a file");
        assert!(path.exists());
        let mut out = Vec::new();
        buf.copy_to(&mut out).unwrap();
        assert_eq!(out.len(), 6 << 20);
        assert!(out.chunks(1 << 20).all(|c| c == chunk.as_slice()));
        drop(buf);
        assert!(!path.exists());
    }

    #[test]
    fn small_output_stays_in_memory() {
        let mut buf = SpillBuffer::new();
        buf.write_all(b"a,b\n").unwrap();
        assert!(buf.file.is_none());
        let mut out = Vec::new();
        buf.copy_to(&mut out).unwrap();
        assert_eq!(out, b"a,b\n");
    }
}
