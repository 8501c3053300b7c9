//! What the tests that run the real binary in a terminal share.

use std::ffi::OsString;
use std::path::Path;

/// Keeps log, config and data out of the real home, and fixes language, terminal type and
/// user.
pub fn isolated_env(home: &Path) -> Vec<(&'static str, OsString)> {
    let mut env: Vec<(&'static str, OsString)> =
        ["HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"]
            .into_iter()
            .map(|k| (k, home.as_os_str().to_owned()))
            .collect();
    env.push(("PATH", "/usr/bin:/bin".into()));
    env.push(("LANG", "en_US.UTF-8".into()));
    env.push(("TERM", "xterm-256color".into()));
    env.push(("USER", "terminal-tester".into()));
    env
}
