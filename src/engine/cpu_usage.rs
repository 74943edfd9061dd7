//! CPU time a service used, as `CPUUsageNSec=` and status's `CPU:` line
//! report it. Without a control group per service, runr adds up what the
//! kernel reports for the service's processes: the usage of each reaped
//! main or control process (with the children it waited for), and, while
//! the service runs, what its main and control processes have used so far.

use nix::unistd::Pid;

use crate::syntax::Usec;

/// CPU time of the live processes `pids` (a service's main and control
/// processes), children they reaped included. Read per process, not by
/// walking /proc: `show` and `status` ask for it on every call.
pub fn live_usage_usec(pids: &[Pid]) -> Usec {
    pids.iter()
        .filter_map(|pid| read_cpu_usec(pid.as_raw()))
        .sum()
}

fn read_cpu_usec(pid: i32) -> Option<Usec> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat(&text, clock_ticks_per_second())
}

/// Fields of /proc/PID/stat after the command name (which may hold spaces
/// and parentheses, so the text is cut at the last ')'): state is the
/// first, utime, stime, cutime and cstime the twelfth to fifteenth.
fn parse_stat(text: &str, ticks_per_second: u64) -> Option<Usec> {
    let after_name = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: u64 = fields
        .get(11..15)?
        .iter()
        .map(|f| f.parse::<u64>().unwrap_or(0))
        .sum();
    Some(ticks * 1_000_000 / ticks_per_second.max(1))
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
    fn a_stat_line_gives_the_four_cpu_fields() {
        let line = "42 (a (b) c) S 1 40 40 0 -1 4194560 100 0 0 0 7 3 2 1 20 0 1 0 5 0 0";
        assert_eq!(parse_stat(line, 100), Some(130_000));
    }

    #[test]
    fn a_cut_line_gives_nothing() {
        assert!(parse_stat("42 (x) S 1 40 40 0 -1 4194560 100 0 0 0 7", 100).is_none());
        assert!(parse_stat("no parenthesis", 100).is_none());
    }

    #[test]
    fn a_busy_process_is_seen_using_cpu() {
        let me = Pid::this();
        let begun = std::time::Instant::now();
        let mut spin = 0u64;
        while live_usage_usec(&[me]) == 0 {
            spin = (0..1_000_000u64).fold(spin, |a, b| a.wrapping_add(b * b));
            assert!(begun.elapsed().as_secs() < 10, "no CPU time seen ({spin})");
        }
    }
}
