//! Configuration: the compiled-in `config/default.toml`, then the site file, then the user
//! file (or `--config`). A bad file is refused with its path, the key and the reason.

use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");
pub const SITE_CONFIG: &str = "/etc/postloan/config.toml";

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub database: String,
    pub lang: String,
    pub tracking: Tracking,
    pub display: Display,
    /// Early-warning rules; validated by `engine::rules::RuleSet::from_layers`.
    #[serde(default)]
    pub warnings: toml::Table,
    #[serde(default)]
    pub import: Import,
}

/// `[import]`: sanity bounds on extract values whose unit is easily mixed up.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Import {
    /// Lowest annual interest rate accepted, percent, as a quoted decimal.
    pub interest_rate_min: String,
    /// Highest annual interest rate accepted, percent, as a quoted decimal.
    pub interest_rate_max: String,
}

impl Default for Import {
    fn default() -> Self {
        Import {
            interest_rate_min: "0.1".into(),
            interest_rate_max: "36".into(),
        }
    }
}

impl Import {
    /// The bounds as decimals; `Err` names the key and what is wrong with it.
    pub fn limits(&self) -> Result<crate::extract::Limits, String> {
        use rust_decimal::Decimal;
        use std::str::FromStr;
        let num = |key: &str, text: &str| {
            Decimal::from_str(text.trim())
                .ok()
                .filter(|d| !d.is_sign_negative())
                .ok_or_else(|| {
                    format!("import.{key} = '{text}' is not a decimal of 0 or more (e.g. \"0.1\")")
                })
        };
        let min = num("interest_rate_min", &self.interest_rate_min)?;
        let max = num("interest_rate_max", &self.interest_rate_max)?;
        if min >= max {
            return Err(format!(
                "import.interest_rate_min ({min}) must be below import.interest_rate_max ({max})"
            ));
        }
        Ok(crate::extract::Limits {
            rate_min: min,
            rate_max: max,
        })
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Tracking {
    pub due_soon_days: u32,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Display {
    pub theme: ThemeChoice,
    /// Borders in box drawing ("lines") or ASCII ("ascii"), for terminals that draw East Asian
    /// Ambiguous characters two columns wide.
    #[serde(default)]
    pub borders: BorderChoice,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum BorderChoice {
    #[default]
    Lines,
    Ascii,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ThemeChoice {
    Auto,
    Mono,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config {file}: {message}")]
    Bad { file: String, message: String },
    #[error("config {file}: cannot read: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
}

/// Where postloan keeps its files when nothing else is said.
pub struct Dirs {
    pub data: PathBuf,
    pub config: PathBuf,
    pub state: PathBuf,
}

impl Dirs {
    pub fn new() -> Dirs {
        match directories::ProjectDirs::from("", "", "postloan") {
            Some(p) => Dirs {
                data: p.data_dir().to_path_buf(),
                config: p.config_dir().to_path_buf(),
                state: p.state_dir().unwrap_or_else(|| p.data_dir()).to_path_buf(),
            },
            None => {
                let here = PathBuf::from(".postloan");
                Dirs {
                    data: here.clone(),
                    config: here.clone(),
                    state: here,
                }
            }
        }
    }

    pub fn default_book(&self) -> PathBuf {
        self.data.join("book.db")
    }

    pub fn demo_book(&self) -> PathBuf {
        self.data.join("demo.db")
    }

    pub fn user_config(&self) -> PathBuf {
        self.config.join("config.toml")
    }

    pub fn user_keymap(&self) -> PathBuf {
        self.config.join("keymap.toml")
    }

    pub fn log_file(&self) -> PathBuf {
        self.state.join("postloan.log")
    }
}

impl Default for Dirs {
    fn default() -> Self {
        Self::new()
    }
}

/// Deep-merges `over` into `base` (tables merge, other values replace).
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

fn parse_table(file: &str, text: &str) -> Result<toml::Table, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::Bad {
        file: file.to_string(),
        message: e.to_string().trim().replace('\n', " "),
    })
}

/// Which file a layer of configuration came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerKind {
    Site,
    User,
}

/// The site and user files that exist, as raw tables (the warning rules record which layer
/// set each of them). Files were already validated by `Config::load`.
pub fn layers(
    explicit: Option<&Path>,
    dirs: &Dirs,
) -> Result<Vec<(LayerKind, String, toml::Table)>, ConfigError> {
    let mut out = Vec::new();
    let user = explicit
        .map(Path::to_path_buf)
        .unwrap_or_else(|| dirs.user_config());
    for (kind, path) in [
        (LayerKind::Site, PathBuf::from(SITE_CONFIG)),
        (LayerKind::User, user),
    ] {
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let file = path.display().to_string();
                let table = parse_table(&file, &text)?;
                out.push((kind, file, table));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(ConfigError::Read {
                    file: path.display().to_string(),
                    source,
                });
            }
        }
    }
    Ok(out)
}

