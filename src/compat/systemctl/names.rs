//! Unit names as systemctl takes them from the command line: `foo` means
//! `foo.service`, `/dev/sda` a device, `/home` a mount; glob patterns stay
//! patterns.

use crate::config::unit_name;

/// What a command-line word stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameArg {
    Unit(String),
    Pattern(String),
}

pub fn is_glob(text: &str) -> bool {
    text.contains(['*', '?', '['])
}

/// systemd's unit_name_mangle() with a `.service` default: None where the
/// word cannot become a unit name (empty).
pub fn mangle(word: &str) -> Option<String> {
    mangle_with_suffix(word, "service")
}

/// unit_name_mangle_with_suffix(): a word that is no unit name yet gets
/// `.SUFFIX` (`set-default multi-user` is `multi-user.target`).
pub fn mangle_with_suffix(word: &str, suffix: &str) -> Option<String> {
    if word.is_empty() {
        return None;
    }
    if unit_name::is_valid(word) {
        return Some(word.to_string());
    }
    if word.starts_with('/') {
        let suffix = if word.starts_with("/dev/") {
            "device"
        } else {
            "mount"
        };
        return Some(format!("{}.{suffix}", escape_path(word)));
    }
    let escaped = escape_name(word);
    let name = format!("{escaped}.{suffix}");
    unit_name::is_valid(&name).then_some(name)
}

/// A word as a unit name or, with glob characters, a pattern.
pub fn mangle_glob(word: &str) -> Option<NameArg> {
    if is_glob(word) {
        let pattern = if word.rsplit_once('.').is_some_and(|(_, s)| {
            crate::config::model::UnitType::from_suffix(s).is_some() || is_glob(s)
        }) {
            word.to_string()
        } else {
            format!("{word}.service")
        };
        return Some(NameArg::Pattern(pattern));
    }
    mangle(word).map(NameArg::Unit)
}

fn escape_name(word: &str) -> String {
    let mut out = String::new();
    for b in word.bytes() {
        let c = b as char;
        if c.is_ascii_alphanumeric() || ":-_.\\@".contains(c) {
            out.push(c);
        } else {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// systemd-escape --path.
fn escape_path(path: &str) -> String {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        return "-".to_string();
    }
    let mut out = String::new();
    for (i, b) in trimmed.bytes().enumerate() {
        let c = b as char;
        if c == '/' {
            out.push('-');
        } else if c.is_ascii_alphanumeric() || c == '_' || c == ':' || (c == '.' && i > 0) {
            out.push(c);
        } else {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mangling() {
        assert_eq!(
            mangle("demo-simple").as_deref(),
            Some("demo-simple.service")
        );
        assert_eq!(mangle("demo.target").as_deref(), Some("demo.target"));
        assert_eq!(mangle("nosuch").as_deref(), Some("nosuch.service"));
        assert_eq!(mangle("a b").as_deref(), Some("a\\x20b.service"));
        assert_eq!(mangle("/home/x").as_deref(), Some("home-x.mount"));
        assert_eq!(mangle(""), None);
        assert_eq!(
            mangle_with_suffix("multi-user", "target").as_deref(),
            Some("multi-user.target")
        );
        assert_eq!(
            mangle_with_suffix("a.service", "target").as_deref(),
            Some("a.service")
        );
        assert_eq!(
            mangle_glob("demo*"),
            Some(NameArg::Pattern("demo*.service".into()))
        );
        assert_eq!(
            mangle_glob("demo*.timer"),
            Some(NameArg::Pattern("demo*.timer".into()))
        );
    }
}
