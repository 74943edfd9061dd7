//! Value grammars of unit-file settings that are not big enough for a module
//! of their own in `syntax/`: booleans, C-style integers, modes, sizes,
//! signals, exit statuses, user names and paths, each the way systemd 252's
//! parse helpers accept them. Pure functions, no I/O.

/// systemd's `parse_boolean()`.
pub fn parse_boolean(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "1" | "yes" | "y" | "true" | "t" | "on" => Some(true),
        "0" | "no" | "n" | "false" | "f" | "off" => Some(false),
        _ => None,
    }
}

/// Why a number did not parse, as errno names systemd reports with `%m`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberError {
    /// EINVAL
    Invalid,
    /// ERANGE
    OutOfRange,
}

impl NumberError {
    /// The `strerror()` text.
    pub fn text(self) -> &'static str {
        match self {
            NumberError::Invalid => "Invalid argument",
            NumberError::OutOfRange => "Numerical result out of range",
        }
    }
}

/// The radix rule of C's `strtoul()`: 0 picks 16 for `0x`, 8 for a leading
/// `0`, else 10.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Radix {
    Auto,
    Decimal,
    Octal,
}

/// Parses an unsigned integer like `strtoull()` followed by systemd's checks
/// in `safe_atou*`: leading blanks allowed, a `-` sign refused (as out of
/// range, unless `refuse_sign`), nothing may follow the digits.
pub fn parse_c_unsigned(
    s: &str,
    radix: Radix,
    refuse_sign: bool,
    max: u64,
) -> Result<u64, NumberError> {
    let s = s.trim_start_matches([' ', '\t', '\n', '\r']);
    let (negative, body) = match s.as_bytes().first() {
        Some(b'+' | b'-') if refuse_sign => return Err(NumberError::Invalid),
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (base, digits) = match radix {
        Radix::Decimal => (10, body),
        Radix::Octal => (8, body),
        Radix::Auto => {
            if let Some(hex) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
                (16, hex)
            } else if body.len() > 1 && body.starts_with('0') {
                (8, &body[1..])
            } else {
                (10, body)
            }
        }
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(base)) {
        return Err(NumberError::Invalid);
    }
    let value = u64::from_str_radix(digits, base).map_err(|_| NumberError::OutOfRange)?;
    if negative && value != 0 {
        return Err(NumberError::OutOfRange);
    }
    if value > max {
        return Err(NumberError::OutOfRange);
    }
    Ok(value)
}

/// `safe_atou()`: an unsigned 32-bit integer, any radix prefix.
pub fn parse_unsigned(s: &str) -> Result<u32, NumberError> {
    parse_c_unsigned(s, Radix::Auto, false, u32::MAX as u64).map(|v| v as u32)
}

/// `safe_atoi()`: a signed 32-bit integer.
pub fn parse_int(s: &str) -> Result<i32, NumberError> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r']);
    if let Some(rest) = t.strip_prefix('-') {
        if rest.starts_with(['+', '-']) {
            return Err(NumberError::Invalid);
        }
        let v = parse_c_unsigned(rest, Radix::Auto, false, 1 << 31)?;
        return Ok((-(v as i64)) as i32);
    }
    parse_c_unsigned(t, Radix::Auto, false, i32::MAX as u64).map(|v| v as i32)
}

/// `parse_mode()`: octal, no sign, at most 07777.
pub fn parse_mode(s: &str) -> Result<u32, NumberError> {
    parse_c_unsigned(s, Radix::Octal, true, 0o7777).map(|v| v as u32)
}

/// `parse_nice()`: -20..=19.
pub fn parse_nice(s: &str) -> Result<i32, NumberError> {
    let n = parse_int(s)?;
    if (-20..=19).contains(&n) {
        Ok(n)
    } else {
        Err(NumberError::OutOfRange)
    }
}

