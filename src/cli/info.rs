//! The supervisor itself: info, healthz, readyz.

use super::output::{Output, Paint, bytes, relative_to, when};
use super::{CommandResult, EXIT_INACTIVE, EXIT_SUCCESS};
use crate::control::client::Client;
use crate::control::types::{DaemonInfo, Readiness, Timestamp};
use crate::syntax::timespan::format_timespan;
use crate::syntax::timestamp::now_realtime;

pub fn info(client: &Client, out: &Output) -> CommandResult {
    let info = client.daemon_info()?;
    if out.json {
        out.json(&info)?;
    } else {
        out.text(&render_info(&info, Timestamp(now_realtime())))?;
    }
    Ok(EXIT_SUCCESS)
}

pub fn render_info(info: &DaemonInfo, now: Timestamp) -> String {
    let rows = [
        ("Version", info.version.clone()),
        ("PID", info.pid.to_string()),
        (
            "Started",
            format!(
                "{}; {}",
                when(info.started_at),
                relative_to(info.started_at, now)
            ),
        ),
        ("Uptime", format_timespan(info.uptime_usec, 1_000_000)),
        ("Memory", bytes(info.memory_rss_bytes)),
        ("CPU", format_timespan(info.cpu_usec, 1_000)),
    ];
    let mut text = String::new();
    for (label, value) in rows {
        text.push_str(&format!("{:<9}{value}\n", format!("{label}:")));
    }
    text
}

pub fn healthz(client: &Client, out: &Output) -> CommandResult {
    let health = client.healthz()?;
    if out.json {
        out.json(&health)?;
    } else {
        out.line(&out.paint.state(&health.status))?;
    }
    Ok(EXIT_SUCCESS)
}

/// Exit 0 when ready, 3 (a unit is not active) when not.
pub fn readyz(client: &Client, out: &Output, units: &[String]) -> CommandResult {
    let readiness = client.readyz(units)?;
    if out.json {
        out.json(&readiness)?;
    } else {
        out.table(
            &["UNIT", "STATE", "READY"],
            readiness_rows(&readiness, out.paint),
        )?;
    }
    Ok(if readiness.ready {
        EXIT_SUCCESS
    } else {
        EXIT_INACTIVE
    })
}

pub fn readiness_rows(readiness: &Readiness, paint: Paint) -> Vec<Vec<String>> {
    readiness
        .units
        .iter()
        .map(|u| {
            vec![
                u.name.clone(),
                paint.state(u.state.as_str()),
                paint.state(if u.ready { "yes" } else { "no" }),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::types::UnitReadiness;
    use crate::engine::state::ActiveState;

    #[test]
    fn info_lists_the_daemons_figures() {
        let now = Timestamp(1_705_320_000_000_000);
        let info = DaemonInfo {
            version: "0.1.0".into(),
            pid: 1,
            started_at: Timestamp(now.0 - 3_723_000_000),
            uptime_usec: 3_723_500_000,
            memory_rss_bytes: 4 * 1024 * 1024,
            cpu_usec: 120_000,
        };
        let text = render_info(&info, now);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Version: 0.1.0");
        assert_eq!(lines[1], "PID:     1");
        assert!(
            lines[2].starts_with("Started: ") && lines[2].ends_with("; 1h 2min ago"),
            "{text}"
        );
        assert_eq!(
            &lines[3..],
            ["Uptime:  1h 2min 3s", "Memory:  4.0M", "CPU:     120ms"]
        );
    }

    #[test]
    fn readiness_rows_say_yes_or_no() {
        let readiness = Readiness {
            ready: false,
            units: vec![
                UnitReadiness {
                    name: "db.service".into(),
                    state: ActiveState::Active,
                    ready: true,
                },
                UnitReadiness {
                    name: "web.service".into(),
                    state: ActiveState::Activating,
                    ready: false,
                },
            ],
        };
        assert_eq!(
            readiness_rows(&readiness, Paint::PLAIN),
            [
                ["db.service", "active", "yes"],
                ["web.service", "activating", "no"]
            ]
        );
    }
}
