use std::io;

use nix::sys::signal::Signal;
use nix::unistd::Pid;

use super::*;
use crate::engine::plan::ServicePlan;
use crate::engine::service::{PidFileError, ProcessRole};
use crate::syntax::exec::ExecCommand;

/// 2024-01-15 12:00:00 UTC, a Monday.
const T0: Usec = 1_705_320_000 * USEC_PER_SEC;
const SEC: Usec = USEC_PER_SEC;
const MIN: Usec = USEC_PER_MINUTE;

/// Clocks the test moves, and the messages the machine logs.
struct Clock {
    monotonic: Usec,
    realtime: Usec,
    messages: Vec<String>,
}

impl Clock {
    fn new() -> Self {
        Clock {
            monotonic: 1_000 * SEC,
            realtime: T0,
            messages: Vec::new(),
        }
    }

    fn advance(&mut self, usec: Usec) {
        self.monotonic += usec;
        self.realtime += usec;
    }

    fn now(&self) -> DualTimestamp {
        DualTimestamp {
            realtime: self.realtime,
            monotonic: self.monotonic,
        }
    }
}

impl Executor for Clock {
    fn spawn(
        &mut self,
        _: &ServicePlan,
        _: ProcessRole,
        _: &ExecCommand,
        _: &[(String, String)],
        _: &[(String, String)],
        _: u32,
    ) -> io::Result<Pid> {
        Err(io::Error::other("timers spawn nothing"))
    }
    fn kill(&mut self, _: Pid, _: Signal, _: bool) -> bool {
        false
    }
    fn group_alive(&mut self, _: Pid) -> bool {
        false
    }
    fn read_pid_file(&mut self, _: &str) -> Result<Pid, PidFileError> {
        Err(PidFileError::Open("No such file or directory".into()))
    }
    fn log(&mut self, _unit: &str, message: &str) {
        self.messages.push(message.to_string());
    }
    fn now(&self) -> Usec {
        self.monotonic
    }
    fn realtime(&self) -> Usec {
        self.realtime
    }
    fn new_invocation_id(&mut self) -> String {
        "0123456789abcdef0123456789abcdef".into()
    }
}

/// A host with a fixed machine, a scripted random source and stamps in memory.
struct Host {
    startup: DualTimestamp,
    random: Vec<u64>,
    stamps: std::collections::BTreeMap<String, Usec>,
    zone: TimeZone,
}

impl Host {
    fn new(clock: &Clock) -> Self {
        Host {
            startup: clock.now(),
            random: Vec::new(),
            stamps: Default::default(),
            zone: TimeZone::UTC,
        }
    }
}

impl TimerHost for Host {
    fn startup(&self) -> DualTimestamp {
        self.startup
    }
    fn machine_id(&self) -> Option<[u8; 16]> {
        Some(*b"0123456789abcdef")
    }
    fn boot_id(&self) -> Option<[u8; 16]> {
        None
    }
    fn uid(&self) -> u32 {
        0
    }
    fn random_u64(&mut self) -> u64 {
        self.random.pop().unwrap_or(0)
    }
    fn read_stamp(&mut self, timer: &str) -> Option<Usec> {
        self.stamps.get(timer).copied()
    }
    fn write_stamp(&mut self, timer: &str, realtime: Usec) {
        self.stamps.insert(timer.to_string(), realtime);
    }
    fn local_zone(&self) -> TimeZone {
        self.zone.clone()
    }
}

fn calendar(text: &str) -> TimerValue {
    TimerValue::new(Schedule::Calendar(Box::new(parse_calendar(text).unwrap())))
}

fn span(base: TimerBase, usec: Usec) -> TimerValue {
    TimerValue::new(Schedule::Span { base, span: usec })
}

fn timer(values: Vec<TimerValue>) -> TimerRuntime {
    let mut plan = TimerPlan::new("job.timer", "job.service");
    plan.values = values;
    plan.accuracy_usec = 1;
    TimerRuntime::new(plan)
}

