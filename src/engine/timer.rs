//! One timer's state machine, after systemd's timer.c: the states (dead,
//! waiting, running, elapsed, failed), the next elapse of each trigger on
//! its clock (calendar events on CLOCK_REALTIME, the `On*Sec=` spans on
//! CLOCK_MONOTONIC), the random delay, the persistent stamp, and what the
//! timer does when it elapses. Like the service machine it does no I/O:
//! clocks and messages go through the [`Executor`], randomness, stamps and
//! the machine's identity through a [`TimerHost`], and a trigger is a
//! request (`pending_trigger`) the manager turns into a start job.
//!
//! runr's own rules, where systemd has none or runr chose otherwise:
//! - the double-run rule: an elapse while the triggered unit is still
//!   running (or about to start) is skipped and logged, and the timer goes
//!   on counting from that elapse, so a slow job never causes a burst of
//!   catch-up runs;
//! - "boot" is the supervisor's start: `OnBootSec=` counts from it as
//!   `OnStartupSec=` does (systemd does the same inside a container), also
//!   when runr is not PID 1.

use jiff::tz::TimeZone;

use super::job_message::unit_status;
use super::service::{DualTimestamp, Executor, RequestOutcome, UnitTimestamps};
use super::state::ActiveState;
use crate::config::model::Unit;
use crate::config::timer::{TimerBase, triggered_unit};
use crate::syntax::calendar::{CalendarSpec, OffsetGuess, parse_calendar};
use crate::syntax::{USEC_INFINITY, USEC_PER_MINUTE, USEC_PER_MSEC, USEC_PER_SEC, Usec};

/// `SubState=` of a timer (timer_state_table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimerState {
    Dead,
    Waiting,
    Running,
    Elapsed,
    Failed,
}

impl TimerState {
    pub fn as_str(self) -> &'static str {
        match self {
            TimerState::Dead => "dead",
            TimerState::Waiting => "waiting",
            TimerState::Running => "running",
            TimerState::Elapsed => "elapsed",
            TimerState::Failed => "failed",
        }
    }

    pub fn active_state(self) -> ActiveState {
        match self {
            TimerState::Dead => ActiveState::Inactive,
            TimerState::Waiting | TimerState::Running | TimerState::Elapsed => ActiveState::Active,
            TimerState::Failed => ActiveState::Failed,
        }
    }
}

/// `Result=` of a timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimerResult {
    Success,
    Resources,
    StartLimitHit,
}

impl TimerResult {
    pub fn as_str(self) -> &'static str {
        match self {
            TimerResult::Success => "success",
            TimerResult::Resources => "resources",
            TimerResult::StartLimitHit => "start-limit-hit",
        }
    }
}

/// When a trigger elapses: a calendar event, or a span after a base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    Calendar(Box<CalendarSpec>),
    /// `OnActiveSec=` .. `OnUnitInactiveSec=`: `span` after the base.
    Span {
        base: TimerBase,
        span: Usec,
    },
}

/// One trigger of the timer and its own next elapse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimerValue {
    pub schedule: Schedule,
    /// A one-time trigger (`OnActiveSec=`, `OnBootSec=`, `OnStartupSec=`)
    /// that has elapsed since the timer started.
    pub disabled: bool,
    /// On the trigger's own clock, before the random delay.
    pub next_elapse: Option<Usec>,
    /// The local-time conversion state the calendar search carries.
    guess: OffsetGuess,
}

impl TimerValue {
    pub fn new(schedule: Schedule) -> Self {
        TimerValue {
            schedule,
            disabled: false,
            next_elapse: None,
            guess: OffsetGuess::default(),
        }
    }

    fn base(&self) -> TimerBase {
        match &self.schedule {
            Schedule::Calendar(_) => TimerBase::Calendar,
            Schedule::Span { base, .. } => *base,
        }
    }
}

