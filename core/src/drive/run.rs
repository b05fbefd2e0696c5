//! The one driver: [`Run`] reads reports, judges their chunks on several
//! threads, and merges the results in input order. Every interface (the Rust
//! functions, the command, Python and WebAssembly) judges reports through it.

use crate::drive::analysis::{Analysis, Analyzer};
use crate::drive::many::{ManyAnalysis, ManyBuilder, ReportOutcome};
use crate::error::{Error, ErrorCode};
use crate::input::digest::{Hashing, Shared};
use crate::input::limits::Limits;
use crate::input::scan::{Chunk, Scanner, CHUNK_BYTES};
use crate::input::simd::Simd;
use crate::judge::batch::{FindingBatch, Judge};
use crate::judge::exemptions::Exemptions;
use crate::judge::policy::Options;
use std::collections::BTreeMap;
use std::io::{self, Read};
use std::sync::Arc;

/// How much input one more thread is worth: below this, starting a thread
/// costs about what it saves.
const BYTES_PER_THREAD: u64 = 4 << 20;

/// How many items other than chunks (a report's start or end) may wait to
/// be merged: what lets a folder of tiny reports be read ahead of a slow
/// chunk, without holding the whole folder.
const MARKS_AHEAD: usize = 256;

/// Judges reports: one ([`report`](Run::report)) or many
/// ([`reports`](Run::reports)), each read once, cut into chunks of whole
/// rows that are judged on several threads (see
/// [`threads`](Run::threads)), and handed back as [`FindingBatch`]es in
/// input order, with the same results for any number of threads. Memory
/// stays flat: at most two chunks per thread are in flight, and the batches
/// are the caller's to keep or drop.
///
/// ```
/// use keyrot::{Options, Run, Status, parse_timestamp};
/// let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
///            alice,arn:aws:iam::111122223333:user/alice,true,2026-01-01T00:00:00Z,false,N/A\n\
///            bob,arn:aws:iam::111122223333:user/bob,true,2026-11-01T00:00:00Z,false,N/A\n";
/// let options = Options::at(parse_timestamp("2026-11-26T00:00:00Z").unwrap());
/// let mut failing = Vec::new();
/// let analysis = Run::new(&options).threads(2).report(csv.as_bytes(), |batch| {
///     failing.extend(batch.findings().filter(|f| f.status() == Status::Fail).map(|f| f.user().to_owned()));
///     Ok::<(), keyrot::Error>(())
/// })?;
/// assert_eq!(failing, ["alice"]);
/// assert_eq!((analysis.summary.overall.keys, analysis.findings.len()), (2, 0));
/// # Ok::<(), keyrot::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Run {
    options: Options,
    exemptions: Option<Arc<Exemptions>>,
    threads: usize,
    size: Option<u64>,
    limits: Limits,
    chunk_bytes: usize,
    source: Arc<str>,
    digest: bool,
    simd: Simd,
}

/// What [`Run::reports`] hands the caller, in input order.
#[derive(Debug)]
pub enum ReportEvent<'m, T> {
    /// A judged batch of the report at `report` (its index in the order
    /// given), with what the work function made of it on its thread.
    Batch {
        /// The report's index in the order given.
        report: usize,
        /// The batch.
        batch: FindingBatch,
        /// What the work function returned for it.
        made: T,
    },
    /// The report at `report` has been read to its end: judged, or failed
    /// (its `error` says why; the batches already handed out for it are
    /// then to be dropped).
    Done {
        /// The report's index in the order given.
        report: usize,
        /// What happened to it.
        outcome: &'m ReportOutcome,
    },
}

/// One input of the driver inside the core: its name, the evaluation
/// instant it is judged at when not the run's own (a history's report, at
/// its time), and its reader.
pub(crate) struct Input<R> {
    pub(crate) name: String,
    pub(crate) as_of: Option<crate::input::value::Timestamp>,
    pub(crate) reader: io::Result<R>,
}

impl<R> Input<R> {
    fn of((name, reader): (String, io::Result<R>)) -> Input<R> {
        Input { name, as_of: None, reader }
    }
}

/// What the driver hands its caller inside the core, in input order.
pub(crate) enum Event<T> {
    /// A judged batch of report `file`.
    Batch { file: usize, batch: FindingBatch, made: T },
    /// Report `file` has been read to its end.
    Done { file: usize, source: Arc<str>, result: Result<Analysis, Error> },
}

