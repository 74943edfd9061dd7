#![no_main]
// Specifiers: any text against a full context, never a panic.
libfuzzer_sys::fuzz_target!(|text: &str| {
    let context = runr::syntax::specifier::SpecifierContext::for_system_unit("foo@bar.service");
    let _ = runr::syntax::specifier::expand_specifiers(text, &context);
});
