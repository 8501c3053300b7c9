//! `--help` in the user's language: walks clap's command tree and puts every command's about,
//! every argument's help and the help page's headings through the translation tables.
//!
//! Keys: `help_cmd.<path>` for a command's about (the root's: `help_cmd.postloan`),
//! `help_arg.<path>.<arg_id>` for an argument (the root's: `help_arg.<arg_id>`), where the
//! path is the subcommand names joined by dots (`classification.approve`). English needs no
//! such key: it stays the doc comments. The page's own words (headings, `-h`, `-V`, the
//! `help` command, `[default: …]`) are `cli_help.*`, in both tables.

use crate::i18n::Lang;
use clap::{Arg, ArgAction, Command};

/// The about of clap's generated `help` command, as clap writes it (how we recognise it).
const CLAP_HELP_ABOUT: &str = "Print this message or the help of the given subcommand(s)";

/// `cmd` with its texts in `lang`, built (clap adds `-h`, `-V` and the `help` command while
/// building, so their texts can only be replaced afterwards). Parse with it as usual.
pub fn localize(cmd: Command, lang: Lang) -> Command {
    let mut cmd = texts(cmd, lang, "");
    cmd.build();
    page(cmd, lang)
}

/// The text of `key` in `lang`, if its table has it.
fn lookup(lang: Lang, key: &str) -> Option<String> {
    let text = lang.t(key);
    (text != key).then(|| text.to_string())
}

/// The key of a command's about.
fn cmd_key(path: &str) -> String {
    if path.is_empty() {
        "help_cmd.postloan".to_string()
    } else {
        format!("help_cmd.{path}")
    }
}

/// The key of an argument's help.
fn arg_key(path: &str, id: &str) -> String {
    if path.is_empty() {
        format!("help_arg.{id}")
    } else {
        format!("help_arg.{path}.{id}")
    }
}

fn sub_path(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

/// Abouts and argument helps from `help_cmd.*` / `help_arg.*`, before the tree is built (so
/// global arguments carry their text into every subcommand, and the `help` command's copies
/// of the tree carry the abouts).
fn texts(cmd: Command, lang: Lang, path: &str) -> Command {
    let mut cmd = cmd;
    if let Some(text) = lookup(lang, &cmd_key(path)) {
        let long = cmd.get_long_about().is_some();
        cmd = cmd.about(text.clone());
        if long {
            cmd = cmd.long_about(text);
        }
    }
    cmd = cmd.mut_args(|arg| {
        let Some(text) = lookup(lang, &arg_key(path, arg.get_id().as_str())) else {
            return arg;
        };
        let long = arg.get_long_help().is_some();
        let arg = arg.help(text.clone());
        if long { arg.long_help(text) } else { arg }
    });
    cmd.mut_subcommands(|sub| {
        let path = sub_path(path, sub.get_name());
        texts(sub, lang, &path)
    })
}

/// After the build: `-h`, `-V`, the `help` command, `[default: …]`, `[possible values: …]`
/// and the headings, in every command of the tree (the `help` command's copies included).
fn page(cmd: Command, lang: Lang) -> Command {
    let is_help_command = cmd.get_name() == "help"
        && cmd
            .get_about()
            .is_some_and(|a| a.to_string() == CLAP_HELP_ABOUT);
    let mut cmd = cmd;
    if is_help_command {
        cmd = cmd.about(lang.t("cli_help.help_command").to_string());
    }
    // In place (`mut_args`): the built command's key map points into the argument list.
    cmd = cmd.mut_args(|arg| match arg.get_action() {
        ArgAction::Help | ArgAction::HelpShort | ArgAction::HelpLong => {
            if arg.get_long_help().is_some() {
                arg.help(lang.t("cli_help.help_flag_more").to_string())
                    .long_help(lang.t("cli_help.help_flag_summary").to_string())
            } else {
                arg.help(lang.t("cli_help.help_flag").to_string())
            }
        }
        ArgAction::Version => arg.help(lang.t("cli_help.version_flag").to_string()),
        _ => value_notes(arg, lang),
    });
    let template = template(&cmd, lang);
    cmd = cmd.help_template(template);
    cmd.mut_subcommands(|sub| page(sub, lang))
}

/// clap's `[default: X]` and `[possible values: a, b]` said by us, after the help text.
fn value_notes(arg: Arg, lang: Lang) -> Arg {
    if !arg.get_action().takes_values() {
        return arg;
    }
    let mut notes = Vec::new();
    let mut arg = arg;
    if !arg.is_hide_default_value_set() && !arg.get_default_values().is_empty() {
        let values = arg.get_default_values();
        let note = if values.iter().all(|v| v.is_empty()) {
            // clap's `[default: ""]`; said as nothing where the table says so (zh-CN).
            lang.t("cli_help.default_empty").to_string()
        } else {
            let value = values
                .iter()
                .map(|v| quoted(&v.to_string_lossy()))
                .collect::<Vec<_>>()
                .join(" ");
            lang.tf("cli_help.default", &[("value", &value)])
        };
        if !note.is_empty() {
            notes.push(note);
        }
        arg = arg.hide_default_value(true);
    }
    let values = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| quoted(v.get_name()))
        .collect::<Vec<_>>();
    // Values with their own help are listed one a line by clap in the long help; leave those.
    let described = arg
        .get_possible_values()
        .iter()
        .any(|v| v.get_help().is_some());
    if !arg.is_hide_possible_values_set() && !values.is_empty() && !described {
        notes.push(lang.tf("cli_help.possible", &[("values", &values.join(", "))]));
        arg = arg.hide_possible_values(true);
    }
    if notes.is_empty() {
        return arg;
    }
    // As clap: after the help on its line; in the long page, a paragraph of their own, one
    // note a line. The long text set after the build does not make `--help` a long page.
    let short = arg.get_help().map(ToString::to_string).unwrap_or_default();
    let long = arg
        .get_long_help()
        .map(ToString::to_string)
        .unwrap_or_else(|| short.clone());
    // "Number of loans [default: 2000]", but "贷款笔数（默认：2000）": full-width brackets
    // bring their own space.
    let full_width = notes.iter().all(|n| !n.starts_with(|c: char| c.is_ascii()));
    let space = if full_width { "" } else { " " };
    let join = |text: String, sep: &str, between: &str| {
        let notes = notes.join(between);
        if text.is_empty() {
            notes
        } else {
            format!("{text}{sep}{notes}")
        }
    };
    arg.help(join(short, space, space))
        .long_help(join(long, "\n\n", "\n"))
}

