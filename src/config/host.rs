//! The facts about this machine that specifiers print (`%H %m %b %v %a
//! %o %w ...`), read once per process.

use std::sync::OnceLock;

use crate::syntax::specifier::{OsRelease, SpecifierContext};

#[derive(Debug, Clone, Default)]
struct HostFacts {
    hostname: String,
    machine_id: Option<String>,
    boot_id: Option<String>,
    kernel_release: String,
    architecture: String,
    os_release: Option<OsRelease>,
}

fn read_trimmed(path: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let value = text.trim().to_string();
    (!value.is_empty()).then_some(value)
}

/// systemd's names for the architectures (`%a`).
fn architecture_name(machine: &str) -> String {
    match machine {
        "x86_64" => "x86-64",
        "aarch64" => "arm64",
        "i686" | "i586" | "i486" | "i386" => "x86",
        "ppc64le" => "ppc64-le",
        "riscv64" => "riscv64",
        "s390x" => "s390x",
        other => other,
    }
    .to_string()
}

fn os_release() -> Option<OsRelease> {
    let text = std::fs::read_to_string("/etc/os-release")
        .or_else(|_| std::fs::read_to_string("/usr/lib/os-release"))
        .ok()?;
    let fields = crate::syntax::environment::parse_environment_file(&text);
    let get = |key: &str| {
        fields
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    Some(OsRelease {
        id: get("ID"),
        version_id: get("VERSION_ID"),
        build_id: get("BUILD_ID"),
        variant_id: get("VARIANT_ID"),
        image_id: get("IMAGE_ID"),
        image_version: get("IMAGE_VERSION"),
    })
}

fn facts() -> &'static HostFacts {
    static FACTS: OnceLock<HostFacts> = OnceLock::new();
    FACTS.get_or_init(|| {
        let uname = nix::sys::utsname::uname().ok();
        HostFacts {
            hostname: nix::unistd::gethostname()
                .map(|h| h.to_string_lossy().into_owned())
                .unwrap_or_default(),
            machine_id: read_trimmed("/etc/machine-id"),
            boot_id: read_trimmed("/proc/sys/kernel/random/boot_id").map(|id| id.replace('-', "")),
            kernel_release: uname
                .as_ref()
                .map(|u| u.release().to_string_lossy().into_owned())
                .unwrap_or_default(),
            architecture: uname
                .as_ref()
                .map(|u| architecture_name(&u.machine().to_string_lossy()))
                .unwrap_or_default(),
            os_release: os_release(),
        }
    })
}

/// The specifier context of a system unit on this machine.
pub fn specifier_context(unit_name: &str) -> SpecifierContext {
    let facts = facts();
    let mut context = SpecifierContext::for_system_unit(unit_name);
    context.hostname = facts.hostname.clone();
    context.machine_id = facts.machine_id.clone();
    context.boot_id = facts.boot_id.clone();
    context.kernel_release = facts.kernel_release.clone();
    context.architecture = facts.architecture.clone();
    context.os_release = facts.os_release.clone();
    context
}
