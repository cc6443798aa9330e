//! The embedded-invoice XML reader on arbitrary bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = facteur::check::structured::parse(data);
});
