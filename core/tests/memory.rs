//! Memory bounds, measured by counting every allocation: an oversized field
//! is refused before it is buffered, and the streaming path's memory does
//! not grow with the number of rows.

// A counting global allocator needs `unsafe impl GlobalAlloc`; it only
// forwards to the system allocator.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// The checks share the counters: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
        PEAK.fetch_max(now, Ordering::SeqCst);
        // SAFETY: forwards the caller's layout to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
        // SAFETY: `ptr` was allocated by `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The most memory allocated at once while `f` runs, beyond what was
/// allocated before it.
fn peak_during(f: impl FnOnce()) -> usize {
    let base = CURRENT.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    f();
    PEAK.load(Ordering::SeqCst) - base
}

const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

fn row(i: usize) -> String {
    // A new account every 1,000 rows, as in an organisation's reports put together.
    let account = 100_000_000_000u64 + (i / 1000) as u64;
    format!(
        "user-{i},arn:aws:iam::{account}:user/user-{i},2020-01-01T00:00:00Z,false,N/A,N/A,N/A,false,true,2026-0{}-01T00:00:00Z,2026-11-20T10:00:00Z,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n",
        1 + i % 9
    )
}

/// A report of `rows` rows, and the options to judge it with.
fn report(rows: usize) -> (String, keyrot::Options) {
    let mut text = String::from(HEADER);
    text.push('\n');
    for i in 0..rows {
        text.push_str(&row(i));
    }
    let options = keyrot::Options::at(keyrot::parse_timestamp("2026-11-26T00:00:00Z").expect("ts"));
    (text, options)
}

fn streamed_peak(rows: usize) -> usize {
    let (text, options) = report(rows);
    peak_during(|| {
        let mut reader = keyrot::read::ReportReader::new(text.as_bytes(), &options.parse_options()).expect("header");
        let mut analyzer = keyrot::read::Analyzer::new(&reader, &options).expect("analyzer");
        let mut judged = 0;
        while let Some(row) = reader.read_row().expect("row") {
            judged += analyzer.judge(&row).len();
        }
        assert_eq!(judged, rows);
        let analysis = analyzer.finish(Vec::new());
        assert_eq!(analysis.summary.overall.keys as usize, rows);
    })
}

fn scanned_peak(rows: usize) -> usize {
    let (text, options) = report(rows);
    peak_during(|| {
        let mut judged = 0;
        let analysis = keyrot::Run::new(&options)
            .threads(2)
            .report(text.as_bytes(), |batch| {
                judged += batch.len();
                Ok::<(), keyrot::Error>(())
            })
            .expect("judged");
        assert_eq!(judged, rows);
        assert_eq!(analysis.summary.overall.keys as usize, rows);
    })
}

/// A folder of `files` account reports of `rows` rows each, judged on two
/// threads with every batch dropped once merged (as `check --format csv`
/// does), and the peak.
fn folder_peak(files: usize, rows: usize) -> usize {
    let options = keyrot::Options::at(keyrot::parse_timestamp("2026-11-26T00:00:00Z").expect("ts"));
    let reports: Vec<String> = (0..files)
        .map(|f| {
            let mut text = String::from(HEADER);
            text.push('\n');
            for i in 0..rows {
                // One account per file: row numbers that put every file's rows in its own account.
                text.push_str(
                    &row(f * 1000 + i % 1000).replace(&format!("user-{}", f * 1000 + i % 1000), &format!("u{i}")),
                );
            }
            text
        })
        .collect();
    peak_during(|| {
        let mut judged = 0;
        let many = keyrot::Run::new(&options)
            .threads(2)
            .reports(
                reports.iter().enumerate().map(|(i, r)| (format!("credentialReport_{i}.csv"), Ok(r.as_bytes()))),
                |batch| batch.len(),
                |merged| {
                    if let keyrot::ReportEvent::Batch { made, .. } = merged {
                        judged += made;
                    }
                    Ok::<(), keyrot::Error>(())
                },
            )
            .expect("judged");
        assert_eq!(judged, files * rows);
        assert_eq!(many.reports.len(), files);
        assert_eq!(many.summary.accounts.len(), files);
        assert!(many.anomalies.is_empty(), "{:?}", many.anomalies.first());
    })
}

#[test]
fn memory_bounds() {
    let _one_at_a_time = SERIAL.lock().unwrap_or_else(|e| e.into_inner());

    // An 8 MB field is refused once its row passes the 1 MiB row limit, long
    // before the whole field is buffered.
    let mut huge = String::from(HEADER);
    huge.push('\n');
    huge.push_str(&"x".repeat(8 << 20));
    huge.push_str(",arn:aws:iam::111122223333:user/x\n");
    let mut code = None;
    let peak = peak_during(|| {
        let options = keyrot::Options::at(keyrot::parse_timestamp("2026-11-26T00:00:00Z").expect("ts"));
        let err = keyrot::analyze(huge.as_bytes(), &options).expect_err("over the limit");
        code = Some(err.code());
    });
    assert_eq!(code, Some(keyrot::ErrorCode::LimitExceeded));
    assert!(peak < 4 << 20, "an 8 MB field made keyrot allocate {peak} bytes at once");

    // The streaming path: 20 times the rows, about the same memory.
    let small = streamed_peak(5_000);
    let large = streamed_peak(100_000);
    eprintln!("peak: huge-field {peak}, 5k rows {small}, 100k rows {large}");
    assert!(large < small + (256 << 10), "5,000 rows peaked at {small} bytes, 100,000 rows at {large}");

    // The fast path on two threads holds a few chunks in flight (about 0.8
    // MB each, judged), not the input: 4 times the rows, the same memory.
    let small = scanned_peak(50_000);
    let large = scanned_peak(200_000);
    eprintln!("scanner peak: 50k rows {small}, 200k rows {large}");
    // How many chunks are in flight at the peak depends on the threads'
    // timing (at most two per thread, one being read and one being merged:
    // six of about 0.8 MB on two threads), so one run may catch none in
    // flight and the other all six (a loaded machine does): that much slack.
    // A peak that grew with the input would pass it by far (200,000 rows are
    // 45 MB of text).
    assert!(large < small + (6 << 20), "50,000 rows peaked at {small} bytes, 200,000 rows at {large}");
    assert!(large < 16 << 20, "200,000 rows took {large} bytes");

    // A folder of account reports: 4 times the files, the same memory but
    // for eight bytes per user of fingerprints (the check for a user in
    // two reports), and no finding is held.
    let small = folder_peak(50, 2_000);
    let large = folder_peak(200, 2_000);
    eprintln!("folder peak: 50 files {small}, 200 files {large}");
    let fingerprints = 8 * 150 * 2_000;
    // The same slack for chunks in flight as the scanner's above: on a
    // loaded machine one run caught 6.9 MB more at 200 files (12.3 MB), on
    // a quiet one 2.4 to 2.9 MB.
    assert!(large < small + fingerprints + (6 << 20), "50 files peaked at {small} bytes, 200 files at {large}");
    assert!(large < 16 << 20, "200 files took {large} bytes");
}
