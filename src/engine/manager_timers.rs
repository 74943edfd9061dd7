//! The manager's side of timers, kept apart from the job machinery: timer
//! runtimes are created and started or stopped by jobs like any unit; each
//! pass of the dispatcher tells every timer what became of the unit it
//! triggers; a due timer's trigger becomes a start job of that unit; and
//! the event loop sleeps until the earliest coalesced timer wakeup.
//!
//! [`SystemTimerHost`] is the real machine: stamps under
//! `$RUNR_STATE_DIRECTORY/timers/` (default `/var/lib/runr/timers/`),
//! `/etc/machine-id`, the kernel's boot ID, `/dev/urandom`.

use std::io::Read;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use jiff::tz::TimeZone;

use super::executor::monotonic_now;
use super::manager::{JobResult, Manager, UnitRuntime};
use super::service::{DualTimestamp, Executor, JobKind, RequestOutcome, UnitTimestamps};
use super::state::ActiveState;
use super::timer::{TargetView, TimerHost, TimerRuntime, next_wakeup, perturbation, timer_plan};
use crate::config::model::LoadState;
use crate::syntax::Usec;

/// Where runr keeps state across restarts unless told otherwise.
pub const DEFAULT_STATE_DIRECTORY: &str = "/var/lib/runr";
/// The environment variable naming another state directory.
pub const STATE_DIRECTORY_ENV: &str = "RUNR_STATE_DIRECTORY";

/// The timers' view of the real machine.
pub struct SystemTimerHost {
    startup: DualTimestamp,
    machine_id: Option<[u8; 16]>,
    boot_id: Option<[u8; 16]>,
    stamp_directory: PathBuf,
}

impl SystemTimerHost {
    /// Reads the clocks now: the supervisor's start, which `OnBootSec=`
    /// and `OnStartupSec=` count from.
    pub fn new() -> Self {
        let state = std::env::var_os(STATE_DIRECTORY_ENV)
            .map(PathBuf::from)
            .unwrap_or_else(|| DEFAULT_STATE_DIRECTORY.into());
        SystemTimerHost {
            startup: DualTimestamp {
                realtime: crate::syntax::timestamp::now_realtime(),
                monotonic: monotonic_now(),
            },
            machine_id: read_id("/etc/machine-id"),
            boot_id: read_id("/proc/sys/kernel/random/boot_id"),
            stamp_directory: state.join("timers"),
        }
    }

    /// systemd names its stamps `stamp-NAME.timer`; runr does the same.
    fn stamp_path(&self, timer: &str) -> PathBuf {
        self.stamp_directory.join(format!("stamp-{timer}"))
    }
}

impl Default for SystemTimerHost {
    fn default() -> Self {
        Self::new()
    }
}

/// A 128-bit ID written as 32 hex digits (dashes allowed, as in boot_id).
fn read_id(path: &str) -> Option<[u8; 16]> {
    let text = std::fs::read_to_string(path).ok()?;
    let hex: String = text.trim().chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 {
        return None;
    }
    let mut id = [0u8; 16];
    for (i, byte) in id.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(id)
}

impl TimerHost for SystemTimerHost {
    fn startup(&self) -> DualTimestamp {
        self.startup
    }

    fn machine_id(&self) -> Option<[u8; 16]> {
        self.machine_id
    }

    fn boot_id(&self) -> Option<[u8; 16]> {
        self.boot_id
    }

    fn uid(&self) -> u32 {
        nix::unistd::getuid().as_raw()
    }

    fn random_u64(&mut self) -> u64 {
        let mut bytes = [0u8; 8];
        let read = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
        if read.is_ok() {
            return u64::from_ne_bytes(bytes);
        }
        // Each RandomState is keyed afresh from the process's random seed.
        use std::hash::{BuildHasher, Hasher};
        std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish()
    }

    /// The stamp's modification time is the last trigger, as systemd keeps it.
    fn read_stamp(&mut self, timer: &str) -> Option<Usec> {
        let modified = std::fs::metadata(self.stamp_path(timer))
            .ok()?
            .modified()
            .ok()?;
        let since_epoch = modified.duration_since(SystemTime::UNIX_EPOCH).ok()?;
        Usec::try_from(since_epoch.as_micros()).ok()
    }

