//! How the manager ends: `systemctl poweroff`, `reboot`, `halt`, `kexec`
//! and `exit [CODE]` (and `shutdown`, `telinit 0`, `poweroff` ... which ask
//! the same), now or at a time, and what PID 1 does last.
//!
//! systemd 252 in a container stops every unit, logs "Shutting down." and
//! hands over to systemd-shutdown, which for `exit` exits with the code
//! set (`systemctl exit 42`: 42) and otherwise calls reboot(2). In a pid
//! namespace the kernel does not reboot anything: it kills the
//! namespace's PID 1, which its parent then sees killed by SIGINT
//! (poweroff, halt) or SIGHUP (reboot; kexec, which a container cannot do,
//! is a reboot). Without CAP_SYS_BOOT reboot(2) fails and systemd-shutdown
//! exits 0 ("Exiting container."). runr as PID 1 does the same. As an
//! ordinary process (`runr supervisor` under a test or a shell) it ends
//! with the status its parent would see of a container's PID 1: the exit
//! code, or killed by that signal; it never calls reboot(2) then.

use nix::sys::signal::Signal;

use crate::control::types::{ShutdownAction, ShutdownPlan};
use crate::syntax::Usec;

/// What the supervisor's loop ends with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupervisorEnd {
    /// Exit with this status (SIGTERM, Restart=halt, `systemctl exit`).
    Exit(u8),
    /// poweroff, reboot, halt or kexec: PID 1 asks the kernel.
    Power(ShutdownAction),
}

impl SupervisorEnd {
    pub fn of(plan: &ShutdownPlan) -> SupervisorEnd {
        match plan.action {
            ShutdownAction::Exit => SupervisorEnd::Exit(plan.exit_code),
            action => SupervisorEnd::Power(action),
        }
    }
}

/// The shutdown asked for and the one scheduled, as logind keeps a
/// scheduled shutdown: one at a time (a new one replaces it), shown until
/// it is cancelled, and still shown once its time came and the pod is
/// going down; a dry run (`shutdown -k`) is forgotten when its time comes.
#[derive(Debug, Default)]
pub struct ShutdownState {
    scheduled: Option<ShutdownPlan>,
    /// The scheduled shutdown's time came.
    elapsed: bool,
    /// What the supervisor's loop is to carry out now.
    due: Option<ShutdownPlan>,
}

impl ShutdownState {
    /// A request of the API: now, or at `plan.when` (at once if that has
    /// passed). Answers the plan as accepted.
    pub fn request(&mut self, plan: ShutdownPlan, now_realtime: Usec) -> ShutdownPlan {
        if plan.when.is_some() {
            self.scheduled = Some(plan.clone());
            self.elapsed = false;
            self.fire_due(now_realtime);
        } else if !plan.dry_run {
            self.due = Some(plan.clone());
        }
        plan
    }

    /// Carries out the scheduled shutdown once its time has come.
    pub fn fire_due(&mut self, now_realtime: Usec) {
        let Some(plan) = self.scheduled.as_ref().filter(|_| !self.elapsed) else {
            return;
        };
        if plan.when.is_some_and(|when| when.as_usec() > now_realtime) {
            return;
        }
        if plan.dry_run {
            self.scheduled = None;
        } else {
            self.elapsed = true;
            self.due = Some(ShutdownPlan {
                when: None,
                ..plan.clone()
            });
        }
    }

    /// The realtime instant the loop must wake at, if any.
    pub fn deadline_realtime(&self) -> Option<Usec> {
        self.scheduled
            .as_ref()
            .filter(|_| !self.elapsed)
            .and_then(|plan| plan.when)
            .map(|when| when.as_usec())
    }

    pub fn scheduled(&self) -> Option<&ShutdownPlan> {
        self.scheduled.as_ref()
    }

    /// `shutdown -c`: what was scheduled, if its time has not come yet
    /// (then the pod is already going down). Err(plan) when it had.
    pub fn cancel(&mut self) -> Result<Option<ShutdownPlan>, ShutdownPlan> {
        match (&self.scheduled, self.elapsed) {
            (Some(plan), true) => Err(plan.clone()),
            _ => Ok(self.scheduled.take()),
        }
    }

    /// The shutdown to carry out now, once.
    pub fn take_due(&mut self) -> Option<ShutdownPlan> {
        self.due.take()
    }
}

/// The signal the kernel ends a pid namespace's PID 1 with when it calls
/// reboot(2) for `action` (kernel/pid_namespace.c, reboot_pid_ns()).
pub fn namespace_signal(action: ShutdownAction) -> Signal {
    match action {
        ShutdownAction::Reboot | ShutdownAction::Kexec => Signal::SIGHUP,
        _ => Signal::SIGINT,
    }
}

