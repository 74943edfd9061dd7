//! Unit names (systemd.unit(5), unit-name.c): `prefix[@instance].type`.
//! Validation and the template/instance split the loader needs.

use super::model::UnitType;

const VALID_CHARS: &str = ":-_.\\";
/// systemd's UNIT_NAME_MAX.
pub const UNIT_NAME_MAX: usize = 256;

/// The three shapes a unit name can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameShape {
    /// `foo.service`
    Plain,
    /// `foo@.service`
    Template,
    /// `foo@bar.service`
    Instance,
}

/// Splits a valid unit name into its shape and type; None if invalid.
pub fn classify(name: &str) -> Option<(NameShape, UnitType)> {
    if name.is_empty() || name.len() >= UNIT_NAME_MAX {
        return None;
    }
    let (stem, suffix) = name.rsplit_once('.')?;
    let unit_type = UnitType::from_suffix(suffix)?;
    if stem.is_empty() {
        return None;
    }
    let valid = |c: char| c.is_ascii_alphanumeric() || VALID_CHARS.contains(c);
    let shape = match stem.split_once('@') {
        None => {
            if !stem.chars().all(valid) {
                return None;
            }
            NameShape::Plain
        }
        Some((prefix, instance)) => {
            if prefix.is_empty() || !prefix.chars().all(valid) {
                return None;
            }
            if instance.is_empty() {
                NameShape::Template
            } else if instance.chars().all(|c| valid(c) || c == '@') {
                NameShape::Instance
            } else {
                return None;
            }
        }
    };
    Some((shape, unit_type))
}

pub fn is_valid(name: &str) -> bool {
    classify(name).is_some()
}

/// `foo@bar.service` -> `foo@.service`.
pub fn template_of(name: &str) -> Option<String> {
    let (NameShape::Instance, _) = classify(name)? else {
        return None;
    };
    let (prefix, rest) = name.split_once('@')?;
    let (_, suffix) = rest.rsplit_once('.')?;
    Some(format!("{prefix}@.{suffix}"))
}

/// `foo@bar.service` -> `bar`.
pub fn instance_of(name: &str) -> Option<&str> {
    let (NameShape::Instance, _) = classify(name)? else {
        return None;
    };
    let (_, rest) = name.split_once('@')?;
    rest.rsplit_once('.').map(|(instance, _)| instance)
}

/// `foo@.service` + `bar` -> `foo@bar.service`.
pub fn with_instance(template: &str, instance: &str) -> Option<String> {
    let (prefix, rest) = template.split_once('@')?;
    let (_, suffix) = rest.rsplit_once('.')?;
    let name = format!("{prefix}@{instance}.{suffix}");
    is_valid(&name).then_some(name)
}

/// The type suffix of a name (`service`).
pub fn suffix_of(name: &str) -> Option<&str> {
    name.rsplit_once('.').map(|(_, s)| s)
}

/// The dash-prefixes of a name's stem, longest first, each with a trailing
/// dash: `a-b-c.service` -> [`a-b-`, `a-`]. systemd reads drop-ins of
/// `a-b-.service.d/` and `a-.service.d/` for it.
pub fn dash_prefixes(name: &str) -> Vec<String> {
    let Some((stem, _)) = name.rsplit_once('.') else {
        return Vec::new();
    };
    // For an instance, only the part before '@' is split.
    let base = stem.split_once('@').map_or(stem, |(p, _)| p);
    let mut out = Vec::new();
    for (i, c) in base.char_indices().rev() {
        if c == '-' && i > 0 {
            out.push(base[..=i].to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn shapes() {
        assert_eq!(
            classify("foo.service"),
            Some((NameShape::Plain, UnitType::Service))
        );
        assert_eq!(
            classify("foo@.service"),
            Some((NameShape::Template, UnitType::Service))
        );
        assert_eq!(
            classify("foo@bar.timer"),
            Some((NameShape::Instance, UnitType::Timer))
        );
        assert_eq!(classify("foo"), None);
        assert_eq!(classify(".service"), None);
        assert_eq!(classify("foo.conf"), None);
        assert_eq!(classify("fo o.service"), None);
        assert_eq!(classify("@x.service"), None);
    }

    #[test]
    fn templates_and_instances() {
        assert_eq!(
            template_of("getty@tty1.service").as_deref(),
            Some("getty@.service")
        );
        assert_eq!(instance_of("getty@tty1.service"), Some("tty1"));
        assert_eq!(
            with_instance("getty@.service", "tty2").as_deref(),
            Some("getty@tty2.service")
        );
        assert_eq!(template_of("plain.service"), None);
    }

    #[test]
    fn dash_prefixes_longest_first() {
        assert_eq!(
            dash_prefixes("a-b-c.service"),
            vec!["a-b-".to_string(), "a-".to_string()]
        );
        assert_eq!(dash_prefixes("abc.service"), Vec::<String>::new());
        assert_eq!(dash_prefixes("a-b@x-y.service"), vec!["a-".to_string()]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics(s in "\\PC{0,30}") {
            let _ = classify(&s);
            let _ = template_of(&s);
            let _ = instance_of(&s);
            let _ = dash_prefixes(&s);
        }
    }
}
