//! postloan's entry point: parse the command line and hand over to `cli`.

use clap::Parser;

fn main() {
    let cli = postloan::cli::Cli::parse();
    let lang_hint = cli.lang.clone();
    match postloan::cli::main(cli) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            let lang = lang_hint
                .as_deref()
                .and_then(postloan::i18n::Lang::parse)
                .unwrap_or_else(postloan::i18n::Lang::from_env);
            // Workflow refusals are said in the user's language; other errors as they are.
            let text = match e.downcast_ref::<postloan::workflow::WorkflowError>() {
                Some(w) => w.localized(lang),
                None => match e.downcast_ref::<postloan::workflow::import::ImportError>() {
                    Some(postloan::workflow::import::ImportError::Workflow(w)) => w.localized(lang),
                    _ => format!("{e:#}"),
                },
            };
            eprintln!("{}: {text}", lang.t("cli.error"));
            std::process::exit(1);
        }
    }
}