/// What a timer is configured to do, resolved from its unit file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimerPlan {
    pub name: String,
    pub description: String,
    /// `Unit=`, by default the service of the same name.
    pub unit: String,
    pub values: Vec<TimerValue>,
    /// `AccuracySec=` as configured (1min by default).
    pub accuracy_usec: Usec,
    pub randomized_delay_usec: Usec,
    pub fixed_random_delay: bool,
    pub persistent: bool,
    /// Accepted and ignored: a container cannot wake the machine up.
    pub wake_system: bool,
    pub remain_after_elapse: bool,
    pub on_clock_change: bool,
    pub on_timezone_change: bool,
}

/// systemd's default `AccuracySec=`.
pub const DEFAULT_ACCURACY_USEC: Usec = USEC_PER_MINUTE;
/// sd-event's accuracy for a timer that asks for none (`AccuracySec=0`).
const EVENT_DEFAULT_ACCURACY_USEC: Usec = 250 * USEC_PER_MSEC;

impl TimerPlan {
    pub fn new(name: &str, unit: &str) -> Self {
        TimerPlan {
            name: name.to_string(),
            description: name.to_string(),
            unit: unit.to_string(),
            values: Vec::new(),
            accuracy_usec: DEFAULT_ACCURACY_USEC,
            randomized_delay_usec: 0,
            fixed_random_delay: false,
            persistent: false,
            wake_system: false,
            remain_after_elapse: true,
            on_clock_change: false,
            on_timezone_change: false,
        }
    }

    /// How late a wakeup may come, as the event loop uses it.
    pub fn effective_accuracy(&self) -> Usec {
        if self.accuracy_usec == 0 {
            EVENT_DEFAULT_ACCURACY_USEC
        } else {
            self.accuracy_usec
        }
    }
}

/// The plan for a timer unit; None for other unit types.
pub fn timer_plan(unit: &Unit) -> Option<TimerPlan> {
    let timer = unit.timer()?;
    let target = triggered_unit(timer, &unit.name)?;
    let mut plan = TimerPlan::new(&unit.name, &target);
    plan.description = unit
        .unit
        .description
        .clone()
        .unwrap_or_else(|| unit.name.clone());
    for trigger in &timer.triggers {
        let schedule = match trigger.base {
            // The loader has checked the expression; one that no longer
            // parses (a zone file removed since) is left out.
            TimerBase::Calendar => match parse_calendar(&trigger.text) {
                Ok(spec) => Schedule::Calendar(Box::new(spec)),
                Err(_) => continue,
            },
            base => Schedule::Span {
                base,
                span: trigger.span.unwrap_or(0),
            },
        };
        plan.values.push(TimerValue::new(schedule));
    }
    plan.accuracy_usec = timer.accuracy.unwrap_or(DEFAULT_ACCURACY_USEC);
    plan.randomized_delay_usec = timer.randomized_delay.unwrap_or(0);
    plan.fixed_random_delay = timer.fixed_random_delay;
    plan.persistent = timer.persistent;
    plan.wake_system = timer.wake_system;
    plan.remain_after_elapse = timer.remain_after_elapse();
    plan.on_clock_change = timer.on_clock_change;
    plan.on_timezone_change = timer.on_timezone_change;
    Some(plan)
}

/// What the timer needs from the machine besides the executor's clocks.
pub trait TimerHost {
    /// When the supervisor started: the base of `OnStartupSec=` and
    /// `OnBootSec=` (systemd's userspace timestamp).
    fn startup(&self) -> DualTimestamp;
    /// /etc/machine-id, for `FixedRandomDelay=`.
    fn machine_id(&self) -> Option<[u8; 16]>;
    /// The kernel's boot ID, which places coalesced wakeups in a minute.
    fn boot_id(&self) -> Option<[u8; 16]>;
    /// The supervisor's uid, part of the fixed delay's hash.
    fn uid(&self) -> u32;
    fn random_u64(&mut self) -> u64;
    /// The realtime of the last trigger stored for `timer`, if any.
    fn read_stamp(&mut self, timer: &str) -> Option<Usec>;
    /// Stores the realtime of the last trigger of `timer`.
    fn write_stamp(&mut self, timer: &str, realtime: Usec);
    /// The zone calendar events without one are read in.
    fn local_zone(&self) -> TimeZone;
}

