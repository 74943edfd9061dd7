//! Host names as systemd 252 reads them: `/etc/hostname` (hostname(5)),
//! its clean-up of a name, and its test of one (src/basic/hostname-util.c,
//! src/shared/hostname-setup.c).

/// The kernel's limit of a host name, in bytes (HOST_NAME_MAX).
pub const HOST_NAME_MAX: usize = 64;

/// Why `/etc/hostname` gives no name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EtcHostnameError {
    /// Only blank lines and comments: as if there were no file (ENOENT).
    Empty,
    /// The first name is not a host name even once cleaned up (EBADMSG).
    Invalid,
}

/// The name `/etc/hostname` configures: its first line that is neither
/// blank nor a comment (`#`), stripped of blanks and cleaned up as
/// [`cleanup`] does, if it is then a valid host name.
pub fn etc_hostname(text: &str) -> Result<String, EtcHostnameError> {
    for line in text.lines() {
        let name = line.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\n' | '\r'));
        if name.is_empty() || name.starts_with('#') {
            continue;
        }
        let name = cleanup(name);
        return if is_valid(&name, true) {
            Ok(name)
        } else {
            Err(EtcHostnameError::Invalid)
        };
    }
    Err(EtcHostnameError::Empty)
}

/// Letters, digits and the hyphen: what a label may hold.
fn is_ldh(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

/// systemd's hostname_cleanup(): drops every character a host name cannot
/// hold, a dot or hyphen that would begin a label, a dot after a hyphen,
/// stops at [`HOST_NAME_MAX`] characters, and drops one trailing dot or
/// hyphen. Capitals stay.
pub fn cleanup(name: &str) -> String {
    let mut out = String::new();
    let (mut dot, mut hyphen) = (true, true);
    for c in name.chars() {
        if out.len() >= HOST_NAME_MAX {
            break;
        }
        match c {
            '.' if dot || hyphen => {}
            '.' => {
                out.push('.');
                (dot, hyphen) = (true, false);
            }
            '-' if dot => {}
            '-' => {
                out.push('-');
                (dot, hyphen) = (false, true);
            }
            c if is_ldh(c) => {
                out.push(c);
                (dot, hyphen) = (false, false);
            }
            _ => {}
        }
    }
    if out.ends_with(['-', '.']) {
        out.pop();
    }
    out
}

/// systemd's hostname_is_valid(): labels of letters, digits and hyphens,
/// none empty, none beginning or ending with a hyphen, at most
/// [`HOST_NAME_MAX`] bytes in all; a trailing dot only where allowed, and
/// then only after two dots or more.
pub fn is_valid(name: &str, trailing_dot: bool) -> bool {
    if name.is_empty() || name.len() > HOST_NAME_MAX {
        return false;
    }
    let (mut dot, mut hyphen, mut dots) = (true, true, 0);
    for c in name.chars() {
        match c {
            '.' if dot || hyphen => return false,
            '.' => {
                (dot, hyphen) = (true, false);
                dots += 1;
            }
            '-' if dot => return false,
            '-' => (dot, hyphen) = (false, true),
            c if is_ldh(c) => (dot, hyphen) = (false, false),
            _ => return false,
        }
    }
    !(dot && (dots < 2 || !trailing_dot)) && !hyphen
}

/// Whether the kernel's host name counts as set: neither empty nor its
/// built-in "(none)" (systemd keeps such a name when nothing configures
/// one).
pub fn is_set(current: &str) -> bool {
    !current.is_empty() && current != "(none)"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_name_after_comments_and_blanks_is_read() {
        assert_eq!(
            etc_hostname("# the name this container has\n  Fromfile.example.com.\n"),
            Ok("Fromfile.example.com".to_string())
        );
        assert_eq!(etc_hostname("\n\n\tdb-1\t\nweb\n"), Ok("db-1".to_string()));
        assert_eq!(etc_hostname("db"), Ok("db".to_string()));
    }

    #[test]
    fn a_file_of_comments_is_no_file() {
        assert_eq!(etc_hostname(""), Err(EtcHostnameError::Empty));
        assert_eq!(etc_hostname("# none\n\n  \n"), Err(EtcHostnameError::Empty));
    }

    #[test]
    fn a_name_nothing_is_left_of_is_invalid() {
        assert_eq!(etc_hostname("!!!\nweb\n"), Err(EtcHostnameError::Invalid));
        // Two hyphens: cleanup drops one, and a label ends with the other.
        assert_eq!(etc_hostname("web--\n"), Err(EtcHostnameError::Invalid));
    }

    #[test]
    fn cleanup_keeps_what_a_host_name_may_hold() {
        // As the oracle's systemd set them from /etc/hostname.
        assert_eq!(cleanup("bad_name!"), "badname");
        assert_eq!(cleanup("Web-1.Example.COM."), "Web-1.Example.COM");
        assert_eq!(cleanup(".a..b-.c"), "a.b-c");
        assert_eq!(cleanup("-a"), "a");
        assert_eq!(cleanup(&"x".repeat(70)), "x".repeat(64));
    }

    #[test]
    fn validity_is_systemds() {
        for ok in ["a", "db-1", "a.b.c", "A1.example.com"] {
            assert!(is_valid(ok, false), "{ok}");
        }
        for bad in ["", "-a", "a-", "a..b", ".a", "a_b", "a.", &"x".repeat(65)] {
            assert!(!is_valid(bad, false), "{bad}");
        }
        // A trailing dot after two components, where allowed.
        assert!(is_valid("a.b.", true));
        assert!(!is_valid("a.b.", false));
        assert!(!is_valid("a.", true));
    }

    #[test]
    fn an_empty_or_none_kernel_name_is_unset() {
        assert!(!is_set(""));
        assert!(!is_set("(none)"));
        assert!(is_set("localhost"));
    }
}