impl Run {
    /// The number of threads to judge `size` bytes of input on when the caller
    /// does not say: one per core, but no more than one per 4 MB of input, so
    /// one account's report (about 1 MB) starts none. An input of unknown size
    /// (a pipe) gets one per core, and [`Run`] starts them only once the input
    /// has turned out to be longer than one chunk.
    ///
    /// ```
    /// assert_eq!(keyrot::Run::default_threads(Some(1 << 20)), 1);
    /// assert!(keyrot::Run::default_threads(None) >= 1);
    /// ```
    pub fn default_threads(size: Option<u64>) -> usize {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        match size {
            Some(bytes) => cores.min(usize::try_from(bytes / BYTES_PER_THREAD).unwrap_or(usize::MAX).max(1)),
            None => cores,
        }
    }

    /// A run with these options, the default thread policy
    /// ([`default_threads`](Run::default_threads)), the default [`Limits`] and no exemptions.
    pub fn new(options: &Options) -> Run {
        Run {
            options: options.clone(),
            exemptions: None,
            threads: 0,
            size: None,
            limits: Limits::default(),
            chunk_bytes: CHUNK_BYTES,
            source: Arc::from(""),
            digest: true,
            simd: Simd::Auto,
        }
    }

    /// The checks the run judges, and their options.
    pub fn checks(&self) -> crate::judge::policy::Checks {
        self.options.checks()
    }

    /// Whether to take the SHA-256 of each input's bytes as they are read
    /// (`input_sha256` in the analysis and in each report's outcome, the
    /// evidence of what was judged). On by default; a caller that prints
    /// no evidence (the command's CSV and table) may turn it off.
    #[must_use]
    pub fn digest(mut self, digest: bool) -> Run {
        self.digest = digest;
        self
    }

    /// Applies `exemptions` to every finding (see
    /// [`Analyzer::with_exemptions`]).
    pub fn exemptions(mut self, exemptions: &Exemptions) -> Run {
        self.exemptions = Some(Arc::new(exemptions.clone()));
        self
    }

    /// Judges on `threads` threads besides the calling one, which reads and
    /// merges; 1 starts none (what a target without threads, such as
    /// WebAssembly, needs), and 0 (the default) follows
    /// [`default_threads`](Run::default_threads).
    pub fn threads(mut self, threads: usize) -> Run {
        self.threads = threads;
        self
    }

    /// The size of the input in bytes, when the caller knows it (a file's),
    /// for [`default_threads`](Run::default_threads).
    pub fn size_hint(mut self, bytes: u64) -> Run {
        self.size = Some(bytes);
        self
    }

    /// Other [`Limits`] than the defaults.
    pub fn limits(mut self, limits: Limits) -> Run {
        self.limits = limits;
        self
    }

    /// Chunks of about `bytes` bytes (default 512 KiB) instead; the results
    /// do not depend on it.
    pub fn chunk_bytes(mut self, bytes: usize) -> Run {
        self.chunk_bytes = bytes.max(1);
        self
    }

    /// The instructions the structural scan uses to find commas, quotes and
    /// line ends (default [`Simd::Auto`]: the widest the machine has; a
    /// level it lacks is read as [`Simd::Portable`]); the results do not
    /// depend on it. The core never reads the environment: the command
    /// sets it from `--simd` or `KEYROT_SIMD`.
    pub fn simd(mut self, level: Simd) -> Run {
        self.simd = level;
        self
    }

    /// The name [`report`](Run::report)'s batches give their findings (a
    /// file name; empty by default).
    pub fn source(mut self, name: &str) -> Run {
        self.source = Arc::from(name);
        self
    }

    /// The threads this run judges on.
    pub(crate) fn thread_count(&self) -> usize {
        if self.threads > 0 {
            self.threads
        } else {
            Run::default_threads(self.size)
        }
    }

    /// Reads and judges one report, handing each batch to `each` in input
    /// order, and returns the analysis (without findings: they are in the
    /// batches). The first error in input order (the input's, or one `each`
    /// returns) stops the run; the batches handed out before it are then to
    /// be dropped.
    pub fn report<R, E>(&self, input: R, mut each: impl FnMut(FindingBatch) -> Result<(), E>) -> Result<Analysis, E>
    where
        R: Read,
        E: From<Error>,
    {
        self.report_with(input, |_| (), |batch, ()| each(batch))
    }

