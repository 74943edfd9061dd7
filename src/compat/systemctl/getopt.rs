//! glibc's getopt_long() as systemd's tools call it: options and operands
//! in any order (the operands are gathered, in order), `--` ends the
//! options, a long option may be shortened to any unambiguous prefix and
//! take its value after `=` or as the next argument, short options bundle
//! (`-Hh`) and a short option's value may follow it (`-tfoo`). Errors are
//! glibc's words, prefixed with argv[0] as it was given.
//!
//! The options come one at a time, so that a caller stops where systemd
//! stops (`--help` prints the help even if a bad option follows).

/// One option of a tool's table.
#[derive(Debug, Clone, Copy)]
pub struct Opt {
    pub long: Option<&'static str>,
    pub short: Option<char>,
    pub takes_value: bool,
    /// What the caller matches on.
    pub key: &'static str,
}

/// An option without a value.
pub const fn flag(long: Option<&'static str>, short: Option<char>, key: &'static str) -> Opt {
    Opt {
        long,
        short,
        takes_value: false,
        key,
    }
}

/// An option with a value.
pub const fn valued(long: Option<&'static str>, short: Option<char>, key: &'static str) -> Opt {
    Opt {
        long,
        short,
        takes_value: true,
        key,
    }
}

/// One option as read: its key and value, or glibc's message for a bad one.
pub type Item = Result<(&'static str, Option<String>), String>;

/// Reads `args` (without argv[0]) against `table`.
pub struct Getopt<'a> {
    argv0: &'a str,
    args: &'a [String],
    table: &'a [Opt],
    next: usize,
    /// The rest of a bundle of short options being read.
    bundle: Vec<char>,
    /// The operands met so far; all of them once the options are read.
    pub operands: Vec<String>,
}

impl<'a> Getopt<'a> {
    pub fn new(argv0: &'a str, args: &'a [String], table: &'a [Opt]) -> Self {
        Getopt {
            argv0,
            args,
            table,
            next: 0,
            bundle: Vec::new(),
            operands: Vec::new(),
        }
    }

    fn short(&mut self) -> Result<(&'static str, Option<String>), String> {
        let c = self.bundle.remove(0);
        let Some(opt) = self.table.iter().find(|o| o.short == Some(c)) else {
            self.bundle.clear();
            return Err(format!("{}: invalid option -- '{c}'", self.argv0));
        };
        if !opt.takes_value {
            return Ok((opt.key, None));
        }
        if !self.bundle.is_empty() {
            let value: String = self.bundle.drain(..).collect();
            return Ok((opt.key, Some(value)));
        }
        match self.args.get(self.next) {
            Some(value) => {
                self.next += 1;
                Ok((opt.key, Some(value.clone())))
            }
            None => Err(format!(
                "{}: option requires an argument -- '{c}'",
                self.argv0
            )),
        }
    }

    fn long(&mut self, text: &str) -> Result<(&'static str, Option<String>), String> {
        let (name, inline) = match text.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (text, None),
        };
        let exact = self.table.iter().find(|o| o.long == Some(name));
        let opt = match exact {
            Some(opt) => opt,
            None => {
                let candidates: Vec<&Opt> = self
                    .table
                    .iter()
                    .filter(|o| o.long.is_some_and(|l| l.starts_with(name)))
                    .collect();
                match candidates.as_slice() {
                    [one] => *one,
                    [] => {
                        return Err(format!("{}: unrecognized option '--{text}'", self.argv0));
                    }
                    many => {
                        let listed: String = many
                            .iter()
                            .map(|o| format!(" '--{}'", o.long.unwrap_or_default()))
                            .collect();
                        return Err(format!(
                            "{}: option '--{name}' is ambiguous; possibilities:{listed}",
                            self.argv0
                        ));
                    }
                }
            }
        };
        let long = opt.long.unwrap_or_default();
        match (opt.takes_value, inline) {
            (false, Some(_)) => Err(format!(
                "{}: option '--{long}' doesn't allow an argument",
                self.argv0
            )),
            (false, None) => Ok((opt.key, None)),
            (true, Some(value)) => Ok((opt.key, Some(value))),
            (true, None) => match self.args.get(self.next) {
                Some(value) => {
                    self.next += 1;
                    Ok((opt.key, Some(value.clone())))
                }
                None => Err(format!(
                    "{}: option '--{long}' requires an argument",
                    self.argv0
                )),
            },
        }
    }
}

