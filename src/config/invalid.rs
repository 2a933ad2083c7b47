//! The error of a single config value, before the file, line and key are known.

/// A value that does not mean what its key needs (a schedule, a duration, a size, a
/// template), with what is wrong: the caller adds the file, line and key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidValue(pub String);

impl From<String> for InvalidValue {
    fn from(message: String) -> InvalidValue {
        InvalidValue(message)
    }
}

impl From<&str> for InvalidValue {
    fn from(message: &str) -> InvalidValue {
        InvalidValue(message.to_string())
    }
}