    /// Reads and judges one report and keeps every finding: the
    /// [`Analysis`] of [`analyze`](crate::analyze), by this run's options,
    /// exemptions and source.
    pub fn analyze<R: Read>(&self, input: R) -> Result<Analysis, Error> {
        let mut findings = Vec::new();
        let mut analysis = self.report(input, |batch| {
            findings.extend(batch.findings().map(|f| f.to_finding()));
            Ok::<(), Error>(())
        })?;
        analysis.findings = findings;
        Ok(analysis)
    }

    /// Like [`report`](Run::report), with `work` called on each batch on the
    /// thread that judged it (to write its findings out, say, in parallel,
    /// or to [`compact`](FindingBatch::compact) a batch that will be held)
    /// and what it made handed to `merge` with the batch, in input order.
    pub fn report_with<R, T, E, W, M>(&self, input: R, work: W, mut merge: M) -> Result<Analysis, E>
    where
        R: Read,
        T: Send,
        E: From<Error>,
        W: Fn(&mut FindingBatch) -> T + Sync,
        M: FnMut(FindingBatch, T) -> Result<(), E>,
    {
        let mut outcome = None;
        let inputs = std::iter::once(Input { name: self.source.to_string(), as_of: None, reader: Ok(input) });
        self.drive(inputs, &work, &mut |event| match event {
            Event::Batch { batch, made, .. } => merge(batch, made),
            Event::Done { result, .. } => {
                outcome = Some(result);
                Ok(())
            }
        })?;
        match outcome {
            Some(result) => result.map_err(E::from),
            None => Err(Error::new(ErrorCode::EmptyInput, "the input is empty: no header, no rows").into()),
        }
    }

