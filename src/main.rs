//! postloan's entry point: parse the command line and hand over to `cli`; errors, the
//! argument parser's included, are said in the user's language.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, FromArgMatches};
use postloan::i18n::Lang;

fn main() {
    quiet_on_a_closed_pipe();
    // The language is known before parsing, so `--help` is said in it.
    let config = raw_option("--config").map(std::path::PathBuf::from);
    let lang = user_lang(raw_option("--lang").as_deref(), config.as_deref());
    let mut command = postloan::cli::help_text::localize(postloan::cli::Cli::command(), lang);
    let parsed = command
        .try_get_matches_from_mut(std::env::args_os())
        .and_then(|mut m| postloan::cli::Cli::from_arg_matches_mut(&mut m))
        // As `Parser::try_parse`: the derive's own errors get the usage line too.
        .map_err(|e| e.format(&mut command));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => argument_error(e, lang),
    };
    let lang_hint = cli.lang.clone();
    let config_path = cli.config.clone();
    match postloan::cli::main(cli) {
        Ok(code) => std::process::exit(code),
        // `postloan loans | head`: the reader closed the pipe; nothing to say.
        Err(e) if postloan::cli::is_broken_pipe(&e) => std::process::exit(0),
        Err(e) => {
            let lang = user_lang(lang_hint.as_deref(), config_path.as_deref());
            // A value our own parsers refused: a usage error, said and ended as clap's are.
            if let Some(u) = e.downcast_ref::<postloan::cli::UsageError>() {
                postloan::note!("{}{}", lang.t("cli.error"), u.0);
                postloan::note!("{}", lang.t("cli_args.help"));
                std::process::exit(2);
            }
            let text = if let Some(c) = e.downcast_ref::<postloan::config::ConfigError>() {
                c.localized(lang)
            } else if let Some(r) = e.downcast_ref::<postloan::engine::rules::RuleError>() {
                postloan::config::rule_error_text(r, lang)
            } else {
                postloan::cli::error_text(&e, lang)
            };
            postloan::note!("{}{text}", lang.t("cli.error"));
            std::process::exit(1);
        }
    }
}

/// `postloan warning show N | head -1`: when the reader has gone, any command's output ends
/// quietly with status 0, as the listings' own writers do. Rust ignores SIGPIPE, so a write
/// to a closed pipe fails, and `println!` turns that failure into a panic: this hook turns
/// that one panic (and only it) into the quiet end. The workbench's own hook, installed on
/// top, restores the terminal first and then calls this one.
fn quiet_on_a_closed_pipe() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to stdout")
            && (message.contains("os error 32") || message.contains("Broken pipe"))
        {
            std::process::exit(0);
        }
        previous(info);
    }));
}

/// The interface language when the command could not say it: `--lang`, else the config's
/// `lang` (when the config can be read), else the environment.
/// Also decides whether output is ASCII (`LANG=C`), where Chinese falls back to English.
fn user_lang(given: Option<&str>, config: Option<&std::path::Path>) -> Lang {
    let dirs = postloan::config::Dirs::new();
    let config = postloan::config::Config::load(config, &dirs).ok();
    let ascii = postloan::cli::output_charset(config.as_ref());
    let chosen = given
        .and_then(Lang::parse)
        .or_else(|| config.as_ref().and_then(|c| Lang::parse(&c.lang)))
        .or_else(Lang::named_by_env);
    postloan::cli::shown_lang(chosen.unwrap_or_default(), ascii, chosen.is_some())
}

/// `--lang X`, `--lang=X` and `--config PATH` as written, for the help pages and an argument
/// error (the parser has not produced them yet).
fn raw_option(name: &str) -> Option<String> {
    // `args_os`: an argument that is not UTF-8 is the parser's to refuse, not a panic here.
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let eq = format!("{name}=");
    args.iter().enumerate().find_map(|(i, a)| {
        if a == name {
            args.get(i + 1).cloned()
        } else {
            a.strip_prefix(&eq).map(str::to_string)
        }
    })
}

/// clap's error for a bad command line, said in the user's language with clap's usage line
/// kept; clap's own text for English, for help and version, and for kinds not listed here.
fn argument_error(e: clap::Error, lang: Lang) -> ! {
    match argument_text(&e, lang) {
        // A value our parsers refused is said in our words in English too: clap would pass on
        // the parser's own text ("invalid digit found in string").
        Some(text) if lang != Lang::En || e.kind() == ErrorKind::ValueValidation => {
            postloan::note!("{}{text}", lang.t("cli.error"));
            let rendered = e.render().to_string();
            if let Some(usage) = rendered.lines().find_map(|l| l.strip_prefix("Usage:")) {
                // "用法：postloan …", as the help pages write it.
                let usage = usage.trim_start();
                postloan::note!("\n{}{usage}\n", lang.t("cli_args.usage"));
            }
            postloan::note!("{}", lang.t("cli_args.help"));
            std::process::exit(e.exit_code());
        }
        // clap's own text, without the control characters an argument may carry.
        _ if e.use_stderr() => {
            postloan::note!("{}", e.render().to_string().trim_end());
            std::process::exit(e.exit_code());
        }
        // Help and version in an ASCII locale: through the same stand-ins as all output.
        _ if postloan::cli::visible::ascii() => {
            postloan::out!("{}", e.render());
            std::process::exit(e.exit_code());
        }
        _ => e.exit(),
    }
}