fn idle() -> TargetView {
    TargetView {
        loaded: true,
        active_state: ActiveState::Inactive,
        timestamps: UnitTimestamps::default(),
        job_pending: false,
    }
}

/// The target as the manager reports it through one run: started at
/// `start`, ended at `end` (None: still running).
fn ran(start: DualTimestamp, end: Option<DualTimestamp>) -> TargetView {
    let mut timestamps = UnitTimestamps {
        inactive_exit: start,
        active_enter: start,
        ..Default::default()
    };
    let active_state = match end {
        Some(end) => {
            timestamps.inactive_enter = end;
            timestamps.active_exit = end;
            ActiveState::Inactive
        }
        None => ActiveState::Active,
    };
    TargetView {
        loaded: true,
        active_state,
        timestamps,
        job_pending: false,
    }
}

/// Moves the clock to the timer's next wakeup and lets it elapse.
fn run_to_wakeup(t: &mut TimerRuntime, clock: &mut Clock, host: &mut Host, target: &TargetView) {
    let wake = next_wakeup(std::iter::once(&*t), 0).expect("an armed timer");
    assert!(wake >= clock.monotonic, "wakeup in the past");
    clock.advance(wake - clock.monotonic);
    t.on_elapse(clock, host, target);
}

/// The unit the timer started runs for `usec` and ends.
fn run_target(t: &mut TimerRuntime, clock: &mut Clock, host: &mut Host, usec: Usec) -> TargetView {
    assert!(t.pending_trigger, "no trigger to run");
    t.pending_trigger = false;
    let start = clock.now();
    t.on_target_change(clock, host, &ran(start, None));
    clock.advance(usec);
    let view = ran(start, Some(clock.now()));
    t.on_target_change(clock, host, &view);
    view
}

#[test]
fn states_have_systemds_names_and_active_states() {
    assert_eq!(TimerState::Waiting.as_str(), "waiting");
    assert_eq!(TimerState::Elapsed.active_state(), ActiveState::Active);
    assert_eq!(TimerState::Failed.active_state(), ActiveState::Failed);
    assert_eq!(TimerResult::StartLimitHit.as_str(), "start-limit-hit");
}

#[test]
fn calendar_trigger_elapses_on_the_wall_clock_and_rearms_after_the_run() {
    let mut clock = Clock::new();
    let mut host = Host::new(&clock);
    let mut t = timer(vec![calendar("*:0/15")]);
    assert_eq!(
        t.start(&mut clock, &mut host, &idle()),
        RequestOutcome::Accepted
    );
    assert_eq!(t.state, TimerState::Waiting);
    assert_eq!(t.next_elapse_usec_realtime(), Some(T0 + 15 * MIN));
    assert_eq!(t.next_elapse_usec_monotonic(), None);
    run_to_wakeup(&mut t, &mut clock, &mut host, &idle());
    assert!(t.pending_trigger);
    assert_eq!(t.state, TimerState::Running);
    assert_eq!(t.last_trigger.realtime, T0 + 15 * MIN);
    assert_eq!(
        t.next_elapse_usec_realtime(),
        None,
        "none shown while running"
    );
    run_target(&mut t, &mut clock, &mut host, 5 * SEC);
    assert_eq!(t.state, TimerState::Waiting);
    assert_eq!(t.next_elapse_usec_realtime(), Some(T0 + 30 * MIN));
    assert_eq!(clock.messages, vec!["Started job.timer."]);
}

#[test]
fn calendar_events_are_read_in_the_local_zone() {
    let mut clock = Clock::new();
    let mut host = Host::new(&clock);
    host.zone = TimeZone::get("Europe/Berlin").unwrap();
    let mut t = timer(vec![calendar("*-*-* 14:00")]);
    t.start(&mut clock, &mut host, &idle());
    // 14:00 CET is 13:00 UTC in January.
    assert_eq!(t.next_realtime, Some(T0 + 60 * MIN));
}

