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

/// `$VAR` and `${VAR}` in arguments (the full rules follow with the parser).
pub fn expand_argv(argv: &[String], lookup: &dyn Fn(&str) -> Option<String>) -> Vec<String> {
    argv.iter()
        .map(|a| match a.strip_prefix("${").and_then(|r| r.strip_suffix('}')).or_else(|| a.strip_prefix('$')) {
            Some(name) => lookup(name).unwrap_or_default(),
            None => a.clone(),
        })
        .collect()
}
