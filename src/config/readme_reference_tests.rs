//! Every [Service] and [Timer] row of the configuration reference of
//! runr's README, read by the loader from a directory of runr's dialect.
//! ([Log], `.cgroup` and `syslog.conf` rows have their tests beside their
//! parsers.)

use crate::config::Loader;
use crate::config::Unit;
use crate::config::dialect::Dialect;
use crate::config::search_path::SearchPath;
use crate::config::service::{KillMode, Restart, ServiceType};
use crate::config::timer::TimerBase;

fn load(files: &[(&str, &str)], name: &str) -> Unit {
    let dir = tempfile::tempdir().unwrap();
    for (file, text) in files {
        std::fs::write(dir.path().join(file), text).unwrap();
    }
    let loader = Loader::new(SearchPath::new([dir.path()]).with_dialect(Dialect::Runr));
    let unit = loader.load_unit(name);
    assert!(unit.diagnostics.is_empty(), "{:?}", unit.diagnostics);
    unit
}

const REFERENCE: &str = "[Unit]
Description=PostgreSQL Database Server

[Service]
Type=forking
ExecStart=/usr/bin/postgres -D /pgdata
ExecStartPre=-/usr/bin/check-disk-space.sh
ExecStop=/usr/bin/pg_ctl stop -D /pgdata
ExecReload=/usr/bin/pg_ctl reload -D /pgdata
User=postgres
Group=postgres
WorkingDirectory=/var/lib/postgresql
Restart=on-failure
RestartSec=5s
TimeoutStartSec=90s
TimeoutStopSec=300s
KillMode=mixed
PIDFile=/run/postgresql/postmaster.pid
Autostart=no
MaxMemoryRSS=2G
LimitNOFILE=65536
Nice=5
CapabilityBoundingSet=CAP_CHOWN CAP_KILL
Environment=PGDATA=/pgdata
Environment=PGPORT=5432
EnvironmentFile=/etc/postgresql/env
EnvironmentFile=-/etc/postgresql/env.local
Cgroup=/sys/fs/cgroup/pg-pool/cgroup.procs
";

#[test]
fn every_service_row() {
    let unit = load(&[("postgresql.service", REFERENCE)], "postgresql.service");
    let s = unit.service().unwrap();
    assert_eq!(unit.unit.description.as_deref(), Some("PostgreSQL Database Server"));
    assert_eq!(s.service_type, Some(ServiceType::Forking));
    assert_eq!(s.exec.start[0].argv, ["/usr/bin/postgres", "-D", "/pgdata"]);
    assert!(s.exec.start_pre[0].ignore_failure);
    assert_eq!(s.exec.stop[0].path, "/usr/bin/pg_ctl");
    assert_eq!(s.exec.reload[0].argv[1], "reload");
    assert_eq!((s.user.as_deref(), s.group.as_deref()), (Some("postgres"), Some("postgres")));
    assert_eq!(s.working_directory.as_deref(), Some("/var/lib/postgresql"));
    assert_eq!(s.restart, Some(Restart::OnFailure));
    assert_eq!(s.timespan("RestartSec"), Some(5_000_000));
    assert_eq!(s.timespan("TimeoutStartSec"), Some(90_000_000));
    assert_eq!(s.timespan("TimeoutStopSec"), Some(300_000_000));
    assert_eq!(s.kill_mode, Some(KillMode::Mixed));
    assert_eq!(s.pid_file.as_deref(), Some("/run/postgresql/postmaster.pid"));
    assert_eq!(s.autostart, Some(false));
    assert_eq!(s.max_memory_rss, Some(2 << 30));
    assert_eq!(s.limits["NOFILE"].soft, Some(65536));
    assert_eq!(s.nice, Some(5));
    assert_eq!(s.capability_bounding_set, ["CAP_CHOWN", "CAP_KILL"]);
    assert_eq!(
        s.environment,
        [("PGDATA".into(), "/pgdata".into()), ("PGPORT".into(), "5432".into())]
    );
    assert_eq!(
        s.environment_files.iter().map(|e| (e.path.as_str(), e.optional)).collect::<Vec<_>>(),
        [("/etc/postgresql/env", false), ("/etc/postgresql/env.local", true)]
    );
    assert_eq!(s.cgroup.as_deref(), Some("/sys/fs/cgroup/pg-pool/cgroup.procs"));
}

#[test]
fn restart_halt_timeout_sec_kill_mode_none_and_the_cgroup_alias() {
    let unit = load(
        &[(
            "x.service",
            "[Service]\nExecStart=/bin/true\nRestart=halt\nTimeoutSec=90s\nKillMode=none\nCgroupProcPidsFile=/sys/fs/cgroup/pg-pool/cgroup.procs\n",
        )],
        "x.service",
    );
    let s = unit.service().unwrap();
    assert_eq!(s.restart, Some(Restart::Halt));
    assert_eq!(s.timespan("TimeoutStartSec"), Some(90_000_000));
    assert_eq!(s.timespan("TimeoutStopSec"), Some(90_000_000));
    assert_eq!(s.kill_mode, Some(KillMode::None));
    assert!(s.kill_none_sends_final_sigkill);
    assert_eq!(s.cgroup.as_deref(), Some("/sys/fs/cgroup/pg-pool/cgroup.procs"));
}

#[test]
fn the_defaults_the_reference_names() {
    let unit = load(&[("x.service", "[Service]\nExecStart=/bin/true\n")], "x.service");
    let s = unit.service().unwrap();
    assert_eq!(s.effective_type(), ServiceType::Simple);
    assert_eq!(s.restart, Some(Restart::Always));
    assert_eq!(s.timespan("RestartSec"), Some(2_000_000));
    assert_eq!(s.autostart, Some(true));
    // TimeoutStartSec=, TimeoutStopSec= and KillMode= keep systemd's
    // defaults (90s, control-group), filled in by the engine's plan.
    assert_eq!(s.timespan("TimeoutStartSec"), None);
    assert_eq!(s.kill_mode, None);
}

#[test]
fn every_timer_row() {
    let unit = load(
        &[(
            "backup.timer",
            "[Timer]\nOnCalendar=*-*-* 02:00:00\nOnStartupSec=30s\nRandomizedDelaySec=600\nUnit=backup\nAutostart=no\n",
        )],
        "backup.timer",
    );
    let t = unit.timer().unwrap();
    let bases: Vec<TimerBase> = t.triggers.iter().map(|t| t.base).collect();
    assert_eq!(bases, [TimerBase::Calendar, TimerBase::Startup]);
    assert_eq!(t.triggers[0].text, "*-*-* 02:00:00");
    assert_eq!(t.triggers[1].span, Some(30_000_000));
    assert_eq!(t.randomized_delay, Some(600_000_000));
    assert_eq!(t.unit.as_deref(), Some("backup.service"));
    assert_eq!(t.autostart, Some(false));

    let unit = load(
        &[("cleanup.timer", "[Timer]\nOnStartupSec=1h\nOnUnitInactiveSec=6h\n")],
        "cleanup.timer",
    );
    let t = unit.timer().unwrap();
    assert_eq!(t.triggers[1].base, TimerBase::UnitInactive);
    assert_eq!((t.unit.as_deref(), t.autostart), (None, Some(true)));
    assert_eq!(unit.load_state, crate::config::LoadState::Loaded);
}
