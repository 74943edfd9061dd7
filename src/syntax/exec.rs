//! Exec lines: the command type (the parser follows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecCommand {
    pub path: String,
    pub argv: Vec<String>,
    pub ignore_failure: bool,
    pub no_argv0: bool,
    pub no_env_expand: bool,
    pub privileged: bool,
    pub no_setuid: bool,
    pub ambient: bool,
}
