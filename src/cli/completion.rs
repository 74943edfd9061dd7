//! `runr completion bash|zsh|fish`: the completion script, made by
//! clap_complete from the same definitions as the parser.

use std::io::Write;

use clap_complete::Shell;

use super::{CommandResult, EXIT_SUCCESS, ShellArg};

pub fn run(shell: ShellArg) -> CommandResult {
    let shell = match shell {
        ShellArg::Bash => Shell::Bash,
        ShellArg::Zsh => Shell::Zsh,
        ShellArg::Fish => Shell::Fish,
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut super::clap_command(), "runr", &mut script);
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&script)?;
    stdout.flush()?;
    Ok(EXIT_SUCCESS)
}