    /// Reads and judges many reports, each at its own `as_of` (see
    /// [`analyze_many`](crate::analyze_many)), handing `merge` each batch
    /// (with what `work` made of it on its thread) and then each report's
    /// outcome, in the order given. An input that cannot be opened or read
    /// is reported in its outcome and does not stop the others: only an
    /// error `merge` returns stops the run (so with a `merge` that cannot
    /// fail, `E` may be [`Infallible`](std::convert::Infallible)).
    ///
    /// The result holds the counts, every report's outcome and every
    /// anomaly, and no finding: memory does not grow with the number of
    /// findings, and by eight bytes per user with the number of reports
    /// (what finds the same user in two reports).
    ///
    /// ```
    /// use keyrot::{ReportEvent, Options, Run, parse_timestamp};
    /// let header = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n";
    /// let a = format!("{header}alice,arn:aws:iam::111111111111:user/alice,true,2026-01-01T00:00:00Z,false,N/A\n");
    /// let options = Options::at(parse_timestamp("2026-11-26T00:00:00Z").unwrap());
    /// let inputs = vec![
    ///     ("a.csv".to_owned(), Ok(a.as_bytes())),
    ///     ("b.csv".to_owned(), Err(std::io::Error::other("permission denied"))),
    /// ];
    /// let mut lines = Vec::new();
    /// let many = Run::new(&options).reports(inputs, |batch| batch.len(), |merged| {
    ///     match merged {
    ///         ReportEvent::Batch { report, made, .. } => lines.push(format!("{report}: {made} keys")),
    ///         ReportEvent::Done { report, outcome } => lines.push(format!("{report}: failed {}", outcome.error.is_some())),
    ///     }
    ///     Ok::<(), keyrot::Error>(())
    /// })?;
    /// assert_eq!(lines, ["0: 1 keys", "0: failed false", "1: failed true"]);
    /// assert_eq!(many.summary.overall.fail, 1);
    /// # Ok::<(), keyrot::Error>(())
    /// ```
    pub fn reports<I, R, T, E, W, M>(&self, inputs: I, work: W, mut merge: M) -> Result<ManyAnalysis, E>
    where
        I: IntoIterator<Item = (String, io::Result<R>)>,
        R: Read,
        T: Send,
        W: Fn(&mut FindingBatch) -> T + Sync,
        M: FnMut(ReportEvent<'_, T>) -> Result<(), E>,
    {
        let mut many = ManyBuilder::new(self.options.policy(), self.options.checks());
        self.drive(inputs.into_iter().map(Input::of), &work, &mut |event| match event {
            Event::Batch { file, batch, made } => {
                many.observe(file, &batch);
                merge(ReportEvent::Batch { report: file, batch, made })
            }
            Event::Done { file, source, result } => {
                let outcome = many.finish_report(file, &source, result);
                merge(ReportEvent::Done { report: file, outcome })
            }
        })?;
        Ok(many.finish())
    }

    /// Reads every input in order on this thread (each at its own `as_of`
    /// when it has one), judges the chunks on `thread_count()` threads, and
    /// hands `handle` the batches and each input's whole analysis (its
    /// counts per account), in input order: what every entry point, and a
    /// history, reads with.
    pub(crate) fn drive<I, R, T, E, W, H>(&self, inputs: I, work: &W, handle: &mut H) -> Result<(), E>
    where
        I: Iterator<Item = Input<R>>,
        R: Read,
        T: Send,
        W: Fn(&mut FindingBatch) -> T + Sync,
        H: FnMut(Event<T>) -> Result<(), E>,
    {
        let mut feeder = Feeder {
            run: self,
            reader: std::marker::PhantomData,
            inputs: inputs.enumerate(),
            current: None,
            abandoned: None,
        };
        let merger = Merger { current: None, failed: None };
        let threads = self.thread_count();
        // Read ahead until two chunks are in hand: an input of one chunk is
        // judged on this thread, without starting any.
        let mut ahead = Vec::new();
        if threads > 1 {
            let mut chunks = 0;
            while chunks < 2 {
                let Some(item) = feeder.next() else { break };
                chunks += usize::from(matches!(item, Item::Chunk { .. }));
                ahead.push(item);
            }
            if chunks >= 2 {
                return Drive { feeder, merger, work, handle }.parallel(ahead, threads);
            }
        }
        Drive { feeder, merger, work, handle }.serial(ahead)
    }
}

/// One item of the input, in order: a report's start (its analyzer), a chunk
/// to judge, or a report's end.
enum Item {
    Start { file: usize, analyzer: Box<Analyzer> },
    Chunk { file: usize, chunk: Chunk, judge: Arc<Judge> },
    End { file: usize, source: Arc<str>, error: Option<Error>, sha256: Option<String> },
}

/// Reads the inputs in order, one chunk at a time.
struct Feeder<'r, I, R> {
    run: &'r Run,
    /// The readers' type.
    reader: std::marker::PhantomData<R>,
    inputs: std::iter::Enumerate<I>,
    /// The input being read: its index, reader, judge, and the digest of
    /// its bytes when the run takes one.
    current: Option<(usize, Scanner<'r>, Arc<Judge>, Option<Shared>)>,
    /// An input whose reading failed while it was being read: stop.
    abandoned: Option<usize>,
}

impl<'r, I, R> Feeder<'r, I, R>
where
    I: Iterator<Item = Input<R>>,
    R: Read + 'r,
{
    /// The next item, `None` when every input has been read.
    fn next(&mut self) -> Option<Item> {
        if let Some((file, scanner, judge, digest)) = &mut self.current {
            let file = *file;
            let next = if self.abandoned == Some(file) { Ok(None) } else { scanner.next_chunk() };
            match next {
                Ok(Some(chunk)) => return Some(Item::Chunk { file, chunk, judge: Arc::clone(judge) }),
                Ok(None) => {
                    let source = Arc::clone(judge.source());
                    let sha256 = digest.as_ref().map(Shared::hex);
                    self.current = None;
                    return Some(Item::End { file, source, error: None, sha256 });
                }
                Err(e) => {
                    let source = Arc::clone(judge.source());
                    self.current = None;
                    return Some(Item::End { file, source, error: Some(e), sha256: None });
                }
            }
        }
        let (file, Input { name, as_of, reader: input }) = self.inputs.next()?;
        let source: Arc<str> = Arc::from(name);
        let run = self.run;
        let digest = run.digest.then(Shared::new);
        let opened = input.map_err(|e| Error::io(&e)).and_then(|input| {
            let options = run.options.parse_options();
            let input = Hashing::new(input, digest.clone());
            let scanner = Scanner::with_simd(input, &options, &run.limits, run.chunk_bytes, run.simd)?;
            let mut analyzer = match as_of {
                None => Analyzer::for_scanner(&scanner, &run.options)?,
                Some(as_of) => {
                    let mut options = run.options.clone();
                    options.as_of = Some(as_of);
                    Analyzer::for_scanner(&scanner, &options)?
                }
            };
            if let Some(exemptions) = &run.exemptions {
                analyzer = analyzer.with_shared_exemptions(Arc::clone(exemptions));
            }
            let judge = Arc::new(Judge::new(
                &scanner,
                (*analyzer.policy(), *analyzer.checks()),
                (analyzer.as_of(), analyzer.as_of_source()),
                Arc::clone(&source),
                run.exemptions.clone(),
            ));
            Ok((scanner, analyzer, judge))
        });
        match opened {
            Ok((scanner, analyzer, judge)) => {
                self.current = Some((file, scanner, judge, digest));
                Some(Item::Start { file, analyzer: Box::new(analyzer) })
            }
            Err(e) => Some(Item::End { file, source, error: Some(e), sha256: None }),
        }
    }
}

/// Merges judged items in input order: the analyzer of the report being
/// merged absorbs its batches, and its first error ends it.
struct Merger {
    current: Option<(usize, Box<Analyzer>)>,
    /// The report being merged failed: its error, and the rest of its
    /// batches are dropped.
    failed: Option<(usize, Error)>,
}

/// A judged chunk: its batch and what the work function made of it.
type Judged<T> = Result<(FindingBatch, T), Error>;

impl Merger {
    fn start(&mut self, file: usize, analyzer: Box<Analyzer>) {
        self.current = Some((file, analyzer));
    }

