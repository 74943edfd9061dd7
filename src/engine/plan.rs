//! What the engine needs to know to run one service, with systemd's
//! defaults applied. Built from the loaded unit (config) when a start is
//! requested, so a daemon-reload takes effect on the next start.

use std::path::PathBuf;

use nix::sys::resource::Resource;
use nix::sys::signal::Signal;

use super::spawn::StdioTarget;

use crate::syntax::Usec;
use crate::syntax::exec::ExecCommand;

pub use crate::config::model::Condition;
pub use crate::config::service::{
    ExecDirectories, ExitStatusSet, KillMode, NotifyAccess, Restart as RestartPolicy,
    RuntimeDirectoryPreserve, ServiceType,
};

/// The commands of one service, per phase.
#[derive(Debug, Clone, Default)]
pub struct ServiceCommands {
    pub start_pre: Vec<ExecCommand>,
    pub start: Vec<ExecCommand>,
    pub start_post: Vec<ExecCommand>,
    pub reload: Vec<ExecCommand>,
    pub stop: Vec<ExecCommand>,
    pub stop_post: Vec<ExecCommand>,
}

/// WorkingDirectory=: a path, `~` (the user's home), `-` for "if it exists".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingDirectory {
    pub path: Option<PathBuf>,
    pub home: bool,
    pub optional: bool,
}

/// How the service's processes are set up (systemd.exec(5)).
#[derive(Debug, Clone)]
pub struct ExecContext {
    /// Environment= assignments, in order.
    pub environment: Vec<(String, String)>,
    /// EnvironmentFile= paths, read at each start; `true` when prefixed `-`.
    pub environment_files: Vec<(PathBuf, bool)>,
    pub pass_environment: Vec<String>,
    pub unset_environment: Vec<String>,
    pub working_directory: Option<WorkingDirectory>,
    pub user: Option<String>,
    pub group: Option<String>,
    pub supplementary_groups: Vec<String>,
    pub umask: u32,
    pub nice: Option<i32>,
    pub limits: Vec<(Resource, u64, u64)>,
    pub no_new_privileges: bool,
    /// CapabilityBoundingSet= as a mask (None: unrestricted).
    pub bounding_set: Option<u64>,
    /// AmbientCapabilities= as a mask.
    pub ambient_capabilities: u64,
    /// RuntimeDirectory= and its siblings.
    pub directories: ExecDirectories,
    pub stdin: StdioTarget,
    pub stdout: StdioTarget,
    pub stderr: StdioTarget,
    pub syslog_identifier: Option<String>,
    /// SyslogLevelPrefix=, LogLevelMax= and the [Log] section, for the
    /// log pipeline.
    pub log: crate::logs::unit_options::UnitLogOptions,
}

impl Default for ExecContext {
    fn default() -> Self {
        ExecContext {
            environment: Vec::new(),
            environment_files: Vec::new(),
            pass_environment: Vec::new(),
            unset_environment: Vec::new(),
            working_directory: None,
            user: None,
            group: None,
            supplementary_groups: Vec::new(),
            umask: 0o022,
            nice: None,
            limits: Vec::new(),
            no_new_privileges: false,
            bounding_set: None,
            ambient_capabilities: 0,
            directories: ExecDirectories::default(),
            stdin: StdioTarget::Null,
            stdout: StdioTarget::Pipe,
            stderr: StdioTarget::Pipe,
            syslog_identifier: None,
            log: Default::default(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ServicePlan {
    pub name: String,
    pub description: String,
    pub service_type: ServiceType,
    pub commands: ServiceCommands,
    pub exec: ExecContext,
    pub remain_after_exit: bool,
    pub pid_file: Option<String>,
    pub restart: RestartPolicy,
    pub restart_usec: Usec,
    pub timeout_start_usec: Usec,
    pub timeout_stop_usec: Usec,
    pub runtime_max_usec: Usec,
    pub watchdog_usec: Usec,
    /// NotifyAccess= as in effect (main for Type=notify when unset).
    pub notify_access: NotifyAccess,
    pub watchdog_signal: Signal,
    /// TimeoutAbortSec=: how long a watchdog's signal may take.
    pub timeout_abort_usec: Usec,
    /// Condition*= and Assert*= of the unit, checked when a start job runs.
    pub conditions: Vec<Condition>,
    pub asserts: Vec<Condition>,
    pub kill_mode: KillMode,
    pub kill_signal: Signal,
    pub final_kill_signal: Signal,
    pub send_sigkill: bool,
    pub send_sighup: bool,
    /// `KillMode=none` still ends in a SIGKILL of what is left (runr's
    /// dialect).
    pub kill_none_sends_final_sigkill: bool,
    /// A death by SIGHUP, SIGINT or SIGPIPE is a failure; only SIGTERM is
    /// clean (runr's dialect).
    pub only_sigterm_is_clean: bool,
    pub success_exit_status: ExitStatusSet,
    pub restart_prevent_exit_status: ExitStatusSet,
    pub restart_force_exit_status: ExitStatusSet,
    pub start_limit_interval_usec: Usec,
    pub start_limit_burst: u32,
    /// Cgroup=: the pool (a name, or a group's path) the service's
    /// processes join.
    pub cgroup: Option<String>,
    /// MaxMemoryRSS=: the main process is killed above this many bytes.
    pub max_memory_rss: Option<u64>,
}

impl ServicePlan {
    /// A plan with systemd's defaults (DefaultTimeoutStartSec=90s,
    /// DefaultRestartSec=100ms, DefaultStartLimitIntervalSec=10s,
    /// DefaultStartLimitBurst=5, KillMode=control-group, KillSignal=SIGTERM).
    pub fn new(name: &str) -> Self {
        ServicePlan {
            name: name.to_string(),
            description: name.to_string(),
            service_type: ServiceType::Simple,
            commands: ServiceCommands::default(),
            exec: ExecContext::default(),
            remain_after_exit: false,
            pid_file: None,
            restart: RestartPolicy::No,
            restart_usec: 100_000,
            timeout_start_usec: 90_000_000,
            timeout_stop_usec: 90_000_000,
            runtime_max_usec: crate::syntax::USEC_INFINITY,
            watchdog_usec: 0,
            notify_access: NotifyAccess::None,
            watchdog_signal: Signal::SIGABRT,
            timeout_abort_usec: 90_000_000,
            conditions: Vec::new(),
            asserts: Vec::new(),
            kill_mode: KillMode::ControlGroup,
            kill_signal: Signal::SIGTERM,
            final_kill_signal: Signal::SIGKILL,
            send_sigkill: true,
            send_sighup: false,
            kill_none_sends_final_sigkill: false,
            only_sigterm_is_clean: false,
            success_exit_status: ExitStatusSet::default(),
            restart_prevent_exit_status: ExitStatusSet::default(),
            restart_force_exit_status: ExitStatusSet::default(),
            start_limit_interval_usec: 10_000_000,
            start_limit_burst: 5,
            cgroup: None,
            max_memory_rss: None,
        }
    }
}
