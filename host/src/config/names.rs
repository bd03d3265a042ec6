//! What counts as a valid project, binary, stage or program name, and version: they
//! end up in file names and command lines, so only plain ASCII tokens are accepted.

/// Project, binary and stage names.
pub fn check_name(name: &str) -> Result<(), String> {
    if is_token(name, 64, b"._-") {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a valid name: use 1-64 ASCII letters, digits, `.`, `_` or `-`, not starting with `.` or `-`"
        ))
    }
}

pub fn check_version(version: &str) -> Result<(), String> {
    if is_token(version, 128, b"._+-") {
        Ok(())
    } else {
        Err(format!(
            "`{version}` is not a valid version: use letters, digits, `.`, `_`, `+` and `-` (e.g. 1.2.3)"
        ))
    }
}

/// Environment variable names (`[template] env`): letters, digits and `_`, not
/// starting with a digit.
pub fn check_env_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 128
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a variable name: use letters, digits and `_`"
        ))
    }
}

/// Program names in `grants.exec` and `[tools]`: a name, never a path.
pub fn check_program_name(name: &str) -> Result<(), String> {
    if is_token(name, 64, b"._+-") {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a program name: give a bare name like `go` and map it to a path in [tools] if needed"
        ))
    }
}

/// 1..=`max` ASCII alphanumerics or `extra` bytes, not starting with `.` or `-`.
fn is_token(s: &str, max: usize, extra: &[u8]) -> bool {
    !s.is_empty()
        && s.len() <= max
        && !s.starts_with(['.', '-'])
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        assert!(check_name("hello-go_1.0").is_ok());
        assert!(check_name(".hidden").is_err());
        assert!(check_name("a/b").is_err());
        assert!(check_name(&"x".repeat(65)).is_err());
        assert!(check_version("1.2.3+build.4").is_ok());
        assert!(check_version("1.2 3").is_err());
        assert!(check_program_name("x86_64-w64-mingw32-gcc").is_ok());
        assert!(check_program_name("/usr/bin/go").is_err());
        assert!(check_program_name("../go").is_err());
    }
}
