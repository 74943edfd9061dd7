//! The typed unit model: what a unit file says once parsed, before the
//! engine acts on it. The [Unit] and [Install] parts every unit type shares
//! live here; `service.rs`, `timer.rs` hold the type-specific sections.
//!
//! Calendar events (`OnCalendar=`) are kept as written: they are parsed
//! when the timer is scheduled.

use std::path::PathBuf;

use crate::syntax::Usec;

use super::diagnostics::Diagnostic;
use super::service::Service;
use super::timer::Timer;

/// Declares an enum with systemd's spelling of each variant, and the lookup
/// both ways.
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// systemd's `*_from_string()`.
            pub fn from_name(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }

            /// systemd's `*_to_string()`.
            pub fn name(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}
pub(crate) use named_enum;

/// The unit types runr knows by suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnitType {
    Service,
    Timer,
    Target,
    Socket,
    Mount,
    Automount,
    Swap,
    Path,
    Slice,
    Scope,
    Device,
}

impl UnitType {
    pub fn from_suffix(suffix: &str) -> Option<Self> {
        Some(match suffix {
            "service" => UnitType::Service,
            "timer" => UnitType::Timer,
            "target" => UnitType::Target,
            "socket" => UnitType::Socket,
            "mount" => UnitType::Mount,
            "automount" => UnitType::Automount,
            "swap" => UnitType::Swap,
            "path" => UnitType::Path,
            "slice" => UnitType::Slice,
            "scope" => UnitType::Scope,
            "device" => UnitType::Device,
            _ => return None,
        })
    }

    pub fn suffix(self) -> &'static str {
        match self {
            UnitType::Service => "service",
            UnitType::Timer => "timer",
            UnitType::Target => "target",
            UnitType::Socket => "socket",
            UnitType::Mount => "mount",
            UnitType::Automount => "automount",
            UnitType::Swap => "swap",
            UnitType::Path => "path",
            UnitType::Slice => "slice",
            UnitType::Scope => "scope",
            UnitType::Device => "device",
        }
    }

    /// The section named after the type (`[Service]`), if it has one.
    pub fn own_section(self) -> Option<&'static str> {
        Some(match self {
            UnitType::Service => "Service",
            UnitType::Timer => "Timer",
            UnitType::Socket => "Socket",
            UnitType::Mount => "Mount",
            UnitType::Automount => "Automount",
            UnitType::Swap => "Swap",
            UnitType::Path => "Path",
            UnitType::Slice => "Slice",
            UnitType::Scope => "Scope",
            UnitType::Target | UnitType::Device => return None,
        })
    }
}

named_enum!(
    /// `SuccessAction=`, `FailureAction=`, `StartLimitAction=`, ...
    EmergencyAction {
        None => "none",
        Reboot => "reboot",
        RebootForce => "reboot-force",
        RebootImmediate => "reboot-immediate",
        Poweroff => "poweroff",
        PoweroffForce => "poweroff-force",
        PoweroffImmediate => "poweroff-immediate",
        Exit => "exit",
        ExitForce => "exit-force",
    }
);

named_enum!(
    /// `OnFailureJobMode=`, `OnSuccessJobMode=`.
    JobMode {
        Fail => "fail",
        Replace => "replace",
        ReplaceIrreversibly => "replace-irreversibly",
        Isolate => "isolate",
        Flush => "flush",
        IgnoreDependencies => "ignore-dependencies",
        IgnoreRequirements => "ignore-requirements",
        Trigger => "trigger",
    }
);

named_enum!(
    /// `CollectMode=`.
    CollectMode {
        Inactive => "inactive",
        InactiveOrFailed => "inactive-or-failed",
    }
);

named_enum!(
    /// The kinds of dependency [Unit] can declare.
    DependencyKind {
        Requires => "Requires",
        Requisite => "Requisite",
        Wants => "Wants",
        BindsTo => "BindsTo",
        Upholds => "Upholds",
        PartOf => "PartOf",
        Conflicts => "Conflicts",
        Before => "Before",
        After => "After",
        OnSuccess => "OnSuccess",
        OnFailure => "OnFailure",
        PropagatesReloadTo => "PropagatesReloadTo",
        ReloadPropagatedFrom => "ReloadPropagatedFrom",
        PropagatesStopTo => "PropagatesStopTo",
        StopPropagatedFrom => "StopPropagatedFrom",
        JoinsNamespaceOf => "JoinsNamespaceOf",
    }
);

impl DependencyKind {
    /// The key that declares it, old spellings included.
    pub fn from_key(key: &str) -> Option<Self> {
        Some(match key {
            "BindTo" => DependencyKind::BindsTo,
            "PropagateReloadTo" => DependencyKind::PropagatesReloadTo,
            "PropagateReloadFrom" => DependencyKind::ReloadPropagatedFrom,
            _ => return Self::from_name(key),
        })
    }
}

/// One `Condition*=` or `Assert*=` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The part of the key after `Condition`/`Assert`, e.g. `PathExists`.
    pub kind: String,
    /// `|`: the unit runs if any triggering condition holds.
    pub trigger: bool,
    /// `!`: the condition is negated.
    pub negate: bool,
    pub value: String,
}

/// The [Unit] section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitSection {
    pub description: Option<String>,
    pub documentation: Vec<String>,
    /// Every dependency in file order, with its kind.
    pub dependencies: Vec<(DependencyKind, String)>,
    pub requires_mounts_for: Vec<String>,
    pub conditions: Vec<Condition>,
    pub asserts: Vec<Condition>,
    pub start_limit_interval: Option<Usec>,
    pub start_limit_burst: Option<u32>,
    pub start_limit_action: Option<EmergencyAction>,
    pub default_dependencies: bool,
    pub stop_when_unneeded: bool,
    pub refuse_manual_start: bool,
    pub refuse_manual_stop: bool,
    pub allow_isolate: bool,
    pub ignore_on_isolate: bool,
    pub success_action: EmergencyAction,
    pub failure_action: EmergencyAction,
    pub on_failure_job_mode: Option<JobMode>,
    pub on_success_job_mode: Option<JobMode>,
    pub collect_mode: Option<CollectMode>,
    pub job_timeout: Option<Usec>,
    pub source_path: Option<String>,
}

