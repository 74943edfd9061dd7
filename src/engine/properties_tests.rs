//! The property lists against `systemctl show` of real systemd 252
//! (golden/systemctl/live), for units built by the real loader from the
//! same unit files, compared after the shared normaliser.

use std::path::{Path, PathBuf};

use super::*;
use crate::config::loader::Loader;
use crate::config::search_path::SearchPath;

#[path = "../../tests/common/normalise.rs"]
mod normalise;

fn golden(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("golden/systemctl/live")
        .join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Loads a golden unit as the guest had it, in /etc/systemd/system.
fn load(name: &str) -> Unit {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("golden/systemctl/units");
    let loader = Loader::new(SearchPath::new([dir]).with_dialect(crate::config::Dialect::Systemd));
    let mut unit = loader.load_unit(name);
    if unit.fragment_path.is_some() {
        unit.fragment_path = Some(PathBuf::from(format!("/etc/systemd/system/{name}")));
    }
    unit
}

fn render(lines: Vec<PropertyLine>, all: bool) -> String {
    let query = PropertyQuery {
        names: Vec::new(),
        all,
    };
    select(lines, &query)
        .iter()
        .map(|p| format!("{}={}\n", p.name, p.value))
        .collect()
}

fn comparable(text: &str) -> String {
    normalise::sort_unit_lists(&normalise::normalise(text))
}

/// Line by line, so a failure names the property.
fn assert_same(ours: &str, theirs: &str) {
    let ours = comparable(ours);
    let theirs = comparable(theirs);
    let a: Vec<&str> = ours.lines().collect();
    let b: Vec<&str> = theirs.lines().collect();
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x, y);
    }
    assert_eq!(a.len(), b.len(), "ours:\n{ours}\ntheirs:\n{theirs}");
}

fn context_for_service(unit: &Unit) -> PropertyContext<'static> {
    PropertyContext {
        extra_dependencies: implicit_dependencies(unit, true),
        unit_file_state: "static".to_string(),
        unit_file_preset: "enabled".to_string(),
        ..PropertyContext::default()
    }
}

#[test]
fn a_service_that_never_ran() {
    let unit = load("demo-tick.service");
    let mut ctx = context_for_service(&unit);
    ctx.extra_dependencies
        .entry("After".into())
        .or_default()
        .push("demo-tick.timer".into());
    ctx.extra_dependencies
        .entry("TriggeredBy".into())
        .or_default()
        .push("demo-tick.timer".into());
    ctx.loaded_at = Some(DualTimestamp {
        realtime: 1_705_320_000_000_000,
        monotonic: 1_000_000,
    });
    let ours = render(unit_properties(&unit, &ctx), false);
    assert_same(&ours, &golden("demo-tick.service/06-show.stdout"));
}

#[test]
fn a_unit_that_is_not_found() {
    let unit = load("nosuch.service");
    assert_eq!(unit.load_state, LoadState::NotFound);
    let ctx = PropertyContext::default();
    let lines = unit_properties(&unit, &ctx);
    assert_same(
        &render(lines.clone(), false),
        &with_own_open_files(&golden("missing/02-show.stdout")),
    );
    let all = render(lines, true);
    // systemd's own load error text for a missing unit.
    assert!(all.contains(
        "LoadError=org.freedesktop.systemd1.NoSuchUnit \"Unit nosuch.service not found.\"\n"
    ));
    assert_same(
        &all,
        &with_own_open_files(&golden("show/14-all-missing.stdout")),
    );
}

#[test]
fn a_masked_unit_has_no_defaults_of_a_loaded_one() {
    let mut unit = load("demo-idle.service");
    unit.load_state = LoadState::Masked;
    let shown = render(unit_properties(&unit, &PropertyContext::default()), false);
    for gone in ["Type=", "OOMPolicy=", "Slice="] {
        assert!(
            !shown.lines().any(|l| l.starts_with(gone)),
            "{gone}\n{shown}"
        );
    }
    assert!(shown.contains("\nStandardOutput=inherit\n"), "{shown}");
    assert!(
        with_own_open_files("LimitNOFILE=20000\nLimitNOFILESoft=20000\n")
            .lines()
            .all(|l| shown.contains(l)),
        "{shown}"
    );
}

/// A capture's `LimitNOFILE=`/`LimitNOFILESoft=` of a unit without limits
/// of its own are the oracle's systemd's (20000); runr reports its own
/// process's, as systemd does.
fn with_own_open_files(text: &str) -> String {
    let (soft, hard) =
        nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE).unwrap();
    text.replace("LimitNOFILE=20000\n", &format!("LimitNOFILE={hard}\n"))
        .replace(
            "LimitNOFILESoft=20000\n",
            &format!("LimitNOFILESoft={soft}\n"),
        )
}

#[test]
fn a_loaded_unit_never_shows_an_empty_load_error() {
    let unit = load("demo-idle.service");
    let ctx = context_for_service(&unit);
    let shown = render(unit_properties(&unit, &ctx), false);
    assert!(!shown.contains("LoadError="), "{shown}");
    let all = render(unit_properties(&unit, &ctx), true);
    assert!(all.contains("\nLoadError=\n"));
}

