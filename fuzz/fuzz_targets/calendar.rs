#![no_main]
// Calendar events: parse; what parses normalizes to a form that parses to
// the same form, and its next elapse is computed without a panic.
libfuzzer_sys::fuzz_target!(|text: &str| {
    if let Ok(spec) = runr::syntax::calendar::parse_calendar(text) {
        let normalized = spec.to_string();
        let again = runr::syntax::calendar::parse_calendar(&normalized).expect("normalized form parses");
        assert_eq!(again.to_string(), normalized);
        let _ = spec.next_elapse(1_705_320_000_000_000);
    }
});
