#![no_main]
// Timestamps: any text, never a panic.
libfuzzer_sys::fuzz_target!(|text: &str| {
    if let Ok(usec) = runr::syntax::timestamp::parse_timestamp(text) {
        let _ = runr::syntax::timestamp::format_timestamp(usec);
    }
});