#[test]
fn an_active_target() {
    let unit = load("demo.target");
    let at = DualTimestamp {
        realtime: 1_705_320_000_000_000,
        monotonic: 2_000_000,
    };
    let mut ctx = PropertyContext {
        unit_file_state: "enabled".into(),
        unit_file_preset: "enabled".into(),
        passive: Some(PassiveRuntime {
            active: true,
            timestamps: UnitTimestamps {
                state_change: at,
                inactive_exit: at,
                active_enter: at,
                ..UnitTimestamps::default()
            },
            invocation_id: "e35b3f1cdb7b472ab63a3e8ad61735fd".into(),
        }),
        ..PropertyContext::default()
    };
    ctx.extra_dependencies = implicit_dependencies(&unit, true);
    for (key, word) in [
        ("WantedBy", "multi-user.target"),
        ("Before", "multi-user.target"),
    ] {
        ctx.extra_dependencies
            .entry(key.into())
            .or_default()
            .push(word.into());
    }
    let lines = unit_properties(&unit, &ctx);
    assert_same(&render(lines, true), &golden("show/13-all-target.stdout"));
}

#[test]
fn a_waiting_timer() {
    let unit = load("demo-tick.timer");
    let at = DualTimestamp {
        realtime: 1_705_320_000_000_000,
        monotonic: 2_000_000,
    };
    let next = 1_705_363_200_000_000;
    let mut ctx = PropertyContext {
        unit_file_state: "enabled".into(),
        unit_file_preset: "enabled".into(),
        passive: Some(PassiveRuntime {
            active: true,
            timestamps: UnitTimestamps {
                state_change: at,
                inactive_exit: at,
                active_enter: at,
                ..UnitTimestamps::default()
            },
            invocation_id: "b9d4cd5697644f4cae375f17dc5906c4".into(),
        }),
        timer: Some(TimerRuntime {
            next_elapse: Some(next),
            calendar: vec![("*-*-* 04:00:00".into(), Some(next))],
            sub_state: Some("waiting".into()),
            active_state: Some(ActiveState::Active),
            result: "success".into(),
            ..TimerRuntime::default()
        }),
        ..PropertyContext::default()
    };
    // The timer's own dependencies are implicit; timers.target's link adds WantedBy=.
    ctx.extra_dependencies = implicit_dependencies(&unit, true);
    ctx.extra_dependencies
        .entry("WantedBy".into())
        .or_default()
        .push("timers.target".into());
    let lines = unit_properties(&unit, &ctx);
    assert_same(&render(lines, true), &golden("show/12-all-timer.stdout"));
}

#[test]
fn a_timer_lists_each_trigger_on_its_own_line_and_none_when_it_has_none() {
    let unit = load("demo-tick.timer");
    let ctx = PropertyContext {
        timer: Some(TimerRuntime {
            calendar: vec![
                ("*-*-* 04:00:00".into(), None),
                ("Mon *-*-* 00:00:00".into(), None),
            ],
            monotonic: vec![("OnBootUSec", 15 * 60 * USEC_PER_SEC, Some(USEC_PER_SEC))],
            active_state: Some(ActiveState::Failed),
            result: "resources".into(),
            ..TimerRuntime::default()
        }),
        ..PropertyContext::default()
    };
    let all = render(unit_properties(&unit, &ctx), true);
    assert!(all.contains(
        "Unit=demo-tick.service\nTimersMonotonic={ OnBootUSec=15min ; next_elapse=1s }\n\
         TimersCalendar={ OnCalendar=*-*-* 04:00:00 ; next_elapse=n/a }\n\
         TimersCalendar={ OnCalendar=Mon *-*-* 00:00:00 ; next_elapse=n/a }\nOnClockChange=no\n"
    ));
    assert!(all.contains("\nResult=resources\n"));
    assert!(all.contains("\nActiveState=failed\n"));
    let query = PropertyQuery {
        names: vec!["TimersMonotonic".into(), "Unit".into()],
        all: false,
    };
    let unit_only = PropertyContext {
        timer: Some(TimerRuntime::default()),
        ..PropertyContext::default()
    };
    let picked: Vec<String> = select(unit_properties(&unit, &unit_only), &query)
        .into_iter()
        .map(|p| format!("{}={}", p.name, p.value))
        .collect();
    assert_eq!(picked, ["Unit=demo-tick.service"]);
}

#[test]
fn named_properties_come_in_systemd_order_even_when_empty() {
    let unit = load("demo-simple.service");
    let ctx = context_for_service(&unit);
    let query = PropertyQuery {
        names: vec!["SubState".into(), "StatusText".into(), "ActiveState".into()],
        all: false,
    };
    let picked: Vec<String> = select(unit_properties(&unit, &ctx), &query)
        .into_iter()
        .map(|p| format!("{}={}", p.name, p.value))
        .collect();
    assert_eq!(
        picked,
        ["StatusText=", "ActiveState=inactive", "SubState=dead"]
    );
}