    /// Merges a judged chunk of `file`; `Some(file)` when it failed (the
    /// reader should stop reading it).
    fn chunk<T, E, H>(&mut self, file: usize, judged: Judged<T>, handle: &mut H) -> Result<Option<usize>, E>
    where
        H: FnMut(Event<T>) -> Result<(), E>,
    {
        if self.failed.as_ref().is_some_and(|(f, _)| *f == file) {
            return Ok(None);
        }
        match judged {
            Ok((batch, made)) => {
                if let Some((_, analyzer)) = &mut self.current {
                    analyzer.absorb(&batch);
                }
                handle(Event::Batch { file, batch, made })?;
                Ok(None)
            }
            Err(e) => {
                self.failed = Some((file, e));
                Ok(Some(file))
            }
        }
    }

    fn end<T, E, H>(
        &mut self,
        file: usize,
        source: Arc<str>,
        error: Option<Error>,
        sha256: Option<String>,
        handle: &mut H,
    ) -> Result<(), E>
    where
        H: FnMut(Event<T>) -> Result<(), E>,
    {
        let analyzer = match self.current.take() {
            Some((f, analyzer)) if f == file => Some(analyzer),
            other => {
                self.current = other;
                None
            }
        };
        let failed = match self.failed.take() {
            Some((f, e)) if f == file => Some(e),
            other => {
                self.failed = other;
                None
            }
        };
        let result = match (failed.or(error), analyzer) {
            (Some(e), _) => Err(e),
            (None, Some(analyzer)) => Ok(Analysis { input_sha256: sha256, ..analyzer.finish(Vec::new()) }),
            (None, None) => Err(Error::new(ErrorCode::EmptyInput, "the input is empty: no header, no rows")),
        };
        handle(Event::Done { file, source, result })
    }
}

/// Judges a chunk and hands the batch to the work function.
fn judge_chunk<T>(judge: &Arc<Judge>, chunk: Chunk, work: &impl Fn(&mut FindingBatch) -> T) -> Judged<T> {
    let mut batch = judge.judge(chunk)?;
    let made = work(&mut batch);
    Ok((batch, made))
}

/// What the merge waits for, by position in the input.
enum Pending<T> {
    Start { file: usize, analyzer: Box<Analyzer> },
    Chunk { file: usize, judged: std::thread::Result<Judged<T>> },
    End { file: usize, source: Arc<str>, error: Option<Error>, sha256: Option<String> },
}

/// The reader, the merge, the work function and the handler of one drive.
struct Drive<'d, 'r, I, R, W, H> {
    feeder: Feeder<'r, I, R>,
    merger: Merger,
    work: &'d W,
    handle: &'d mut H,
}

impl<'r, I, R, T, E, W, H> Drive<'_, 'r, I, R, W, H>
where
    I: Iterator<Item = Input<R>>,
    R: Read + 'r,
    T: Send,
    W: Fn(&mut FindingBatch) -> T + Sync,
    H: FnMut(Event<T>) -> Result<(), E>,
{
    /// Judges every item on this thread, in order.
    fn serial(mut self, ahead: Vec<Item>) -> Result<(), E> {
        let Drive { feeder, merger, work, handle } = &mut self;
        let mut ahead = ahead.into_iter();
        loop {
            let Some(item) = ahead.next().or_else(|| feeder.next()) else { return Ok(()) };
            match item {
                Item::Start { file, analyzer } => merger.start(file, analyzer),
                Item::Chunk { file, chunk, judge } => {
                    if merger.failed.as_ref().is_some_and(|(f, _)| *f == file) {
                        continue;
                    }
                    if let Some(failed) = merger.chunk(file, judge_chunk(&judge, chunk, work), handle)? {
                        feeder.abandoned = Some(failed);
                    }
                }
                Item::End { file, source, error, sha256 } => merger.end(file, source, error, sha256, handle)?,
            }
        }
    }

    /// Judges the chunks on `threads` threads while this one reads and merges,
    /// with at most two chunks per thread in flight.
    fn parallel(mut self, ahead: Vec<Item>, threads: usize) -> Result<(), E> {
        let Drive { feeder, merger, work, handle } = &mut self;
        let work = *work;
        use std::sync::{mpsc, Mutex};
        type Job = (u64, usize, Chunk, Arc<Judge>);
        let (job_tx, job_rx) = mpsc::sync_channel::<Job>(threads);
        let job_rx = Mutex::new(job_rx);
        // A worker's panic is sent back and raised again here, so that the
        // merge never waits for a chunk that will not come.
        let (done_tx, done_rx) = mpsc::channel::<(u64, usize, std::thread::Result<Judged<T>>)>();
        std::thread::scope(|scope| {
            for _ in 0..threads {
                let (job_rx, done_tx) = (&job_rx, done_tx.clone());
                scope.spawn(move || loop {
                    // A poisoned lock means another worker panicked; the scope
                    // re-raises that panic.
                    let job = match job_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok((index, file, chunk, judge)) = job else { return };
                    let outcome =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| judge_chunk(&judge, chunk, work)));
                    if done_tx.send((index, file, outcome)).is_err() {
                        return;
                    }
                });
            }
            drop(done_tx);
            let mut ahead = ahead.into_iter();
            let (mut next, mut merged) = (0u64, 0u64);
            let (mut chunks_out, mut marks) = (0usize, 0usize);
            let mut waiting: BTreeMap<u64, Pending<T>> = BTreeMap::new();
            let mut job_tx = Some(job_tx);
            let result = loop {
                // Read while there is room.
                while job_tx.is_some() && chunks_out < 2 * threads && marks < MARKS_AHEAD {
                    let Some(item) = ahead.next().or_else(|| feeder.next()) else {
                        job_tx = None;
                        break;
                    };
                    let index = next;
                    next += 1;
                    match item {
                        Item::Chunk { file, chunk, judge } => {
                            if let Some(tx) = &job_tx {
                                if tx.send((index, file, chunk, judge)).is_err() {
                                    break;
                                }
                            }
                            chunks_out += 1;
                        }
                        Item::Start { file, analyzer } => {
                            waiting.insert(index, Pending::Start { file, analyzer });
                            marks += 1;
                        }
                        Item::End { file, source, error, sha256 } => {
                            waiting.insert(index, Pending::End { file, source, error, sha256 });
                            marks += 1;
                        }
                    }
                }
                // Merge what is ready, in order.
                let mut stop = None;
                while let Some(pending) = waiting.remove(&merged) {
                    merged += 1;
                    let step = match pending {
                        Pending::Start { file, analyzer } => {
                            marks -= 1;
                            merger.start(file, analyzer);
                            Ok(())
                        }
                        Pending::End { file, source, error, sha256 } => {
                            marks -= 1;
                            merger.end(file, source, error, sha256, handle)
                        }
                        Pending::Chunk { file, judged } => match judged {
                            Ok(judged) => merger.chunk(file, judged, handle).map(|failed| {
                                if failed.is_some() {
                                    feeder.abandoned = failed;
                                }
                            }),
                            Err(panic) => std::panic::resume_unwind(panic),
                        },
                    };
                    if let Err(e) = step {
                        stop = Some(e);
                        break;
                    }
                }
                if let Some(e) = stop {
                    break Err(e);
                }
                if merged == next && job_tx.is_none() {
                    break Ok(());
                }
                if merged == next {
                    continue;
                }
                let Ok((index, file, judged)) = done_rx.recv() else { break Ok(()) };
                chunks_out -= 1;
                waiting.insert(index, Pending::Chunk { file, judged });
            };
            drop(job_tx);
            result
        })
    }
}

