//! Builder settings that hold one value. Setting one twice is a mistake (the first value would
//! be lost without a word), so builders record what was set and `build()` refuses a repeat.

use std::borrow::Cow;

use crate::error::{ConfigError, ConfigErrorKind};

/// The single-value settings a builder has seen, and the first one seen twice.
#[derive(Debug, Default)]
pub(crate) struct SetOnce {
    set: Vec<&'static str>,
    conflict: Option<Cow<'static, str>>,
}

impl SetOnce {
    /// Records that `name` was set; a second time is a conflict.
    pub(crate) fn set(&mut self, name: &'static str) {
        if self.was_set(name) {
            self.refuse(format!(
                "`{name}` is set twice: set it once, the second value would replace the first"
            ));
        } else {
            self.set.push(name);
        }
    }

    /// Whether `name` was set.
    pub(crate) fn was_set(&self, name: &str) -> bool {
        self.set.contains(&name)
    }

    /// Records a conflict between settings; the first one recorded is reported.
    pub(crate) fn refuse(&mut self, why: impl Into<Cow<'static, str>>) {
        if self.conflict.is_none() {
            self.conflict = Some(why.into());
        }
    }

    /// For `build()`: the first conflict, as an `InvalidSetting` error.
    pub(crate) fn check(&self) -> Result<(), ConfigError> {
        match &self.conflict {
            Some(why) => Err(ConfigError::new(
                ConfigErrorKind::InvalidSetting,
                why.clone(),
            )),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SetOnce;

    #[test]
    fn the_first_repeat_is_reported() {
        let mut settings = SetOnce::default();
        settings.set("a");
        settings.set("b");
        assert!(settings.check().is_ok());
        settings.set("b");
        settings.set("a");
        let error = settings.check().unwrap_err();
        assert!(error.to_string().starts_with("`b` is set twice"), "{error}");
    }
}