/// What the timer sees of the unit it triggers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetView {
    pub loaded: bool,
    pub active_state: ActiveState,
    pub timestamps: UnitTimestamps,
    /// A start or stop job for it is queued or under way.
    pub job_pending: bool,
}

impl TargetView {
    /// The double-run rule's test: the unit runs, or is about to.
    fn is_running(&self) -> bool {
        self.job_pending || !self.active_state.is_inactive_or_failed()
    }
}

#[derive(Debug, Clone)]
pub struct TimerRuntime {
    pub plan: TimerPlan,
    pub state: TimerState,
    pub result: TimerResult,
    /// `LastTriggerUSec=`, `LastTriggerUSecMonotonic=`.
    pub last_trigger: DualTimestamp,
    /// The last elapse skipped by the double-run rule; the triggers count
    /// on from it as from a trigger.
    pub last_skip: DualTimestamp,
    /// The next elapse on each clock, the random delay included; None when
    /// no trigger on that clock is armed.
    pub next_monotonic: Option<Usec>,
    pub next_realtime: Option<Usec>,
    pub timestamps: UnitTimestamps,
    pub invocation_id: String,
    /// A start of the triggered unit the manager has to queue.
    pub pending_trigger: bool,
    /// The target as last seen, to notice its changes.
    pub target_seen: Option<TargetView>,
    /// The clocks as read at the start of the event being handled.
    pub clock: DualTimestamp,
}

impl TimerRuntime {
    pub fn new(plan: TimerPlan) -> Self {
        TimerRuntime {
            plan,
            state: TimerState::Dead,
            result: TimerResult::Success,
            last_trigger: DualTimestamp::default(),
            last_skip: DualTimestamp::default(),
            next_monotonic: None,
            next_realtime: None,
            timestamps: UnitTimestamps::default(),
            invocation_id: String::new(),
            pending_trigger: false,
            target_seen: None,
            clock: DualTimestamp::default(),
        }
    }

    pub fn active_state(&self) -> ActiveState {
        self.state.active_state()
    }

    /// `NextElapseUSecRealtime=`: systemd shows it while the timer waits.
    pub fn next_elapse_usec_realtime(&self) -> Option<Usec> {
        self.next_realtime
            .filter(|_| self.state == TimerState::Waiting)
    }

    /// `NextElapseUSecMonotonic=`.
    pub fn next_elapse_usec_monotonic(&self) -> Option<Usec> {
        self.next_monotonic
            .filter(|_| self.state == TimerState::Waiting)
    }

    /// `TimersCalendar=`: each calendar trigger, normalized, with its next
    /// elapse (realtime).
    pub fn timers_calendar(&self) -> Vec<(String, Option<Usec>)> {
        self.plan
            .values
            .iter()
            .filter_map(|v| match &v.schedule {
                Schedule::Calendar(spec) => Some((spec.to_string(), v.next_elapse)),
                Schedule::Span { .. } => None,
            })
            .collect()
    }

    /// `TimersMonotonic=`: each span trigger as (base key, span, next
    /// elapse on CLOCK_MONOTONIC).
    pub fn timers_monotonic(&self) -> Vec<(&'static str, Usec, Option<Usec>)> {
        self.plan
            .values
            .iter()
            .filter_map(|v| match &v.schedule {
                Schedule::Span { base, span } => Some((base_key(*base), *span, v.next_elapse)),
                Schedule::Calendar(_) => None,
            })
            .collect()
    }

    fn tick(&mut self, ex: &dyn Executor) {
        self.clock = DualTimestamp {
            realtime: ex.realtime(),
            monotonic: ex.now(),
        };
    }

    fn unit_log(&self, ex: &mut dyn Executor, message: &str) {
        ex.log(&self.plan.name, &format!("{}: {message}", self.plan.name));
    }

    /// The timer as job messages name it (`demo.timer - Demo timer`).
    fn status_name(&self) -> String {
        unit_status(&self.plan.name, &self.plan.description)
    }