/// The last act of `runr supervisor` after poweroff, reboot, halt or
/// kexec, once the units are down and the logs are closed. As PID 1:
/// sync(2) and reboot(2), which in a container ends PID 1 (the kernel
/// kills it) and on a machine powers it off or reboots it; without the
/// privilege, "Exiting container." and 0, as systemd-shutdown. As any other
/// process: killed by the signal a container's PID 1 would be killed by.
/// Returns the exit status when the process is still there.
pub fn end(action: ShutdownAction) -> u8 {
    if std::process::id() == 1 {
        return reboot_as_pid1(action);
    }
    let signal = namespace_signal(action);
    // SAFETY: restoring the default disposition of one signal; nothing
    // runs after this but the raise that ends the process.
    unsafe {
        let _ = nix::sys::signal::signal(signal, nix::sys::signal::SigHandler::SigDfl);
    }
    let mut unblock = nix::sys::signal::SigSet::empty();
    unblock.add(signal);
    let _ = unblock.thread_unblock();
    let _ = nix::sys::signal::raise(signal);
    128 + signal as u8
}

fn reboot_as_pid1(action: ShutdownAction) -> u8 {
    use nix::sys::reboot::{RebootMode, reboot};
    nix::unistd::sync();
    let in_container = matches!(
        super::conditions::detect_virtualization(),
        super::conditions::Virtualization::Container(_)
    );
    let (mode, words) = match action {
        ShutdownAction::Halt => (RebootMode::RB_HALT_SYSTEM, "Halting system."),
        ShutdownAction::Kexec if !in_container && kexec_loaded() => {
            (RebootMode::RB_KEXEC, "Rebooting with kexec.")
        }
        ShutdownAction::Reboot | ShutdownAction::Kexec => (RebootMode::RB_AUTOBOOT, "Rebooting."),
        _ => (RebootMode::RB_POWER_OFF, "Powering off."),
    };
    console(words);
    match reboot(mode) {
        Err(nix::errno::Errno::EPERM) if in_container => {
            console("Exiting container.");
            0
        }
        Err(e) => {
            console(&format!("Failed to invoke reboot(): {}", e.desc()));
            1
        }
    }
}

/// A line on the console after the log pipeline has closed, in its form.
fn console(message: &str) {
    println!("runr[{}]: {message}", std::process::id());
}

/// Whether a kexec kernel is loaded (`/sys/kernel/kexec_loaded`).
pub fn kexec_loaded() -> bool {
    std::fs::read_to_string("/sys/kernel/kexec_loaded").is_ok_and(|v| v.trim() == "1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::types::Timestamp;

    fn plan(action: ShutdownAction, when: Option<Usec>, dry_run: bool) -> ShutdownPlan {
        ShutdownPlan {
            action,
            exit_code: 0,
            when: when.map(Timestamp),
            dry_run,
            force: false,
        }
    }

    #[test]
    fn a_shutdown_now_is_due_at_once() {
        let mut state = ShutdownState::default();
        state.request(plan(ShutdownAction::Reboot, None, false), 100);
        assert_eq!(state.take_due().unwrap().action, ShutdownAction::Reboot);
        assert_eq!(state.take_due(), None);
        assert_eq!(state.scheduled(), None);
    }

    #[test]
    fn a_scheduled_shutdown_waits_for_its_time_and_stays_shown() {
        let mut state = ShutdownState::default();
        state.request(plan(ShutdownAction::Poweroff, Some(500), false), 100);
        assert_eq!(state.deadline_realtime(), Some(500));
        state.fire_due(499);
        assert_eq!(state.take_due(), None);
        state.fire_due(500);
        assert_eq!(state.take_due().unwrap().when, None);
        assert_eq!(state.deadline_realtime(), None);
        assert!(state.scheduled().is_some(), "still shown while going down");
        assert!(state.cancel().is_err(), "too late to cancel");
    }

    #[test]
    fn a_new_time_replaces_the_old_and_cancel_forgets_it() {
        let mut state = ShutdownState::default();
        state.request(plan(ShutdownAction::Poweroff, Some(500), false), 100);
        state.request(plan(ShutdownAction::Reboot, Some(700), false), 100);
        assert_eq!(state.scheduled().unwrap().action, ShutdownAction::Reboot);
        assert_eq!(
            state.cancel().unwrap().unwrap().action,
            ShutdownAction::Reboot
        );
        assert_eq!(state.cancel(), Ok(None));
        state.fire_due(1_000);
        assert_eq!(state.take_due(), None);
    }

    #[test]
    fn a_dry_run_is_forgotten_when_its_time_comes() {
        let mut state = ShutdownState::default();
        state.request(plan(ShutdownAction::Poweroff, Some(50), true), 100);
        assert_eq!(state.scheduled(), None);
        assert_eq!(state.take_due(), None);
        state.request(plan(ShutdownAction::Poweroff, None, true), 100);
        assert_eq!(state.take_due(), None);
    }

    #[test]
    fn the_kernel_ends_a_namespace_as_the_oracle_showed() {
        assert_eq!(namespace_signal(ShutdownAction::Poweroff), Signal::SIGINT);
        assert_eq!(namespace_signal(ShutdownAction::Halt), Signal::SIGINT);
        assert_eq!(namespace_signal(ShutdownAction::Reboot), Signal::SIGHUP);
        assert_eq!(namespace_signal(ShutdownAction::Kexec), Signal::SIGHUP);
    }
}