impl Default for UnitSection {
    fn default() -> Self {
        UnitSection {
            description: None,
            documentation: Vec::new(),
            dependencies: Vec::new(),
            requires_mounts_for: Vec::new(),
            conditions: Vec::new(),
            asserts: Vec::new(),
            start_limit_interval: None,
            start_limit_burst: None,
            start_limit_action: None,
            default_dependencies: true,
            stop_when_unneeded: false,
            refuse_manual_start: false,
            refuse_manual_stop: false,
            allow_isolate: false,
            ignore_on_isolate: false,
            success_action: EmergencyAction::None,
            failure_action: EmergencyAction::None,
            on_failure_job_mode: None,
            on_success_job_mode: None,
            collect_mode: None,
            job_timeout: None,
            source_path: None,
        }
    }
}

impl UnitSection {
    /// The units named by dependencies of one kind, in file order.
    pub fn dependencies_of(&self, kind: DependencyKind) -> impl Iterator<Item = &str> {
        self.dependencies
            .iter()
            .filter(move |(k, _)| *k == kind)
            .map(|(_, n)| n.as_str())
    }
}

/// The [Install] section: read by enable/disable, not by the manager.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstallSection {
    pub wanted_by: Vec<String>,
    pub required_by: Vec<String>,
    pub also: Vec<String>,
    pub alias: Vec<String>,
    pub default_instance: Option<String>,
}

/// What the type-specific sections said.
#[derive(Debug, Clone, PartialEq)]
pub enum UnitBody {
    Service(Box<Service>),
    Timer(Box<Timer>),
    Target,
    /// A type runr reads the common sections of but does not run.
    Other,
}

/// systemd's load states, as `systemctl show -p LoadState` prints them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadState {
    Loaded,
    NotFound,
    /// A setting made the unit unusable.
    BadSetting,
    /// The file could not be read or parsed; the text is `strerror()`'s.
    Error(String),
    Masked,
}

impl LoadState {
    pub fn name(&self) -> &'static str {
        match self {
            LoadState::Loaded => "loaded",
            LoadState::NotFound => "not-found",
            LoadState::BadSetting => "bad-setting",
            LoadState::Error(_) => "error",
            LoadState::Masked => "masked",
        }
    }
}

/// One unit as loaded: where it came from, what it says, what went wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// The name asked for (`foo@bar.service`, or an alias).
    pub name: String,
    pub unit_type: UnitType,
    /// The main file, if any was found (for an instance: the template's).
    pub fragment_path: Option<PathBuf>,
    /// Drop-ins applied, in the order applied.
    pub dropin_paths: Vec<PathBuf>,
    /// Other names of this unit (symlinks in the search path).
    pub aliases: Vec<String>,
    /// Units this one wants or requires through `*.wants/`, `*.requires/`
    /// symlinks in the search path.
    pub wants_from_symlinks: Vec<String>,
    pub requires_from_symlinks: Vec<String>,
    pub unit: UnitSection,
    pub install: InstallSection,
    pub body: UnitBody,
    pub load_state: LoadState,
    /// What the files said about themselves, in the order systemd says it.
    pub diagnostics: Vec<Diagnostic>,
    /// The dialect its main file was read in (its defaults are applied).
    pub dialect: super::dialect::Dialect,
    /// When its files had last changed when they were read.
    pub source_times: SourceTimes,
}

/// The modification times (µs since the epoch) of the files a unit was
/// read from, as they were when it was loaded: `NeedDaemonReload=`
/// compares the files on disk with them, as systemd does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SourceTimes {
    /// The fragment's (its links followed).
    pub fragment: u64,
    /// The newest drop-in's.
    pub dropins: u64,
}

impl Unit {
    pub fn service(&self) -> Option<&Service> {
        match &self.body {
            UnitBody::Service(s) => Some(s),
            _ => None,
        }
    }

    pub fn timer(&self) -> Option<&Timer> {
        match &self.body {
            UnitBody::Timer(t) => Some(t),
            _ => None,
        }
    }

    /// The instance part of `foo@bar.service` (`bar`), if any.
    pub fn instance(&self) -> Option<&str> {
        let (_, rest) = self.name.split_once('@')?;
        let (instance, _) = rest.rsplit_once('.')?;
        (!instance.is_empty()).then_some(instance)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_enums_round_trip() {
        for a in EmergencyAction::ALL {
            assert_eq!(EmergencyAction::from_name(a.name()), Some(*a));
        }
        assert_eq!(JobMode::from_name("isolate"), Some(JobMode::Isolate));
        assert_eq!(JobMode::from_name("nope"), None);
    }

    #[test]
    fn old_dependency_spellings() {
        assert_eq!(
            DependencyKind::from_key("BindTo"),
            Some(DependencyKind::BindsTo)
        );
        assert_eq!(
            DependencyKind::from_key("After"),
            Some(DependencyKind::After)
        );
        assert_eq!(DependencyKind::from_key("Description"), None);
    }

    #[test]
    fn unit_type_by_suffix() {
        assert_eq!(UnitType::from_suffix("timer"), Some(UnitType::Timer));
        assert_eq!(UnitType::from_suffix("conf"), None);
        assert_eq!(UnitType::Service.own_section(), Some("Service"));
        assert_eq!(UnitType::Target.own_section(), None);
    }
}
