//! `list-units`, `list-unit-files` and `list-timers`: the rows, their order,
//! the colours, and the legend lines under the table.

use super::super::terminal::{GREEN, GREY, Glyph, HIGHLIGHT, NORMAL, RED, Terminal, YELLOW};
use super::table::{Cell, Table};
use crate::syntax::Usec;
use crate::syntax::timestamp::{format_timestamp, format_timestamp_relative};

/// How a listing is to look.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListStyle {
    pub legend: bool,
    pub plain: bool,
    pub full: bool,
    /// `--all` was given.
    pub all: bool,
    /// `--state=` was given (and whether it names `inactive`).
    pub states_given: bool,
    pub states_include_inactive: bool,
}

/// One row of `list-units`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRow {
    pub name: String,
    pub load: String,
    pub active: String,
    pub sub: String,
    pub description: String,
    pub job: Option<String>,
}

/// systemctl's order: by type suffix, then by name, ignoring case.
pub fn by_type_then_name(a: &str, b: &str) -> std::cmp::Ordering {
    let suffix = |n: &str| {
        n.rsplit_once('.')
            .map_or(String::new(), |(_, s)| s.to_ascii_lowercase())
    };
    suffix(a)
        .cmp(&suffix(b))
        .then_with(|| a.to_ascii_lowercase().cmp(&b.to_ascii_lowercase()))
}

fn suffix_of(name: &str) -> &str {
    name.rsplit_once('.').map_or("", |(_, s)| s)
}

/// Marks the last row of each run of one unit type (not the table's last
/// row), which a terminal shows underlined.
fn underlines(names: &[&str]) -> Vec<bool> {
    (0..names.len())
        .map(|i| {
            names
                .get(i + 1)
                .is_some_and(|next| suffix_of(next) != suffix_of(names[i]))
        })
        .collect()
}

pub fn list_units(rows: &[UnitRow], style: ListStyle, term: &Terminal) -> String {
    let with_job = rows.iter().any(|r| r.job.is_some());
    let mut header: Vec<&str> = Vec::new();
    if !style.plain {
        header.push("");
    }
    header.extend(["UNIT", "LOAD", "ACTIVE", "SUB"]);
    if with_job {
        header.push("JOB");
    }
    header.push("DESCRIPTION");
    let mut table = Table::new(&header);
    table.show_header = style.legend;
    table.full = style.full;
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    let marks = underlines(&names);
    for (row, underline) in rows.iter().zip(marks) {
        let bad_load = matches!(
            row.load.as_str(),
            "error" | "not-found" | "bad-setting" | "masked"
        );
        let failed = row.active == "failed";
        let (circle_color, unit_color, load_color, active_color) = if bad_load {
            (Some(YELLOW), None, Some(RED), None)
        } else if failed {
            (Some(RED), Some(RED), None, Some(RED))
        } else {
            (None, None, None, None)
        };
        let mut cells = Vec::new();
        if !style.plain {
            let circle = if bad_load || failed {
                term.glyph(Glyph::BlackCircle)
            } else {
                " "
            };
            cells.push(Cell::colored(circle, circle_color));
        }
        cells.push(Cell::colored(row.name.clone(), unit_color));
        cells.push(Cell::colored(row.load.clone(), load_color));
        cells.push(Cell::colored(row.active.clone(), active_color));
        cells.push(Cell::colored(row.sub.clone(), active_color));
        if with_job {
            cells.push(Cell::new(row.job.clone().unwrap_or_default()));
        }
        cells.push(Cell::new(row.description.clone()));
        table.push(cells, underline && term.colors);
    }
    let mut out = table.render(term);
    if !style.legend {
        return out;
    }
    let n = rows.len();
    if n > 0 {
        out.push('\n');
        out.push_str("LOAD   = Reflects whether the unit definition was properly loaded.\n");
        out.push_str(
            "ACTIVE = The high-level unit activation state, i.e. generalization of SUB.\n",
        );
        out.push_str("SUB    = The low-level unit activation state, values depend on unit type.\n");
        if with_job {
            out.push_str("JOB    = Pending job for the unit.\n");
        }
    }
    let counted = format!("{n} loaded units listed.");
    let to_show = "To show all installed unit files use 'systemctl list-unit-files'.";
    if style.all || style.states_include_inactive {
        out.push_str(&term.paint(HIGHLIGHT, &counted));
        out.push('\n');
        out.push_str(&term.paint(GREY, to_show));
        out.push('\n');
    } else if !style.states_given {
        out.push_str(&term.paint(HIGHLIGHT, &counted));
        out.push_str(" Pass --all to see loaded but inactive units, too.\n");
        out.push_str(&term.paint(GREY, to_show));
        out.push('\n');
    } else {
        out.push_str(&counted);
        out.push('\n');
    }
    out
}

