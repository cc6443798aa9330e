//! The whole checker on arbitrary bytes. libfuzzer-sys aborts on any panic,
//! even one the checker would catch, so a caught panic is still found here.
#![no_main]

use std::path::Path;
use std::time::Duration;

use facteur::check::{Options, Verdict, check_bytes};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let opts = Options {
        time_limit: Duration::from_secs(10),
        ..Options::default()
    };
    let r = check_bytes(Path::new("fuzz.pdf"), data.len() as u64, data, &opts);
    // A rejection always says why.
    if r.verdict == Verdict::Rejected {
        assert!(r.findings.iter().any(|f| f.severity == facteur::check::finding::Severity::Error));
    }
    assert!(r.readable <= r.pdf);
});