    fn set_state(&mut self, state: TimerState) {
        let old = self.state;
        self.state = state;
        if !matches!(state, TimerState::Waiting | TimerState::Running) {
            self.next_monotonic = None;
            self.next_realtime = None;
        }
        if old == state {
            return;
        }
        let (old, new) = (old.active_state(), state.active_state());
        let now = self.clock;
        let t = &mut self.timestamps;
        t.state_change = now;
        if old.is_inactive_or_failed() && !new.is_inactive_or_failed() {
            t.inactive_exit = now;
            t.active_enter = now;
        } else if !old.is_inactive_or_failed() && new.is_inactive_or_failed() {
            t.active_exit = now;
            t.inactive_enter = now;
        }
    }

    // ---- requests ---------------------------------------------------------

    /// `systemctl start` of the timer.
    pub fn start(
        &mut self,
        ex: &mut dyn Executor,
        host: &mut dyn TimerHost,
        target: &TargetView,
    ) -> RequestOutcome {
        self.tick(ex);
        if self.active_state() == ActiveState::Active {
            return RequestOutcome::AlreadyDone;
        }
        if !target.loaded {
            self.unit_log(
                ex,
                &format!(
                    "Refusing to start, unit {} to trigger not loaded.",
                    self.plan.unit
                ),
            );
            return RequestOutcome::NotActive;
        }
        self.invocation_id = ex.new_invocation_id();
        self.last_trigger = DualTimestamp::default();
        self.last_skip = DualTimestamp::default();
        for value in &mut self.plan.values {
            if value.base() == TimerBase::Active {
                value.disabled = false;
            }
        }
        if self.plan.persistent {
            self.load_stamp(ex, host);
        }
        self.result = TimerResult::Success;
        self.target_seen = Some(*target);
        self.enter_waiting(ex, host, target, false);
        ex.log(&self.plan.name, &format!("Started {}.", self.status_name()));
        RequestOutcome::Accepted
    }

    /// Persistent=: the last trigger from the stamp, if it is in the past;
    /// a stamp is made for a timer that never ran, so that it counts from
    /// its first start rather than firing at once.
    fn load_stamp(&mut self, ex: &mut dyn Executor, host: &mut dyn TimerHost) {
        match host.read_stamp(&self.plan.name) {
            Some(stamp) if stamp < self.clock.realtime => self.last_trigger.realtime = stamp,
            Some(stamp) => {
                let when = crate::syntax::timestamp::format_timestamp(stamp).unwrap_or_default();
                self.unit_log(
                    ex,
                    &format!("Not using persistent file timestamp {when} as it is in the future."),
                );
            }
            None => host.write_stamp(&self.plan.name, self.clock.realtime),
        }
    }

    /// `systemctl stop` of the timer.
    pub fn stop(&mut self, ex: &mut dyn Executor) -> RequestOutcome {
        self.tick(ex);
        if self.active_state().is_inactive_or_failed() {
            return RequestOutcome::AlreadyDone;
        }
        self.enter_dead(ex, TimerResult::Success);
        ex.log(&self.plan.name, &format!("Stopped {}.", self.status_name()));
        RequestOutcome::Accepted
    }

    /// `systemctl reset-failed`.
    pub fn reset_failed(&mut self) {
        if self.state == TimerState::Failed {
            self.set_state(TimerState::Dead);
        }
        self.result = TimerResult::Success;
    }

    fn enter_dead(&mut self, ex: &mut dyn Executor, result: TimerResult) {
        if self.result == TimerResult::Success {
            self.result = result;
        }
        if self.result == TimerResult::Success {
            self.unit_log(ex, "Deactivated successfully.");
            self.set_state(TimerState::Dead);
        } else {
            let word = self.result.as_str();
            self.unit_log(ex, &format!("Failed with result '{word}'."));
            self.set_state(TimerState::Failed);
        }
        self.pending_trigger = false;
    }

    // ---- scheduling -------------------------------------------------------

