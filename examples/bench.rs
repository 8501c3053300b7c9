//! Runs the measurements of `postloan::bench` and prints them as Markdown, with the same
//! options as `postloan bench`:
//! `cargo run --release --example bench -- --loans 100000 [--import-rows N] [--size 120x40]
//! [--user wang.fang] [--no-evaluate] [--db PATH]`.

use clap::Parser;

#[derive(Parser)]
struct Line {
    #[command(flatten)]
    bench: postloan::bench::BenchArgs,
    /// The demo book to use (reused when it exists, built there otherwise).
    #[arg(long)]
    db: Option<std::path::PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let line = Line::parse();
    let opts = postloan::bench::BenchOptions::from_args(&line.bench, line.db);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    postloan::bench::run(&opts, &mut out)
}
