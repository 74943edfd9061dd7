//! The [Timer] section (systemd.timer(5)).

use super::known_keys::{self, TIMER_KEYS};
use super::model::UnitType;
use super::settings::{self, Applied, Fatal, Setting, Sink, TimespanMessage};
use super::unit_name;
use crate::syntax::Usec;

/// What starts a timer's elapse clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerBase {
    /// `OnActiveSec=`
    Active,
    /// `OnBootSec=`
    Boot,
    /// `OnStartupSec=`
    Startup,
    /// `OnUnitActiveSec=`
    UnitActive,
    /// `OnUnitInactiveSec=`
    UnitInactive,
    /// `OnCalendar=`
    Calendar,
}

impl TimerBase {
    pub fn from_key(key: &str) -> Option<Self> {
        Some(match key {
            "OnActiveSec" => TimerBase::Active,
            "OnBootSec" => TimerBase::Boot,
            "OnStartupSec" => TimerBase::Startup,
            "OnUnitActiveSec" => TimerBase::UnitActive,
            "OnUnitInactiveSec" => TimerBase::UnitInactive,
            "OnCalendar" => TimerBase::Calendar,
            _ => return None,
        })
    }
}

/// One trigger: its base and the text written; for all but `OnCalendar=`
/// (a calendar event, parsed when scheduled) the time span it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimerTrigger {
    pub base: TimerBase,
    pub text: String,
    pub span: Option<Usec>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timer {
    pub triggers: Vec<TimerTrigger>,
    pub randomized_delay: Option<Usec>,
    pub accuracy: Option<Usec>,
    pub fixed_random_delay: bool,
    pub persistent: bool,
    pub wake_system: bool,
    pub remain_after_elapse: Option<bool>,
    pub on_clock_change: bool,
    pub on_timezone_change: bool,
    /// `Unit=`: what to start; by default the unit of the same name with
    /// `.service`.
    pub unit: Option<String>,
    /// runr's `Autostart=`: start the timer with the supervisor even when
    /// no target wants it.
    pub autostart: Option<bool>,
}

impl Timer {
    /// systemd's `RemainAfterElapse=` default is yes.
    pub fn remain_after_elapse(&self) -> bool {
        self.remain_after_elapse.unwrap_or(true)
    }

    /// Whether `verify` accepts the timer: it needs a trigger.
    pub fn has_trigger(&self) -> bool {
        !self.triggers.is_empty() || self.on_clock_change || self.on_timezone_change
    }
}

/// The unit a timer named `timer_name` starts.
pub fn triggered_unit(timer: &Timer, timer_name: &str) -> Option<String> {
    if let Some(u) = &timer.unit {
        return Some(u.clone());
    }
    let (stem, _) = timer_name.rsplit_once('.')?;
    Some(format!("{stem}.service"))
}

pub fn apply_timer_key(t: &mut Timer, timer_name: &str, s: &Setting, sink: &mut Sink) -> Applied {
    if let Some(base) = TimerBase::from_key(s.key) {
        if s.value.is_empty() {
            // An empty assignment of any trigger key drops every trigger.
            t.triggers.clear();
        } else if base == TimerBase::Calendar {
            if crate::syntax::calendar::parse_calendar(s.value).is_err() {
                sink.warn(
                    s.line,
                    format!(
                        "Failed to parse calendar specification, ignoring: {}",
                        s.value
                    ),
                );
                return Applied::Done;
            }
            t.triggers.push(TimerTrigger {
                base,
                text: s.value.to_string(),
                span: None,
            });
        } else {
            let mut span = None;
            let _ = settings::set_timespan(&mut span, TimespanMessage::Timer, s, sink);
            if span.is_some() {
                t.triggers.push(TimerTrigger {
                    base,
                    text: s.value.to_string(),
                    span,
                });
            }
        }
        return Applied::Done;
    }
    let result = match s.key {
        "RandomizedDelaySec" => {
            settings::set_timespan(&mut t.randomized_delay, TimespanMessage::Sec, s, sink)
        }
        "AccuracySec" => settings::set_timespan(&mut t.accuracy, TimespanMessage::Sec, s, sink),
        "FixedRandomDelay" => settings::set_boolean(&mut t.fixed_random_delay, s, sink),
        "Persistent" => settings::set_boolean(&mut t.persistent, s, sink),
        "WakeSystem" => settings::set_boolean(&mut t.wake_system, s, sink),
        "RemainAfterElapse" => settings::set_optional_boolean(&mut t.remain_after_elapse, s, sink),
        "OnClockChange" => settings::set_boolean(&mut t.on_clock_change, s, sink),
        "OnTimezoneChange" => settings::set_boolean(&mut t.on_timezone_change, s, sink),
        "Unit" => set_trigger_unit(t, timer_name, s, sink),
        "Autostart" => settings::set_optional_boolean(&mut t.autostart, s, sink),
        _ => match known_keys::lookup(TIMER_KEYS, s.key) {
            Some(kind) => settings::check_generic(kind, s, sink),
            None => return Applied::UnknownKey,
        },
    };
    result.into()
}