    /// Computes every trigger's next elapse and the timer's on each clock.
    /// Returns whether any trigger is armed, and whether the timer has to
    /// stay around once none is (unit-relative triggers may re-arm).
    fn schedule(
        &mut self,
        host: &mut dyn TimerHost,
        target: &TargetView,
        time_change: bool,
    ) -> (bool, bool) {
        let now = self.clock;
        let zone = host.local_zone();
        // systemd moves a calendar elapse that passed before the manager
        // started to the manager's start, so a missed run waits out the
        // random delay after boot rather than before it.
        let startup = host.startup();
        let startup_realtime = now
            .realtime
            .saturating_sub(now.monotonic.saturating_sub(startup.monotonic));
        let last_realtime = self.last_trigger.realtime.max(self.last_skip.realtime);
        let last_monotonic = self.last_trigger.monotonic.max(self.last_skip.monotonic);
        let counted_before = self.last_trigger != DualTimestamp::default()
            || self.last_skip != DualTimestamp::default();
        let timer_active = self.active_state() == ActiveState::Active;
        let mut next_realtime: Option<Usec> = None;
        let mut next_monotonic: Option<Usec> = None;
        let mut leave_around = false;
        for value in &mut self.plan.values {
            if value.disabled {
                continue;
            }
            match &value.schedule {
                Schedule::Calendar(spec) => {
                    let base = if last_realtime > 0 {
                        last_realtime
                    } else if timer_active {
                        self.timestamps.inactive_exit.realtime
                    } else {
                        now.realtime
                    };
                    let found = spec
                        .next_elapse_in(base, &zone, &mut value.guess)
                        .ok()
                        .flatten();
                    value.next_elapse = found.map(|t| t.max(startup_realtime));
                    if let Some(t) = value.next_elapse {
                        next_realtime = Some(next_realtime.map_or(t, |n| n.min(t)));
                    }
                }
                Schedule::Span { base, span } => {
                    let origin = match base {
                        TimerBase::Active if timer_active => {
                            self.timestamps.inactive_exit.monotonic
                        }
                        TimerBase::Active => now.monotonic,
                        TimerBase::Boot | TimerBase::Startup => startup.monotonic,
                        TimerBase::UnitActive => {
                            leave_around = true;
                            target
                                .timestamps
                                .inactive_exit
                                .monotonic
                                .max(last_monotonic)
                        }
                        TimerBase::UnitInactive => {
                            leave_around = true;
                            target
                                .timestamps
                                .inactive_enter
                                .monotonic
                                .max(last_monotonic)
                        }
                        TimerBase::Calendar => now.monotonic,
                    };
                    if origin == 0
                        && matches!(base, TimerBase::UnitActive | TimerBase::UnitInactive)
                    {
                        // The unit never ran: nothing to count from yet.
                        value.next_elapse = None;
                        continue;
                    }
                    let t = origin.saturating_add(*span);
                    let one_time = matches!(
                        base,
                        TimerBase::Active | TimerBase::Boot | TimerBase::Startup
                    );
                    if one_time && counted_before && !time_change && t < now.monotonic {
                        value.disabled = true;
                        value.next_elapse = None;
                        continue;
                    }
                    value.next_elapse = Some(t);
                    next_monotonic = Some(next_monotonic.map_or(t, |n| n.min(t)));
                }
            }
        }
        let found = next_monotonic.is_some() || next_realtime.is_some();
        self.next_monotonic = next_monotonic.map(|t| self.add_random(host, t));
        self.next_realtime = next_realtime.map(|t| self.add_random(host, t));
        (found, leave_around)
    }

    /// RandomizedDelaySec=: a uniform delay in [0, delay), drawn anew for
    /// each elapse, or FixedRandomDelay='s one per machine and timer.
    fn add_random(&self, host: &mut dyn TimerHost, t: Usec) -> Usec {
        let range = self.plan.randomized_delay_usec;
        if range == 0 || t == USEC_INFINITY {
            return t;
        }
        let draw = if self.plan.fixed_random_delay {
            fixed_delay_hash(host, &self.plan.name)
        } else {
            host.random_u64()
        };
        t.checked_add(draw % range).unwrap_or(USEC_INFINITY - 1)
    }