/// A byte count with an optional base-1024 suffix (`B`, `K`, `M`, `G`,
/// `T`, `P`, `E`), decimals allowed before a suffix (`1.5G`), as systemd's
/// `parse_size(…, 1024, …)`. Several terms may follow each other
/// (`1G 512M`), as there.
pub fn parse_size_iec(s: &str) -> Result<u64, NumberError> {
    const SUFFIXES: &[(&str, u64)] = &[
        ("E", 1 << 60),
        ("P", 1 << 50),
        ("T", 1 << 40),
        ("G", 1 << 30),
        ("M", 1 << 20),
        ("K", 1 << 10),
        ("B", 1),
    ];
    let mut rest = s.trim_start_matches([' ', '\t', '\n', '\r']);
    if rest.starts_with('-') {
        return Err(NumberError::OutOfRange);
    }
    if rest.is_empty() {
        return Err(NumberError::Invalid);
    }
    let mut total: u64 = 0;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        if int_len == 0 {
            return Err(NumberError::Invalid);
        }
        let whole: u64 = rest[..int_len]
            .parse()
            .map_err(|_| NumberError::OutOfRange)?;
        rest = &rest[int_len..];
        let mut fraction = "";
        if let Some(after_dot) = rest.strip_prefix('.') {
            let n = after_dot.bytes().take_while(u8::is_ascii_digit).count();
            fraction = &after_dot[..n];
            rest = &after_dot[n..];
        }
        rest = rest.trim_start_matches([' ', '\t', '\n', '\r']);
        let (factor, after) = match SUFFIXES.iter().find(|(suffix, _)| rest.starts_with(suffix)) {
            Some((suffix, factor)) => (*factor, &rest[suffix.len()..]),
            None => (1, rest),
        };
        if !fraction.is_empty()
            && factor == 1
            && after.is_empty()
            && total == 0
            && !rest.starts_with('B')
        {
            // "1.5" without a unit: a fraction of a byte.
            return Err(NumberError::Invalid);
        }
        let whole_bytes = whole.checked_mul(factor).ok_or(NumberError::OutOfRange)?;
        let frac_bytes = fraction_of(fraction, factor);
        total = total
            .checked_add(whole_bytes)
            .and_then(|t| t.checked_add(frac_bytes))
            .ok_or(NumberError::OutOfRange)?;
        rest = after.trim_start_matches([' ', '\t', '\n', '\r']);
    }
    Ok(total)
}

/// `factor * 0.<digits>`, rounded down.
fn fraction_of(digits: &str, factor: u64) -> u64 {
    let mut num: u128 = 0;
    let mut den: u128 = 1;
    for d in digits.bytes().take(18) {
        num = num * 10 + u128::from(d - b'0');
        den *= 10;
    }
    ((num * u128::from(factor)) / den) as u64
}

/// Signal numbers by name, as `signal_from_string()` knows them on Linux.
const SIGNALS: &[(&str, i32)] = &[
    ("HUP", 1),
    ("INT", 2),
    ("QUIT", 3),
    ("ILL", 4),
    ("TRAP", 5),
    ("ABRT", 6),
    ("IOT", 6),
    ("BUS", 7),
    ("FPE", 8),
    ("KILL", 9),
    ("USR1", 10),
    ("SEGV", 11),
    ("USR2", 12),
    ("PIPE", 13),
    ("ALRM", 14),
    ("TERM", 15),
    ("STKFLT", 16),
    ("CHLD", 17),
    ("CONT", 18),
    ("STOP", 19),
    ("TSTP", 20),
    ("TTIN", 21),
    ("TTOU", 22),
    ("URG", 23),
    ("XCPU", 24),
    ("XFSZ", 25),
    ("VTALRM", 26),
    ("PROF", 27),
    ("WINCH", 28),
    ("IO", 29),
    ("POLL", 29),
    ("PWR", 30),
    ("SYS", 31),
];

const SIGRTMIN: i32 = 34;
const SIGRTMAX: i32 = 64;

