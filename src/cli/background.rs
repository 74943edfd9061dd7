//! `runr background run|list|status|log|stop|remove`: on-demand tasks the
//! supervisor runs (dumps, reindexing, migrations). A task is known by its
//! UUID; a unique prefix of it will do.

use super::output::{Output, Paint, command_line, relative_to, when};
use super::{BackgroundCommand, BackgroundRunArgs, CommandResult, EXIT_SUCCESS, Failure};
use crate::control::client::{Client, ClientError};
use crate::control::types::{BackgroundRunRequest, BackgroundTask, TaskState, Timestamp};
use crate::syntax::timestamp::now_realtime;

pub(super) fn run(client: &Client, out: &Output, command: BackgroundCommand) -> CommandResult {
    match command {
        BackgroundCommand::Run(args) => start(client, out, args),
        BackgroundCommand::List => list(client, out),
        BackgroundCommand::Status { task } => {
            let task = client
                .background_status(&task.id)
                .map_err(|e| task_failure(&task.id, e))?;
            if out.json {
                out.json(&task)?;
            } else {
                out.text(&render_task(&task, out.paint, Timestamp(now_realtime())))?;
            }
            Ok(EXIT_SUCCESS)
        }
        BackgroundCommand::Log { task, tail } => super::logs::task_log(client, out, &task.id, tail)
            .map_err(|f| rename_missing(f, &task.id)),
        BackgroundCommand::Stop { task } => {
            let stopped = client
                .background_stop(&task.id)
                .map_err(|e| task_failure(&task.id, e))?;
            if out.json {
                out.json(&stopped)?;
            }
            Ok(EXIT_SUCCESS)
        }
        BackgroundCommand::Remove { task } => {
            let removed = client
                .background_remove(&task.id)
                .map_err(|e| task_failure(&task.id, e))?;
            if out.json {
                out.json(&removed)?;
            }
            Ok(EXIT_SUCCESS)
        }
    }
}

/// A 404 about a task names the argument as given; other errors as they are.
fn task_failure(id: &str, e: ClientError) -> Failure {
    match e {
        ClientError::Api { status: 404, .. } => Failure::new(
            super::EXIT_NO_SUCH_UNIT,
            format!("no such background task: {id}"),
        ),
        other => Failure::from_client(other),
    }
}

fn rename_missing(failure: Failure, id: &str) -> Failure {
    if failure.code == super::EXIT_NO_SUCH_UNIT {
        Failure::new(failure.code, format!("no such background task: {id}"))
    } else {
        failure
    }
}

fn start(client: &Client, out: &Output, args: BackgroundRunArgs) -> CommandResult {
    let request = BackgroundRunRequest {
        command: args.command,
        env: args.env.into_iter().collect(),
        kill_timeout: args.kill_timeout,
        name: args.name,
    };
    let task = client.background_run(&request)?;
    if out.json {
        out.json(&task)?;
    } else {
        out.line(&task.id)?;
    }
    Ok(EXIT_SUCCESS)
}

fn list(client: &Client, out: &Output) -> CommandResult {
    let tasks = client.background_list()?;
    if out.json {
        out.json(&tasks)?;
        return Ok(EXIT_SUCCESS);
    }
    let now = Timestamp(now_realtime());
    out.table(
        &["ID", "NAME", "STATE", "PID", "STARTED", "COMMAND"],
        task_rows(&tasks, out.paint, now),
    )?;
    Ok(EXIT_SUCCESS)
}

pub fn state_word(state: TaskState) -> &'static str {
    match state {
        TaskState::Running => "running",
        TaskState::Stopping => "stopping",
        TaskState::Succeeded => "succeeded",
        TaskState::Failed => "failed",
        TaskState::Stopped => "stopped",
        TaskState::Lost => "lost",
        TaskState::Exited => "exited (status unknown)",
    }
}

pub fn task_rows(tasks: &[BackgroundTask], paint: Paint, now: Timestamp) -> Vec<Vec<String>> {
    tasks
        .iter()
        .map(|t| {
            vec![
                t.id.clone(),
                t.name.clone().unwrap_or_else(|| "-".to_string()),
                paint.state(state_word(t.state)),
                t.pid.map_or_else(|| "-".to_string(), |p| p.to_string()),
                relative_to(t.started_at, now),
                command_line(&t.command),
            ]
        })
        .collect()
}

pub fn render_task(task: &BackgroundTask, paint: Paint, now: Timestamp) -> String {
    let mut rows = vec![("Task", task.id.clone())];
    if let Some(name) = &task.name {
        rows.push(("Name", name.clone()));
    }
    rows.push(("Command", command_line(&task.command)));
    rows.push(("State", paint.state(state_word(task.state))));
    if let Some(pid) = task.pid {
        rows.push(("PID", pid.to_string()));
    }
    rows.push((
        "Started",
        format!(
            "{}; {}",
            when(task.started_at),
            relative_to(task.started_at, now)
        ),
    ));
    if let Some(finished) = task.finished_at {
        rows.push((
            "Finished",
            format!("{}; {}", when(finished), relative_to(finished, now)),
        ));
    }
    if let Some(code) = task.exit_code {
        rows.push(("Exit code", code.to_string()));
    }
    if let Some(signal) = &task.signal {
        rows.push(("Signal", signal.clone()));
    }
    let mut text = String::new();
    for (label, value) in rows {
        text.push_str(&format!("{:<11}{value}\n", format!("{label}:")));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(state: TaskState) -> BackgroundTask {
        BackgroundTask {
            id: "0d9f5c3e-8f0e-4a57-9a5b-3f1c2d7e9b10".into(),
            name: Some("dump".into()),
            command: vec!["pg_dump".into(), "-f".into(), "/backup/db.sql".into()],
            state,
            pid: Some(311),
            started_at: Timestamp(1_705_320_000_000_000),
            finished_at: None,
            exit_code: None,
            signal: None,
        }
    }

    #[test]
    fn a_running_task_in_a_row() {
        let now = Timestamp(1_705_320_010_000_000);
        assert_eq!(
            task_rows(&[task(TaskState::Running)], Paint::PLAIN, now),
            [[
                "0d9f5c3e-8f0e-4a57-9a5b-3f1c2d7e9b10",
                "dump",
                "running",
                "311",
                "10s ago",
                "pg_dump -f /backup/db.sql"
            ]]
        );
    }

    #[test]
    fn an_ended_task_tells_how() {
        let now = Timestamp(1_705_320_010_000_000);
        let mut t = task(TaskState::Stopped);
        t.pid = None;
        t.finished_at = Some(Timestamp(1_705_320_005_000_000));
        t.signal = Some("SIGKILL".into());
        let text = render_task(&t, Paint::PLAIN, now);
        let labels: Vec<&str> = text
            .lines()
            .map(|l| l.split(':').next().unwrap_or(""))
            .collect();
        assert_eq!(
            labels,
            [
                "Task", "Name", "Command", "State", "Started", "Finished", "Signal"
            ]
        );
        assert!(text.contains("State:     stopped\n"), "{text}");
        assert!(text.contains("; 5s ago\n"), "{text}");
    }
}