    fn enter_waiting(
        &mut self,
        ex: &mut dyn Executor,
        host: &mut dyn TimerHost,
        target: &TargetView,
        time_change: bool,
    ) {
        let (found, leave_around) = self.schedule(host, target, time_change);
        if !found && !self.plan.on_clock_change && !self.plan.on_timezone_change {
            if self.plan.remain_after_elapse || leave_around {
                self.set_state(TimerState::Elapsed);
            } else {
                self.enter_dead(ex, TimerResult::Success);
            }
            return;
        }
        self.set_state(TimerState::Waiting);
    }

    // ---- events -----------------------------------------------------------

    /// Is an elapse due at the clocks' readings `now`?
    pub fn is_due(&self, now: DualTimestamp) -> bool {
        matches!(self.state, TimerState::Waiting | TimerState::Running)
            && (self.next_monotonic.is_some_and(|t| t <= now.monotonic)
                || self.next_realtime.is_some_and(|t| t <= now.realtime))
    }

    /// The timer elapsed: trigger the unit, or, when it still runs, skip
    /// this elapse and count on from it (the double-run rule).
    pub fn on_elapse(
        &mut self,
        ex: &mut dyn Executor,
        host: &mut dyn TimerHost,
        target: &TargetView,
    ) {
        self.tick(ex);
        if !self.is_due(self.clock) {
            return;
        }
        if self.state == TimerState::Running || target.is_running() {
            self.skip(ex, host, target);
            return;
        }
        self.trigger(host);
    }

    fn skip(&mut self, ex: &mut dyn Executor, host: &mut dyn TimerHost, target: &TargetView) {
        self.unit_log(
            ex,
            &format!("Skipping elapse, {} is still running.", self.plan.unit),
        );
        self.last_skip = self.clock;
        if self.state == TimerState::Running {
            self.schedule(host, target, false);
        } else {
            self.enter_waiting(ex, host, target, false);
        }
    }

    fn trigger(&mut self, host: &mut dyn TimerHost) {
        self.last_trigger = self.clock;
        if self.plan.persistent {
            host.write_stamp(&self.plan.name, self.clock.realtime);
        }
        self.pending_trigger = true;
        self.set_state(TimerState::Running);
        // Until the unit's state says otherwise, nothing is due.
        self.next_monotonic = None;
        self.next_realtime = None;
    }

    /// The manager could not queue the start (the unit vanished, is
    /// masked ...).
    pub fn trigger_failed(&mut self, ex: &mut dyn Executor, reason: &str) {
        self.tick(ex);
        self.pending_trigger = false;
        self.unit_log(ex, &format!("Failed to queue unit startup job: {reason}"));
        self.enter_dead(ex, TimerResult::Resources);
    }

    /// The triggered unit changed state (or a job for it came or went):
    /// systemd's timer_trigger_notify().
    pub fn on_target_change(
        &mut self,
        ex: &mut dyn Executor,
        host: &mut dyn TimerHost,
        target: &TargetView,
    ) {
        self.tick(ex);
        self.target_seen = Some(*target);
        for value in &mut self.plan.values {
            if matches!(
                value.base(),
                TimerBase::UnitActive | TimerBase::UnitInactive
            ) {
                value.disabled = false;
            }
        }
        match self.state {
            TimerState::Waiting | TimerState::Elapsed => {
                self.enter_waiting(ex, host, target, false)
            }
            TimerState::Running if !target.is_running() && !self.pending_trigger => {
                self.enter_waiting(ex, host, target, false)
            }
            TimerState::Running if !self.pending_trigger => {
                // Still running: keep counting, so that elapses meanwhile
                // are skipped as they come.
                self.schedule(host, target, false);
            }
            _ => {}
        }
    }

