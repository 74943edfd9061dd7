//! RuntimeDirectory= and its siblings, created under $RUNR_ROOT (the pod's
//! own root in these tests) with their modes, named in the environment,
//! and the runtime ones removed on stop.

use std::os::unix::fs::PermissionsExt;

use crate::harness::Pod;

#[test]
fn directories_are_created_named_and_the_runtime_ones_removed() {
    let pod = Pod::new(&[]);
    let d = pod.dir().display().to_string();
    pod.add(
        "dirs.service",
        &format!(
            "[Unit]\nDescription=Dirs\n[Service]\nAutostart=yes\nRuntimeDirectory=dirs dirs/sub\nRuntimeDirectoryMode=0750\nStateDirectory=dirs-state\nStateDirectoryMode=0700\nCacheDirectory=dirs\nLogsDirectory=dirs\nConfigurationDirectory=dirs\nExecStart=/bin/sh -c 'echo \"$RUNTIME_DIRECTORY|$STATE_DIRECTORY|$CACHE_DIRECTORY|$LOGS_DIRECTORY|$CONFIGURATION_DIRECTORY\" > {d}/env; touch $RUNTIME_DIRECTORY/x; exec sleep 60'\n"
        ),
    );
    pod.add(
        "keep.service",
        "[Service]\nAutostart=yes\nType=oneshot\nRuntimeDirectory=keep\nRuntimeDirectoryPreserve=yes\nExecStart=/bin/true\n",
    );
    let root = pod.root();
    let r = root.display().to_string();
    let mut sup = pod.start();
    sup.wait_for("Started Dirs.");
    sup.wait_for("Finished keep.service.");
    let mode = |p: &str| {
        std::fs::metadata(root.join(p))
            .map(|m| m.permissions().mode() & 0o7777)
            .unwrap_or(0)
    };
    assert_eq!(mode("run/dirs"), 0o750);
    assert_eq!(mode("run/dirs/sub"), 0o750);
    assert_eq!(mode("var/lib/dirs-state"), 0o700);
    assert_eq!(mode("var/cache/dirs"), 0o755);
    assert_eq!(mode("var/log/dirs"), 0o755);
    assert_eq!(mode("etc/dirs"), 0o755);
    sup.stop();
    let env = std::fs::read_to_string(pod.dir().join("env")).unwrap();
    assert_eq!(
        env.trim(),
        format!(
            "{r}/run/dirs:{r}/run/dirs/sub|{r}/var/lib/dirs-state|{r}/var/cache/dirs|{r}/var/log/dirs|{r}/etc/dirs"
        )
    );
    assert!(!root.join("run/dirs").exists(), "runtime directory left");
    assert!(root.join("var/lib/dirs-state").exists());
    assert!(
        root.join("run/keep").exists(),
        "preserved directory removed"
    );
}

#[test]
fn a_directory_that_cannot_be_made_fails_with_its_step() {
    let pod = Pod::new(&[(
        "blocked.service",
        "[Service]\nAutostart=yes\nStateDirectory=blocked\nExecStart=/bin/true\n",
    )]);
    let root = pod.root();
    std::fs::create_dir_all(root.join("var/lib")).unwrap();
    std::fs::write(root.join("var/lib/blocked"), "a file in the way").unwrap();
    let mut sup = pod.start();
    sup.wait_for("blocked.service: Main process exited, code=exited, status=238/STATE_DIRECTORY");
    let out = sup.stop();
    assert!(
        out.contains(&format!(
            "blocked.service: Failed to set up special execution directory in {}/var/lib: Not a directory",
            root.display()
        )),
        "{out}"
    );
    assert!(
        out.contains(
            "blocked.service: Failed at step STATE_DIRECTORY spawning /bin/true: Not a directory"
        ),
        "{out}"
    );
}