    fn write_stamp(&mut self, timer: &str, realtime: Usec) {
        // Like systemd, a stamp that cannot be written is no reason to
        // fail the timer: it only costs a catch-up run after a restart.
        let _ = std::fs::create_dir_all(&self.stamp_directory);
        let Ok(file) = std::fs::File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.stamp_path(timer))
        else {
            return;
        };
        let _ = file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_micros(realtime));
    }

    fn local_zone(&self) -> TimeZone {
        crate::syntax::timestamp::local_zone()
    }
}

impl Manager {
    fn timer_names(&self) -> Vec<String> {
        self.runtimes
            .iter()
            .filter(|(_, r)| matches!(r, UnitRuntime::Timer(_)))
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// What a timer sees of the unit it triggers.
    pub(super) fn target_view(&self, target: &str) -> TargetView {
        let loaded = self
            .units
            .get(target)
            .is_some_and(|u| u.load_state == LoadState::Loaded);
        let (active_state, timestamps) = match self.runtimes.get(target) {
            Some(UnitRuntime::Service(s)) => (s.active_state(), s.timestamps),
            Some(other) => (other.active_state(), UnitTimestamps::default()),
            None => (ActiveState::Inactive, UnitTimestamps::default()),
        };
        TargetView {
            loaded,
            active_state,
            timestamps,
            job_pending: self.job_pending(target),
        }
    }

    fn timer_target(&self, timer: &str) -> Option<String> {
        match self.runtimes.get(timer) {
            Some(UnitRuntime::Timer(t)) => Some(t.plan.unit.clone()),
            _ => None,
        }
    }

    /// A start or stop job of a timer unit; timers start and stop at once.
    pub(super) fn run_timer_job(&mut self, ex: &mut dyn Executor, name: &str, kind: JobKind) {
        let unit = self.units.get(name).cloned();
        let target = self.timer_target(name).unwrap_or_default();
        let view = self.target_view(&target);
        let host = &mut *self.timer_host;
        let Some(UnitRuntime::Timer(timer)) = self.runtimes.get_mut(name) else {
            return;
        };
        let outcome = match kind {
            JobKind::Start => {
                // A changed unit file takes effect at the next start.
                if timer.active_state().is_inactive_or_failed()
                    && let Some(plan) = unit.as_ref().and_then(timer_plan)
                {
                    timer.plan = plan;
                }
                let view = if timer.plan.unit == target {
                    view
                } else {
                    // Unit= changed with the reload; look at the new one.
                    TargetView {
                        loaded: false,
                        ..view
                    }
                };
                timer.start(ex, host, &view)
            }
            JobKind::Stop => timer.stop(ex),
            JobKind::Reload => RequestOutcome::AlreadyDone,
        };
        let result = match outcome {
            RequestOutcome::Accepted | RequestOutcome::AlreadyDone => "done",
            _ => "failed",
        };
        self.job_results.push(JobResult {
            unit: name.to_string(),
            kind,
            result,
        });
        self.queue_timer_triggers(ex);
    }

    /// Tells each timer about changes of the unit it triggers, then queues
    /// the starts its triggers asked for.
    pub(super) fn sync_timers(&mut self, ex: &mut dyn Executor) {
        for name in self.timer_names() {
            let Some(target) = self.timer_target(&name) else {
                continue;
            };
            let view = self.target_view(&target);
            let host = &mut *self.timer_host;
            if let Some(UnitRuntime::Timer(timer)) = self.runtimes.get_mut(&name)
                && timer.target_seen != Some(view)
            {
                timer.on_target_change(ex, host, &view);
            }
        }
        self.queue_timer_triggers(ex);
    }

    /// A trigger is a start job of the unit, as systemd's JOB_REPLACE start.
    fn queue_timer_triggers(&mut self, ex: &mut dyn Executor) {
        let triggered: Vec<(String, String)> = self
            .runtimes
            .iter()
            .filter_map(|(name, r)| match r {
                UnitRuntime::Timer(t) if t.pending_trigger => {
                    Some((name.clone(), t.plan.unit.clone()))
                }
                _ => None,
            })
            .collect();
        for (name, target) in triggered {
            let queued = self.enqueue_start(&target).contains(&target);
            let failure = if queued {
                None
            } else {
                Some(match self.units.get(&target).map(|u| &u.load_state) {
                    Some(LoadState::Masked) => format!("Unit {target} is masked."),
                    Some(LoadState::Loaded) => format!("Unit {target} could not be started."),
                    _ => format!("Unit {target} not found."),
                })
            };
            let view = self.target_view(&target);
            if let Some(UnitRuntime::Timer(timer)) = self.runtimes.get_mut(&name) {
                timer.pending_trigger = false;
                match failure {
                    Some(reason) => timer.trigger_failed(ex, &reason),
                    // From here the job's run (or its vanishing, when a
                    // dependency fails) is the change the timer waits on.
                    None => timer.target_seen = Some(view),
                }
            }
        }
    }

    /// The earliest wakeup the timers need (CLOCK_MONOTONIC), coalesced.
    pub(super) fn timer_wakeup(&self) -> Option<Usec> {
        let perturb = perturbation(self.timer_host.boot_id());
        let timers = self.runtimes.iter().filter_map(|(name, r)| match r {
            // A timer about to be stopped triggers nothing more.
            UnitRuntime::Timer(t) if !self.job_pending(name) => Some(t.as_ref()),
            _ => None,
        });
        next_wakeup(timers, perturb)
    }

    /// Lets every due timer elapse.
    pub(super) fn on_timer_deadlines(&mut self, ex: &mut dyn Executor) {
        let now = DualTimestamp {
            realtime: ex.realtime(),
            monotonic: ex.now(),
        };
        for name in self.timer_names() {
            if self.job_pending(&name) {
                continue;
            }
            let Some(target) = self.timer_target(&name) else {
                continue;
            };
            let view = self.target_view(&target);
            let host = &mut *self.timer_host;
            let Some(UnitRuntime::Timer(timer)) = self.runtimes.get_mut(&name) else {
                continue;
            };
            if timer.is_due(now) {
                timer.on_elapse(ex, host, &view);
            } else {
                // Keeps the realtime-to-monotonic mapping fresh.
                timer.clock = now;
            }
        }
        self.queue_timer_triggers(ex);
    }

    /// CLOCK_REALTIME was set: calendar timers are computed again.
    pub fn on_clock_change(&mut self, ex: &mut dyn Executor) {
        self.for_each_waiting_timer(ex, TimerRuntime::on_clock_change);
    }

    /// The local time zone changed.
    pub fn on_timezone_change(&mut self, ex: &mut dyn Executor) {
        self.for_each_waiting_timer(ex, TimerRuntime::on_timezone_change);
    }

    fn for_each_waiting_timer(
        &mut self,
        ex: &mut dyn Executor,
        event: fn(&mut TimerRuntime, &mut dyn Executor, &mut dyn TimerHost, &TargetView),
    ) {
        for name in self.timer_names() {
            let Some(target) = self.timer_target(&name) else {
                continue;
            };
            let view = self.target_view(&target);
            let host = &mut *self.timer_host;
            if let Some(UnitRuntime::Timer(timer)) = self.runtimes.get_mut(&name) {
                event(timer, ex, host, &view);
            }
        }
        self.queue_timer_triggers(ex);
    }

    /// The loaded timers that trigger `name`: systemd gives the triggered
    /// unit `TriggeredBy=` and `After=` each of them.
    pub fn timers_triggering(&self, name: &str) -> Vec<String> {
        self.units
            .by_name
            .values()
            .filter(|u| u.load_state == LoadState::Loaded)
            .filter(|u| {
                u.timer()
                    .and_then(|t| crate::config::timer::triggered_unit(t, &u.name))
                    == Some(name.to_string())
            })
            .map(|u| u.name.clone())
            .collect()
    }

    /// The timers and their runtimes, for the API and the property table.
    pub fn timers(&self) -> impl Iterator<Item = (&String, &TimerRuntime)> {
        self.runtimes.iter().filter_map(|(n, r)| match r {
            UnitRuntime::Timer(t) => Some((n, t.as_ref())),
            _ => None,
        })
    }
}
