//! The command line: subcommands for batch work and scripting, and the entry to the
//! workbench. Parses arguments, finds the book and the acting user, calls `workflow`.

mod loans;
mod warnings;

use crate::config::{Config, Dirs, ThemeChoice};
use crate::demo::DemoParams;
use crate::domain::{Classification, Role, StaffRecord};
use crate::extract::{Encoding, ExtractKind};
use crate::i18n::Lang;
use crate::store::Store;
use crate::tui;
use crate::workflow::{self, Actor};
use anyhow::{Context, anyhow, bail};
use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};

#[derive(Debug, Parser)]
#[command(
    name = "postloan",
    version,
    about = "贷后管理工作台 — post-loan management workbench"
)]
pub struct Cli {
    /// The book (SQLite file). Else POSTLOAN_DB, else the config's `database`, else the data directory.
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// A config file to use instead of the user's.
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Interface language: zh-CN or en (default from LANG).
    #[arg(long, global = true, value_name = "LANG")]
    pub lang: Option<String>,
    /// In a demo book only: act as this staff member.
    #[arg(long = "as", global = true, value_name = "USER")]
    pub as_user: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build (or reopen) a demo book and open the workbench on it.
    Demo {
        /// Number of loans.
        #[arg(long, default_value_t = 2000)]
        loans: u64,
        /// Seed of the generator: the same seed and date give the same book.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// The book's "today" (default: today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<NaiveDate>,
        /// Build or reopen the book, print its size, do not open the workbench.
        #[arg(long)]
        no_tui: bool,
        /// Throw away an existing demo book and build it again.
        #[arg(long)]
        fresh: bool,
    },
    /// Create an empty book; you become its first manager.
    Init,
    /// Load a core-banking extract (CSV with a header row).
    Import {
        /// borrowers, loans, statements, repayments, collateral or fund-flows.
        kind: String,
        file: PathBuf,
        /// Validate and report without writing.
        #[arg(long)]
        dry_run: bool,
        /// auto (UTF-8, else GB18030), utf-8 or gbk.
        #[arg(long, default_value = "auto")]
        encoding: String,
    },
    /// Print loans of the ledger.
    Loans {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[arg(long)]
        limit: Option<u64>,
        #[arg(long, value_name = "USER")]
        officer: Option<String>,
        /// pass/正常, special_mention/关注, substandard/次级, doubtful/可疑, loss/损失.
        #[arg(long)]
        class: Option<String>,
        /// Only loans with days past due > 0.
        #[arg(long)]
        overdue: bool,
        /// Only loans whose contract number, borrower or officer contains this text (as `/`).
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
    },
    /// Staff of the book.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Run the warning indicators over every active loan: raise, escalate, mark back to normal.
    Evaluate {
        /// The date of the evaluation (default: today; in a demo book, its date).
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<NaiveDate>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Evaluate on a date far from today or before the last evaluation.
        #[arg(long)]
        force: bool,
    },
    /// Print warnings, red first, oldest first within a level.
    Warnings {
        /// red, orange or yellow.
        #[arg(long)]
        level: Option<String>,
        /// open, acknowledged, in_disposal, resolved, dismissed, or all (default: the active ones).
        #[arg(long)]
        status: Option<String>,
        #[arg(long, value_name = "USER")]
        officer: Option<String>,
        #[arg(long)]
        indicator: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[arg(long)]
        limit: Option<u64>,
    },
    /// One warning: show, raise by hand, acknowledge, dispose, resolve, dismiss, cause, notice.
    Warning {
        #[command(subcommand)]
        command: warnings::WarningCommand,
    },
    /// Check the audit log's hash chain.
    Verify,
    /// Measure bytes per screen and key, key-to-frame time, import and evaluation speed on a
    /// demo book it builds (or reuses with --db); prints a Markdown table.
    Bench {
        #[arg(long, default_value_t = 100_000)]
        loans: u64,
        /// Rows of the generated loans CSV for the import measurement (0: skip).
        #[arg(long, default_value_t = 100_000)]
        import_rows: u64,
        /// Skip the evaluate measurement.
        #[arg(long)]
        no_evaluate: bool,
    },
    /// Show where postloan keeps the book, config, keymap and log.
    Paths,
}

