#![no_main]
// Timespans: parse, and what parses formats and parses back to itself.
libfuzzer_sys::fuzz_target!(|text: &str| {
    if let Ok(usec) = runr::syntax::timespan::parse_timespan(text) {
        let printed = runr::syntax::timespan::format_timespan(usec, 0);
        assert_eq!(runr::syntax::timespan::parse_timespan(&printed), Ok(usec), "{text:?} -> {printed:?}");
    }
});
