//! A buffer that holds a report's output until the report has been read
//! whole, so a bad report prints nothing, in bounded memory: past a few
//! megabytes it moves to a temporary file, removed when the buffer is
//! dropped or its output committed.

use std::fs::{File, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::PathBuf;

/// How much stays in memory before the buffer moves to a file.
const IN_MEMORY: usize = 4 << 20;

pub(crate) struct SpillBuffer {
    memory: Vec<u8>,
    file: Option<(File, PathBuf)>,
    /// The destination itself, a regular file, written directly; cut back to
    /// the offset it had if the output is discarded.
    direct: Option<(File, u64)>,
}

impl SpillBuffer {
    pub(crate) fn new() -> SpillBuffer {
        SpillBuffer { memory: Vec::new(), file: None, direct: None }
    }

    /// A buffer that writes straight into `file`, a regular file whose end is
    /// at `start`: nothing is written twice, and [`discard`] cuts the file
    /// back to `start`.
    pub(crate) fn direct(file: File, start: u64) -> SpillBuffer {
        SpillBuffer { memory: Vec::new(), file: None, direct: Some((file, start)) }
    }

    /// Forgets everything written since the last commit: a direct file is
    /// cut back to where it stood then, so an error leaves it as it was.
    pub(crate) fn discard(&mut self) -> io::Result<()> {
        self.memory.clear();
        self.file = None;
        if let Some((file, start)) = &mut self.direct {
            file.set_len(*start)?;
            file.seek(SeekFrom::Start(*start))?;
        }
        Ok(())
    }

    /// Makes everything written since the last commit final: copies it to
    /// `out` (a direct file already holds it), and starts again empty.
    pub(crate) fn commit(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if let Some((file, start)) = &mut self.direct {
            file.flush()?;
            *start = file.stream_position()?;
            return Ok(());
        }
        match self.file.take() {
            None => out.write_all(&self.memory)?,
            Some((mut file, path)) => {
                file.seek(SeekFrom::Start(0))?;
                let copied = io::copy(&mut file, out);
                let _ = std::fs::remove_file(&path);
                copied?;
            }
        }
        self.memory.clear();
        Ok(())
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
}

impl Write for SpillBuffer {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if let Some((file, _)) = &mut self.direct {
            return file.write(data);
        }
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
        match (&mut self.direct, &mut self.file) {
            (Some((file, _)), _) | (None, Some((file, _))) => file.flush(),
            (None, None) => Ok(()),
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
        buf.commit(&mut out).unwrap();
        assert_eq!(out.len(), 6 << 20);
        assert!(out.chunks(1 << 20).all(|c| c == chunk.as_slice()));
        assert!(!path.exists());
        // Then the buffer starts again, in memory.
        buf.write_all(b"next\n").unwrap();
        buf.commit(&mut out).unwrap();
        assert!(out.ends_with(b"next\n"));
        buf.write_all(&chunk).unwrap();
        buf.discard().unwrap();
        buf.commit(&mut out).unwrap();
        assert_eq!(out.len(), (6 << 20) + 5);
    }

    #[test]
    fn direct_output_is_cut_back_to_the_last_commit_when_discarded() {
        let path = std::env::temp_dir().join(format!("keyrot-direct-{}.csv", std::process::id()));
        std::fs::write(&path, b"kept\n").unwrap();
        let mut file = OpenOptions::new().read(true).write(true).open(&path).unwrap();
        let start = file.seek(SeekFrom::End(0)).unwrap();
        let mut buf = SpillBuffer::direct(file, start);
        buf.write_all(b"a,b\n").unwrap();
        buf.flush().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"kept\na,b\n");
        buf.discard().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"kept\n");
        buf.write_all(b"c,d\n").unwrap();
        buf.commit(&mut Vec::new()).unwrap();
        buf.write_all(b"e,f\n").unwrap();
        buf.discard().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"kept\nc,d\n");
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn small_output_stays_in_memory() {
        let mut buf = SpillBuffer::new();
        buf.write_all(b"a,b\n").unwrap();
        assert!(buf.file.is_none());
        let mut out = Vec::new();
        buf.commit(&mut out).unwrap();
        assert_eq!(out, b"a,b\n");
    }
}