#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Add a staff member (or change their role). Managers only.
    Add {
        user: String,
        #[arg(long)]
        role: String,
        /// Display name (default: the user name).
        #[arg(long)]
        name: Option<String>,
    },
    /// List the staff.
    List,
    /// Print who may do what: every command by role (no book needed).
    Roles,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Csv,
}

/// Everything a command needs to know about where and who.
pub struct Context_ {
    /// `--config`, if given.
    pub explicit_config: Option<PathBuf>,
    pub dirs: Dirs,
    pub config: Config,
    pub lang: Lang,
}

fn resolve_lang(cli: &Cli, config: &Config) -> anyhow::Result<Lang> {
    if let Some(l) = &cli.lang {
        return Lang::parse(l).ok_or_else(|| anyhow!("--lang: '{l}' is not zh-CN or en"));
    }
    if !config.lang.is_empty() {
        return Lang::parse(&config.lang)
            .ok_or_else(|| anyhow!("config: lang = '{}' is not zh-CN or en", config.lang));
    }
    Ok(Lang::from_env())
}

fn book_path(cli: &Cli, ctx: &Context_) -> PathBuf {
    if let Some(p) = &cli.db {
        return p.clone();
    }
    if let Ok(p) = std::env::var("POSTLOAN_DB")
        && !p.is_empty()
    {
        return PathBuf::from(p);
    }
    if !ctx.config.database.is_empty() {
        return PathBuf::from(&ctx.config.database);
    }
    ctx.dirs.default_book()
}

fn open_book(path: &Path, lang: Lang) -> anyhow::Result<Store> {
    if !path.exists() {
        bail!("{}", lang.tf("cli.no_book", &[("path", &path.display())]));
    }
    announce_upgrade(path, lang);
    Ok(Store::open_existing(path)?)
}