#[test]
fn on_active_sec_fires_once_then_the_timer_is_elapsed() {
    let mut clock = Clock::new();
    let mut host = Host::new(&clock);
    let mut t = timer(vec![span(TimerBase::Active, 5 * SEC)]);
    t.start(&mut clock, &mut host, &idle());
    assert_eq!(t.next_monotonic, Some(clock.monotonic + 5 * SEC));
    run_to_wakeup(&mut t, &mut clock, &mut host, &idle());
    run_target(&mut t, &mut clock, &mut host, SEC);
    assert_eq!(t.state, TimerState::Elapsed);
    assert_eq!(t.active_state(), ActiveState::Active);
    assert_eq!(t.next_monotonic, None);

    let mut t = timer(vec![span(TimerBase::Active, 5 * SEC)]);
    t.plan.remain_after_elapse = false;
    t.start(&mut clock, &mut host, &idle());
    run_to_wakeup(&mut t, &mut clock, &mut host, &idle());
    run_target(&mut t, &mut clock, &mut host, SEC);
    assert_eq!(t.state, TimerState::Dead);
    assert_eq!(
        clock.messages.last().map(String::as_str),
        Some("job.timer: Deactivated successfully.")
    );
}

#[test]
fn on_active_sec_counts_again_from_a_new_start() {
    let mut clock = Clock::new();
    let mut host = Host::new(&clock);
    let mut t = timer(vec![span(TimerBase::Active, 5 * SEC)]);
    t.start(&mut clock, &mut host, &idle());
    run_to_wakeup(&mut t, &mut clock, &mut host, &idle());
    run_target(&mut t, &mut clock, &mut host, SEC);
    t.stop(&mut clock);
    assert_eq!(t.state, TimerState::Dead);
    clock.advance(MIN);
    t.start(&mut clock, &mut host, &idle());
    assert_eq!(t.next_monotonic, Some(clock.monotonic + 5 * SEC));
}

#[test]
fn job_messages_name_the_timer_and_its_description() {
    let mut clock = Clock::new();
    let mut host = Host::new(&clock);
    let mut t = timer(vec![span(TimerBase::Active, 5 * SEC)]);
    t.plan.description = "Job timer".into();
    t.start(&mut clock, &mut host, &idle());
    t.stop(&mut clock);
    assert_eq!(
        clock.messages,
        vec![
            "Started job.timer - Job timer.",
            "job.timer: Deactivated successfully.",
            "Stopped job.timer - Job timer.",
        ]
    );
}

#[test]
fn boot_and_startup_count_from_the_supervisors_start() {
    let mut clock = Clock::new();
    let mut host = Host::new(&clock);
    let startup = host.startup.monotonic;
    clock.advance(2 * SEC);
    let mut t = timer(vec![
        span(TimerBase::Boot, 10 * SEC),
        span(TimerBase::Startup, 30 * SEC),
    ]);
    t.start(&mut clock, &mut host, &idle());
    assert_eq!(t.next_monotonic, Some(startup + 10 * SEC));
    run_to_wakeup(&mut t, &mut clock, &mut host, &idle());
    run_target(&mut t, &mut clock, &mut host, SEC);
    // The boot trigger is spent; the startup one is next.
    assert_eq!(t.next_monotonic, Some(startup + 30 * SEC));
    run_to_wakeup(&mut t, &mut clock, &mut host, &idle());
    run_target(&mut t, &mut clock, &mut host, SEC);
    assert_eq!(t.state, TimerState::Elapsed);
    // A timer started long after boot still fires once, at once.
    clock.advance(3600 * SEC);
    let mut late = timer(vec![span(TimerBase::Boot, 10 * SEC)]);
    late.start(&mut clock, &mut host, &idle());
    assert!(late.is_due(clock.now()));
}