/// `signal_from_string()`: a number 1..=64, or a name with or without
/// `SIG`, or `RTMIN+n` / `RTMAX-n`.
pub fn parse_signal(s: &str) -> Result<i32, NumberError> {
    if let Ok(n) = parse_int(s) {
        return if (1..=SIGRTMAX).contains(&n) {
            Ok(n)
        } else {
            Err(NumberError::OutOfRange)
        };
    }
    let name = s.strip_prefix("SIG").unwrap_or(s);
    if let Some((_, n)) = SIGNALS.iter().find(|(sig, _)| *sig == name) {
        return Ok(*n);
    }
    let realtime = |rest: &str, base: i32, sign: i32, sep: char| -> Result<i32, NumberError> {
        if rest.is_empty() {
            return Ok(base);
        }
        if !rest.starts_with(sep) {
            return Err(NumberError::Invalid);
        }
        let n = parse_int(&rest[1..])?;
        if !(0..=SIGRTMAX - SIGRTMIN).contains(&n) {
            return Err(NumberError::OutOfRange);
        }
        Ok(base + sign * n)
    };
    if let Some(rest) = name.strip_prefix("RTMIN") {
        return realtime(rest, SIGRTMIN, 1, '+');
    }
    if let Some(rest) = name.strip_prefix("RTMAX") {
        return realtime(rest, SIGRTMAX, -1, '-');
    }
    Err(NumberError::Invalid)
}

/// The BSD `sysexits.h` names systemd also accepts as exit statuses.
const BSD_EXIT_STATUSES: &[(&str, u8)] = &[
    ("USAGE", 64),
    ("DATAERR", 65),
    ("NOINPUT", 66),
    ("NOUSER", 67),
    ("NOHOST", 68),
    ("UNAVAILABLE", 69),
    ("SOFTWARE", 70),
    ("OSERR", 71),
    ("OSFILE", 72),
    ("CANTCREAT", 73),
    ("IOERR", 74),
    ("TEMPFAIL", 75),
    ("PROTOCOL", 76),
    ("NOPERM", 77),
    ("CONFIG", 78),
];

/// `exit_status_from_string()`: one of systemd's exit status names (its
/// own, the LSB and the BSD ones), or a number 0..=255.
pub fn parse_exit_status(s: &str) -> Result<u8, NumberError> {
    if let Some(code) =
        (0..=255).find(|&c| crate::engine::exit_status::exit_status_name(c) == Some(s))
    {
        return Ok(code as u8);
    }
    if let Some((_, code)) = BSD_EXIT_STATUSES.iter().find(|(name, _)| *name == s) {
        return Ok(*code);
    }
    parse_c_unsigned(s, Radix::Auto, false, 255).map(|v| v as u8)
}

/// What `valid_user_group_name()` says in relaxed mode, with numeric IDs
/// allowed, as User=, Group= and SupplementaryGroups= use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserNameCheck {
    Valid,
    /// Accepted, but systemd logs "Accepting user/group name '…', which does
    /// not match strict user/group name rules."
    ValidButNotStrict,
    Invalid,
}

pub fn check_user_group_name(name: &str) -> UserNameCheck {
    if name.is_empty() {
        return UserNameCheck::Invalid;
    }
    if parse_uid(name).is_some() {
        return UserNameCheck::Valid;
    }
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if name.starts_with(' ')
        || name.ends_with(' ')
        || name.chars().any(|c| c.is_control())
        || name.contains([':', '/'])
        || all_digits(name)
        || (name.starts_with('-') && all_digits(&name[1..]))
        || name == "."
        || name == ".."
    {
        return UserNameCheck::Invalid;
    }
    if is_strict_user_group_name(name) {
        UserNameCheck::Valid
    } else {
        UserNameCheck::ValidButNotStrict
    }
}

/// `parse_uid()`: a decimal 32-bit ID that is not (uid_t) -1 or 65535.
pub fn parse_uid(s: &str) -> Option<u32> {
    let v = parse_c_unsigned(s, Radix::Decimal, false, u32::MAX as u64).ok()? as u32;
    if s.starts_with([' ', '\t', '+', '-']) || v == u32::MAX || v == 65535 {
        return None;
    }
    Some(v)
}

/// The strict rule: `[a-zA-Z_][a-zA-Z0-9_-]*`, at most 31 characters.
fn is_strict_user_group_name(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') && name.len() <= 31
}