#[test]
fn exec_lines_and_service_settings() {
    let unit = load("demo-reload.service");
    let ctx = context_for_service(&unit);
    let all = render(unit_properties(&unit, &ctx), true);
    assert!(all.contains(
        "ExecReload={ path=/bin/true ; argv[]=/bin/true ; ignore_errors=no ; start_time=[n/a] ; stop_time=[n/a] ; pid=0 ; code=(null) ; status=0/0 }\n"
    ));
    assert!(all.contains(
        "ExecReloadEx={ path=/bin/true ; argv[]=/bin/true ; flags= ; start_time=[n/a] ; stop_time=[n/a] ; pid=0 ; code=(null) ; status=0/0 }\n"
    ));
    assert!(all.contains("\nCanReload=yes\n"));
    assert!(all.contains("\nTimeoutStopUSec=5s\nTimeoutAbortUSec=5s\n"));
    assert!(all.contains("\nEnvironment=\"GREETING=hello world\" MODE=demo\n"));
    let oneshot = load("demo-oneshot.service");
    let all = render(
        unit_properties(&oneshot, &context_for_service(&oneshot)),
        true,
    );
    assert!(all.contains("\nTimeoutStartUSec=infinity\n"));
    assert!(all.contains("\nRemainAfterExit=yes\n"));
}

#[test]
fn an_instance_lives_in_its_template_slice() {
    let unit = load("demo-greet@world.service");
    let ctx = context_for_service(&unit);
    let all = render(unit_properties(&unit, &ctx), true);
    assert!(
        all.contains("\nSlice=system-demo\\x2dgreet.slice\n"),
        "{all}"
    );
    assert!(all.contains("\nEnvironment=WHO=world\n"));
    assert!(all.contains("\nDescription=Demo greeter for world\n"));
    assert!(all.contains("Requires=\"system-demo\\\\x2dgreet.slice\" sysinit.target\n"));
}

/// `show -p LimitNOFILE,...` of units with limits of their own is what
/// their files ask for (golden/systemctl/limits: systemd 252 in a guest
/// whose hard limit is lower, where the services got less).
#[test]
fn a_unit_shows_its_own_limits() {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("golden/systemctl/limits");
    let loader = Loader::new(
        SearchPath::new([golden.join("units")]).with_dialect(crate::config::Dialect::Systemd),
    );
    let names: Vec<String> = [
        "LimitNOFILE",
        "LimitNOFILESoft",
        "LimitMEMLOCK",
        "LimitMEMLOCKSoft",
    ]
    .map(String::from)
    .to_vec();
    let wanted: BTreeSet<String> = names.iter().cloned().collect();
    for unit_name in [
        "lim-high.service",
        "lim-pair.service",
        "lim-infinity.service",
        "lim-below.service",
        "lim-memlock.service",
        "lim-none.service",
    ] {
        let unit = loader.load_unit(unit_name);
        let ctx = PropertyContext {
            wanted: Some(&wanted),
            ..context_for_service(&unit)
        };
        let query = PropertyQuery {
            names: names.clone(),
            all: false,
        };
        let ours: String = select(unit_properties(&unit, &ctx), &query)
            .iter()
            .map(|p| format!("{}={}\n", p.name, p.value))
            .collect();
        let theirs = std::fs::read_to_string(
            golden.join(format!("live/{unit_name}/00-show-p-limits.stdout")),
        )
        .unwrap();
        assert_eq!(ours, theirs, "{unit_name}");
    }
}

#[test]
fn status_text_and_errno_come_from_the_run() {
    let unit = load("demo-simple.service");
    let mut run = ServiceRuntime::new(crate::engine::plan::ServicePlan::new("demo-simple.service"));
    run.status_text = Some("Serving 3 clients".into());
    run.status_errno = 5;
    let mut ctx = context_for_service(&unit);
    ctx.service = Some(&run);
    let query = PropertyQuery {
        names: vec!["StatusText".into(), "StatusErrno".into()],
        all: false,
    };
    let picked: Vec<String> = select(unit_properties(&unit, &ctx), &query)
        .into_iter()
        .map(|p| format!("{}={}", p.name, p.value))
        .collect();
    assert_eq!(picked, ["StatusText=Serving 3 clients", "StatusErrno=5"]);
    // None: `show` leaves the empty text out, and lists it with --all.
    run.status_text = None;
    let mut ctx = context_for_service(&unit);
    ctx.service = Some(&run);
    let shown = render(unit_properties(&unit, &ctx), false);
    assert!(!shown.contains("StatusText="), "{shown}");
    assert!(shown.contains("\nStatusErrno=5\n"), "{shown}");
    let all = render(unit_properties(&unit, &ctx), true);
    assert!(all.contains("\nStatusText=\nStatusErrno=5\n"), "{all}");
}
