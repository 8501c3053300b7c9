//! Runs the measurements of `postloan::bench` and prints them as Markdown:
//! `cargo run --release --example bench -- --loans 100000 [--import-rows N] [--db PATH]`.

fn main() -> anyhow::Result<()> {
    let opts = postloan::bench::BenchOptions::parse(std::env::args().skip(1))?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    postloan::bench::run(&opts, &mut out)
}
