#![no_main]
// Syslog datagrams: any bytes, never a panic.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = runr::syntax::syslog::parse_message(data);
});
