#![no_main]
// Unit files: any bytes parse to sections and diagnostics, never a panic.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = runr::syntax::unit_file::parse_bytes(data);
});