/// The context value of `kind` as text.
fn context(e: &clap::Error, kind: ContextKind) -> Option<String> {
    Some(match e.get(kind)? {
        ContextValue::String(s) => s.clone(),
        ContextValue::Strings(v) => v.join(", "),
        ContextValue::StyledStr(s) => s.to_string(),
        ContextValue::StyledStrs(v) => v
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        ContextValue::Number(n) => n.to_string(),
        ContextValue::Bool(b) => b.to_string(),
        _ => return None,
    })
}

/// The error's line in `lang`; `None` for help, version and kinds clap alone can explain.
fn argument_text(e: &clap::Error, lang: Lang) -> Option<String> {
    use std::error::Error as _;
    let arg = context(e, ContextKind::InvalidArg).unwrap_or_default();
    let value = context(e, ContextKind::InvalidValue).unwrap_or_default();
    let mut text = match e.kind() {
        // `--as-of` at the end with no value: clap says "a value is required".
        ErrorKind::InvalidValue if value.is_empty() => {
            lang.tf("cli_args.no_value", &[("arg", &arg)])
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let source = e.source();
            let why = if let Some(d) =
                source.and_then(|s| s.downcast_ref::<postloan::cli::DateArgError>())
            {
                Some(d.message(lang))
            } else if let Some(p) =
                source.and_then(|s| s.downcast_ref::<postloan::cli::PeriodArgError>())
            {
                Some(p.message(lang))
            } else if let Some(r) =
                source.and_then(|s| s.downcast_ref::<postloan::cli::numbers::RangeArgError>())
            {
                Some(r.message(lang))
            } else if source.is_some_and(|s| s.is::<chrono::ParseError>()) {
                Some(lang.t("cli_args.not_date").to_string())
            } else if let Some(n) =
                source.and_then(|s| s.downcast_ref::<postloan::cli::NumberArgError>())
            {
                Some(n.message(lang))
            } else if let Some(p) = source.and_then(|s| s.downcast_ref::<std::num::ParseIntError>())
            {
                // A whole number too large (or small) for the option is not "not a number".
                use std::num::IntErrorKind;
                Some(
                    lang.t(match p.kind() {
                        IntErrorKind::PosOverflow => "cli_args.number_too_large",
                        IntErrorKind::NegOverflow => "cli_args.number_too_small",
                        _ if value.trim_start().starts_with('-') => "cli_args.number_negative",
                        _ => "cli_args.not_number",
                    })
                    .to_string(),
                )
            } else {
                source.map(ToString::to_string)
            };
            let args: [(&str, &dyn std::fmt::Display); 2] = [("arg", &arg), ("value", &value)];
            let mut line = match why {
                Some(why) => {
                    let with: [(&str, &dyn std::fmt::Display); 3] =
                        [args[0], args[1], ("why", &why)];
                    lang.tf("cli_args.invalid_value_why", &with)
                }
                None => lang.tf("cli_args.invalid_value", &args),
            };
            if let Some(values) = context(e, ContextKind::ValidValue).filter(|v| !v.is_empty()) {
                line.push_str(&lang.tf("cli_args.possible", &[("values", &values)]));
            }
            line
        }
        ErrorKind::UnknownArgument => lang.tf("cli_args.unknown_argument", &[("arg", &arg)]),
        ErrorKind::InvalidSubcommand => {
            let given = context(e, ContextKind::InvalidSubcommand).unwrap_or(arg);
            lang.tf("cli_args.unknown_command", &[("arg", &given)])
        }
        ErrorKind::MissingRequiredArgument => lang.tf("cli_args.missing", &[("arg", &arg)]),
        ErrorKind::MissingSubcommand => lang.t("cli_args.missing_command").to_string(),
        ErrorKind::TooManyValues => lang.tf("cli_args.too_many", &[("value", &value)]),
        ErrorKind::ArgumentConflict => {
            let other = context(e, ContextKind::PriorArg).unwrap_or_default();
            lang.tf("cli_args.conflict", &[("arg", &arg), ("other", &other)])
        }
        ErrorKind::NoEquals | ErrorKind::WrongNumberOfValues => {
            lang.tf("cli_args.no_value", &[("arg", &arg)])
        }
        ErrorKind::InvalidUtf8 => lang.t("cli_args.not_utf8").to_string(),
        // Help and version are not errors; any other kind is said in general words.
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => return None,
        _ => lang.t("cli_args.other").to_string(),
    };
    let suggested = context(e, ContextKind::SuggestedArg)
        .or_else(|| context(e, ContextKind::SuggestedSubcommand));
    if let Some(s) = suggested {
        text.push_str(&lang.tf("cli_args.tip", &[("suggested", &s)]));
    }
    Some(text)
}
