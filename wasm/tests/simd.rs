//! The structural scan's WebAssembly level, run in Node by wasm-bindgen-test
//! in a module built with simd128 (as `scripts/build.sh` builds the package
//! and the page):
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test --target wasm32-unknown-unknown -p keyrot-wasm --test simd --config 'target.wasm32-unknown-unknown.rustflags=["-C", "target-feature=+simd128"]'`.
//! The simd128 kernel must read every text as the portable one does (which
//! the host's property tests hold to the `csv` crate): the same records,
//! fields, lines and failures, for chunks of any size. Built without
//! simd128, the tests check that the level is refused (read as portable).
//! `KEYROT_EXPECT_SIMD128=1` at build time makes a build without it fail.
#![cfg(target_arch = "wasm32")]

use keyrot::read::{Limits, ParseOptions, Scanner, Simd, COLUMNS};
use keyrot::InputFormat;
use wasm_bindgen_test::wasm_bindgen_test;

/// What the scanner reads at `simd`: the header, each record's line and
/// fields, and the failure that ended it (code and line), if any.
fn scan(text: &[u8], chunk: usize, simd: Simd) -> String {
    let options = ParseOptions { format: InputFormat::Csv, lenient: false };
    let limits = Limits { max_fields: 40, max_field_bytes: 200, ..Limits::default() };
    let mut scanner = match Scanner::with_simd(text, &options, &limits, chunk, simd) {
        Ok(scanner) => scanner,
        Err(e) => return format!("header error {:?} at {:?}", e.code(), e.line()),
    };
    assert_eq!(scanner.simd(), simd.resolve());
    let mut out = format!("{:?}\n", scanner.columns());
    loop {
        match scanner.next_record() {
            Ok(Some(record)) => {
                out.push_str(&format!("{} {:?}\n", record.line(), record.iter().collect::<Vec<_>>()));
            }
            Ok(None) => return out,
            Err(e) => {
                out.push_str(&format!("error {:?} at {:?}\n", e.code(), e.line()));
                return out;
            }
        }
    }
}

/// A deterministic stream of CSV's own bytes: commas, quotes, doubled
/// quotes, every line ending, multibyte characters (one cut in half) and
/// runs of plain text long enough to carry a field or a quoted line break
/// across a 64-byte block.
fn soup(seed: u64, pieces: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut out = Vec::new();
    for _ in 0..pieces {
        let r = next();
        match r % 16 {
            0..=3 => out.push(b','),
            4 | 5 => out.push(b'"'),
            6 => out.extend_from_slice(b"\"\""),
            7 | 8 => out.push(b'\n'),
            9 => out.extend_from_slice(b"\r\n"),
            10 => out.push(b'\r'),
            11 => out.extend_from_slice("é😀".as_bytes()),
            12 => out.extend_from_slice(&[0xF0, 0x9F]),
            _ => out.extend(b"abcdefghij".iter().cycle().take(1 + (r >> 8) as usize % 90)),
        }
    }
    out
}

#[wasm_bindgen_test]
fn simd128_is_available_exactly_when_the_module_is_built_with_it() {
    let built = cfg!(target_feature = "simd128");
    if option_env!("KEYROT_EXPECT_SIMD128").is_some() {
        assert!(built, "KEYROT_EXPECT_SIMD128 is set, and the module is built without simd128");
    }
    assert_eq!(Simd::Simd128.is_available(), built);
    assert_eq!(Simd::available().contains(&Simd::Simd128), built);
    assert_eq!(Simd::Auto.resolve(), if built { Simd::Simd128 } else { Simd::Portable });
    for level in [Simd::Avx2, Simd::Sse2, Simd::Neon] {
        assert!(!level.is_available(), "{level}");
        assert_eq!(level.resolve(), Simd::Portable);
    }
}

#[wasm_bindgen_test]
fn every_level_reads_what_the_portable_scan_reads() {
    let header = {
        let mut h = COLUMNS.join(",").into_bytes();
        h.push(b'\n');
        h
    };
    let mut texts = Vec::new();
    for seed in 0..300u64 {
        let tail = soup(seed, 10 + (seed as usize % 7) * 25);
        texts.push([header.clone(), tail.clone()].concat());
        if seed % 4 == 0 {
            texts.push(tail);
        }
    }
    let mut compared = 0;
    for text in &texts {
        for chunk in [1, 7, 63, 64, 65, 200, 1 << 20] {
            let portable = scan(text, chunk, Simd::Portable);
            for level in Simd::available() {
                assert_eq!(scan(text, chunk, level), portable, "{level}, chunks of {chunk}: {}", text.escape_ascii());
                compared += 1;
            }
        }
    }
    assert!(compared >= texts.len() * 7);
}
