#![no_main]
// Exec lines: any value, never a panic; expansion of what parsed too.
libfuzzer_sys::fuzz_target!(|text: &str| {
    if let Ok(commands) = runr::syntax::exec::parse_exec_value(text) {
        for command in commands {
            let _ = runr::syntax::exec::expand_argv(&command.argv, &|name| Some(name.repeat(2)));
        }
    }
});