    /// CLOCK_REALTIME was set: systemd's timer_time_change().
    pub fn on_clock_change(
        &mut self,
        ex: &mut dyn Executor,
        host: &mut dyn TimerHost,
        target: &TargetView,
    ) {
        self.tick(ex);
        if self.state != TimerState::Waiting {
            return;
        }
        // A trigger "in the future" means the clock went back: count from
        // now, as a persistent timer would.
        if self.last_trigger.realtime > self.clock.realtime {
            self.last_trigger.realtime = self.clock.realtime;
        }
        if self.last_skip.realtime > self.clock.realtime {
            self.last_skip.realtime = self.clock.realtime;
        }
        if self.plan.on_clock_change {
            self.trigger_or_skip(ex, host, target);
        } else {
            self.enter_waiting(ex, host, target, true);
        }
    }

    /// The local time zone changed: systemd's timer_timezone_change().
    pub fn on_timezone_change(
        &mut self,
        ex: &mut dyn Executor,
        host: &mut dyn TimerHost,
        target: &TargetView,
    ) {
        self.tick(ex);
        if self.state != TimerState::Waiting {
            return;
        }
        if self.plan.on_timezone_change {
            self.trigger_or_skip(ex, host, target);
        } else {
            self.enter_waiting(ex, host, target, false);
        }
    }

    fn trigger_or_skip(
        &mut self,
        ex: &mut dyn Executor,
        host: &mut dyn TimerHost,
        target: &TargetView,
    ) {
        if target.is_running() {
            self.skip(ex, host, target);
        } else {
            self.trigger(host);
        }
    }
}

/// The key a span trigger is written with (`TimersMonotonic=` names it so).
pub fn base_key(base: TimerBase) -> &'static str {
    match base {
        TimerBase::Active => "OnActiveUSec",
        TimerBase::Boot => "OnBootUSec",
        TimerBase::Startup => "OnStartupUSec",
        TimerBase::UnitActive => "OnUnitActiveUSec",
        TimerBase::UnitInactive => "OnUnitInactiveUSec",
        TimerBase::Calendar => "OnCalendar",
    }
}

// ---- wakeups ----------------------------------------------------------------

/// sd-event's choice of a wakeup between `earliest` and `latest`: as late
/// as allowed, and at the same spot of the minute (else of 10 s, of 1 s,
/// of 250 ms) as every other wakeup of the machine, that spot being
/// `perturb`, derived from the boot ID. This is what batches wakeups.
pub fn sleep_between(earliest: Usec, latest: Usec, perturb: Usec) -> Usec {
    if earliest == 0 {
        return 0;
    }
    if earliest == USEC_INFINITY {
        return USEC_INFINITY;
    }
    if latest <= earliest.saturating_add(1) {
        return earliest;
    }
    for step in [
        USEC_PER_MINUTE,
        10 * USEC_PER_SEC,
        USEC_PER_SEC,
        250 * USEC_PER_MSEC,
    ] {
        let mut spot = (latest / step) * step + perturb % step;
        if spot >= latest {
            if spot < step {
                return latest;
            }
            spot -= step;
        }
        if spot >= earliest {
            return spot;
        }
    }
    latest
}

/// The spot in the minute where this machine's wakeups meet.
pub fn perturbation(boot_id: Option<[u8; 16]>) -> Usec {
    let Some(id) = boot_id else { return 0 };
    let (low, high) = id.split_at(8);
    let word = |b: &[u8]| u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
    (word(low) ^ word(high)) % USEC_PER_MINUTE
}

