//! The two dialects of unit files. A file means what its author meant:
//! one in systemd's directories (`/etc/systemd/system`, `/lib/systemd/system`,
//! `/run/systemd/...`) means what systemd 252 makes of it; one anywhere else
//! (`/etc/runr`, the directory given to `runr supervisor DIR`) means what
//! runr's own documentation says, where the two disagree:
//!
//! | what                         | runr's dialect             | systemd's dialect      |
//! |------------------------------|----------------------------|------------------------|
//! | a service or timer at boot   | started (`Autostart=yes`)  | only when enabled      |
//! | `Restart=`                   | `always` (oneshot: `no`)   | `no`                   |
//! | `RestartSec=`                | 2s                         | 100ms                  |
//! | clean signals for `Restart=` | SIGTERM                    | SIGHUP SIGINT SIGTERM SIGPIPE |
//! | `KillMode=none`              | ExecStop=, then SIGKILL after `TimeoutStopSec=` | ExecStop= only |
//! | timer `Unit=NAME`            | `NAME.service`             | refused (no type)      |
//! | timer `AccuracySec=`         | 1s                         | 1min                   |
//! | `[Log]` `FileSize=` `FileCount=` `RotateEvery=` `Sink=` | 100M, 7, 24h, none | none, 5, none, mirror to the console |
//!
//! The dialect is settled here, when a unit is loaded: the defaults are
//! written into the model, so the engine and the faces see what is in
//! effect and never ask where a unit came from.
//!
//! `RUNR_DIALECT=systemd` (or `runr`) reads every directory in that
//! dialect: a directory of files written for systemd, tests.

use std::path::{Component, Path};

use super::model::UnitBody;
use super::service::{KillMode, LogSink, Restart, Service, ServiceType};
use super::timer::Timer;

/// The environment variable that reads every directory as systemd's.
pub const ENV_VAR: &str = "RUNR_DIALECT";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    #[default]
    Systemd,
    Runr,
}

/// runr's `RestartSec=` default.
const RUNR_RESTART_USEC: u64 = 2_000_000;
/// runr's `AccuracySec=` default.
const RUNR_ACCURACY_USEC: u64 = 1_000_000;
/// runr's `[Log]` defaults.
const RUNR_LOG_FILE_SIZE: u64 = 100 * 1024 * 1024;
const RUNR_LOG_FILE_COUNT: u32 = 7;
const RUNR_LOG_ROTATE_EVERY_USEC: u64 = 24 * 3600 * 1_000_000;

impl Dialect {
    /// The dialect of the unit files of `dir`: systemd's for a path with a
    /// `systemd` component (`/etc/systemd/system`, `/usr/lib/systemd/system`,
    /// `/run/systemd/transient`, the same under an image's root), runr's
    /// for any other.
    pub fn of_directory(dir: &Path) -> Dialect {
        let systemds = dir
            .components()
            .any(|c| c == Component::Normal("systemd".as_ref()));
        if systemds {
            Dialect::Systemd
        } else {
            Dialect::Runr
        }
    }

    /// The dialect of a unit whose main file is `fragment`.
    pub fn of_fragment(fragment: &Path) -> Dialect {
        Dialect::of_directory(fragment.parent().unwrap_or(Path::new("/")))
    }

    /// The dialect `RUNR_DIALECT` imposes on every directory, if any.
    pub fn forced_by_env() -> Option<Dialect> {
        match std::env::var(ENV_VAR).ok()?.as_str() {
            "systemd" => Some(Dialect::Systemd),
            "runr" => Some(Dialect::Runr),
            _ => None,
        }
    }
}

/// Writes runr's defaults into what a unit of runr's dialect left unset.
pub fn apply_runr_defaults(body: &mut UnitBody) {
    match body {
        UnitBody::Service(service) => service_defaults(service),
        UnitBody::Timer(timer) => timer_defaults(timer),
        _ => {}
    }
}

fn service_defaults(service: &mut Service) {
    service.autostart.get_or_insert(true);
    if service.restart.is_none() {
        // systemd refuses Restart=always for a oneshot.
        service.restart = Some(if service.effective_type() == ServiceType::Oneshot {
            Restart::No
        } else {
            Restart::Always
        });
    }
    if service.timespan("RestartSec").is_none() {
        service
            .timespans
            .insert("RestartSec".to_string(), RUNR_RESTART_USEC);
    }
    service.only_sigterm_is_clean = true;
    if service.kill_mode == Some(KillMode::None) {
        service.kill_none_sends_final_sigkill = true;
    }
    let log = &mut service.log;
    log.file_size.get_or_insert(RUNR_LOG_FILE_SIZE);
    log.file_count.get_or_insert(RUNR_LOG_FILE_COUNT);
    log.rotate_every.get_or_insert(RUNR_LOG_ROTATE_EVERY_USEC);
    log.sink.get_or_insert(LogSink::None);
}

fn timer_defaults(timer: &mut Timer) {
    timer.autostart.get_or_insert(true);
    timer.accuracy.get_or_insert(RUNR_ACCURACY_USEC);
}

/// A timer's `Unit=NAME` in runr's dialect: a name without a unit type
/// is a service.
pub fn trigger_unit_name(value: &str) -> String {
    let typed = super::unit_name::suffix_of(value)
        .and_then(super::model::UnitType::from_suffix)
        .is_some();
    if typed || value.is_empty() {
        value.to_string()
    } else {
        format!("{value}.service")
    }
}

