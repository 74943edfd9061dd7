//! ansible-core from PyPI (`pip install ansible-core==2.19.14`) runs a
//! playbook against runr's systemctl face, inside a guest whose PID 1 is
//! runr: no systemd anywhere.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::guest::Guest;

/// Where pip put ansible-playbook for the host's python3; the guest sees
/// the same files.
fn ansible_playbook() -> PathBuf {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_path('scripts'))",
        ])
        .output()
        .expect("python3 runs");
    let scripts = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let playbook = Path::new(&scripts).join("ansible-playbook");
    assert!(
        playbook.exists(),
        "ansible-playbook is missing: pip install ansible-core==2.19.14"
    );
    playbook
}

#[test]
fn a_playbook_of_systemd_service_service_and_service_facts_runs_green() {
    let playbook = ansible_playbook();
    let units = tempfile::tempdir().unwrap();
    std::fs::write(
        units.path().join("db.service"),
        "[Unit]\nDescription=Database\n[Service]\nExecStart=/bin/sh -c 'trap \"echo reloaded\" HUP; while :; do sleep 1; done'\nExecReload=/bin/kill -HUP $MAINPID\n[Install]\nWantedBy=multi-user.target\n",
    )
    .unwrap();
    let book = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/ansible/playbook.yml");
    // A vendor unit, as a package installs it: one in /etc could not be
    // masked (systemctl refuses to replace an administrator's file).
    let files = [
        (
            units.path().join("db.service"),
            "/usr/lib/systemd/system/db.service",
        ),
        (book, "/root/playbook.yml"),
    ];
    let guest = Guest::boot_with_files(None, &files, &["supervisor"]);
    let command = format!(
        "cd /root && ANSIBLE_LOCAL_TEMP=/tmp/ansible ANSIBLE_NOCOLOR=1 {} -i localhost, /root/playbook.yml",
        playbook.display()
    );
    let out = guest.sh(&command);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}\n--- console\n{}",
        String::from_utf8_lossy(&out.stderr),
        guest.console()
    );
    assert!(text.contains("failed=0"), "{text}");
}
