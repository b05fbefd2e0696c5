//! The command line's input and output: opening a report (or stdin), naming
//! it, stdout as a file, and an output its reader may close early.

use keyrot::Error;
use std::io::{self, Read, Write};

/// Stdout as a file, when it is a regular file and its offset is at its end
/// (`> out.csv`, not `>> log`): the CSV output can then go straight into it,
/// and be cut back if an input turns out bad, instead of being held in a
/// temporary file and copied.
pub(crate) fn stdout_file() -> Option<(std::fs::File, u64)> {
    #[cfg(unix)]
    {
        use std::io::Seek;
        use std::os::fd::AsFd;
        let fd = io::stdout().as_fd().try_clone_to_owned().ok()?;
        let mut file = std::fs::File::from(fd);
        let meta = file.metadata().ok()?;
        let at = file.stream_position().ok()?;
        (meta.is_file() && at == meta.len()).then_some((file, at))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// An output that its reader may close early (`keyrot check report.csv |
/// head -3`): from then on writing does nothing, so the command still reads
/// and judges everything and exits with the status of its verdict. A closed
/// pipe never turns a failing verdict into success, and never fails the run.
pub(crate) struct Closable<W> {
    inner: W,
    closed: bool,
}

impl<W: Write> Closable<W> {
    pub(crate) fn new(inner: W) -> Closable<W> {
        Closable { inner, closed: false }
    }

    fn unless_closed<T>(&mut self, done: T, result: io::Result<T>) -> io::Result<T> {
        match result {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(done)
            }
            other => other,
        }
    }
}

impl<W: Write> Write for Closable<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Ok(data.len());
        }
        let result = self.inner.write(data);
        self.unless_closed(data.len(), result)
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let result = self.inner.flush();
        self.unless_closed((), result)
    }
}

pub(crate) fn display_name(path: &std::path::Path) -> String {
    if path.as_os_str() == "-" {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}

pub(crate) fn open(path: &std::path::Path) -> Result<Box<dyn Read>, Error> {
    if path.as_os_str() == "-" {
        Ok(Box::new(io::stdin().lock()))
    } else {
        std::fs::File::open(path)
            .map(|f| Box::new(f) as Box<dyn Read>)
            .map_err(|e| Error::new(keyrot::ErrorCode::Io, format!("cannot open the file: {e}")))
    }
}
