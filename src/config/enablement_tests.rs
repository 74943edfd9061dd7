use super::*;
use std::os::unix::fs::symlink;

struct Tree {
    dir: tempfile::TempDir,
}

impl Tree {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        for d in ["etc/systemd/system", "usr/lib/systemd/system", "opt"] {
            fs::create_dir_all(dir.path().join(d)).unwrap();
        }
        Tree { dir }
    }

    fn file(&self, logical: &str, text: &str) {
        let p = self.dir.path().join(logical.trim_start_matches('/'));
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    fn installer(&self) -> Installer {
        Installer::new(InstallPaths::with_root(self.dir.path()))
    }

    fn root(&self) -> String {
        self.dir.path().display().to_string()
    }
}

const SIMPLE: &str = "[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\nAlias=other.service\n";

#[test]
fn enable_makes_alias_then_wants_links_and_disable_removes_them() {
    let tree = Tree::new();
    tree.file("/etc/systemd/system/a.service", SIMPLE);
    let i = tree.installer();
    assert_eq!(i.state("a.service").unwrap(), UnitFileState::Disabled);
    let out = i.enable(&["a.service".into()], false, false);
    let r = tree.root();
    assert_eq!(
        out.changes,
        vec![
            Change::Symlink {
                link: format!("{r}/etc/systemd/system/other.service"),
                target: "/etc/systemd/system/a.service".into()
            },
            Change::Symlink {
                link: format!("{r}/etc/systemd/system/multi-user.target.wants/a.service"),
                target: "/etc/systemd/system/a.service".into()
            },
        ]
    );
    assert!(!out.failed && out.carries_install_info);
    assert_eq!(i.state("a.service").unwrap(), UnitFileState::Enabled);
    assert_eq!(i.state("other.service").unwrap(), UnitFileState::Alias);
    // Again: nothing to do.
    assert!(
        i.enable(&["a.service".into()], false, false)
            .changes
            .is_empty()
    );
    let links = i.disable(&["a.service".into()], false, true);
    assert_eq!(links.changes.len(), 2);
    let out = i.disable(&["a.service".into()], false, false);
    assert_eq!(out.changes.len(), 2);
    assert_eq!(i.state("a.service").unwrap(), UnitFileState::Disabled);
    assert!(i.state("other.service").is_err());
    assert!(
        !tree
            .dir
            .path()
            .join("etc/systemd/system/multi-user.target.wants")
            .exists()
    );
}

#[test]
fn static_masked_indirect_and_linked_states() {
    let tree = Tree::new();
    tree.file(
        "/usr/lib/systemd/system/s.service",
        "[Service]\nExecStart=/bin/true\n",
    );
    tree.file(
        "/usr/lib/systemd/system/t@.service",
        SIMPLE.replace("Alias=other.service\n", "").as_str(),
    );
    tree.file("/opt/l.service", SIMPLE);
    let i = tree.installer();
    assert_eq!(i.state("s.service").unwrap(), UnitFileState::Static);
    assert_eq!(i.state("t@.service").unwrap(), UnitFileState::Disabled);
    assert_eq!(i.state("t@x.service").unwrap(), UnitFileState::Disabled);
    let e = i.enable(&["t@.service".into()], false, false);
    assert_eq!(
        e.problems,
        vec![InstallError::NonTemplateDestination {
            unit: "t@.service".into(),
            destination: "multi-user.target".into()
        }]
    );
    assert!(!i.enable(&["t@x.service".into()], false, false).failed);
    assert_eq!(i.state("t@.service").unwrap(), UnitFileState::Indirect);
    assert_eq!(i.state("t@x.service").unwrap(), UnitFileState::Enabled);
    assert_eq!(i.state("t@y.service").unwrap(), UnitFileState::Disabled);
    let (masked, missing) = i.mask(&["s.service".into(), "none.service".into()], false, false);
    assert_eq!(masked.changes.len(), 2);
    assert_eq!(missing, vec!["none.service".to_string()]);
    assert_eq!(i.state("s.service").unwrap(), UnitFileState::Masked);
    assert_eq!(
        i.enable(&["s.service".into()], false, false).problems,
        vec![InstallError::Masked(format!(
            "{}/etc/systemd/system/s.service",
            tree.root()
        ))]
    );
    assert_eq!(i.unmask(&["s.service".into()], false).changes.len(), 1);
    assert_eq!(i.state("s.service").unwrap(), UnitFileState::Static);
    let linked = i.link(&["/opt/l.service".into()], false, false);
    assert_eq!(linked.changes.len(), 1);
    assert_eq!(i.state("l.service").unwrap(), UnitFileState::Linked);
    assert!(!i.enable(&["l.service".into()], false, false).failed);
    assert_eq!(i.state("l.service").unwrap(), UnitFileState::Enabled);
}