impl Iterator for Getopt<'_> {
    type Item = Item;

    fn next(&mut self) -> Option<Self::Item> {
        if !self.bundle.is_empty() {
            return Some(self.short());
        }
        loop {
            let arg = self.args.get(self.next)?;
            self.next += 1;
            if arg == "--" {
                self.operands.extend(self.args[self.next..].iter().cloned());
                self.next = self.args.len();
                return None;
            }
            if let Some(text) = arg.strip_prefix("--") {
                return Some(self.long(text));
            }
            if arg.len() > 1 && arg.starts_with('-') {
                self.bundle = arg[1..].chars().collect();
                return Some(self.short());
            }
            self.operands.push(arg.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &[Opt] = &[
        flag(Some("help"), None, "help"),
        flag(Some("no-wtmp"), Some('d'), "no-wtmp"),
        flag(Some("no-sync"), Some('n'), "no-sync"),
        flag(Some("no-wall"), None, "no-wall"),
        flag(None, Some('h'), "h"),
        valued(Some("time"), Some('t'), "time"),
    ];

    fn read(line: &str) -> (Vec<Item>, Vec<String>) {
        let args: Vec<String> = line.split_whitespace().map(String::from).collect();
        let mut g = Getopt::new("halt", &args, TABLE);
        let items: Vec<_> = g.by_ref().collect();
        (items, g.operands)
    }

    #[test]
    fn operands_and_options_mix_and_dashdash_ends_options() {
        let (items, operands) = read("a -d b --no-wall -- -n c");
        assert_eq!(items, vec![Ok(("no-wtmp", None)), Ok(("no-wall", None))]);
        assert_eq!(operands, vec!["a", "b", "-n", "c"]);
        let (_, operands) = read("- x");
        assert_eq!(operands, vec!["-", "x"]);
    }

    #[test]
    fn prefixes_values_and_bundles() {
        let (items, _) = read("--he --no-wt -dnh -tfoo -t bar --time=baz --ti qux");
        let keys: Vec<_> = items.into_iter().map(Result::unwrap).collect();
        assert_eq!(
            keys,
            vec![
                ("help", None),
                ("no-wtmp", None),
                ("no-wtmp", None),
                ("no-sync", None),
                ("h", None),
                ("time", Some("foo".to_string())),
                ("time", Some("bar".to_string())),
                ("time", Some("baz".to_string())),
                ("time", Some("qux".to_string())),
            ]
        );
    }

    #[test]
    fn errors_are_glibcs() {
        let first_error = |line: &str| {
            read(line)
                .0
                .into_iter()
                .find_map(Result::err)
                .unwrap_or_default()
        };
        assert_eq!(first_error("-x"), "halt: invalid option -- 'x'");
        assert_eq!(
            first_error("--bogus=1"),
            "halt: unrecognized option '--bogus=1'"
        );
        assert_eq!(
            first_error("--no"),
            "halt: option '--no' is ambiguous; possibilities: '--no-wtmp' '--no-sync' '--no-wall'"
        );
        assert_eq!(
            first_error("--help=yes"),
            "halt: option '--help' doesn't allow an argument"
        );
        assert_eq!(
            first_error("--time"),
            "halt: option '--time' requires an argument"
        );
        assert_eq!(
            first_error("-t"),
            "halt: option requires an argument -- 't'"
        );
    }
}
