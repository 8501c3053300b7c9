//! `postloan --help` in the user's language: `--lang`, else the config's `lang`, else the
//! environment; the argument parser's errors and suggestions as before.

mod support;

use postloan::i18n::Lang;
use std::process::Output;
use support::book::{cli, stderr, stdout};

fn run(env_lang: &str, args: &[&str]) -> (Output, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temporary home");
    let out = cli(dir.path(), env_lang)
        .args(args)
        .output()
        .expect("the binary runs");
    (out, dir)
}

/// The help page of `args`, asserting it printed with status 0 and nothing on stderr.
fn page(env_lang: &str, args: &[&str]) -> String {
    let (out, _home) = run(env_lang, args);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    assert_eq!(stderr(&out), "", "{args:?}");
    stdout(&out)
}

fn zh(key: &str) -> String {
    let text = Lang::ZhCn.t(key).to_string();
    assert_ne!(text, key, "zh-CN has {key}");
    text
}

fn assert_chinese_root(text: &str) {
    assert!(text.starts_with("贷后管理工作台\n"), "{text}");
    assert!(
        text.contains("\n用法：postloan [OPTIONS] [COMMAND]\n"),
        "{text}"
    );
    assert!(text.contains("\n命令：\n"), "{text}");
    assert!(text.contains("\n选项：\n"), "{text}");
    assert!(text.contains(&zh("help_cmd.classification")), "{text}");
    assert!(text.contains(&zh("help_arg.lang")), "{text}");
    assert!(
        text.contains("  -h, --help ") && text.contains("显示帮助"),
        "{text}"
    );
    assert!(text.contains("显示版本"), "{text}");
    for english in [
        "Usage:",
        "Commands:",
        "Options:",
        "Print help",
        "Interface language",
    ] {
        assert!(!text.contains(english), "{english} in\n{text}");
    }
}

#[test]
fn lang_zh_cn_help_is_chinese_whatever_the_environment_says() {
    assert_chinese_root(&page("C.UTF-8", &["--lang", "zh-CN", "--help"]));
    assert_chinese_root(&page("en_US.UTF-8", &["--lang=zh-CN", "-h"]));
}