#[test]
fn mask_refuses_a_real_file_and_missing_units_are_errors() {
    let tree = Tree::new();
    tree.file("/etc/systemd/system/f.service", SIMPLE);
    let i = tree.installer();
    let (out, _) = i.mask(&["f.service".into()], false, false);
    assert_eq!(
        out.problems,
        vec![InstallError::Exists(format!(
            "{}/etc/systemd/system/f.service",
            tree.root()
        ))]
    );
    assert_eq!(
        i.state("nope.service").unwrap_err(),
        InstallError::NotFound("nope.service".into())
    );
    let out = i.disable(&["nope.service".into()], false, false);
    assert!(!out.failed);
    assert_eq!(out.problems.len(), 1);
}

#[test]
fn presets_first_match_wins_and_default_is_enable() {
    let tree = Tree::new();
    tree.file(
        "/usr/lib/systemd/system-preset/90-x.preset",
        "# c\ndisable b*.service\nenable *\n",
    );
    tree.file(
        "/etc/systemd/system-preset/10-y.preset",
        "enable bee.service\n",
    );
    let i = tree.installer();
    assert_eq!(i.preset("bee.service"), Preset::Enable);
    assert_eq!(i.preset("bar.service"), Preset::Disable);
    assert_eq!(i.preset("foo.service"), Preset::Enable);
}

#[test]
fn install_specifiers_resolve() {
    assert_eq!(
        install_specifiers("%p-%i.target", "a@b.service"),
        "a-b.target"
    );
    assert_eq!(install_specifiers("%n%%", "x.service"), "x.service%");
}

#[test]
fn symlink_targets_are_normalised() {
    assert_eq!(
        absolutise(Path::new("/etc/x/a.service"), Path::new("../b.service")),
        PathBuf::from("/etc/b.service")
    );
    let tree = Tree::new();
    symlink(
        "/dev/null",
        tree.dir.path().join("etc/systemd/system/m.service"),
    )
    .unwrap();
    assert_eq!(
        tree.installer().state("m.service").unwrap(),
        UnitFileState::Masked
    );
}

#[test]
fn missing_names_are_those_no_file_link_or_mask_answers_to() {
    let tree = Tree::new();
    tree.file("/etc/systemd/system/f.service", SIMPLE);
    tree.file("/usr/lib/systemd/system/t@.service", SIMPLE);
    symlink(
        "/dev/null",
        tree.dir.path().join("etc/systemd/system/m.service"),
    )
    .unwrap();
    let i = tree.installer();
    let names: Vec<String> = ["f.service", "t@x.service", "m.service", "gone.service"]
        .map(String::from)
        .to_vec();
    assert_eq!(i.missing(&names), vec!["gone.service".to_string()]);
}

#[test]
fn set_default_links_default_target_and_get_default_follows_the_link() {
    let tree = Tree::new();
    tree.file("/usr/lib/systemd/system/multi-user.target", "[Unit]\n");
    tree.file("/usr/lib/systemd/system/graphical.target", "[Unit]\n");
    symlink(
        "graphical.target",
        tree.dir
            .path()
            .join("usr/lib/systemd/system/default.target"),
    )
    .unwrap();
    let i = tree.installer();
    let root = tree.root();
    assert_eq!(i.default_target().unwrap(), "graphical.target");
    let link = format!("{root}/etc/systemd/system/default.target");
    let out = i.set_default("multi-user.target");
    assert_eq!(
        out.changes,
        vec![Change::Symlink {
            link: link.clone(),
            target: "/usr/lib/systemd/system/multi-user.target".into()
        }]
    );
    assert_eq!(i.default_target().unwrap(), "multi-user.target");
    // The same target again changes nothing; another replaces the link.
    assert_eq!(i.set_default("multi-user.target"), Outcome::default());
    let out = i.set_default("graphical.target");
    assert_eq!(
        out.changes,
        vec![
            Change::Unlink { path: link.clone() },
            Change::Symlink {
                link: link.clone(),
                target: "/usr/lib/systemd/system/graphical.target".into()
            }
        ]
    );
    // A masked default.target is its own default.
    fs::remove_file(&link).unwrap();
    symlink("/dev/null", &link).unwrap();
    assert_eq!(i.default_target().unwrap(), "default.target");
    assert_eq!(i.set_default("graphical.target").changes.len(), 2);
}

#[test]
fn set_default_refuses_what_is_no_target_and_missing_targets() {
    let tree = Tree::new();
    tree.file("/etc/systemd/system/a.service", SIMPLE);
    let i = tree.installer();
    for name in ["a.service", "default.target"] {
        assert_eq!(
            i.set_default(name).problems,
            vec![InstallError::InvalidArgument]
        );
    }
    let out = i.set_default("nope.target");
    assert!(out.failed);
    assert_eq!(
        out.problems,
        vec![InstallError::NotFound("nope.target".into())]
    );
    assert_eq!(
        out.problems[0].offline_text("set default"),
        "Failed to set default unit, unit nope.target does not exist."
    );
    assert_eq!(
        InstallError::InvalidArgument.offline_text("set default"),
        "Failed to set default: Invalid argument."
    );
    assert_eq!(
        out.problems[0].online_reason(),
        "Unit file nope.target does not exist."
    );
}
