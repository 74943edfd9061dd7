//! Pure renderers: from the control API's answers (or the unit files) to
//! the exact bytes systemctl 252 prints, for a pipe or a terminal.

pub mod lists;
pub mod status;
pub mod table;

use super::terminal::Terminal;
use crate::control::types::Property;

/// `show`: `Name=value` lines, or the bare values with `--value`.
pub fn show(properties: &[Property], value_only: bool) -> String {
    let mut out = String::new();
    for p in properties {
        if !value_only {
            out.push_str(&p.name);
            out.push('=');
        }
        out.push_str(printable_value(p));
        out.push('\n');
    }
    out
}

/// systemctl cannot print the arrays of `Conditions=` and `Asserts=`
/// (status reads them): `show` says `[unprintable]`.
fn printable_value(p: &Property) -> &str {
    match p.name.as_str() {
        "Conditions" | "Asserts" => "[unprintable]",
        _ => &p.value,
    }
}

const BLUE: &str = "\x1b[0;1;34m";

/// `cat`: each file under a `# path` line, a blank line between files.
pub fn cat(files: &[(String, String)], term: &Terminal) -> String {
    let mut out = String::new();
    for (i, (path, text)) in files.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&term.paint(BLUE, &format!("# {path}")));
        out.push('\n');
        out.push_str(text);
    }
    out
}

/// `cat` of a masked unit.
pub fn cat_masked(name: &str, term: &Terminal) -> String {
    format!(
        "{}\n",
        term.paint(BLUE, &format!("# Unit {name} is masked."))
    )
}

/// What systemctl says (on stderr) of a unit whose files changed on disk
/// since the manager read them (`NeedDaemonReload=yes`), after its
/// status and once a job for it is queued.
pub fn changed_on_disk(name: &str) -> String {
    format!(
        "Warning: The unit file, source configuration file or drop-ins of {name} changed on disk. Run 'systemctl daemon-reload' to reload units."
    )
}

/// `cat`'s words (on stderr, before the files) for such a unit; red on a
/// terminal, each line.
pub fn cat_changed_on_disk(name: &str, colors: bool) -> String {
    let (red, normal) = if colors {
        (super::terminal::RED, super::terminal::NORMAL)
    } else {
        ("", "")
    };
    format!(
        "{red}# Warning: {name} changed on disk, the version systemd has loaded is outdated.\n\
         {red}# This output shows the current version of the unit's original fragment and drop-in files.\n\
         {red}# If fragments or drop-ins were added or removed, they are not properly reflected in this output.\n\
         {red}# Run 'systemctl daemon-reload' to reload units.{normal}\n"
    )
}

/// The hint under output that was cut to the terminal's width.
pub const ELLIPSIZED_HINT: &str = "Hint: Some lines were ellipsized, use -l to show in full.\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_lines_and_values() {
        let props = vec![
            Property {
                name: "ActiveState".into(),
                value: "active".into(),
            },
            Property {
                name: "SubState".into(),
                value: "running".into(),
            },
        ];
        assert_eq!(
            show(&props, false),
            "ActiveState=active\nSubState=running\n"
        );
        assert_eq!(show(&props, true), "active\nrunning\n");
    }

    #[test]
    fn cat_matches_systemd() {
        let dir = env!("CARGO_MANIFEST_DIR");
        let read =
            |p: &str| std::fs::read_to_string(format!("{dir}/golden/systemctl/{p}")).unwrap();
        let files = vec![
            (
                "/etc/systemd/system/demo-reload.service".to_string(),
                read("units/demo-reload.service"),
            ),
            (
                "/etc/systemd/system/demo-reload.service.d/override.conf".to_string(),
                read("extra/demo-reload-override.conf"),
            ),
        ];
        assert_eq!(
            cat(&files, &Terminal::plain()),
            read("live/demo-reload.service/12-cat.stdout")
        );
        assert_eq!(
            cat_masked("demo-masked.service", &Terminal::plain()),
            read("live/cat/06-masked.stdout")
        );
    }
}
