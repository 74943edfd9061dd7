#![no_main]
// Environment= values and environment files, never a panic.
libfuzzer_sys::fuzz_target!(|text: &str| {
    let _ = runr::syntax::environment::parse_environment_setting(text, None);
    let _ = runr::syntax::environment::parse_environment_file(text);
});