/// Reads and judges a report from any reader.
///
/// ```
/// use keyrot::{analyze, Options, Status, parse_timestamp};
/// let csv = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
///            alice,arn:aws:iam::111122223333:user/alice,true,2026-08-27T23:59:59Z,false,N/A\n\
///            bob,arn:aws:iam::111122223333:user/bob,true,2026-08-28T00:00:00Z,false,N/A\n";
/// let options = Options::at(parse_timestamp("2026-11-26T00:00:00Z").unwrap());
/// let analysis = analyze(csv.as_bytes(), &options).unwrap();
/// assert_eq!(analysis.findings[0].status, Status::Fail);    // 90 days and 1 second
/// assert_eq!(analysis.findings[1].status, Status::DueSoon); // exactly 90 days
/// ```
pub fn analyze<R: Read>(input: R, options: &Options) -> Result<Analysis, Error> {
    judge_all(input, options, None)
}

/// Reads and judges a report, applying exemptions (see
/// [`Analyzer::with_exemptions`]).
pub fn analyze_with_exemptions<R: Read>(
    input: R,
    options: &Options,
    exemptions: &Exemptions,
) -> Result<Analysis, Error> {
    judge_all(input, options, Some(exemptions))
}

fn judge_all<R: Read>(input: R, options: &Options, exemptions: Option<&Exemptions>) -> Result<Analysis, Error> {
    exemptions.into_iter().fold(Run::new(options), Run::exemptions).analyze(input)
}

