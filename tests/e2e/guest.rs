//! A guest: runr booted as PID 1 in private namespaces by tests/guest/guest.sh,
//! torn down (its PID 1 killed by PID) when the value is dropped.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

static NEXT: AtomicUsize = AtomicUsize::new(0);

pub struct Guest {
    pub name: String,
    state: tempfile::TempDir,
    /// One guest at a time: on two cores, guests booted side by side (each
    /// with a database or an Ansible run) starve one another's timeouts.
    _turn: std::sync::MutexGuard<'static, ()>,
}

static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());

pub fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/guest/guest.sh")
}

pub fn runr() -> &'static str {
    env!("CARGO_BIN_EXE_runr")
}

/// Root, unshare and overlayfs are what a guest needs; without them the
/// end-to-end tests cannot run at all, which is a failure, not a skip.
pub fn assert_can_boot_guests() {
    assert!(
        nix::unistd::Uid::effective().is_root(),
        "end-to-end tests boot guests and need root"
    );
}

impl Guest {
    /// Boots a guest whose /etc/systemd/system holds the files of `units`.
    pub fn boot(units: Option<&Path>, args: &[&str]) -> Guest {
        Guest::boot_with_files(units, &[], args)
    }

    /// Boots a guest with units and extra files (host path, guest path).
    pub fn boot_with_files(
        units: Option<&Path>,
        files: &[(PathBuf, &str)],
        args: &[&str],
    ) -> Guest {
        Guest::boot_with(units, files, &[], args)
    }

    /// Boots a guest with units, extra files, and host directories bound
    /// into it (host path, guest path).
    pub fn boot_with(
        units: Option<&Path>,
        files: &[(PathBuf, &str)],
        binds: &[(PathBuf, &str)],
        args: &[&str],
    ) -> Guest {
        let name = format!(
            "e2e-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        Guest::boot_named_with(&name, units, files, binds, args)
    }

    /// Boots a guest whose name (and host name) is `name`; each guest has
    /// its own state directory, so names need not be unique.
    pub fn boot_named_with(
        name: &str,
        units: Option<&Path>,
        files: &[(PathBuf, &str)],
        binds: &[(PathBuf, &str)],
        args: &[&str],
    ) -> Guest {
        Guest::boot_in(name, &[], units, files, binds, args)
    }

    /// Boots a guest as the oracle's systemd ran for a capture: host name
    /// "oracle" (journal lines carry it, and on a terminal they are cut to
    /// the width), and guest.sh's `knobs` (`GUEST_NOFILE`, `GUEST_PRLIMIT`,
    /// `GUEST_DROP_CAPS`) set as the oracle had them. The systemctl goldens
    /// were captured with 20,000 open files (`GUEST_NOFILE=20000`), which
    /// `show` reports for a unit with no limits of its own, such as a
    /// masked one.
    pub fn boot_like_the_oracle_with(
        units: &Path,
        files: &[(PathBuf, &str)],
        knobs: &[(&str, &str)],
    ) -> Guest {
        Guest::boot_in("oracle", knobs, Some(units), files, &[], &["supervisor"])
    }

    fn boot_in(
        name: &str,
        knobs: &[(&str, &str)],
        units: Option<&Path>,
        files: &[(PathBuf, &str)],
        binds: &[(PathBuf, &str)],
        args: &[&str],
    ) -> Guest {
        assert_can_boot_guests();
        // A test that failed while holding its turn poisons the lock; the turn
        // is still free.
        let turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
        let name = name.to_string();
        let state = tempfile::Builder::new()
            .prefix("runr-guests-")
            .tempdir()
            .expect("temp dir");
        let mut cmd = Command::new(script());
        cmd.env("GUEST_STATE", state.path())
            .args(["start", &name, runr()])
            .args(args);
        if let Some(units) = units {
            cmd.env("GUEST_UNITS", units);
        }
        cmd.envs(knobs.iter().copied());
        let pairs: Vec<String> = files
            .iter()
            .map(|(host, guest)| format!("{}:{guest}", host.display()))
            .collect();
        cmd.env("GUEST_FILES", pairs.join(" "));
        let binds: Vec<String> = binds
            .iter()
            .map(|(host, guest)| format!("{}:{guest}", host.display()))
            .collect();
        cmd.env("GUEST_BIND", binds.join(" "));
        let out = cmd.output().expect("guest.sh runs");
        let guest = Guest {
            name,
            state,
            _turn: turn,
        };
        assert!(
            out.status.success(),
            "guest did not boot: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            guest.console()
        );
        guest
    }

    pub fn exec(&self, argv: &[&str]) -> Output {
        Command::new(script())
            .env("GUEST_STATE", self.state.path())
            .args(["exec", &self.name, "--"])
            .args(argv)
            .output()
            .expect("guest.sh exec runs")
    }

    /// Runs a shell command line in the guest.
    pub fn sh(&self, line: &str) -> Output {
        self.exec(&["/bin/sh", "-c", line])
    }

    /// What PID 1 has printed so far.
    pub fn console(&self) -> String {
        std::fs::read_to_string(self.state.path().join(&self.name).join("console.log"))
            .unwrap_or_default()
    }
}

impl Guest {
    /// Waits (up to 10 s) until PID 1 has printed `text`.
    pub fn wait_for_console(&self, text: &str) -> bool {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::time::Instant::now() < deadline {
            if self.console().contains(text) {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        false
    }
}

impl Drop for Guest {
    fn drop(&mut self) {
        let _ = Command::new(script())
            .env("GUEST_STATE", self.state.path())
            .args(["stop", &self.name])
            .output();
    }
}

impl Guest {
    /// The host PID of the guest's PID 1.
    pub fn pid1(&self) -> i32 {
        std::fs::read_to_string(self.state.path().join(&self.name).join("pid"))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    }

    /// Runs `line` in the guest until it succeeds (up to 30 s).
    pub fn wait_until_ok(&self, line: &str) -> std::process::Output {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let out = self.sh(line);
            if out.status.success() || std::time::Instant::now() > deadline {
                return out;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
}

impl Guest {
    /// The exit status of the guest's PID 1, once it has exited (up to 60 s).
    pub fn exit_status(&self) -> Option<i32> {
        let path = self.state.path().join(&self.name).join("exit-status");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while std::time::Instant::now() < deadline {
            if let Ok(text) = std::fs::read_to_string(&path) {
                return text.trim().parse().ok();
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        None
    }
}
