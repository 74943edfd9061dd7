//! systemd's unit states and a service's sub-states and results, with the
//! words systemd prints for them (`ActiveState=`, `SubState=`, `Result=`).

use std::fmt;

/// `ActiveState=`: the high-level state every unit type shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActiveState {
    Active,
    Reloading,
    Inactive,
    Failed,
    Activating,
    Deactivating,
}

impl ActiveState {
    pub fn as_str(self) -> &'static str {
        match self {
            ActiveState::Active => "active",
            ActiveState::Reloading => "reloading",
            ActiveState::Inactive => "inactive",
            ActiveState::Failed => "failed",
            ActiveState::Activating => "activating",
            ActiveState::Deactivating => "deactivating",
        }
    }

    /// Active, reloading or on the way down: the unit "is running" for
    /// dependency purposes (systemd's UNIT_IS_ACTIVE_OR_RELOADING plus
    /// deactivating).
    pub fn is_active_or_reloading(self) -> bool {
        matches!(self, ActiveState::Active | ActiveState::Reloading)
    }

    pub fn is_inactive_or_failed(self) -> bool {
        matches!(self, ActiveState::Inactive | ActiveState::Failed)
    }
}

impl fmt::Display for ActiveState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `SubState=` of a service (service_state_table in systemd).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceState {
    Dead,
    Condition,
    StartPre,
    Start,
    StartPost,
    Running,
    Exited,
    Reload,
    Stop,
    StopWatchdog,
    StopSigterm,
    StopSigkill,
    StopPost,
    FinalWatchdog,
    FinalSigterm,
    FinalSigkill,
    Failed,
    AutoRestart,
    Cleaning,
}

impl ServiceState {
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceState::Dead => "dead",
            ServiceState::Condition => "condition",
            ServiceState::StartPre => "start-pre",
            ServiceState::Start => "start",
            ServiceState::StartPost => "start-post",
            ServiceState::Running => "running",
            ServiceState::Exited => "exited",
            ServiceState::Reload => "reload",
            ServiceState::Stop => "stop",
            ServiceState::StopWatchdog => "stop-watchdog",
            ServiceState::StopSigterm => "stop-sigterm",
            ServiceState::StopSigkill => "stop-sigkill",
            ServiceState::StopPost => "stop-post",
            ServiceState::FinalWatchdog => "final-watchdog",
            ServiceState::FinalSigterm => "final-sigterm",
            ServiceState::FinalSigkill => "final-sigkill",
            ServiceState::Failed => "failed",
            ServiceState::AutoRestart => "auto-restart",
            ServiceState::Cleaning => "cleaning",
        }
    }

    /// The ActiveState a sub-state maps to (state_translation_table).
    pub fn active_state(self) -> ActiveState {
        use ServiceState::*;
        match self {
            Dead => ActiveState::Inactive,
            Condition | StartPre | Start | StartPost | AutoRestart => ActiveState::Activating,
            Running | Exited => ActiveState::Active,
            Reload => ActiveState::Reloading,
            Stop | StopWatchdog | StopSigterm | StopSigkill | StopPost | FinalWatchdog
            | FinalSigterm | FinalSigkill | Cleaning => ActiveState::Deactivating,
            Failed => ActiveState::Failed,
        }
    }
}

impl fmt::Display for ServiceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `Result=`: why a service last stopped or failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceResult {
    Success,
    Resources,
    Protocol,
    Timeout,
    ExitCode,
    Signal,
    CoreDump,
    Watchdog,
    StartLimitHit,
    OomKill,
}

impl ServiceResult {
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceResult::Success => "success",
            ServiceResult::Resources => "resources",
            ServiceResult::Protocol => "protocol",
            ServiceResult::Timeout => "timeout",
            ServiceResult::ExitCode => "exit-code",
            ServiceResult::Signal => "signal",
            ServiceResult::CoreDump => "core-dump",
            ServiceResult::Watchdog => "watchdog",
            ServiceResult::StartLimitHit => "start-limit-hit",
            ServiceResult::OomKill => "oom-kill",
        }
    }
}

impl fmt::Display for ServiceResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_states_map_to_systemd_active_states() {
        assert_eq!(
            ServiceState::AutoRestart.active_state(),
            ActiveState::Activating
        );
        assert_eq!(ServiceState::Exited.active_state(), ActiveState::Active);
        assert_eq!(
            ServiceState::StopSigterm.active_state(),
            ActiveState::Deactivating
        );
        assert_eq!(ServiceState::StopSigterm.as_str(), "stop-sigterm");
        assert_eq!(ServiceResult::StartLimitHit.to_string(), "start-limit-hit");
    }
}
