//! Unit-file text for transient units (`systemd-run`, `runr background
//! run`): values from a command line written so that the unit-file parser
//! reads back exactly those values, whatever characters they hold.

/// One word of an `ExecStart=` line: double-quoted, with `\` `"` and
/// control characters escaped, `$` doubled (no variable expansion) and `%`
/// doubled (no specifier).
pub fn exec_word(word: &str) -> String {
    // A lone ";" separates commands even when quoted; "\;" is the literal.
    if word == ";" {
        return "\\;".to_string();
    }
    let mut out = String::with_capacity(word.len() + 2);
    out.push('"');
    push_escaped(&mut out, word, true);
    out.push('"');
    out
}

/// A whole command line for `ExecStart=`.
pub fn exec_line(words: &[String]) -> String {
    words
        .iter()
        .map(|w| exec_word(w))
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
    fn plain_values_keep_their_percent_signs() {
        assert_eq!(plain_value("50% done\nnext"), "50%% done next");
    }
}