/// When the event loop has to wake up for the timers, on CLOCK_MONOTONIC:
/// the timers of each clock are coalesced as sd-event does (the earliest
/// elapse, the earliest elapse plus its accuracy, and `sleep_between`);
/// a realtime wakeup is mapped to the monotonic clock through the last
/// reading of both.
pub fn next_wakeup<'a>(
    timers: impl Iterator<Item = &'a TimerRuntime>,
    perturb: Usec,
) -> Option<Usec> {
    let mut monotonic: Option<(Usec, Usec)> = None;
    let mut realtime: Option<(Usec, Usec, DualTimestamp)> = None;
    for timer in timers {
        if !matches!(timer.state, TimerState::Waiting | TimerState::Running) {
            continue;
        }
        let accuracy = timer.plan.effective_accuracy();
        if let Some(t) = timer.next_monotonic {
            let latest = t.saturating_add(accuracy);
            monotonic = Some(match monotonic {
                Some((a, b)) => (a.min(t), b.min(latest)),
                None => (t, latest),
            });
        }
        if let Some(t) = timer.next_realtime {
            let latest = t.saturating_add(accuracy);
            realtime = Some(match realtime {
                Some((a, b, clock)) => {
                    let newer = if timer.clock.monotonic > clock.monotonic {
                        timer.clock
                    } else {
                        clock
                    };
                    (a.min(t), b.min(latest), newer)
                }
                None => (t, latest, timer.clock),
            });
        }
    }
    let from_monotonic = monotonic.map(|(a, b)| sleep_between(a, b, perturb));
    let from_realtime = realtime.map(|(a, b, clock)| {
        let at = sleep_between(a, b, perturb);
        // realtime - monotonic, as last read; a realtime wakeup in the
        // past maps to "now".
        let ahead = at.saturating_sub(clock.realtime);
        clock.monotonic.saturating_add(ahead)
    });
    match (from_monotonic, from_realtime) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

// ---- FixedRandomDelay= ------------------------------------------------------

/// The hash systemd keys the fixed delay with (timer_get_fixed_delay_hash):
/// SipHash-2-4 over the machine ID, "system manager", the uid and the
/// timer's name, so that every machine runs a timer at its own stable
/// offset.
pub fn fixed_delay_hash(host: &dyn TimerHost, name: &str) -> u64 {
    const KEY: [u8; 16] = [
        0x51, 0x0a, 0xdb, 0x76, 0x29, 0x51, 0x42, 0xc2, 0x80, 0x35, 0xea, 0xe6, 0x8e, 0x3a, 0x37,
        0xbd,
    ];
    let mut message = Vec::with_capacity(21 + name.len());
    message.extend_from_slice(&host.machine_id().unwrap_or([0; 16]));
    message.push(1); // the system manager
    message.extend_from_slice(&host.uid().to_ne_bytes());
    message.extend_from_slice(name.as_bytes());
    siphash24(&KEY, &message)
}

/// SipHash-2-4 (Aumasson and Bernstein), 64-bit output.
pub fn siphash24(key: &[u8; 16], data: &[u8]) -> u64 {
    let k0 = u64::from_le_bytes(key[..8].try_into().unwrap_or([0; 8]));
    let k1 = u64::from_le_bytes(key[8..].try_into().unwrap_or([0; 8]));
    let mut v = [
        k0 ^ 0x736f_6d65_7073_6575,
        k1 ^ 0x646f_7261_6e64_6f6d,
        k0 ^ 0x6c79_6765_6e65_7261,
        k1 ^ 0x7465_6462_7974_6573,
    ];
    fn round(v: &mut [u64; 4]) {
        v[0] = v[0].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(13) ^ v[0];
        v[0] = v[0].rotate_left(32);
        v[2] = v[2].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(16) ^ v[2];
        v[0] = v[0].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(21) ^ v[0];
        v[2] = v[2].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(17) ^ v[2];
        v[2] = v[2].rotate_left(32);
    }
    let mut chunks = data.chunks_exact(8);
    for chunk in &mut chunks {
        let m = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        v[3] ^= m;
        round(&mut v);
        round(&mut v);
        v[0] ^= m;
    }
    let mut last = [0u8; 8];
    let tail = chunks.remainder();
    last[..tail.len()].copy_from_slice(tail);
    last[7] = data.len() as u8;
    let m = u64::from_le_bytes(last);
    v[3] ^= m;
    round(&mut v);
    round(&mut v);
    v[0] ^= m;
    v[2] ^= 0xff;
    for _ in 0..4 {
        round(&mut v);
    }
    v[0] ^ v[1] ^ v[2] ^ v[3]
}

#[cfg(test)]
mod tests;
