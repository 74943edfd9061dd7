//! The `journalctl` face: reads runr's journal store directly (it is
//! files; no daemon is asked) and prints what journalctl 252 prints for
//! the same entries, byte for byte: `-u` (several, globs), `-t`, `-p`,
//! `-g`, `-b`, `--since`/`--until`, `-n`, `-r`, `-e`, `-f`, every `-o`
//! mode, `--output-fields`, `-q`, `--no-hostname`, `--utc`,
//! `--list-boots`, `--disk-usage`, `--vacuum-*`.
//!
//! The store is `$RUNR_JOURNAL_DIR`, else /var/log/runr/journal, else
//! what `-D DIR` says. There is never a pager: output goes straight to
//! stdout, as with `--no-pager`. `help.txt` and `version.txt` are
//! journalctl 252's own `--help` and `--version`.

mod args;
mod fields;
mod follow;
mod maintenance;
mod output;
mod select;

use std::io::{IsTerminal, Write};
use std::ops::ControlFlow;
use std::path::PathBuf;

use args::{Action, Args, OutputMode};
use output::{ANSI_HIGHLIGHT, Renderer};
use select::Selection;

use crate::logs::journal::JournalReader;
use crate::logs::record::{Id128, Record};

pub use fields::{cursor, record_fields};

const HELP: &str = include_str!("help.txt");
const VERSION: &str = include_str!("version.txt");

pub fn main(argv: &[String]) -> u8 {
    let program = argv
        .first()
        .and_then(|a| std::path::Path::new(a).file_name())
        .map_or_else(
            || "journalctl".to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
    let args = match args::parse(argv) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("{}", e.render(&program));
            return 1;
        }
    };
    match args.action {
        Action::Help => return print_text(HELP),
        Action::Version => return print_text(VERSION),
        _ => {}
    }
    let directory = args
        .directory
        .as_ref()
        .map(PathBuf::from)
        .unwrap_or_else(crate::logs::journal::default_directory);
    match args.action {
        Action::DiskUsage => return maintenance::disk_usage(&directory),
        Action::Vacuum => return maintenance::vacuum(&directory, &args),
        _ => {}
    }
    let reader = match JournalReader::open(&directory) {
        Ok(reader) => Some(reader),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            eprintln!("Failed to open journal: {}", crate::engine::errno_text(&e));
            return 1;
        }
    };
    let Some(reader) = reader else {
        return no_journal(&args);
    };
    match args.action {
        Action::ListBoots => maintenance::list_boots(&reader, args.utc),
        _ => show(reader, &args),
    }
}

fn print_text(text: &str) -> u8 {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    0
}

/// No journal directory at all: what journalctl says when it finds no
/// journal files.
fn no_journal(args: &Args) -> u8 {
    let quiet = args.quiet || args.output.is_some_and(OutputMode::is_for_programs);
    if !quiet {
        eprintln!("No journal files were found.");
        if args.action == Action::Show && !args.follow {
            println!("-- No entries --");
        }
    }
    if args.action == Action::Show && args.grep.is_some() {
        return 1;
    }
    0
}

/// Whether to colour: a terminal that is not dumb, unless $NO_COLOR, and
/// $SYSTEMD_COLORS decides when set.
fn colors_enabled() -> bool {
    if let Ok(value) = std::env::var("SYSTEMD_COLORS") {
        return !matches!(value.as_str(), "0" | "no" | "false" | "off" | "n" | "f");
    }
    if std::env::var_os("NO_COLOR").is_some() {
        return false;
    }
    std::io::stdout().is_terminal() && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

/// Prints entries, remembering the boot of the last one for the
/// `-- Boot ID --` separators.
pub(crate) struct Printer {
    pub renderer: Renderer,
    pub quiet: bool,
    pub previous_boot: Option<Id128>,
    pub shown: u64,
}

impl Printer {
    pub fn print(&mut self, record: &Record, selection: &Selection, out: &mut Vec<u8>) {
        let Some(highlight) = selection.pattern_match(record) else {
            return;
        };
        if !self.quiet {
            if self.previous_boot.is_some_and(|b| b != record.boot_id) {
                let (on, off) = if self.renderer.color {
                    (ANSI_HIGHLIGHT, "\x1b[0m")
                } else {
                    ("", "")
                };
                out.extend_from_slice(
                    format!("{on}-- Boot {} --{off}\n", record.boot_id).as_bytes(),
                );
            }
            self.previous_boot = Some(record.boot_id);
        }
        self.renderer.entry(record, highlight, out);
        self.shown += 1;
    }
}

fn show(reader: JournalReader, args: &Args) -> u8 {
    let selection = match Selection::new(args, &reader) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{}", e.0);
            return 1;
        }
    };
    let mode = args.output.unwrap_or(OutputMode::Short);
    let mut printer = Printer {
        renderer: Renderer {
            mode,
            output_fields: args.output_fields.clone(),
            no_hostname: args.no_hostname,
            utc: args.utc,
            color: colors_enabled(),
            show_all: args.show_all,
            zone: crate::syntax::timestamp::local_zone(),
        },
        quiet: args.quiet || mode.is_for_programs(),
        previous_boot: None,
        shown: 0,
    };
    let lines = if args.no_tail {
        None
    } else if args.lines.is_some() {
        args.lines
    } else if args.follow {
        Some(10)
    } else if args.pager_end {
        Some(1000)
    } else {
        None
    };
    if args.follow {
        return follow::follow(reader, &selection, lines, &mut printer);
    }
    let records = match select_records(&reader, &selection, lines, u64::MAX) {
        Ok(records) => records,
        Err(e) => {
            eprintln!(
                "Failed to iterate through journal: {}",
                crate::engine::errno_text(&e)
            );
            return 1;
        }
    };
    let mut out = Vec::new();
    let ordered: Box<dyn Iterator<Item = &Record>> = if args.reverse {
        Box::new(records.iter().rev())
    } else {
        Box::new(records.iter())
    };
    for record in ordered {
        printer.print(record, &selection, &mut out);
    }
    if printer.shown == 0 && !printer.quiet {
        out.extend_from_slice(b"-- No entries --\n");
    }
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(&out);
    let _ = stdout.flush();
    if selection.pattern.is_some() && printer.shown == 0 {
        return 1;
    }
    0
}

/// The records a command line wants, oldest first: the last `lines` of
/// them, or all, up to sequence number `upto`.
pub(crate) fn select_records(
    reader: &JournalReader,
    selection: &Selection,
    lines: Option<u64>,
    upto: u64,
) -> std::io::Result<Vec<Record>> {
    let keep = |r: &Record| r.seqnum <= upto && selection.keeps(r);
    match lines {
        Some(n) => reader.tail_where(
            &selection.filter,
            usize::try_from(n).unwrap_or(usize::MAX),
            upto,
            &keep,
        ),
        None => {
            let mut out = Vec::new();
            reader.range(
                &selection.filter,
                selection.since,
                selection.until,
                &mut |r| {
                    if keep(&r) {
                        out.push(r);
                    }
                    ControlFlow::Continue(())
                },
            )?;
            Ok(out)
        }
    }
}