/// Why a path setting was refused (systemd's `path_simplify_and_warn()`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathProblem {
    NotAbsolute,
    InvalidLength(usize),
    NotNormalized,
}

/// Checks that `path` is absolute, then simplifies it (double and trailing
/// slashes, `.` components) and checks it has no `..` and a sane length.
pub fn simplify_absolute_path(path: &str) -> Result<String, (PathProblem, String)> {
    if !path.starts_with('/') {
        return Err((PathProblem::NotAbsolute, path.to_string()));
    }
    let simplified = simplify_path(path);
    if simplified.len() >= 4096 || simplified.split('/').any(|c| c.len() > 255) {
        return Err((PathProblem::InvalidLength(simplified.len()), simplified));
    }
    if simplified.split('/').any(|c| c == "..") {
        return Err((PathProblem::NotNormalized, simplified));
    }
    Ok(simplified)
}

/// `path_simplify()`: drops empty and `.` components and trailing slashes.
pub fn simplify_path(path: &str) -> String {
    let parts: Vec<&str> = path
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    let joined = parts.join("/");
    if path.starts_with('/') {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".into()
    } else {
        joined
    }
}

/// The message `path_simplify_and_warn()` logs for a refused path.
pub fn path_problem_message(key: &str, problem: &PathProblem, path: &str, fatal: bool) -> String {
    let ignoring = if fatal { "" } else { ", ignoring" };
    match problem {
        PathProblem::NotAbsolute => format!("{key}= path is not absolute{ignoring}: {path}"),
        PathProblem::InvalidLength(n) => {
            format!("{key}= path has invalid length ({n} bytes){ignoring}.")
        }
        PathProblem::NotNormalized => format!("{key}= path is not normalized{ignoring}: {path}"),
    }
}