/// A value as clap shows it: quoted when empty or holding a space.
fn quoted(value: &str) -> String {
    if value.is_empty() || value.contains(char::is_whitespace) {
        format!("{value:?}")
    } else {
        value.to_string()
    }
}

/// clap's default page with our headings: usage, then commands, arguments and options, the
/// sections that have something to show.
fn template(cmd: &Command, lang: Lang) -> String {
    let styles = cmd.get_styles();
    let usage = styles.get_usage();
    let header = styles.get_header();
    let heading = |key: &str| format!("{header}{}{header:#}", lang.t(key));
    let mut sections = Vec::new();
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        sections.push(format!("{}\n{{subcommands}}", heading("cli_help.commands")));
    }
    if cmd.get_positionals().any(|a| !a.is_hide_set()) {
        sections.push(format!(
            "{}\n{{positionals}}",
            heading("cli_help.arguments")
        ));
    }
    if options(cmd) {
        sections.push(format!("{}\n{{options}}", heading("cli_help.options")));
    }
    let title = lang.t("cli_help.usage");
    // "Usage: postloan"; a full-width colon brings its own space ("用法：postloan").
    let gap = if title.ends_with(':') { " " } else { "" };
    let head =
        format!("{{before-help}}{{about-with-newline}}\n{usage}{title}{usage:#}{gap}{{usage}}");
    if sections.is_empty() {
        format!("{head}{{after-help}}")
    } else {
        format!("{head}\n\n{}{{after-help}}", sections.join("\n\n"))
    }
}