/// Judges every input, each at its own `as_of` (explicit, else its
/// `GeneratedTime`, else [`Options::clock`]). An input that cannot be read
/// is reported with its error and does not stop the others. The same account
/// in several reports is an `account_in_several_files` anomaly, and the same
/// user of one account in several reports a `duplicate_user` anomaly: never a
/// silent merge. The findings are collected; [`Run::reports`] streams them.
///
/// ```
/// use keyrot::{analyze_many, Options, parse_timestamp};
/// let header = "user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n";
/// let a = format!("{header}alice,arn:aws:iam::111111111111:user/alice,true,2026-01-01T00:00:00Z,false,N/A\n");
/// let b = format!("{header}bob,arn:aws:iam::222222222222:user/bob,true,2026-11-01T00:00:00Z,false,N/A\n");
/// let options = Options::at(parse_timestamp("2026-11-26T00:00:00Z").unwrap());
/// let many = analyze_many(
///     vec![("a.csv".to_owned(), a.as_bytes()), ("b.csv".to_owned(), b.as_bytes()), ("c.csv".to_owned(), &b""[..])],
///     &options,
///     None,
/// );
/// assert_eq!(many.summary.accounts.len(), 2);
/// assert_eq!(many.summary.overall.fail, 1);
/// assert_eq!(many.findings[0].source, "a.csv");
/// assert_eq!(many.failed().count(), 1);
/// ```
pub fn analyze_many<I, R>(inputs: I, options: &Options, exemptions: Option<&Exemptions>) -> ManyAnalysis
where
    I: IntoIterator<Item = (String, R)>,
    R: Read,
{
    let mut run = Run::new(options);
    if let Some(exemptions) = exemptions {
        run = run.exemptions(exemptions);
    }
    let mut findings = Vec::new();
    let mut start = 0;
    let result = run.reports(
        inputs.into_iter().map(|(name, input)| (name, Ok(input))),
        |_| (),
        |merged| {
            match merged {
                ReportEvent::Batch { batch, .. } => findings.extend(batch.findings().map(|f| f.to_sourced())),
                ReportEvent::Done { outcome, .. } => {
                    if outcome.error.is_some() {
                        findings.truncate(start);
                    }
                    start = findings.len();
                }
            }
            Ok::<(), std::convert::Infallible>(())
        },
    );
    let Ok(mut many) = result;
    many.findings = findings;
    many
}
