//! postloan's entry point: parse the command line and hand over to `cli`.

use clap::Parser;

fn main() {
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