/// `config_parse_trigger_unit`.
fn set_trigger_unit(
    t: &mut Timer,
    timer_name: &str,
    s: &Setting,
    sink: &mut Sink,
) -> Result<(), Fatal> {
    if t.unit.is_some() {
        sink.warn(
            s.line,
            format!("Multiple units to trigger specified, ignoring: {}", s.value),
        );
        return Ok(());
    }
    let known_type = unit_name::suffix_of(s.value)
        .and_then(UnitType::from_suffix)
        .is_some();
    if !known_type {
        sink.warn(
            s.line,
            format!("Unit type not valid, ignoring: {}", s.value),
        );
        return Ok(());
    }
    if s.value == timer_name {
        sink.warn(
            s.line,
            format!("Units cannot trigger themselves, ignoring: {}", s.value),
        );
        return Ok(());
    }
    if !unit_name::is_valid(s.value) {
        sink.warn(
            s.line,
            format!(
                "Failed to add trigger on {}, ignoring: Invalid argument",
                s.value
            ),
        );
        return Ok(());
    }
    t.unit = Some(s.value.to_string());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn apply_all(lines: &[(&str, &str)]) -> (Timer, Vec<String>) {
        let mut t = Timer::default();
        let mut out = Vec::new();
        let mut sink = Sink {
            path: Path::new("/t.timer"),
            out: &mut out,
        };
        for (i, (key, value)) in lines.iter().enumerate() {
            apply_timer_key(
                &mut t,
                "t.timer",
                &Setting {
                    section: "Timer",
                    key,
                    value,
                    line: i as u32 + 1,
                },
                &mut sink,
            );
        }
        (t, out.iter().map(|d| d.to_string()).collect())
    }

    #[test]
    fn triggers_accumulate_and_reset() {
        let (t, _) = apply_all(&[("OnCalendar", "daily"), ("OnBootSec", "5min")]);
        assert_eq!(t.triggers.len(), 2);
        assert_eq!(
            t.triggers[0],
            TimerTrigger {
                base: TimerBase::Calendar,
                text: "daily".into(),
                span: None
            }
        );
        let (t, _) = apply_all(&[
            ("OnCalendar", "daily"),
            ("OnActiveSec", ""),
            ("OnBootSec", "1h"),
        ]);
        assert_eq!(
            t.triggers,
            vec![TimerTrigger {
                base: TimerBase::Boot,
                text: "1h".into(),
                span: Some(3_600_000_000)
            }]
        );
        let (t, msgs) = apply_all(&[("OnBootSec", "5x")]);
        assert!(t.triggers.is_empty());
        assert_eq!(
            msgs,
            vec!["/t.timer:1: Failed to parse timer value, ignoring: 5x"]
        );
    }

    #[test]
    fn trigger_unit_rules() {
        let (t, msgs) = apply_all(&[("Unit", "x.service"), ("Unit", "y.service")]);
        assert_eq!(t.unit.as_deref(), Some("x.service"));
        assert_eq!(
            msgs,
            vec!["/t.timer:2: Multiple units to trigger specified, ignoring: y.service"]
        );
        let (_, msgs) = apply_all(&[("Unit", "other.conf")]);
        assert_eq!(
            msgs,
            vec!["/t.timer:1: Unit type not valid, ignoring: other.conf"]
        );
        let (_, msgs) = apply_all(&[("Unit", "t.timer")]);
        assert_eq!(
            msgs,
            vec!["/t.timer:1: Units cannot trigger themselves, ignoring: t.timer"]
        );
    }

    #[test]
    fn calendar_values_are_checked_when_read() {
        let (t, msgs) = apply_all(&[
            ("OnCalendar", "daily"),
            ("OnCalendar", "Fri..Mon"),
            ("OnCalendar", "*:0/15"),
        ]);
        assert_eq!(t.triggers.len(), 2);
        assert_eq!(t.triggers[1].text, "*:0/15");
        assert_eq!(
            msgs,
            vec!["/t.timer:2: Failed to parse calendar specification, ignoring: Fri..Mon"]
        );
    }

    #[test]
    fn autostart_is_runrs_own_key() {
        let (t, msgs) = apply_all(&[("Autostart", "yes")]);
        assert_eq!(t.autostart, Some(true));
        assert!(msgs.is_empty());
    }

    #[test]
    fn default_triggered_unit() {
        assert_eq!(
            triggered_unit(&Timer::default(), "backup.timer").as_deref(),
            Some("backup.service")
        );
    }

    #[test]
    fn booleans() {
        let (t, msgs) = apply_all(&[("Persistent", "yes"), ("WakeSystem", "nah")]);
        assert!(t.persistent);
        assert_eq!(
            msgs,
            vec!["/t.timer:2: Failed to parse boolean value, ignoring: nah"]
        );
    }
}
