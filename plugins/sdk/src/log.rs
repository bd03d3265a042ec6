//! Logging to the host. Lines show up with the stage and target they came from.

pub use crate::bindings::xhost::plugin::log::Level;

pub fn log(level: Level, message: &str) {
    crate::bindings::xhost::plugin::log::log(level, message);
}

pub fn debug(message: &str) {
    log(Level::Debug, message);
}

pub fn info(message: &str) {
    log(Level::Info, message);
}

pub fn warn(message: &str) {
    log(Level::Warn, message);
}

pub fn error(message: &str) {
    log(Level::Error, message);
}