#[test]
fn on_unit_active_sec_waits_for_a_first_run_and_repeats_from_each_start() {
    let mut clock = Clock::new();
    let mut host = Host::new(&clock);
    let mut t = timer(vec![span(TimerBase::UnitActive, 10 * SEC)]);
    t.start(&mut clock, &mut host, &idle());
    // The unit never ran: nothing to count from, but the timer stays.
    assert_eq!(t.state, TimerState::Elapsed);
    let start = clock.now();
    let view = ran(start, None);
    t.on_target_change(&mut clock, &mut host, &view);
    assert_eq!(t.state, TimerState::Waiting);
    assert_eq!(t.next_monotonic, Some(start.monotonic + 10 * SEC));
    clock.advance(2 * SEC);
    let view = ran(start, Some(clock.now()));
    t.on_target_change(&mut clock, &mut host, &view);
    run_to_wakeup(&mut t, &mut clock, &mut host, &view);
    assert_eq!(clock.monotonic, start.monotonic + 10 * SEC);
    let second = clock.now();
    run_target(&mut t, &mut clock, &mut host, 3 * SEC);
    assert_eq!(t.next_monotonic, Some(second.monotonic + 10 * SEC));
}

#[test]
fn on_unit_inactive_sec_repeats_after_the_service_ends() {
    let mut clock = Clock::new();
    let mut host = Host::new(&clock);
    let mut t = timer(vec![
        span(TimerBase::Active, 0),
        span(TimerBase::UnitInactive, 10 * SEC),
    ]);
    t.start(&mut clock, &mut host, &idle());
    for _ in 0..3 {
        run_to_wakeup(&mut t, &mut clock, &mut host, &idle());
        run_target(&mut t, &mut clock, &mut host, 4 * SEC);
        // Counted from the end of the run, however long it took.
        assert_eq!(t.next_monotonic, Some(clock.monotonic + 10 * SEC));
    }
}

#[test]
fn the_earliest_of_several_triggers_wins() {
    let mut clock = Clock::new();
    let mut host = Host::new(&clock);
    let mut t = timer(vec![
        calendar("hourly"),
        span(TimerBase::Active, 30 * MIN),
        span(TimerBase::Active, 10 * MIN),
    ]);
    let start = clock.monotonic;
    t.start(&mut clock, &mut host, &idle());
    assert_eq!(t.next_realtime, Some(T0 + 60 * MIN));
    assert_eq!(t.next_monotonic, Some(clock.monotonic + 10 * MIN));
    let wake = next_wakeup(std::iter::once(&t), 0);
    assert_eq!(wake, Some(clock.monotonic + 10 * MIN));
    run_to_wakeup(&mut t, &mut clock, &mut host, &idle());
    run_target(&mut t, &mut clock, &mut host, SEC);
    // The spent one is disabled; the other still counts from the start.
    assert_eq!(t.next_monotonic, Some(start + 30 * MIN));
    assert_eq!(
        t.timers_monotonic(),
        vec![
            ("OnActiveUSec", 30 * MIN, Some(start + 30 * MIN)),
            ("OnActiveUSec", 10 * MIN, None),
        ]
    );
    assert_eq!(
        t.timers_calendar(),
        vec![("*-*-* *:00:00".to_string(), Some(T0 + 60 * MIN))]
    );
}

#[test]
fn an_elapse_while_the_unit_runs_is_skipped_and_logged() {
    let mut clock = Clock::new();
    let mut host = Host::new(&clock);
    let mut t = timer(vec![calendar("minutely")]);
    t.start(&mut clock, &mut host, &idle());
    // Someone else started the unit; it is still up at the elapse.
    let busy = ran(clock.now(), None);
    run_to_wakeup(&mut t, &mut clock, &mut host, &busy);
    assert!(!t.pending_trigger);
    assert_eq!(t.state, TimerState::Waiting);
    assert_eq!(t.last_trigger, DualTimestamp::default());
    assert_eq!(t.next_realtime, Some(T0 + 2 * MIN));
    assert_eq!(
        clock.messages.last().map(String::as_str),
        Some("job.timer: Skipping elapse, job.service is still running.")
    );
    // A queued start counts as running too.
    let queued = TargetView {
        job_pending: true,
        ..idle()
    };
    run_to_wakeup(&mut t, &mut clock, &mut host, &queued);
    assert!(!t.pending_trigger);
    assert_eq!(t.next_realtime, Some(T0 + 3 * MIN));
}