/// The warning rules: built-in defaults, then the site file, then the user file.
pub fn warning_rules(
    explicit: Option<&Path>,
    dirs: &Dirs,
) -> anyhow::Result<crate::engine::rules::RuleSet> {
    use crate::engine::rules::{RuleSet, RuleSource};
    let default = parse_table("(built-in defaults)", DEFAULT_TOML)?;
    let layers = layers(explicit, dirs)?;
    let refs: Vec<(RuleSource, &str, &toml::Table)> = layers
        .iter()
        .map(|(k, f, t)| {
            let source = match k {
                LayerKind::Site => RuleSource::Site,
                LayerKind::User => RuleSource::User,
            };
            (source, f.as_str(), t)
        })
        .collect();
    Ok(RuleSet::from_layers(&default, &refs)?)
}

impl Config {
    /// Loads defaults → site file → `explicit` (or the user file when `explicit` is None).
    /// An explicit file must exist; the site and user files are optional.
    pub fn load(explicit: Option<&Path>, dirs: &Dirs) -> Result<Config, ConfigError> {
        let mut table = parse_table("(built-in defaults)", DEFAULT_TOML)?;
        let mut layers: Vec<(PathBuf, bool)> = vec![(PathBuf::from(SITE_CONFIG), false)];
        match explicit {
            Some(p) => layers.push((p.to_path_buf(), true)),
            None => layers.push((dirs.user_config(), false)),
        }
        let mut last_file = "(built-in defaults)".to_string();
        for (path, required) in layers {
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(source) => {
                    return Err(ConfigError::Read {
                        file: path.display().to_string(),
                        source,
                    });
                }
            };
            let file = path.display().to_string();
            let over = parse_table(&file, &text)?;
            // Check this layer alone against the schema so an error names its own file.
            let mut probe = parse_table("(built-in defaults)", DEFAULT_TOML)?;
            merge(&mut probe, over.clone());
            let alone =
                Config::deserialize(toml::Value::Table(probe)).map_err(|e| ConfigError::Bad {
                    file: file.clone(),
                    message: e.to_string().trim().replace('\n', " "),
                })?;
            alone.import.limits().map_err(|message| ConfigError::Bad {
                file: file.clone(),
                message,
            })?;
            merge(&mut table, over);
            last_file = file;
        }
        Config::deserialize(toml::Value::Table(table)).map_err(|e| ConfigError::Bad {
            file: last_file,
            message: e.to_string(),
        })
    }

    pub fn defaults() -> Config {
        Config::deserialize(toml::Value::Table(
            toml::from_str(DEFAULT_TOML).unwrap_or_default(),
        ))
        .unwrap_or(Config {
            database: String::new(),
            lang: String::new(),
            tracking: Tracking { due_soon_days: 7 },
            display: Display {
                theme: ThemeChoice::Auto,
                borders: BorderChoice::Lines,
            },
            warnings: toml::Table::new(),
            import: Import::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dirs_in(dir: &Path) -> Dirs {
        Dirs {
            data: dir.join("data"),
            config: dir.join("config"),
            state: dir.join("state"),
        }
    }

    #[test]
    fn defaults_parse() {
        let c = Config::defaults();
        assert_eq!(c.tracking.due_soon_days, 7);
        assert_eq!(c.display.theme, ThemeChoice::Auto);
    }

    #[test]
    fn user_file_overrides_one_key() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("c.toml");
        std::fs::write(&f, "[tracking]\ndue_soon_days = 14\n").unwrap();
        let c = Config::load(Some(&f), &dirs_in(dir.path())).unwrap();
        assert_eq!(c.tracking.due_soon_days, 14);
        assert_eq!(c.display.theme, ThemeChoice::Auto);
    }

    #[test]
    fn bad_key_names_file_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("bad.toml");
        std::fs::write(&f, "[tracking]\ndue_son_days = 14\n").unwrap();
        let err = Config::load(Some(&f), &dirs_in(dir.path()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("bad.toml"), "{err}");
        assert!(err.contains("due_son_days"), "{err}");
        std::fs::write(&f, "[tracking]\ndue_soon_days = \"soon\"\n").unwrap();
        let err = Config::load(Some(&f), &dirs_in(dir.path()))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("bad.toml") && err.contains("due_soon_days"),
            "{err}"
        );
    }

    #[test]
    fn import_bounds_are_read_and_checked() {
        let c = Config::defaults();
        let limits = c.import.limits().unwrap();
        assert_eq!(limits, crate::extract::Limits::default());
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("c.toml");
        std::fs::write(&f, "[import]\ninterest_rate_max = \"24\"\n").unwrap();
        let c = Config::load(Some(&f), &dirs_in(dir.path())).unwrap();
        assert_eq!(
            c.import.limits().unwrap().rate_max,
            rust_decimal::Decimal::new(24, 0)
        );
        std::fs::write(&f, "[import]\ninterest_rate_min = \"low\"\n").unwrap();
        let err = Config::load(Some(&f), &dirs_in(dir.path()))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            format!(
                "config {}: import.interest_rate_min = 'low' is not a decimal of 0 or more (e.g. \"0.1\")",
                f.display()
            )
        );
    }

    #[test]
    fn missing_explicit_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = Config::load(Some(&dir.path().join("none.toml")), &dirs_in(dir.path()));
        assert!(err.is_err());
    }
}
