use super::*;
use crate::config::search_path::SearchPath;
use std::path::Path;

const SVC: &str = "[Service]\nExecStart=/bin/true\n";

fn described(text: &str) -> String {
    format!("[Unit]\nDescription={text}\n{SVC}")
}

/// A file's modification time `secs` from now (the kernel's coarse clock
/// gives changes made within milliseconds the same time).
fn touch(path: &Path, secs: i64) {
    let now = std::time::SystemTime::now();
    let delta = std::time::Duration::from_secs(secs.unsigned_abs());
    let when = if secs < 0 { now - delta } else { now + delta };
    std::fs::File::open(path)
        .unwrap()
        .set_modified(when)
        .unwrap();
}

fn manager(dir: &Path) -> Manager {
    touch(dir, -60);
    Manager::new(Loader::new(
        SearchPath::new([dir.to_path_buf()]).with_dialect(crate::config::Dialect::Systemd),
    ))
}

fn description(m: &Manager, name: &str) -> Option<String> {
    m.units.get(name)?.unit.description.clone()
}

#[test]
fn a_unit_file_written_after_boot_is_found_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut m = manager(dir.path());
    assert_eq!(m.resolve("late.service"), None);
    std::fs::write(dir.path().join("late.service"), SVC).unwrap();
    assert_eq!(m.resolve("late.service").as_deref(), Some("late.service"));
}

#[test]
fn a_kept_unit_stays_as_read_and_another_is_read_again() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.service"), dir.path().join("b.service"));
    std::fs::write(&a, described("a1")).unwrap();
    std::fs::write(&b, described("b1")).unwrap();
    let mut m = manager(dir.path());
    // a has run (it has a runtime); nothing holds b.
    m.runtimes.insert(
        "a.service".into(),
        UnitRuntime::Passive(PassiveState::default()),
    );
    assert!(m.is_kept("a.service") && !m.is_kept("b.service"));
    for (path, text) in [(&a, "a2"), (&b, "b2")] {
        std::fs::write(path, described(text)).unwrap();
        touch(path, 60);
    }
    assert_eq!(m.resolve("a.service").as_deref(), Some("a.service"));
    assert_eq!(description(&m, "a.service").as_deref(), Some("a1"));
    let a_unit = m.units.get("a.service").unwrap().clone();
    assert!(m.need_daemon_reload(&a_unit));
    assert_eq!(m.resolve("b.service").as_deref(), Some("b.service"));
    assert_eq!(description(&m, "b.service").as_deref(), Some("b2"));
    let b_unit = m.units.get("b.service").unwrap().clone();
    assert!(!m.need_daemon_reload(&b_unit));
    // Its file removed, b is gone; a, kept, is still there.
    std::fs::remove_file(&b).unwrap();
    std::fs::remove_file(&a).unwrap();
    assert_eq!(m.resolve("b.service"), None);
    assert_eq!(m.resolve("a.service").as_deref(), Some("a.service"));
    // daemon-reload reads a again: its file is gone.
    m.runtimes.clear();
    m.reread_unit_files();
    assert_eq!(m.resolve("a.service"), None);
}
