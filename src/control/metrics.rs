//! `GET /metrics`: the backend's numbers in Prometheus' text exposition
//! format (version 0.0.4).

use std::fmt::Write;

use crate::engine::state::ActiveState;

use super::types::MetricsSnapshot;

const ACTIVE_STATES: [ActiveState; 6] = [
    ActiveState::Active,
    ActiveState::Reloading,
    ActiveState::Inactive,
    ActiveState::Failed,
    ActiveState::Activating,
    ActiveState::Deactivating,
];

/// One metric family: its HELP and TYPE lines, then its samples.
struct Family<'a> {
    out: &'a mut String,
}

impl<'a> Family<'a> {
    fn open(out: &'a mut String, name: &str, kind: &str, help: &str) -> Self {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} {kind}");
        Family { out }
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: &str) {
        self.out.push_str(name);
        if !labels.is_empty() {
            self.out.push('{');
            for (i, (label, text)) in labels.iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                let _ = write!(self.out, "{label}=\"{}\"", escape_label_value(text));
            }
            self.out.push('}');
        }
        let _ = writeln!(self.out, " {value}");
    }
}

/// Backslash, double quote and newline are the three characters a label
/// value escapes.
fn escape_label_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Prometheus' spelling of a float: Rust's for finite values, `NaN`, `+Inf`, `-Inf`.
fn float(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_string()
    } else if value.is_infinite() {
        if value > 0.0 { "+Inf" } else { "-Inf" }.to_string()
    } else {
        format!("{value}")
    }
}

pub fn format_prometheus(snapshot: &MetricsSnapshot) -> String {
    let mut out = String::new();
    let units = &snapshot.units;

    let mut f = Family::open(
        &mut out,
        "runr_unit_state",
        "gauge",
        "1 for the unit's current active state, 0 for the others.",
    );
    for unit in units {
        for state in ACTIVE_STATES {
            let value = if unit.state == state { "1" } else { "0" };
            f.sample(
                "runr_unit_state",
                &[("unit", &unit.name), ("state", state.as_str())],
                value,
            );
        }
    }
    let mut f = Family::open(
        &mut out,
        "runr_unit_restarts_total",
        "counter",
        "Automatic restarts since the supervisor started.",
    );
    for unit in units {
        f.sample(
            "runr_unit_restarts_total",
            &[("unit", &unit.name)],
            &unit.restarts.to_string(),
        );
    }
    let mut f = Family::open(
        &mut out,
        "runr_unit_last_exit_status",
        "gauge",
        "Exit status of the unit's last main process.",
    );
    for unit in units {
        if let Some(status) = unit.last_exit_status {
            f.sample(
                "runr_unit_last_exit_status",
                &[("unit", &unit.name)],
                &status.to_string(),
            );
        }
    }
    let mut f = Family::open(
        &mut out,
        "runr_unit_uptime_seconds",
        "gauge",
        "Seconds since the unit became active.",
    );
    for unit in units {
        if let Some(uptime) = unit.uptime_seconds {
            f.sample(
                "runr_unit_uptime_seconds",
                &[("unit", &unit.name)],
                &float(uptime),
            );
        }
    }
    let mut f = Family::open(
        &mut out,
        "runr_unit_log_lines_written_total",
        "counter",
        "Log lines written for the unit.",
    );
    for unit in units {
        f.sample(
            "runr_unit_log_lines_written_total",
            &[("unit", &unit.name)],
            &unit.log_lines_written.to_string(),
        );
    }
    let mut f = Family::open(
        &mut out,
        "runr_unit_log_lines_dropped_total",
        "counter",
        "Log lines of the unit dropped (full disk, slow reader).",
    );
    for unit in units {
        f.sample(
            "runr_unit_log_lines_dropped_total",
            &[("unit", &unit.name)],
            &unit.log_lines_dropped.to_string(),
        );
    }
    let mut f = Family::open(
        &mut out,
        "runr_pool_memory_bytes",
        "gauge",
        "Memory in use by the pool's cgroup.",
    );
    for pool in &snapshot.pools {
        if let Some(bytes) = pool.memory_bytes {
            f.sample(
                "runr_pool_memory_bytes",
                &[("pool", &pool.name)],
                &bytes.to_string(),
            );
        }
    }
    let mut f = Family::open(
        &mut out,
        "runr_pool_cpu_seconds_total",
        "counter",
        "CPU time used by the pool's cgroup.",
    );
    for pool in &snapshot.pools {
        if let Some(seconds) = pool.cpu_usage_seconds {
            f.sample(
                "runr_pool_cpu_seconds_total",
                &[("pool", &pool.name)],
                &float(seconds),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::types::{PoolMetrics, UnitMetrics};

    fn snapshot() -> MetricsSnapshot {
        MetricsSnapshot {
            units: vec![UnitMetrics {
                name: "pg\"x\\.service".into(),
                state: ActiveState::Failed,
                restarts: 3,
                last_exit_status: Some(1),
                uptime_seconds: None,
                log_lines_written: 10,
                log_lines_dropped: 2,
            }],
            pools: vec![PoolMetrics {
                name: "db".into(),
                memory_bytes: Some(4096),
                cpu_usage_seconds: Some(1.25),
            }],
        }
    }

    #[test]
    fn states_are_one_hot_and_labels_escaped() {
        let text = format_prometheus(&snapshot());
        assert!(
            text.contains("runr_unit_state{unit=\"pg\\\"x\\\\.service\",state=\"failed\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("runr_unit_state{unit=\"pg\\\"x\\\\.service\",state=\"active\"} 0\n")
        );
        assert_eq!(text.matches("runr_unit_state{").count(), 6);
        assert!(text.contains("runr_unit_restarts_total{unit=\"pg\\\"x\\\\.service\"} 3\n"));
        assert!(text.contains("runr_pool_memory_bytes{pool=\"db\"} 4096\n"));
        assert!(text.contains("runr_pool_cpu_seconds_total{pool=\"db\"} 1.25\n"));
        assert!(
            !text.contains("runr_unit_uptime_seconds{"),
            "unknown uptime is left out"
        );
    }

    #[test]
    fn every_family_is_announced_once_before_its_samples() {
        let text = format_prometheus(&snapshot());
        let mut announced = Vec::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                let name = rest.split(' ').next().unwrap();
                assert!(!announced.contains(&name.to_string()), "{name} twice");
                announced.push(name.to_string());
            } else if !line.starts_with('#') {
                let name = line.split(['{', ' ']).next().unwrap();
                assert_eq!(announced.last().map(String::as_str), Some(name), "{line}");
            }
        }
    }

    #[test]
    fn floats_use_prometheus_words() {
        assert_eq!(float(f64::NAN), "NaN");
        assert_eq!(float(f64::INFINITY), "+Inf");
        assert_eq!(float(f64::NEG_INFINITY), "-Inf");
        assert_eq!(float(0.5), "0.5");
    }
}
