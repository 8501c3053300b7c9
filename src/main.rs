//! postloan's entry point: parse the command line and hand over to `cli`.

use clap::Parser;

fn main() {
    quiet_on_a_closed_pipe();
    let cli = postloan::cli::Cli::parse();
    let lang_hint = cli.lang.clone();
    match postloan::cli::main(cli) {
        Ok(code) => std::process::exit(code),
        // `postloan loans | head`: the reader closed the pipe; nothing to say.
        Err(e) if postloan::cli::is_broken_pipe(&e) => std::process::exit(0),
        Err(e) => {
            let lang = lang_hint
                .as_deref()
                .and_then(postloan::i18n::Lang::parse)
                .unwrap_or_else(postloan::i18n::Lang::from_env);
            let text = postloan::cli::error_text(&e, lang);
            eprintln!("{}: {text}", lang.t("cli.error"));
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
