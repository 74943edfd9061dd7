//! CPU time a service used, as `CPUUsageNSec=` and status's `CPU:` line
//! report it. Without a control group per service, runr adds up what the
//! kernel reports for the service's processes: the usage of each reaped
//! main or control process (with the children it waited for), and, while
//! the service runs, what its live processes have used so far.

use std::collections::BTreeSet;

use nix::unistd::Pid;

use crate::syntax::Usec;

/// CPU time of the live processes that are `pids` or lead or belong to one
/// of the process groups `groups`, children they reaped included.
pub fn live_usage_usec(pids: &[Pid], groups: &[Pid]) -> Usec {
    let wanted_pids: BTreeSet<i32> = pids.iter().map(|p| p.as_raw()).collect();
    let wanted_groups: BTreeSet<i32> = groups.iter().map(|p| p.as_raw()).collect();
    if wanted_groups.is_empty() {
        return wanted_pids
            .iter()
            .filter_map(|pid| read_stat(*pid))
            .map(|s| s.cpu_usec)
            .sum();
    }
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(|pid| Some((pid, read_stat(pid)?)))
        .filter(|(pid, s)| wanted_pids.contains(pid) || wanted_groups.contains(&s.group))
        .map(|(_, s)| s.cpu_usec)
        .sum()
}

struct ProcessStat {
    group: i32,
    cpu_usec: Usec,
}

fn read_stat(pid: i32) -> Option<ProcessStat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat(&text, clock_ticks_per_second())
}

/// Fields of /proc/PID/stat after the command name (which may hold spaces
/// and parentheses, so the text is cut at the last ')'): state is the
/// first, the process group the third, utime, stime, cutime and cstime the
/// twelfth to fifteenth.
fn parse_stat(text: &str, ticks_per_second: u64) -> Option<ProcessStat> {
    let after_name = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let group = fields.get(2)?.parse().ok()?;
    let ticks: u64 = fields
        .get(11..15)?
        .iter()
        .map(|f| f.parse::<u64>().unwrap_or(0))
        .sum();
    Some(ProcessStat {
        group,
        cpu_usec: ticks * 1_000_000 / ticks_per_second.max(1),
    })
}

fn clock_ticks_per_second() -> u64 {
    nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .ok()
        .flatten()
        .and_then(|t| u64::try_from(t).ok())
        .unwrap_or(100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stat_line_gives_the_group_and_the_four_cpu_fields() {
        let line = "42 (a (b) c) S 1 40 40 0 -1 4194560 100 0 0 0 7 3 2 1 20 0 1 0 5 0 0";
        let stat = parse_stat(line, 100).unwrap();
        assert_eq!(stat.group, 40);
        assert_eq!(stat.cpu_usec, 130_000);
    }

    #[test]
    fn a_cut_line_gives_nothing() {
        assert!(parse_stat("42 (x) S 1 40", 100).is_none());
        assert!(parse_stat("no parenthesis", 100).is_none());
    }

    #[test]
    fn a_busy_process_is_seen_using_cpu() {
        let me = Pid::this();
        let begun = std::time::Instant::now();
        let mut spin = 0u64;
        while live_usage_usec(&[me], &[]) == 0 {
            spin = (0..1_000_000u64).fold(spin, |a, b| a.wrapping_add(b * b));
            assert!(begun.elapsed().as_secs() < 10, "no CPU time seen ({spin})");
        }
    }
}
