//! Unit-file text for transient units (`systemd-run`, `runr background
//! run`): values from a command line written so that the unit-file parser
//! reads back exactly those values, whatever characters they hold.

/// One word of an `ExecStart=` line: double-quoted, with `\` `"` and
/// control characters escaped, `$` doubled (no variable expansion) and `%`
/// doubled (no specifier).
pub fn exec_word(word: &str) -> String {
    quoted_exec_word(word, true)
}

fn quoted_exec_word(word: &str, dollar: bool) -> String {
    // A lone ";" separates commands even when quoted; "\;" is the literal.
    if word == ";" {
        return "\\;".to_string();
    }
    let mut out = String::with_capacity(word.len() + 2);
    out.push('"');
    push_escaped(&mut out, word, dollar);
    out.push('"');
    out
}

/// A whole command line for `ExecStart=`, run as given.
pub fn exec_line(words: &[String]) -> String {
    words
        .iter()
        .map(|w| exec_word(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A whole command line for `ExecStart=` whose `$` stay as given, so that
/// the start expands them as in any unit file (`$$` -> `$`, `${X}`, a
/// lone `$X`): systemd 252 does so with the command systemd-run sends,
/// and writes the `$` unescaped to the transient file.
pub fn exec_line_expanding_variables(words: &[String]) -> String {
    words
        .iter()
        .map(|w| quoted_exec_word(w, false))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One `Environment=` assignment, quoted: `"K=V"`.
pub fn environment_assignment(name: &str, value: &str) -> String {
    let mut out = String::with_capacity(name.len() + value.len() + 3);
    out.push('"');
    push_escaped(&mut out, &format!("{name}={value}"), false);
    out.push('"');
    out
}

/// Free text for a setting that resolves specifiers (`Description=`):
/// `%` doubled, line breaks replaced by spaces (one line per setting).
pub fn plain_value(text: &str) -> String {
    text.replace('%', "%%").replace(['\n', '\r'], " ")
}

fn push_escaped(out: &mut String, text: &str, dollar: bool) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '%' => out.push_str("%%"),
            '$' if dollar => out.push_str("$$"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", u32::from(c) & 0xff)),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::loader::Loader;
    use crate::config::search_path::SearchPath;

    fn loaded_command(text: &str) -> (Vec<String>, Vec<(String, String)>) {
        let loader = Loader::new(SearchPath::new(Vec::<std::path::PathBuf>::new()));
        let unit = loader.load_transient("t.service", text);
        assert!(unit.diagnostics.is_empty(), "{:?}", unit.diagnostics);
        let service = unit.service().expect("a service");
        let command = service.exec.start.first().expect("ExecStart");
        // `$$` stays in the parsed line; the expansion at start makes it `$`.
        let argv = crate::syntax::exec::expand_argv(&command.argv, &|_| None);
        let mut words = vec![command.path.clone()];
        words.extend(argv.into_iter().skip(1));
        (words, service.environment.clone())
    }

    #[test]
    fn awkward_words_read_back_as_written() {
        let words: Vec<String> = [
            "/bin/echo",
            "two words",
            "quote\"d",
            "back\\slash",
            "$HOME",
            "${X}",
            "100%",
            "%n",
            ";",
            "tab\there",
            "",
        ]
        .iter()
        .map(|w| w.to_string())
        .collect();
        let text = format!(
            "[Service]\nExecStart={}\nEnvironment={}\n",
            exec_line(&words),
            environment_assignment("K", "a \"b\" $c %d\\e")
        );
        let (read, env) = loaded_command(&text);
        assert_eq!(read, words, "{text}");
        assert_eq!(env, vec![("K".to_string(), "a \"b\" $c %d\\e".to_string())]);
    }

    #[test]
    fn variables_in_a_command_are_expanded_at_start_when_asked() {
        let words: Vec<String> = ["/bin/sh", "-c", "kill $$", "${K}", "100%"]
            .iter()
            .map(|w| w.to_string())
            .collect();
        let line = exec_line_expanding_variables(&words);
        assert_eq!(line, r#""/bin/sh" "-c" "kill $$" "${K}" "100%%""#);
        let text = format!("[Service]\nExecStart={line}\nEnvironment=K=v\n");
        let loader = Loader::new(SearchPath::new(Vec::<std::path::PathBuf>::new()));
        let unit = loader.load_transient("t.service", &text);
        let service = unit.service().expect("a service");
        let command = service.exec.start.first().expect("ExecStart");
        let env = |name: &str| (name == "K").then(|| "v".to_string());
        let argv = crate::syntax::exec::expand_argv(&command.argv, &env);
        assert_eq!(argv[1..], ["-c", "kill $", "v", "100%"]);
    }

    #[test]
    fn plain_values_keep_their_percent_signs() {
        assert_eq!(plain_value("50% done\nnext"), "50%% done next");
    }
}