#[test]
fn a_run_longer_than_the_period_skips_the_elapses_it_spans() {
    let mut clock = Clock::new();
    let mut host = Host::new(&clock);
    let mut t = timer(vec![calendar("minutely")]);
    t.start(&mut clock, &mut host, &idle());
    run_to_wakeup(&mut t, &mut clock, &mut host, &idle());
    assert_eq!(clock.realtime, T0 + MIN);
    t.pending_trigger = false;
    let start = clock.now();
    let running = ran(start, None);
    t.on_target_change(&mut clock, &mut host, &running);
    assert_eq!(t.state, TimerState::Running);
    // Minutes 2 and 3 come while it runs: skipped, no trigger.
    run_to_wakeup(&mut t, &mut clock, &mut host, &running);
    run_to_wakeup(&mut t, &mut clock, &mut host, &running);
    assert_eq!(clock.realtime, T0 + 3 * MIN);
    assert!(!t.pending_trigger);
    let skips = clock
        .messages
        .iter()
        .filter(|m| m.contains("Skipping elapse"))
        .count();
    assert_eq!(skips, 2);
    clock.advance(30 * SEC);
    let ended = ran(start, Some(clock.now()));
    t.on_target_change(&mut clock, &mut host, &ended);
    // No catch-up run: the next one is the next regular minute.
    assert_eq!(t.state, TimerState::Waiting);
    assert_eq!(t.next_realtime, Some(T0 + 4 * MIN));
    assert!(!t.is_due(clock.now()));
}

#[test]
fn randomized_delay_is_drawn_anew_for_each_elapse() {
    let mut clock = Clock::new();
    let mut host = Host::new(&clock);
    let mut t = timer(vec![calendar("hourly")]);
    t.plan.randomized_delay_usec = 10 * MIN;
    // Drawn at the start, while the unit runs, and when it has ended.
    host.random = vec![7 * MIN + 3 * 10 * MIN, 99, 123];
    t.start(&mut clock, &mut host, &idle());
    assert_eq!(t.next_realtime, Some(T0 + 60 * MIN + 123));
    run_to_wakeup(&mut t, &mut clock, &mut host, &idle());
    run_target(&mut t, &mut clock, &mut host, SEC);
    // The calendar counts from the trigger; the delay is drawn again.
    assert_eq!(t.next_realtime, Some(T0 + 120 * MIN + 7 * MIN));
}

#[test]
fn fixed_random_delay_is_stable_per_machine_and_timer() {
    let mut clock = Clock::new();
    let mut host = Host::new(&clock);
    let mut t = timer(vec![calendar("hourly")]);
    t.plan.randomized_delay_usec = 10 * MIN;
    t.plan.fixed_random_delay = true;
    host.random = vec![1, 2, 3];
    t.start(&mut clock, &mut host, &idle());
    let delay = fixed_delay_hash(&host, "job.timer") % (10 * MIN);
    assert_eq!(t.next_realtime, Some(T0 + 60 * MIN + delay));
    run_to_wakeup(&mut t, &mut clock, &mut host, &idle());
    run_target(&mut t, &mut clock, &mut host, SEC);
    assert_eq!(t.next_realtime, Some(T0 + 120 * MIN + delay));
    assert_ne!(
        fixed_delay_hash(&host, "job.timer"),
        fixed_delay_hash(&host, "other.timer")
    );
}