#[test]
fn lang_zh_cn_in_a_locale_that_cannot_show_chinese_is_english_said_once() {
    let (out, _home) = run("C", &["--lang", "zh-CN", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(out.stdout.is_ascii(), "{text}");
    assert!(text.contains("Usage: postloan"), "{text}");
    let err = stderr(&out);
    assert_eq!(err.matches("Chinese cannot be shown").count(), 1, "{err}");
    assert!(out.stderr.is_ascii(), "{err}");
}

/// An SSH login with no locale at all: nobody chose Chinese, so the fallback to English is
/// silent (QA: the note came with every command).
#[test]
fn no_locale_at_all_falls_back_to_english_without_a_note() {
    let (out, _home) = run("", &["--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_ascii(), "{}", stdout(&out));
    assert!(stdout(&out).contains("Usage: postloan"), "{}", stdout(&out));
    assert_eq!(stderr(&out), "");
}

#[test]
fn a_subcommand_s_help_is_chinese_with_its_about_and_arguments() {
    let text = page(
        "C.UTF-8",
        &["--lang", "zh-CN", "classification", "approve", "--help"],
    );
    assert!(
        text.starts_with(&format!("{}\n", zh("help_cmd.classification.approve"))),
        "{text}"
    );
    assert!(
        text.contains("\n用法：postloan classification approve [OPTIONS] <IDS>...\n"),
        "{text}"
    );
    assert!(text.contains("\n参数：\n"), "{text}");
    assert!(
        text.contains(&zh("help_arg.classification.approve.ids")),
        "{text}"
    );
    assert!(
        text.contains(&zh("help_arg.classification.approve.comment")),
        "{text}"
    );
    // A global argument carries its Chinese into every subcommand.
    assert!(text.contains(&zh("help_arg.db")), "{text}");
    assert!(!text.contains("Approve proposals"), "{text}");
    assert!(!text.contains("Arguments:"), "{text}");
    // `help classification approve` is the same page.
    let same = page(
        "C.UTF-8",
        &["--lang", "zh-CN", "help", "classification", "approve"],
    );
    assert_eq!(same, text);
}

#[test]
fn defaults_and_possible_values_are_said_in_chinese() {
    let text = page("C.UTF-8", &["--lang", "zh-CN", "loans", "--help"]);
    assert!(
        text.contains("输出格式（默认：table）（可选：table, json, csv）"),
        "{text}"
    );
    assert!(!text.contains("[default:"), "{text}");
    assert!(!text.contains("[possible values:"), "{text}");
}

#[test]
fn lang_en_help_is_clap_s_english() {
    let text = page("zh_CN.UTF-8", &["--lang", "en", "--help"]);
    assert!(
        text.contains("\nUsage: postloan [OPTIONS] [COMMAND]\n"),
        "{text}"
    );
    assert!(
        text.contains("\nCommands:\n") && text.contains("\nOptions:\n"),
        "{text}"
    );
    assert!(
        text.contains("Print help") && text.contains("Print version"),
        "{text}"
    );
    assert!(
        !text.contains("用法") && !text.contains("显示帮助"),
        "{text}"
    );
    let text = page(
        "zh_CN.UTF-8",
        &["--lang", "en", "classification", "approve", "--help"],
    );
    assert!(
        text.starts_with("Approve proposals: one result line per id"),
        "{text}"
    );
    assert!(text.contains("\nArguments:\n"), "{text}");
    assert!(text.contains("[default: \"\"]"), "{text}");
    assert!(
        !text.contains(&zh("help_cmd.classification.approve")),
        "{text}"
    );
}

#[test]
fn without_lang_the_config_then_the_environment_decide() {
    assert!(page("zh_CN.UTF-8", &["--help"]).contains("用法：postloan"));
    assert!(page("en_US.UTF-8", &["--help"]).contains("Usage: postloan"));
    let dir = tempfile::tempdir().expect("a temporary directory");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "lang = \"en\"\n").expect("the config is written");
    let config = config.to_str().expect("a UTF-8 path");
    let text = page("zh_CN.UTF-8", &["--config", config, "warning", "--help"]);
    assert!(text.contains("Usage: postloan warning"), "{text}");
    // `--lang` wins over the config.
    let text = page(
        "en_US.UTF-8",
        &["--config", config, "--lang", "zh", "warning", "-h"],
    );
    assert!(text.contains("用法：postloan warning"), "{text}");
}

#[test]
fn errors_and_suggestions_work_as_before_in_both_languages() {
    let (out, _home) = run("C.UTF-8", &["--lang", "zh-CN", "clasification"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.starts_with("错误：未知的命令 'clasification'"), "{err}");
    assert!(err.contains("classification"), "{err}");
    assert!(err.contains("用法：postloan [OPTIONS] [COMMAND]"), "{err}");
    assert_eq!(stdout(&out), "");
    let (out, _home) = run("zh_CN.UTF-8", &["--lang", "en", "loans", "--limt", "3"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: unexpected argument '--limt' found"),
        "{err}"
    );
    assert!(err.contains("--limit"), "{err}");
    // A missing subcommand still shows that command's help, in the user's language, status 2.
    let (out, _home) = run("C.UTF-8", &["--lang", "zh-CN", "staff"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("用法：postloan staff"), "{err}");
    assert!(err.contains(&zh("help_cmd.staff.roles")), "{err}");
}

#[test]
fn version_is_printed() {
    let text = page("C.UTF-8", &["--lang", "zh-CN", "-V"]);
    assert_eq!(text, format!("postloan {}\n", env!("CARGO_PKG_VERSION")));
}
