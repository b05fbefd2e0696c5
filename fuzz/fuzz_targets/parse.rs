//! Input detection and parsing: any bytes, strict and lenient, give rows or
//! an error with a code, never a panic; lenient mode never loses a row that
//! strict mode read.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let strict = keyrot::read::parse(data, &keyrot::read::ParseOptions::default());
    let lenient = keyrot::read::parse(data, &keyrot::read::ParseOptions { lenient: true, ..Default::default() });
    if let (Ok(s), Ok(l)) = (&strict, &lenient) {
        assert_eq!(s.rows.len(), l.rows.len());
    }
    if let Err(e) = &strict {
        assert!(!e.code().as_str().is_empty());
        let _ = e.to_string();
    }
});