#[test]
fn persistent_timer_catches_up_a_missed_run_at_start() {
    let mut clock = Clock::new();
    let mut host = Host::new(&clock);
    // Last run two days ago: the daily run of yesterday midnight was missed.
    host.stamps
        .insert("job.timer".into(), T0 - 2 * 24 * 60 * MIN);
    let mut t = timer(vec![calendar("daily")]);
    t.plan.persistent = true;
    t.start(&mut clock, &mut host, &idle());
    assert_eq!(t.last_trigger.realtime, T0 - 2 * 24 * 60 * MIN);
    // Moved to the supervisor's start: due now.
    assert_eq!(t.next_realtime, Some(host.startup.realtime));
    assert!(t.is_due(clock.now()));
    t.on_elapse(&mut clock, &mut host, &idle());
    assert!(t.pending_trigger);
    assert_eq!(host.stamps.get("job.timer"), Some(&T0));
}

#[test]
fn persistent_timer_without_a_stamp_counts_from_its_first_start() {
    let mut clock = Clock::new();
    let mut host = Host::new(&clock);
    let mut t = timer(vec![calendar("daily")]);
    t.plan.persistent = true;
    t.start(&mut clock, &mut host, &idle());
    assert_eq!(host.stamps.get("job.timer"), Some(&T0));
    assert_eq!(t.next_realtime, Some(T0 + 12 * 60 * MIN));
    // A stamp in the future is not believed.
    let mut host = Host::new(&clock);
    host.stamps.insert("job.timer".into(), T0 + 3600 * SEC);
    let mut t = timer(vec![calendar("daily")]);
    t.plan.persistent = true;
    t.start(&mut clock, &mut host, &idle());
    assert_eq!(t.last_trigger.realtime, 0);
    assert_eq!(
        clock.messages.last().map(String::as_str),
        Some("Started job.timer.")
    );
    assert!(clock.messages.iter().any(|m| {
        m.starts_with("job.timer: Not using persistent file timestamp Mon 2024-01-15 13:00:00")
    }));
}

#[test]
fn a_timer_whose_unit_is_not_loaded_refuses_to_start() {
    let mut clock = Clock::new();
    let mut host = Host::new(&clock);
    let mut t = timer(vec![calendar("daily")]);
    let missing = TargetView {
        loaded: false,
        ..idle()
    };
    assert_eq!(
        t.start(&mut clock, &mut host, &missing),
        RequestOutcome::NotActive
    );
    assert_eq!(t.state, TimerState::Dead);
    assert_eq!(
        clock.messages,
        vec!["job.timer: Refusing to start, unit job.service to trigger not loaded."]
    );
    t.start(&mut clock, &mut host, &idle());
    t.trigger_failed(&mut clock, "Unit job.service is masked.");
    assert_eq!(t.state, TimerState::Failed);
    assert_eq!(t.result, TimerResult::Resources);
}

#[test]
fn the_wall_clock_set_back_rewinds_the_last_trigger() {
    let mut clock = Clock::new();
    let mut host = Host::new(&clock);
    let mut t = timer(vec![calendar("hourly")]);
    t.start(&mut clock, &mut host, &idle());
    run_to_wakeup(&mut t, &mut clock, &mut host, &idle());
    run_target(&mut t, &mut clock, &mut host, SEC);
    assert_eq!(t.next_realtime, Some(T0 + 120 * MIN));
    // The clock is set back three hours.
    clock.realtime -= 3 * 60 * MIN;
    t.on_clock_change(&mut clock, &mut host, &idle());
    assert_eq!(t.last_trigger.realtime, clock.realtime);
    assert_eq!(t.next_realtime, Some(T0 - 60 * MIN));
    // And the wakeup follows, on the monotonic clock.
    let wake = next_wakeup(std::iter::once(&t), 0).unwrap();
    assert_eq!(wake - clock.monotonic, T0 - 60 * MIN - clock.realtime);
}