/// Says so before a schema upgrade that may keep the user waiting (before any screen is up).
fn announce_upgrade(path: &Path, lang: Lang) {
    if crate::store::upgrade_pending(path) {
        eprintln!("{}", lang.tf("cli.upgrading", &[("path", &path.display())]));
    }
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// The book's "today": a demo book lives on its own date (`demo --as-of`), so its follow-ups
/// and warnings stay as built; a real book uses the calendar.
fn book_today(store: &Store) -> anyhow::Result<NaiveDate> {
    if store.is_demo()?
        && let Some(d) = store.meta("demo_as_of")?
        && let Ok(d) = d.parse()
    {
        return Ok(d);
    }
    Ok(today())
}

/// Runs the command line; returns the process exit code.
pub fn main(cli: Cli) -> anyhow::Result<i32> {
    let dirs = Dirs::new();
    let config = Config::load(cli.config.as_deref(), &dirs)?;
    let lang = resolve_lang(&cli, &config)?;
    let ctx = Context_ {
        explicit_config: cli.config.clone(),
        dirs,
        config,
        lang,
    };
    let os_user = workflow::os_user();
    match &cli.command {
        None => {
            let path = book_path(&cli, &ctx);
            let store = open_book(&path, lang)?;
            let actor = workflow::identify(&store, &os_user, cli.as_user.as_deref())?;
            run_tui(store, actor, &ctx)?;
            Ok(0)
        }
        Some(Command::Demo {
            loans,
            seed,
            as_of,
            no_tui,
            fresh,
        }) => {
            let path = cli.db.clone().unwrap_or_else(|| ctx.dirs.demo_book());
            let params = DemoParams {
                loans: *loans,
                seed: *seed,
                as_of: as_of.unwrap_or_else(today),
            };
            let started = std::time::Instant::now();
            if !*fresh {
                announce_upgrade(&path, lang);
            }
            let (store, book) = workflow::demo::open_or_build(&path, &params, *fresh, &os_user)?;
            let actor = workflow::identify(&store, &os_user, cli.as_user.as_deref())?;
            match &book {
                workflow::demo::DemoBook::Built(c) => eprintln!(
                    "{}",
                    lang.tf(
                        "cli.demo_built",
                        &[
                            ("loans", &c.loans),
                            ("borrowers", &c.borrowers),
                            ("path", &path.display()),
                            ("secs", &format!("{:.1}", started.elapsed().as_secs_f64())),
                        ]
                    )
                ),
                workflow::demo::DemoBook::Reopened { loans } => eprintln!(
                    "{}",
                    lang.tf(
                        "cli.demo_reopened",
                        &[("loans", loans), ("path", &path.display())]
                    )
                ),
            }
            if !*no_tui {
                run_tui(store, actor, &ctx)?;
            }
            Ok(0)
        }
        Some(Command::Init) => {
            let path = book_path(&cli, &ctx);
            let mut store = Store::open(&path)?;
            let actor = workflow::book::init(&mut store, &os_user)?;
            println!(
                "{}",
                lang.tf(
                    "cli.init_done",
                    &[("path", &path.display()), ("user", &actor.username)]
                )
            );
            Ok(0)
        }
        Some(Command::Import {
            kind,
            file,
            dry_run,
            encoding,
        }) => {
            let kind = ExtractKind::parse(kind)
                .ok_or_else(|| anyhow!("{}", lang.tf("cli.bad_kind", &[("kind", &kind)])))?;
            let encoding = Encoding::parse(encoding)
                .ok_or_else(|| anyhow!("{}", lang.tf("cli.bad_encoding", &[("enc", &encoding)])))?;
            let path = book_path(&cli, &ctx);
            let mut store = open_book(&path, lang)?;
            let actor = workflow::identify(&store, &os_user, cli.as_user.as_deref())?;
            let limits = ctx
                .config
                .import
                .limits()
                .map_err(|m| anyhow!("config: {m}"))?;
            let options = workflow::import::ImportOptions {
                encoding,
                dry_run: *dry_run,
                limits,
                ..Default::default()
            };
            let report = match workflow::import::import_file_opts(
                &mut store, &actor, kind, file, &options,
            ) {
                Ok(r) => r,
                Err(workflow::import::ImportError::Extract(e)) => {
                    return Err(anyhow!("{}", e.localized(lang)));
                }
                Err(e) => return Err(e.into()),
            };
            for e in &report.errors {
                eprintln!("{}", e.localized(lang));
            }
            for n in &report.notes {
                eprintln!("{}", n.localized(&report.file, lang));
            }
            if report.repeats > report.notes.len() as u64 {
                eprintln!(
                    "{}",
                    lang.tf(
                        "import_check.repeats",
                        &[("file", &report.file), ("n", &report.repeats)]
                    )
                );
            }
            if report.error_count > report.errors.len() as u64 {
                eprintln!(
                    "{}",
                    lang.tf(
                        "cli.more_errors",
                        &[("n", &(report.error_count - report.errors.len() as u64))]
                    )
                );
            }
            let counts = [
                ("file", &report.file as &dyn std::fmt::Display),
                ("rows", &report.rows),
                ("inserted", &report.inserted),
                ("updated", &report.updated),
                ("unchanged", &report.unchanged),
                ("errors", &report.error_count),
                ("encoding", &report.encoding),
            ];
            let key = if report.error_count > 0 {
                "import_check.failed"
            } else if report.dry_run {
                "import_check.dry_run"
            } else if report.inserted + report.updated == 0 {
                "import_check.unchanged"
            } else {
                "import_check.done"
            };
            println!("{}", lang.tf(key, &counts));
            Ok(if report.error_count > 0 { 1 } else { 0 })
        }
        Some(Command::Loans {
            format,
            limit,
            officer,
            class,
            overdue,
            search,
        }) => {
            let class = match class {
                Some(c) => Some(Classification::parse(c).ok_or_else(|| {
                    anyhow!(
                        "{}",
                        lang.tf(
                            "cli.bad_class",
                            &[("class", c), ("accepted", &Classification::accepted())]
                        )
                    )
                })?),
                None => None,
            };
            let path = book_path(&cli, &ctx);
            let store = open_book(&path, lang)?;
            workflow::identify(&store, &os_user, cli.as_user.as_deref())?;
            let query = crate::store::LedgerQuery {
                officer: officer.clone(),
                class,
                overdue_only: *overdue,
                text: search.clone().unwrap_or_default(),
                ..Default::default()
            };
            loans::print(&store, &query, *limit, *format, lang)?;
            Ok(0)
        }
        Some(Command::Staff {
            command: StaffCommand::Roles,
        }) => {
            print!("{}", roles_matrix(lang));
            Ok(0)
        }
        Some(Command::Staff { command }) => {
            let path = book_path(&cli, &ctx);
            let mut store = open_book(&path, lang)?;
            let actor = workflow::identify(&store, &os_user, cli.as_user.as_deref())?;
            match command {
                StaffCommand::Add { user, role, name } => {
                    let role = Role::parse(role)
                        .ok_or_else(|| anyhow!("{}", lang.tf("cli.bad_role", &[("role", role)])))?;
                    let rec = StaffRecord {
                        username: user.clone(),
                        display_name: name.clone().unwrap_or_else(|| user.clone()),
                        role,
                    };
                    let outcome = workflow::book::add_staff(&mut store, &actor, &rec)?;
                    let key = match outcome {
                        crate::store::Outcome::Inserted => "cli.staff_added",
                        crate::store::Outcome::Updated => "cli.staff_updated",
                        crate::store::Outcome::Unchanged => "cli.staff_unchanged",
                    };
                    println!(
                        "{}",
                        lang.tf(
                            key,
                            &[
                                ("user", user),
                                ("role", &lang.code_name("role", role.code()))
                            ]
                        )
                    );
                }
                StaffCommand::Roles => {}
                StaffCommand::List => {
                    for s in store.staff_list()? {
                        println!(
                            "{:<16} {:<12} {}",
                            s.username,
                            s.role.code(),
                            crate::domain::text::sanitize(&s.display_name)
                        );
                    }
                }
            }
            Ok(0)
        }
        Some(Command::Evaluate {
            as_of,
            format,
            force,
        }) => {
            let rules = warnings::rules_or_fail(crate::config::warning_rules(
                cli.config.as_deref(),
                &ctx.dirs,
            ))?;
            let path = book_path(&cli, &ctx);
            let mut store = open_book(&path, lang)?;
            let actor = workflow::identify(&store, &os_user, cli.as_user.as_deref())?;
            let today = book_today(&store)?;
            let as_of = as_of.unwrap_or(today);
            if let Some(refusal) =
                workflow::warning::check_evaluation_date(&store, &rules, as_of, today, *force)?
            {
                let why = refusal.message(lang, as_of, today);
                eprintln!("{}: {why}", lang.t("cli.error"));
                return Ok(1);
            }
            let report = workflow::warning::evaluate_book(&mut store, &actor, &rules, as_of)?;
            warnings::print_evaluation(&report, *format, lang)?;
            Ok(0)
        }
        Some(Command::Warnings {
            level,
            status,
            officer,
            indicator,
            format,
            limit,
        }) => {
            let path = book_path(&cli, &ctx);
            let store = open_book(&path, lang)?;
            workflow::identify(&store, &os_user, cli.as_user.as_deref())?;
            let level =
                match level {
                    Some(l) => Some(crate::domain::warning::Level::parse(l).ok_or_else(|| {
                        anyhow!("{}", lang.tf("warning.err_level", &[("value", l)]))
                    })?),
                    None => None,
                };
            let (status, include_closed) = match status.as_deref() {
                Some("all") => (None, true),
                Some(s) => (Some(warnings::parse_status(s, lang)?), false),
                None => (None, false),
            };
            let q = crate::store::WarningQuery {
                level,
                status,
                include_closed,
                officer: officer.clone(),
                indicator: indicator.clone(),
                loan_id: None,
            };
            warnings::print_warnings(&store, &q, *limit, *format, lang)?;
            Ok(0)
        }
        Some(Command::Warning { command }) => {
            let path = book_path(&cli, &ctx);
            let mut store = open_book(&path, lang)?;
            let actor = workflow::identify(&store, &os_user, cli.as_user.as_deref())?;
            let today = book_today(&store)?;
            warnings::run(command, &mut store, &actor, today, lang)
        }
        Some(Command::Bench {
            loans,
            import_rows,
            no_evaluate,
        }) => {
            let opts = crate::bench::BenchOptions {
                loans: *loans,
                import_rows: *import_rows,
                db: cli.db.clone(),
                evaluate: !*no_evaluate,
                ..Default::default()
            };
            crate::bench::run(&opts, &mut std::io::stdout().lock())?;
            Ok(0)
        }
        Some(Command::Verify) => {
            let path = book_path(&cli, &ctx);
            let store = open_book(&path, lang)?;
            match store.verify_audit()? {
                Ok(n) => {
                    println!("{}", lang.tf("cli.verify_ok", &[("n", &n)]));
                    Ok(0)
                }
                Err(id) => {
                    println!("{}", lang.tf("cli.verify_broken", &[("id", &id)]));
                    Ok(1)
                }
            }
        }
        Some(Command::Paths) => {
            println!("book     {}", book_path(&cli, &ctx).display());
            println!("demo     {}", ctx.dirs.demo_book().display());
            println!(
                "config   {} (site: {})",
                ctx.dirs.user_config().display(),
                crate::config::SITE_CONFIG
            );
            println!("keymap   {}", ctx.dirs.user_keymap().display());
            println!("log      {}", ctx.dirs.log_file().display());
            Ok(0)
        }
    }
}

/// `postloan staff roles`: every command by role, in `lang`, from the rules themselves.
pub fn roles_matrix(lang: Lang) -> String {
    use crate::domain::permission::{self, Command as Cmd};
    use crate::domain::text::{pad_left, pad_right};
    let commands = Cmd::all();
    let names: Vec<String> = commands
        .iter()
        .map(|c| lang.code_name("command", &c.code()))
        .collect();
    let width = names
        .iter()
        .map(|n| crate::domain::text::width(n))
        .max()
        .unwrap_or(0)
        .max(crate::domain::text::width(lang.t("authz.matrix_command")));
    let mut heads: Vec<String> = Role::ALL
        .iter()
        .map(|r| lang.code_name("role", r.code()))
        .collect();
    heads.push(lang.t("authz.matrix_system").to_string());
    let col = |h: &str| crate::domain::text::width(h).max(4) + 2;
    let mut out = format!("{}\n\n", lang.t("authz.matrix_title"));
    out.push_str(&pad_right(lang.t("authz.matrix_command"), width));
    for h in &heads {
        out.push_str(&pad_left(h, col(h)));
    }
    out.push('\n');
    let mark = |ok: bool| lang.t(if ok { "authz.yes" } else { "authz.no" });
    for (c, name) in commands.iter().zip(&names) {
        out.push_str(&pad_right(name, width));
        let may = permission::roles_that_may(*c);
        for (r, h) in Role::ALL.iter().zip(&heads) {
            out.push_str(&pad_left(mark(may.contains(r)), col(h)));
        }
        let h = &heads[heads.len() - 1];
        out.push_str(&pad_left(mark(permission::system_may(*c)), col(h)));
        out.push('\n');
    }
    out.push('\n');
    out.push_str(lang.t("authz.matrix_note"));
    out.push('\n');
    out
}

/// Opens the workbench: logging goes to the log file from here on, never to the screen.
fn run_tui(store: Store, actor: Actor, ctx: &Context_) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        bail!("{}", ctx.lang.t("cli.no_terminal"));
    }
    let _guard = init_log(&ctx.dirs);
    let (keymap, problems) = tui::keymap::Keymap::load_with_user_file(&ctx.dirs.user_keymap());
    for p in &problems {
        // Said before the screen is taken over, so it is still there after quitting.
        eprintln!("keymap: {p}");
        tracing::warn!("keymap: {p}");
    }
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme = tui::theme::Theme::pick(no_color, ctx.config.display.theme == ThemeChoice::Mono);
    let (cols, rows) = crossterm::terminal::size().context("terminal size")?;
    let today = book_today(&store)?;
    let mut app = tui::app::App::new(
        store,
        actor,
        ctx.lang,
        theme,
        keymap,
        ctx.config.clone(),
        today,
        (cols, rows),
    )?;
    app.keymap_problems = problems;
    app.rules = crate::config::warning_rules(ctx.explicit_config.as_deref(), &ctx.dirs)?;
    tui::run(app)
}

fn init_log(dirs: &Dirs) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dir = &dirs.state;
    std::fs::create_dir_all(dir).ok()?;
    let appender = tracing_appender::rolling::never(dir, "postloan.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = tracing_subscriber::EnvFilter::try_from_env("POSTLOAN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}