/// One row of `list-unit-files`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitFileRow {
    pub name: String,
    pub state: String,
    /// None where systemctl shows `-`.
    pub preset: Option<String>,
}

fn unit_file_state_color(state: &str) -> Option<&'static str> {
    match state {
        "masked" | "masked-runtime" | "disabled" | "bad" => Some(RED),
        "enabled" | "alias" => Some(GREEN),
        _ => None,
    }
}

pub fn list_unit_files(rows: &[UnitFileRow], style: ListStyle, term: &Terminal) -> String {
    let mut table = Table::new(&["UNIT FILE", "STATE", "PRESET"]);
    table.show_header = style.legend;
    table.full = style.full;
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    let marks = underlines(&names);
    for (row, underline) in rows.iter().zip(marks) {
        let preset = match &row.preset {
            Some(p) => Cell::colored(p.clone(), unit_file_state_color(p)),
            None => Cell::colored("-", Some(GREY)),
        };
        table.push(
            vec![
                Cell::new(row.name.clone()),
                Cell::colored(row.state.clone(), unit_file_state_color(&row.state)),
                preset,
            ],
            underline && term.colors,
        );
    }
    let mut out = table.render(term);
    if style.legend {
        out.push_str(&format!("\n{} unit files listed.\n", rows.len()));
    }
    out
}

/// One row of `list-timers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimerRow {
    pub next: Option<Usec>,
    pub last: Option<Usec>,
    pub unit: String,
    pub activates: String,
}

pub fn list_timers(rows: &[TimerRow], style: ListStyle, now: Usec, term: &Terminal) -> String {
    let mut table = Table::new(&["NEXT", "LEFT", "LAST", "PASSED", "UNIT", "ACTIVATES"]);
    table.show_header = style.legend;
    table.full = style.full;
    let when = |t: Option<Usec>| t.and_then(format_timestamp).unwrap_or_else(|| "-".into());
    let relative = |t: Option<Usec>| {
        t.and_then(|t| format_timestamp_relative(t, now))
            .unwrap_or_else(|| "-".into())
    };
    for row in rows {
        table.push(
            vec![
                Cell::new(when(row.next)),
                Cell::new(relative(row.next)),
                Cell::new(when(row.last)),
                Cell::new(relative(row.last)),
                Cell::new(row.unit.clone()),
                Cell::new(row.activates.clone()),
            ],
            false,
        );
    }
    let mut out = table.render(term);
    if style.legend {
        out.push('\n');
        out.push_str(&term.paint(HIGHLIGHT, &format!("{} timers listed.", rows.len())));
        out.push('\n');
        if !style.all {
            out.push_str("Pass --all to see loaded but inactive timers, too.\n");
        }
    }
    out
}

/// A node of `list-dependencies`: a unit, its active state, its children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepNode {
    pub name: String,
    pub active: String,
    pub children: Vec<DepNode>,
}

pub fn list_dependencies(root: &DepNode, plain: bool, term: &Terminal) -> String {
    let mut out = format!("{}\n", root.name);
    let mut prefix = Vec::new();
    draw_children(&mut out, &root.children, &mut prefix, plain, term);
    out
}

