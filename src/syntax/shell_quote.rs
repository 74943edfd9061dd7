//! A word as systemd quotes it for a shell (shell_maybe_quote() without
//! flags): as it is when it holds nothing a shell would take apart, else
//! in double quotes with `"`, `\`, `` ` `` and `$` escaped by a backslash
//! and a tab or newline written `\t`, `\n`. `systemctl show` prints the
//! elements of a list property so (`Environment="A=b c"`), and systemctl
//! its hints naming a unit (`"systemctl status "x\\x20y.service""`).

use std::borrow::Cow;

/// What makes a word need quotes: systemd's WHITESPACE, SHELL_NEED_ESCAPE,
/// GLOB_CHARS and the shell's other special characters.
const NEED_QUOTES: &[char] = &[
    ' ', '\t', '\n', '\r', '"', '\\', '`', '$', '*', '?', '[', '\'', '(', ')', '<', '>', '|', '&',
    ';', '!',
];

/// What is escaped inside the quotes (SHELL_NEED_ESCAPE).
const NEED_ESCAPE: &[char] = &['"', '\\', '`', '$'];

/// `word`, quoted where a shell needs it.
pub fn shell_maybe_quote(word: &str) -> Cow<'_, str> {
    let needs = |c: char| c.is_ascii_control() || NEED_QUOTES.contains(&c);
    let Some(first) = word.find(needs) else {
        return Cow::Borrowed(word);
    };
    let mut out = String::with_capacity(word.len() + 8);
    out.push('"');
    out.push_str(&word[..first]);
    for c in word[first..].chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if NEED_ESCAPE.contains(&c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_as_systemctl_show_prints_them() {
        // From golden/systemctl/jobs: show -p Environment of env-lines.
        let cases = [
            ("FIRST=again", "FIRST=again"),
            ("SPACED=one two", "\"SPACED=one two\""),
            ("SINGLE=it is", "\"SINGLE=it is\""),
            ("EMPTY=", "EMPTY="),
            ("QUOTE=say \"hi\"", "\"QUOTE=say \\\"hi\\\"\""),
            ("BACKSLASH=a\\b", "\"BACKSLASH=a\\\\b\""),
            ("DOLLAR=$HOME", "\"DOLLAR=\\$HOME\""),
            ("TAB=a\tb", "\"TAB=a\\tb\""),
            ("UTF=grüße", "UTF=grüße"),
            ("EQ=a=b", "EQ=a=b"),
        ];
        for (word, quoted) in cases {
            assert_eq!(shell_maybe_quote(word), quoted, "{word:?}");
        }
    }

    #[test]
    fn a_unit_name_with_a_backslash_is_quoted() {
        assert_eq!(
            shell_maybe_quote("res-inst@a\\x20b.service"),
            "\"res-inst@a\\\\x20b.service\""
        );
        assert_eq!(
            shell_maybe_quote("res-inst@it.service"),
            "res-inst@it.service"
        );
    }

    #[test]
    fn glob_and_shell_characters_need_quotes_without_escapes() {
        assert_eq!(shell_maybe_quote("a*b"), "\"a*b\"");
        assert_eq!(shell_maybe_quote("it's"), "\"it's\"");
        assert_eq!(shell_maybe_quote("a;b|c"), "\"a;b|c\"");
        assert_eq!(shell_maybe_quote("`x`"), "\"\\`x\\`\"");
        assert_eq!(shell_maybe_quote(""), "");
    }
}