/// The rules runr's dialect sets for a timer's triggers: `OnUnitInactiveSec=`
/// counts from the end of a run, so it needs a first run from
/// `OnStartupSec=` (or `OnBootSec=`, the same in a container), and a
/// calendar beside it would make two schedules.
pub fn check_runr_timer(timer: &Timer) -> Result<(), String> {
    use super::timer::TimerBase;
    let has = |base: TimerBase| timer.triggers.iter().any(|t| t.base == base);
    if !has(TimerBase::UnitInactive) {
        return Ok(());
    }
    if has(TimerBase::Calendar) {
        return Err(
            "Timer combines OnUnitInactiveSec= with OnCalendar=, which runr's dialect does not allow. Refusing."
                .into(),
        );
    }
    if !has(TimerBase::Startup) && !has(TimerBase::Boot) {
        return Err(
            "Timer has OnUnitInactiveSec= without OnStartupSec=, so it would never elapse. Refusing."
                .into(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_with_a_systemd_component_are_systemds() {
        for dir in [
            "/etc/systemd/system",
            "/lib/systemd/system",
            "/usr/local/lib/systemd/system",
            "/run/systemd/transient",
            "/srv/image/etc/systemd/system",
        ] {
            assert_eq!(Dialect::of_directory(Path::new(dir)), Dialect::Systemd, "{dir}");
        }
        for dir in ["/etc/runr", "/tmp/pod", "/srv/systemd-units", "/"] {
            assert_eq!(Dialect::of_directory(Path::new(dir)), Dialect::Runr, "{dir}");
        }
        assert_eq!(
            Dialect::of_fragment(Path::new("/etc/runr/db.service")),
            Dialect::Runr
        );
    }

    #[test]
    fn service_defaults_fill_only_what_is_unset() {
        let mut body = UnitBody::Service(Box::default());
        apply_runr_defaults(&mut body);
        let UnitBody::Service(s) = &body else {
            unreachable!()
        };
        assert_eq!(s.autostart, Some(true));
        assert_eq!(s.restart, Some(Restart::Always));
        assert_eq!(s.timespan("RestartSec"), Some(2_000_000));
        assert!(s.only_sigterm_is_clean);
        assert!(!s.kill_none_sends_final_sigkill);
        assert_eq!(s.log.file_size, Some(100 << 20));
        assert_eq!(s.log.file_count, Some(7));
        assert_eq!(s.log.rotate_every, Some(86_400_000_000));
        assert_eq!(s.log.sink, Some(LogSink::None));

        let mut set = Service {
            autostart: Some(false),
            restart: Some(Restart::OnFailure),
            kill_mode: Some(KillMode::None),
            ..Service::default()
        };
        set.timespans.insert("RestartSec".into(), 5_000_000);
        let mut body = UnitBody::Service(Box::new(set));
        apply_runr_defaults(&mut body);
        let UnitBody::Service(s) = &body else {
            unreachable!()
        };
        assert_eq!(s.autostart, Some(false));
        assert_eq!(s.restart, Some(Restart::OnFailure));
        assert_eq!(s.timespan("RestartSec"), Some(5_000_000));
        assert!(s.kill_none_sends_final_sigkill);
    }

    #[test]
    fn a_oneshot_does_not_restart_by_default() {
        let mut body = UnitBody::Service(Box::new(Service {
            service_type: Some(ServiceType::Oneshot),
            ..Service::default()
        }));
        apply_runr_defaults(&mut body);
        let UnitBody::Service(s) = &body else {
            unreachable!()
        };
        assert_eq!(s.restart, Some(Restart::No));
    }

    #[test]
    fn timer_defaults_and_trigger_names() {
        let mut body = UnitBody::Timer(Box::default());
        apply_runr_defaults(&mut body);
        let UnitBody::Timer(t) = &body else {
            unreachable!()
        };
        assert_eq!((t.autostart, t.accuracy), (Some(true), Some(1_000_000)));
        assert_eq!(trigger_unit_name("backup"), "backup.service");
        assert_eq!(trigger_unit_name("backup.service"), "backup.service");
        assert_eq!(trigger_unit_name("site.target"), "site.target");
    }

    #[test]
    fn on_unit_inactive_needs_a_start_and_no_calendar() {
        use crate::config::timer::{TimerBase, TimerTrigger};
        let trigger = |base| TimerTrigger {
            base,
            text: "1h".into(),
            span: Some(1),
        };
        let timer = |bases: &[TimerBase]| Timer {
            triggers: bases.iter().map(|b| trigger(*b)).collect(),
            ..Timer::default()
        };
        assert!(check_runr_timer(&timer(&[TimerBase::UnitInactive, TimerBase::Startup])).is_ok());
        assert!(check_runr_timer(&timer(&[TimerBase::Calendar])).is_ok());
        assert!(check_runr_timer(&timer(&[TimerBase::UnitInactive])).is_err());
        assert!(
            check_runr_timer(&timer(&[
                TimerBase::UnitInactive,
                TimerBase::Startup,
                TimerBase::Calendar
            ]))
            .is_err()
        );
    }
}

#[cfg(test)]
#[path = "readme_reference_tests.rs"]
mod readme_reference;