/// Whether `cmd` has a visible option (flags included).
fn options(cmd: &Command) -> bool {
    cmd.get_arguments()
        .any(|a| !a.is_positional() && !a.is_hide_set())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use std::collections::{BTreeMap, BTreeSet};

    /// Every key the tree asks for, with its English: each command's about and each
    /// argument's help (the generated `-h`/`-V`/`help` are `cli_help.*`, not per command).
    fn wanted(cmd: &Command, path: &str, out: &mut BTreeMap<String, String>) {
        let english = cmd.get_about().map(ToString::to_string).unwrap_or_default();
        out.insert(cmd_key(path), english);
        for arg in cmd.get_arguments() {
            // The tree is not built: a global argument is only where it is declared.
            if arg.is_hide_set() {
                continue;
            }
            let english = arg.get_help().map(ToString::to_string).unwrap_or_default();
            out.insert(arg_key(path, arg.get_id().as_str()), english);
        }
        for sub in cmd.get_subcommands() {
            wanted(sub, &sub_path(path, sub.get_name()), out);
        }
    }

    fn zh_keys(prefix: &str) -> BTreeSet<String> {
        let table: toml::Table =
            toml::from_str(include_str!("../../i18n/zh-CN.toml")).expect("zh-CN.toml parses");
        let Some(toml::Value::Table(section)) = table.get(prefix) else {
            return BTreeSet::new();
        };
        section.keys().map(|k| format!("{prefix}.{k}")).collect()
    }

    #[test]
    fn every_command_and_argument_has_help_in_both_languages_and_no_chinese_is_stale() {
        let mut wanted_keys = BTreeMap::new();
        wanted(&super::super::Cli::command(), "", &mut wanted_keys);
        assert!(wanted_keys.len() > 100, "the walk found the tree");
        let have: BTreeSet<String> = zh_keys("help_cmd")
            .union(&zh_keys("help_arg"))
            .cloned()
            .collect();
        let missing: Vec<_> = wanted_keys.keys().filter(|k| !have.contains(*k)).collect();
        let stale: Vec<_> = have
            .iter()
            .filter(|k| !wanted_keys.contains_key(*k))
            .collect();
        let show = |keys: &[&String]| {
            keys.iter()
                .map(|k| {
                    let (section, rest) = k.split_once('.').unwrap_or((k, ""));
                    let english = wanted_keys.get(*k).map(String::as_str).unwrap_or("");
                    format!("  [{section}] \"{rest}\" = \"…\"  # en: {english}")
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        // English is the doc comments: every command and argument has one (clap prints an
        // argument without help as a bare name, which tells the user nothing).
        let no_english: Vec<_> = wanted_keys
            .iter()
            .filter(|(_, english)| english.trim().is_empty())
            .map(|(k, _)| k)
            .collect();
        assert!(
            no_english.is_empty(),
            "{} command(s) or argument(s) have no English help (a `///` doc comment):\n{}",
            no_english.len(),
            show(&no_english)
        );
        let empty_zh: Vec<_> = wanted_keys
            .keys()
            .filter(|k| have.contains(*k) && Lang::ZhCn.t(k).trim().is_empty())
            .collect();
        assert!(
            empty_zh.is_empty(),
            "empty Chinese help:\n{}",
            show(&empty_zh)
        );
        assert!(
            missing.is_empty(),
            "i18n/zh-CN.toml lacks the Chinese of {} command or argument help text(s); add:\n{}",
            missing.len(),
            show(&missing)
        );
        assert!(
            stale.is_empty(),
            "i18n/zh-CN.toml has help text(s) for no command or argument (renamed or removed?):\n{}",
            show(&stale)
        );
    }

    /// Every help page of the tree, rendered without colour.
    fn pages(cmd: &mut Command, out: &mut Vec<(String, String)>) {
        let name = cmd
            .get_bin_name()
            .unwrap_or_else(|| cmd.get_name())
            .to_string();
        out.push((format!("{name} -h"), cmd.render_help().to_string()));
        out.push((format!("{name} --help"), cmd.render_long_help().to_string()));
        for sub in cmd.get_subcommands_mut() {
            pages(sub, out);
        }
    }

    #[test]
    fn english_pages_are_clap_s_own() {
        let mut ours = localize(super::super::Cli::command(), Lang::En);
        let mut stock = super::super::Cli::command();
        stock.build();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        pages(&mut ours, &mut a);
        pages(&mut stock, &mut b);
        assert_eq!(a.len(), b.len());
        assert!(a.len() > 60);
        for ((name, ours), (_, stock)) in a.iter().zip(&b) {
            assert_eq!(ours, stock, "{name}");
        }
    }

    #[test]
    fn chinese_pages_have_no_english_chrome() {
        let mut zh = localize(super::super::Cli::command(), Lang::ZhCn);
        let mut all = Vec::new();
        pages(&mut zh, &mut all);
        for (name, page) in &all {
            for english in [
                "Usage:",
                "Commands:",
                "Options:",
                "Arguments:",
                "Print help",
                "Print version",
                "Print this message",
                "[default:",
                "[possible values:",
            ] {
                assert!(!page.contains(english), "{name}: {english}\n{page}");
            }
            assert!(page.contains("用法："), "{name}\n{page}");
        }
        let approve = all
            .iter()
            .find(|(n, _)| n == "postloan classification approve --help")
            .map(|(_, p)| p.as_str())
            .unwrap_or_default();
        assert!(approve.contains(&Lang::ZhCn.t("help_cmd.classification.approve").to_string()));
    }
}
