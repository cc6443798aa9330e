//! The text heuristics on arbitrary page texts (split on form feeds).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    let _ = facteur::check::textfacts::facts_from_text(&pages);
    let segments = facteur::check::textfacts::segment(&pages);
    assert!(segments.len() <= pages.len().max(1));
});