#[test]
fn on_clock_change_triggers_the_unit() {
    let mut clock = Clock::new();
    let mut host = Host::new(&clock);
    let mut t = timer(vec![]);
    t.plan.on_clock_change = true;
    t.start(&mut clock, &mut host, &idle());
    assert_eq!(t.state, TimerState::Waiting);
    assert_eq!(next_wakeup(std::iter::once(&t), 0), None);
    clock.realtime += 3600 * SEC;
    t.on_clock_change(&mut clock, &mut host, &idle());
    assert!(t.pending_trigger);
}

#[test]
fn sleep_between_prefers_the_machines_spot_in_the_minute() {
    let perturb = 17 * SEC;
    // An hourly timer with the default accuracy: the spot in its minute.
    assert_eq!(
        sleep_between(T0, T0 + MIN, perturb),
        T0 + 17 * SEC,
        "the spot of the minute"
    );
    // Within 10 s: the spot in the 10 s step.
    assert_eq!(
        sleep_between(T0 + 20 * SEC, T0 + 30 * SEC, perturb),
        T0 + 27 * SEC
    );
    // Exact when the accuracy is 1 us.
    assert_eq!(sleep_between(T0 + 5, T0 + 6, perturb), T0 + 5);
    // No spot fits: the latest moment.
    assert_eq!(sleep_between(T0 + 100, T0 + 200, perturb), T0 + 200);
}

#[test]
fn wakeups_of_timers_within_the_accuracy_are_batched() {
    let mut clock = Clock::new();
    let mut host = Host::new(&clock);
    let mut a = timer(vec![calendar("*:05:00")]);
    let mut b = timer(vec![calendar("*:05:30")]);
    a.plan.accuracy_usec = MIN;
    b.plan.accuracy_usec = MIN;
    a.start(&mut clock, &mut host, &idle());
    b.start(&mut clock, &mut host, &idle());
    let perturb = 40 * SEC;
    let wake = next_wakeup([&a, &b].into_iter(), perturb).unwrap();
    // Both are due at the one wakeup, at :05:40.
    assert_eq!(wake, clock.monotonic + 5 * MIN + 40 * SEC);
    clock.advance(wake - clock.monotonic);
    assert!(a.is_due(clock.now()) && b.is_due(clock.now()));
}

#[test]
fn perturbation_comes_from_the_boot_id() {
    assert_eq!(perturbation(None), 0);
    let id = [1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0];
    assert_eq!(perturbation(Some(id)), 3);
}

#[test]
fn siphash24_matches_the_reference_vector() {
    let key: [u8; 16] = std::array::from_fn(|i| i as u8);
    let message: Vec<u8> = (0..15).collect();
    assert_eq!(siphash24(&key, &message), 0xa129_ca61_49be_45e5);
    assert_eq!(siphash24(&key, &[]), 0x726f_db47_dd0e_0e31);
}

#[test]
fn plan_from_a_unit_file() {
    use crate::config::loader::Loader;
    use crate::config::search_path::SearchPath;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("nightly.timer"),
        "[Unit]\nDescription=Nightly run\n[Timer]\nOnCalendar=daily\nOnBootSec=5min\nAccuracySec=1s\nRandomizedDelaySec=1h\nRemainAfterElapse=no\nWakeSystem=yes\n",
    )
    .unwrap();
    let units = Loader::new(SearchPath::new([dir.path().to_path_buf()])).load_all();
    let plan = timer_plan(units.get("nightly.timer").unwrap()).unwrap();
    assert_eq!(plan.unit, "nightly.service");
    assert_eq!(plan.description, "Nightly run");
    assert_eq!(plan.values.len(), 2);
    assert_eq!(plan.accuracy_usec, SEC);
    assert_eq!(plan.randomized_delay_usec, 3600 * SEC);
    assert!(!plan.remain_after_elapse);
    assert!(plan.wake_system);
}