fn draw_children(
    out: &mut String,
    children: &[DepNode],
    prefix: &mut Vec<bool>,
    plain: bool,
    term: &Terminal,
) {
    for (i, child) in children.iter().enumerate() {
        let last = i + 1 == children.len();
        if !plain {
            let (glyph, color) = super::status::state_glyph(&child.active, term);
            let glyph = if child.active == "failed" {
                term.glyph(Glyph::BlackCircle)
            } else {
                glyph
            };
            match color {
                Some(c) if term.colors => {
                    out.push_str(c);
                    out.push_str(glyph);
                    out.push_str(NORMAL);
                }
                _ => out.push_str(glyph),
            }
            out.push(' ');
        } else {
            out.push_str("  ");
        }
        for more_below in prefix.iter() {
            if plain {
                out.push_str("  ");
            } else if *more_below {
                out.push_str(term.glyph(Glyph::TreeVertical));
            } else {
                out.push_str(term.glyph(Glyph::TreeSpace));
            }
        }
        if !plain {
            out.push_str(term.glyph(if last {
                Glyph::TreeRight
            } else {
                Glyph::TreeBranch
            }));
        }
        out.push_str(&child.name);
        out.push('\n');
        prefix.push(!last);
        draw_children(out, &child.children, prefix, plain, term);
        prefix.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn golden(path: &str) -> String {
        std::fs::read_to_string(format!(
            "{}/golden/systemctl/{path}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    /// Rows read back from a golden plain listing.
    fn unit_rows(text: &str) -> Vec<UnitRow> {
        text.lines()
            .skip(1)
            .take_while(|l| !l.is_empty())
            .map(|l| {
                let l = l.trim_start_matches(['●', '*', ' ']);
                let mut w = l.split_whitespace();
                let name = w.next().unwrap().to_string();
                let load = w.next().unwrap().to_string();
                let active = w.next().unwrap().to_string();
                let sub = w.next().unwrap().to_string();
                let description = w.collect::<Vec<_>>().join(" ");
                UnitRow {
                    name,
                    load,
                    active,
                    sub,
                    description,
                    job: None,
                }
            })
            .collect()
    }

    #[test]
    fn list_units_plain_and_tty_match_systemd() {
        let all = ListStyle {
            legend: true,
            all: true,
            ..Default::default()
        };
        let text = golden("live/list/00-units-demo-all.stdout");
        let rows = unit_rows(&text);
        assert_eq!(list_units(&rows, all, &Terminal::plain()), text);
        let tty = golden("live/list/17-units-demo-all-tty.stdout");
        assert_eq!(list_units(&rows, all, &Terminal::tty(80, "oracle")), tty);
        let mut c = Terminal::plain();
        c.utf8 = false;
        assert_eq!(
            list_units(&rows, all, &c),
            golden("live/list/16-units-LANG-C.stdout")
        );
        let plain = ListStyle {
            plain: true,
            legend: false,
            all: true,
            ..Default::default()
        };
        let services: Vec<UnitRow> = rows
            .iter()
            .filter(|r| r.name.ends_with(".service"))
            .cloned()
            .collect();
        assert_eq!(
            list_units(&services, plain, &Terminal::plain()),
            golden("live/list/03-units-demo-service-all-plain-nolegend.stdout")
        );
        let some = ListStyle {
            legend: true,
            ..Default::default()
        };
        let active: Vec<UnitRow> = rows
            .iter()
            .filter(|r| r.active != "inactive")
            .cloned()
            .collect();
        assert_eq!(
            list_units(&active, some, &Terminal::plain()),
            golden("live/list/01-units-demo.stdout")
        );
        assert_eq!(
            list_units(&[], some, &Terminal::plain()),
            golden("live/list/13-units-nomatch.stdout")
        );
        let failed = ListStyle {
            legend: true,
            states_given: true,
            ..Default::default()
        };
        let only_failed: Vec<UnitRow> = rows
            .iter()
            .filter(|r| r.active == "failed")
            .cloned()
            .collect();
        assert_eq!(
            list_units(&only_failed, failed, &Terminal::plain()),
            golden("live/list/06-units-failed.stdout")
        );
        assert_eq!(
            list_units(&only_failed, failed, &Terminal::tty(80, "oracle")),
            golden("live/list/18-units-demo-failed-tty.stdout")
        );
    }

    fn file_rows(text: &str) -> Vec<UnitFileRow> {
        text.lines()
            .skip(1)
            .take_while(|l| !l.is_empty())
            .map(|l| {
                let w: Vec<&str> = l.split_whitespace().collect();
                UnitFileRow {
                    name: w[0].into(),
                    state: w[1].into(),
                    preset: (w[2] != "-").then(|| w[2].to_string()),
                }
            })
            .collect()
    }

    #[test]
    fn list_unit_files_match_systemd() {
        let style = ListStyle {
            legend: true,
            ..Default::default()
        };
        let text = golden("offline/files/47-list-unit-files.stdout");
        let rows = file_rows(&text);
        assert_eq!(list_unit_files(&rows, style, &Terminal::plain()), text);
        assert_eq!(
            list_unit_files(&rows, style, &Terminal::tty(80, "oracle")),
            golden("offline/files/53-list-unit-files-tty.stdout")
        );
        assert_eq!(
            list_unit_files(&[], style, &Terminal::plain()),
            golden("live/list/32-unit-files-missing.stdout")
        );
        let no_legend = ListStyle::default();
        assert_eq!(
            list_unit_files(&rows, no_legend, &Terminal::plain()),
            golden("offline/files/49-list-unit-files-no-legend.stdout")
        );
    }

    #[test]
    fn list_timers_match_systemd() {
        let next =
            crate::syntax::timestamp::parse_timestamp("Sun 2026-11-22 04:00:00 UTC").unwrap();
        let now = next - (10 * 3600 + 1800) * 1_000_000;
        let rows = vec![TimerRow {
            next: Some(next),
            last: None,
            unit: "demo-tick.timer".into(),
            activates: "demo-tick.service".into(),
        }];
        let all = ListStyle {
            legend: true,
            all: true,
            ..Default::default()
        };
        assert_eq!(
            list_timers(&rows, all, now, &Terminal::plain()),
            golden("live/list/38-timers-demo-all.stdout")
        );
        assert_eq!(
            list_timers(
                &rows,
                ListStyle {
                    legend: true,
                    ..Default::default()
                },
                now,
                &Terminal::plain()
            ),
            golden("live/list/39-timers-demo.stdout")
        );
        assert_eq!(
            list_timers(&rows, ListStyle::default(), now, &Terminal::plain()),
            golden("live/list/41-timers-demo-no-legend.stdout")
        );
        assert_eq!(
            list_timers(&rows, all, now, &Terminal::tty(80, "oracle")),
            golden("live/list/40-timers-demo-tty.stdout")
        );
        assert_eq!(
            list_timers(
                &[],
                ListStyle {
                    legend: true,
                    ..Default::default()
                },
                now,
                &Terminal::plain()
            ),
            golden("live/list/42-timers-nomatch.stdout")
        );
    }

    #[test]
    fn dependency_trees_match_systemd() {
        let node = |n: &str, a: &str| DepNode {
            name: n.into(),
            active: a.into(),
            children: vec![],
        };
        let root = DepNode {
            name: "demo.target".into(),
            active: "active".into(),
            children: vec![
                node("demo-reload.service", "active"),
                node("demo-simple.service", "active"),
            ],
        };
        assert_eq!(
            list_dependencies(&root, false, &Terminal::plain()),
            golden("live/deps/00-target.stdout")
        );
        assert_eq!(
            list_dependencies(&root, true, &Terminal::plain()),
            golden("live/deps/01-target-plain.stdout")
        );
        let mut tty = Terminal::tty(80, "oracle");
        assert_eq!(
            list_dependencies(&root, false, &tty),
            golden("live/deps/02-target-tty.stdout")
        );
        tty.colors = false;
        tty.utf8 = false;
        assert_eq!(
            list_dependencies(&root, false, &tty),
            golden("live/deps/03-target-LANG-C.stdout")
        );
        let reverse = DepNode {
            name: "demo-reload.service".into(),
            active: "active".into(),
            children: vec![DepNode {
                name: "demo.target".into(),
                active: "active".into(),
                children: vec![DepNode {
                    name: "multi-user.target".into(),
                    active: "active".into(),
                    children: vec![node("graphical.target", "inactive")],
                }],
            }],
        };
        assert_eq!(
            list_dependencies(&reverse, false, &Terminal::plain()),
            golden("live/deps/04-reverse.stdout")
        );
    }
}