/// Splits a value into words the way `extract_first_word(…, 0)` does for
/// the simple cases the settings here use: blanks separate words, quotes
/// group. Returns None on unbalanced quotes.
pub fn split_words(s: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => current.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                in_word = true;
            }
            None if c == '\\' => {
                current.push(chars.next()?);
                in_word = true;
            }
            None if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            None => {
                current.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return None;
    }
    if in_word {
        words.push(current);
    }
    Some(words)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn booleans() {
        for yes in ["1", "yes", "Y", "true", "t", "ON"] {
            assert_eq!(parse_boolean(yes), Some(true));
        }
        for no in ["0", "no", "N", "false", "f", "off"] {
            assert_eq!(parse_boolean(no), Some(false));
        }
        assert_eq!(parse_boolean("maybe"), None);
        assert_eq!(parse_boolean(""), None);
    }

    #[test]
    fn unsigned_like_strtoul() {
        assert_eq!(parse_unsigned("10"), Ok(10));
        assert_eq!(parse_unsigned("0x10"), Ok(16));
        assert_eq!(parse_unsigned("010"), Ok(8));
        assert_eq!(parse_unsigned("  7"), Ok(7));
        assert_eq!(parse_unsigned("-1"), Err(NumberError::OutOfRange));
        assert_eq!(parse_unsigned("5x"), Err(NumberError::Invalid));
        assert_eq!(parse_unsigned(""), Err(NumberError::Invalid));
        assert_eq!(parse_unsigned("4294967296"), Err(NumberError::OutOfRange));
    }

    #[test]
    fn modes_are_octal() {
        assert_eq!(parse_mode("0755"), Ok(0o755));
        assert_eq!(parse_mode("022"), Ok(0o22));
        assert_eq!(parse_mode("999"), Err(NumberError::Invalid));
        assert_eq!(parse_mode("17777"), Err(NumberError::OutOfRange));
        assert_eq!(parse_mode("+755"), Err(NumberError::Invalid));
    }

    #[test]
    fn nice_range() {
        assert_eq!(parse_nice("-20"), Ok(-20));
        assert_eq!(parse_nice("19"), Ok(19));
        assert_eq!(parse_nice("20"), Err(NumberError::OutOfRange));
        assert_eq!(parse_nice("x"), Err(NumberError::Invalid));
    }

    #[test]
    fn sizes_with_suffixes() {
        assert_eq!(parse_size_iec("512"), Ok(512));
        assert_eq!(parse_size_iec("1K"), Ok(1024));
        assert_eq!(parse_size_iec("2M"), Ok(2 << 20));
        assert_eq!(parse_size_iec("1.5G"), Ok(3 << 29));
        assert_eq!(parse_size_iec("1G 512M"), Ok((1 << 30) + (512 << 20)));
        assert_eq!(parse_size_iec("12Q"), Err(NumberError::Invalid));
        assert_eq!(parse_size_iec("-1"), Err(NumberError::OutOfRange));
        assert_eq!(parse_size_iec(""), Err(NumberError::Invalid));
        assert_eq!(parse_size_iec("99999E"), Err(NumberError::OutOfRange));
    }

    #[test]
    fn signals_by_name_and_number() {
        assert_eq!(parse_signal("SIGTERM"), Ok(15));
        assert_eq!(parse_signal("KILL"), Ok(9));
        assert_eq!(parse_signal("9"), Ok(9));
        assert_eq!(parse_signal("RTMIN+2"), Ok(36));
        assert_eq!(parse_signal("SIGRTMAX-1"), Ok(63));
        assert_eq!(parse_signal("0"), Err(NumberError::OutOfRange));
        assert_eq!(parse_signal("SIGFOO"), Err(NumberError::Invalid));
    }

    #[test]
    fn exit_statuses() {
        assert_eq!(parse_exit_status("0"), Ok(0));
        assert_eq!(parse_exit_status("255"), Ok(255));
        assert_eq!(parse_exit_status("NOTINSTALLED"), Ok(5));
        assert_eq!(parse_exit_status("DATAERR"), Ok(65));
        assert!(parse_exit_status("256").is_err());
        assert!(parse_exit_status("FOO").is_err());
    }

    #[test]
    fn user_names() {
        assert_eq!(check_user_group_name("postgres"), UserNameCheck::Valid);
        assert_eq!(check_user_group_name("1000"), UserNameCheck::Valid);
        assert_eq!(
            check_user_group_name("bad user"),
            UserNameCheck::ValidButNotStrict
        );
        assert_eq!(check_user_group_name("a:b"), UserNameCheck::Invalid);
        assert_eq!(check_user_group_name(" a"), UserNameCheck::Invalid);
        assert_eq!(check_user_group_name("4294967295"), UserNameCheck::Invalid);
        assert_eq!(check_user_group_name(""), UserNameCheck::Invalid);
    }

    #[test]
    fn absolute_paths_are_simplified() {
        assert_eq!(
            simplify_absolute_path("/var//lib/./x/"),
            Ok("/var/lib/x".to_string())
        );
        assert_eq!(
            simplify_absolute_path("relative").map_err(|e| e.0),
            Err(PathProblem::NotAbsolute)
        );
        assert_eq!(
            simplify_absolute_path("/a/../b").map_err(|e| e.0),
            Err(PathProblem::NotNormalized)
        );
    }

    #[test]
    fn words_and_quotes() {
        assert_eq!(
            split_words(" a  'b c' \"d\"e "),
            Some(vec!["a".into(), "b c".into(), "de".into()])
        );
        assert_eq!(split_words("'open"), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn number_grammars_never_panic(s in "\\PC{0,20}") {
            let _ = parse_unsigned(&s);
            let _ = parse_int(&s);
            let _ = parse_size_iec(&s);
            let _ = parse_signal(&s);
            let _ = parse_exit_status(&s);
            let _ = check_user_group_name(&s);
            let _ = split_words(&s);
        }

        #[test]
        fn printed_sizes_parse_back(n in 0u64..(1u64 << 40)) {
            prop_assert_eq!(parse_size_iec(&n.to_string()), Ok(n));
            prop_assert_eq!(parse_size_iec(&format!("{}K", n)), Ok(n * 1024));
        }
    }
}
