//! `postloan loan demand|recall|collateral-add|recover|write-off|close|legal|show` and
//! `postloan clocks`: disposal outcomes of one loan, and the legal clocks running out.

use super::table::{Column, Table};
use super::{
    Cli, Context_, Format, UTF8_BOM, book_path, book_today, csv_text, open_book, open_book_to_read,
};
use crate::domain::CollateralKind;
use crate::domain::legal::{AssetKind, Clock, DemandChannel, LegalClockRules, LegalEventKind};
use crate::domain::money::{format_money, parse_amount};
use crate::domain::recovery::{RecoveryAmounts, RecoveryKind};
use crate::domain::text::{pad_right, sanitize};
use crate::i18n::Lang;
use crate::store::{ClockRow, LoanOutcomes};
use crate::workflow::outcomes as flow;
use crate::workflow::{self, warning::EvalReport};
use anyhow::anyhow;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use rust_decimal::Decimal;
use serde::Serialize;
use std::io::Write;

/// The outcome steps of `postloan loan …`.
#[derive(Debug, Subcommand)]
pub enum OutcomeCommand {
    /// Record a demand for payment (催收): it restarts a running limitation period (one made
    /// before the claim falls due leaves the period to start at the due date).
    Demand {
        /// The loan's contract number.
        contract_no: String,
        /// The date (YYYY-MM-DD).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::date_arg)]
        on: NaiveDate,
        /// letter, visit, phone or court.
        #[arg(long, default_value = "letter")]
        channel: String,
        /// A note.
        #[arg(long, default_value = "")]
        note: String,
        /// The risk case this belongs to (its number; default: the borrower's open case).
        #[arg(long, value_name = "NUMBER")]
        case: Option<String>,
    },
    /// Recall the loan early (提前收回): the whole outstanding falls due. Supervisors, managers.
    Recall {
        /// The loan's contract number.
        contract_no: String,
        /// The date (YYYY-MM-DD).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::date_arg)]
        on: NaiveDate,
        /// Why the loan is recalled early.
        #[arg(long)]
        reason: String,
        /// The risk case it belongs to (e.g. CZ2026-000001; default: the borrower's open case).
        #[arg(long, value_name = "NUMBER")]
        case: Option<String>,
    },
    /// Add collateral (追加担保); the loan's warnings are re-evaluated at once.
    CollateralAdd {
        /// The loan's contract number.
        contract_no: String,
        /// real_estate, land, equipment, receivables, deposit, equity, inventory.
        #[arg(long)]
        kind: String,
        /// What the collateral is.
        #[arg(long)]
        description: String,
        /// The appraised value (thousands separators allowed, two decimals).
        #[arg(long, allow_negative_numbers = true)]
        value: String,
        /// The date (YYYY-MM-DD).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::date_arg)]
        on: NaiveDate,
    },
    /// Record money recovered: principal (reduces the outstanding), interest, costs.
    Recover {
        /// The loan's contract number.
        contract_no: String,
        /// The date (YYYY-MM-DD).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::date_arg)]
        on: NaiveDate,
        /// repayment, collateral_sale, guarantor or court.
        #[arg(long)]
        kind: String,
        /// Principal recovered.
        #[arg(long, allow_negative_numbers = true)]
        principal: String,
        /// Interest recovered.
        #[arg(long, allow_negative_numbers = true)]
        interest: Option<String>,
        /// Costs recovered.
        #[arg(long, allow_negative_numbers = true)]
        costs: Option<String>,
        /// A note.
        #[arg(long, default_value = "")]
        note: String,
        /// The risk case it belongs to (e.g. CZ2026-000001; default: the borrower's open case).
        #[arg(long, value_name = "NUMBER")]
        case: Option<String>,
    },
    /// Write off (核销) up to the outstanding, with the reason. Managers only.
    WriteOff {
        /// The loan's contract number.
        contract_no: String,
        /// The date (YYYY-MM-DD).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::date_arg)]
        on: NaiveDate,
        /// The amount written off.
        #[arg(long, allow_negative_numbers = true)]
        amount: String,
        /// Why it is written off.
        #[arg(long)]
        reason: String,
        /// The risk case it belongs to (e.g. CZ2026-000001; default: the borrower's open case).
        #[arg(long, value_name = "NUMBER")]
        case: Option<String>,
    },
    /// Close a loan whose outstanding is 0, with the reason.
    Close {
        /// The loan's contract number.
        contract_no: String,
        /// The date (YYYY-MM-DD).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::date_arg)]
        on: NaiveDate,
        /// Why the loan is closed.
        #[arg(long)]
        reason: String,
        /// The risk case it belongs to (e.g. CZ2026-000001; default: the borrower's open case).
        #[arg(long, value_name = "NUMBER")]
        case: Option<String>,
    },
    /// Record a legal step: preservation (ruling), suit (filed), seizure, renewal.
    Legal {
        /// The loan's contract number.
        contract_no: String,
        /// preservation, suit, seizure or renewal.
        #[arg(long)]
        event: String,
        /// The date (YYYY-MM-DD).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::date_arg)]
        on: NaiveDate,
        /// deposit, movable or real_estate (seizure and renewal).
        #[arg(long)]
        asset: Option<String>,
        /// The court and its case number.
        #[arg(long, default_value = "")]
        reference: String,
        /// A note.
        #[arg(long, default_value = "")]
        note: String,
        /// The risk case it belongs to (e.g. CZ2026-000001; default: the borrower's open case).
        #[arg(long, value_name = "NUMBER")]
        case: Option<String>,
    },
    /// The loan's status, recovered totals, write-offs, clocks and recent outcome records.
    Show {
        /// The loan's contract number.
        contract_no: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

/// `postloan clocks`.
#[derive(Debug, Args)]
pub struct ClocksArgs {
    /// The day to count from (default: the book's today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::date_arg)]
    pub as_of: Option<NaiveDate>,
    /// Days ahead (default: each clock's own, from `[legal_clocks]`).
    #[arg(value_parser = super::numbers::within_days, allow_negative_numbers = true, long, value_name = "DAYS")]
    pub within: Option<u32>,
    /// Only this officer's loans.
    #[arg(long, value_name = "USER")]
    pub officer: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// CSV only: start with a UTF-8 byte order mark, so Excel (Chinese Windows) reads UTF-8.
    #[arg(long)]
    pub bom: bool,
}

pub(super) fn clock_rules(ctx: &Context_, lang: Lang) -> anyhow::Result<LegalClockRules> {
    ctx.config
        .legal_clocks
        .rules()
        .map_err(|e| anyhow!("{}", e.localized(lang)))
}

/// A code argument, or a refusal naming what is accepted.
fn code<T>(
    text: &str,
    parse: impl Fn(&str) -> Option<T>,
    accepted: &str,
    flag: &str,
    lang: Lang,
) -> anyhow::Result<T> {
    parse(text).ok_or_else(|| {
        anyhow::Error::new(super::UsageError(lang.tf(
            "outcomes_cli.bad_code",
            &[
                ("flag", &flag),
                ("value", &sanitize(text)),
                ("accepted", &accepted),
            ],
        )))
    })
}

/// The id of the case `--case NUMBER` names; an unknown number is refused. (The workflow
/// checks that it is the loan's borrower's and open.)
fn case_id(
    store: &crate::store::Store,
    number: &Option<String>,
    lang: Lang,
) -> anyhow::Result<Option<i64>> {
    let Some(number) = number else {
        return Ok(None);
    };
    match store.case_link_by_number(number)? {
        Some(c) => Ok(Some(c.id)),
        None => Err(anyhow!(
            "{}",
            lang.tf(
                "workflow_err.not_found",
                &[
                    ("what", &lang.code_name("workflow_err.entity", "case")),
                    ("key", &sanitize(number)),
                ]
            )
        )),
    }
}

/// An amount argument by the money parser (thousands separators, two decimals); a
/// negative one is refused as such.
pub fn amount(text: &str, flag: &str, lang: Lang) -> anyhow::Result<Decimal> {
    parse_amount(text).map_err(|e| {
        let said = if e == crate::domain::money::AmountError::Negative {
            lang.tf(
                "outcomes_cli.amount_negative",
                &[("flag", &flag), ("value", &sanitize(text))],
            )
        } else {
            lang.tf(
                "outcomes_cli.bad_amount",
                &[
                    ("flag", &flag),
                    ("value", &sanitize(text)),
                    ("reason", &lang.t(e.key())),
                ],
            )
        };
        anyhow::Error::new(super::UsageError(said))
    })
}

fn accepted_codes(codes: &[&str]) -> String {
    codes.join(", ")
}

/// Says what a re-evaluation changed, when it changed anything.
fn say_evaluation(r: &EvalReport, lang: Lang) {
    let sum = |a: &[u64; 3]| a.iter().sum::<u64>();
    let (new, up, normal) = (sum(&r.new), sum(&r.escalated), sum(&r.back_to_normal));
    if new + up + normal > 0 {
        crate::outln!(
            "{}",
            lang.tf(
                "outcomes_cli.reevaluated",
                &[("new", &new), ("escalated", &up), ("normal", &normal)]
            )
        );
    }
}

/// What a demand for payment made `on` did to the limitation period (民法典 第195条): one
/// made on or after the claim fell due restarts it from that day; one made before leaves it
/// to start when the claim falls due; one older than the last demand changes nothing.
fn demanded_text(
    contract: &str,
    on: NaiveDate,
    due_on: Option<NaiveDate>,
    limitation: Option<&crate::domain::legal::Clock>,
    lang: Lang,
) -> String {
    let contract = sanitize(contract);
    let Some(clock) = limitation else {
        return lang.tf(
            "outcomes_cli.demanded_no_clock",
            &[("contract", &contract), ("date", &on)],
        );
    };
    let key = match due_on {
        Some(due) if on < due => "outcomes_cli.demanded_before_due",
        _ if clock.started_on == on => "outcomes_cli.demanded",
        _ => "outcomes_cli.demanded_older",
    };
    lang.tf(
        key,
        &[
            ("contract", &contract),
            ("date", &on),
            ("due", &due_on.map(|d| d.to_string()).unwrap_or_default()),
            ("start", &clock.started_on),
            ("ends", &clock.ends_on),
        ],
    )
}

/// Runs `postloan loan <outcome step>`.
pub fn run(cli: &Cli, ctx: &Context_, cmd: &OutcomeCommand) -> anyhow::Result<i32> {
    let lang = ctx.lang;
    let clocks = clock_rules(ctx, lang)?;
    let path = book_path(cli, ctx);
    let mut store = match cmd {
        OutcomeCommand::Show { .. } => open_book_to_read(&path, lang)?,
        _ => open_book(&path, lang)?,
    };
    let actor = workflow::identify(&store, &workflow::os_user(), cli.as_user.as_deref())?;
    let today = book_today(&store)?;
    let rules = || crate::config::warning_rules(ctx.explicit_config.as_deref(), &ctx.dirs);
    let linked = match cmd {
        OutcomeCommand::Demand { case, .. }
        | OutcomeCommand::Recall { case, .. }
        | OutcomeCommand::Recover { case, .. }
        | OutcomeCommand::WriteOff { case, .. }
        | OutcomeCommand::Close { case, .. }
        | OutcomeCommand::Legal { case, .. } => case_id(&store, case, lang)?,
        _ => None,
    };
    match cmd {
        OutcomeCommand::Demand {
            contract_no,
            on,
            channel,
            note,
            case: _,
        } => {
            let channel = code(
                channel,
                DemandChannel::parse,
                &DemandChannel::accepted(),
                "--channel",
                lang,
            )?;
            flow::record_demand(
                &mut store,
                &actor,
                &flow::DemandInput {
                    contract_no,
                    on: *on,
                    channel,
                    note,
                    case_id: linked,
                },
                today,
            )?;
            let loan = store.outcome_loan(contract_no)?;
            let limitation = loan
                .as_ref()
                .and_then(|l| store.loan_outcomes(l.id, &clocks).ok().flatten())
                .and_then(|o| o.clocks.into_iter().find(|c| c.kind.code() == "limitation"));
            let due_on = loan
                .as_ref()
                .map(|l| crate::domain::legal::claim_due_on(l.matures_on, l.recalled_on).0);
            crate::outln!(
                "{}",
                demanded_text(contract_no.trim(), *on, due_on, limitation.as_ref(), lang)
            );
        }
        OutcomeCommand::Recall {
            contract_no,
            on,
            reason,
            case: _,
        } => {
            flow::recall(
                &mut store,
                &actor,
                &flow::StatusInput {
                    contract_no,
                    on: *on,
                    reason,
                    case_id: linked,
                    expected_version: None,
                },
                today,
            )?;
            crate::outln!(
                "{}",
                lang.tf(
                    "outcomes_cli.recalled",
                    &[("contract", &contract_no.trim()), ("date", on)]
                )
            );
        }
        OutcomeCommand::Close {
            contract_no,
            on,
            reason,
            case: _,
        } => {
            flow::close(
                &mut store,
                &actor,
                &flow::StatusInput {
                    contract_no,
                    on: *on,
                    reason,
                    case_id: linked,
                    expected_version: None,
                },
                today,
            )?;
            crate::outln!(
                "{}",
                lang.tf(
                    "outcomes_cli.closed",
                    &[("contract", &contract_no.trim()), ("date", on)]
                )
            );
        }
        OutcomeCommand::CollateralAdd {
            contract_no,
            kind,
            description,
            value,
            on,
        } => {
            let kind = code(
                kind,
                CollateralKind::parse,
                &CollateralKind::accepted(),
                "--kind",
                lang,
            )?;
            let value = amount(value, "--value", lang)?;
            let report = flow::add_collateral(
                &mut store,
                &actor,
                &flow::CollateralInput {
                    contract_no,
                    kind,
                    description,
                    value,
                    on: *on,
                },
                &rules()?,
                today,
            )?;
            let currency = store
                .outcome_loan(contract_no)?
                .map(|l| l.currency)
                .unwrap_or_default();
            crate::outln!(
                "{}",
                lang.tf(
                    "outcomes_cli.collateral_added",
                    &[
                        ("contract", &contract_no.trim()),
                        ("value", &format_money(value, &currency)),
                    ]
                )
            );
            say_evaluation(&report, lang);
        }
        OutcomeCommand::Recover {
            contract_no,
            on,
            kind,
            principal,
            interest,
            costs,
            note,
            case: _,
        } => {
            let kind = code(
                kind,
                RecoveryKind::parse,
                &RecoveryKind::accepted(),
                "--kind",
                lang,
            )?;
            let optional = |v: &Option<String>, flag: &str| match v {
                Some(t) => amount(t, flag, lang),
                None => Ok(Decimal::ZERO),
            };
            let amounts = RecoveryAmounts {
                principal: amount(principal, "--principal", lang)?,
                interest: optional(interest, "--interest")?,
                costs: optional(costs, "--costs")?,
            };
            let change = flow::record_recovery(
                &mut store,
                &actor,
                &flow::RecoveryInput {
                    contract_no,
                    on: *on,
                    kind,
                    amounts,
                    note,
                    case_id: linked,
                    expected_version: None,
                },
                &rules()?,
                today,
            )?;
            let c = &change.currency;
            crate::outln!(
                "{}",
                lang.tf(
                    change.recovered_key(),
                    &[
                        ("contract", &change.contract_no),
                        ("total", &format_money(amounts.total(), c)),
                        ("principal", &format_money(amounts.principal, c)),
                        ("before", &format_money(change.outstanding_before, c)),
                        ("after", &format_money(change.outstanding_after, c)),
                    ]
                )
            );
            say_evaluation(&change.evaluation, lang);
        }
        OutcomeCommand::WriteOff {
            contract_no,
            on,
            amount: text,
            reason,
            case: _,
        } => {
            let value = amount(text, "--amount", lang)?;
            let change = flow::write_off(
                &mut store,
                &actor,
                &flow::WriteOffInput {
                    contract_no,
                    on: *on,
                    amount: value,
                    reason,
                    case_id: linked,
                    expected_version: None,
                },
                &rules()?,
                today,
            )?;
            let c = &change.currency;
            crate::outln!(
                "{}",
                lang.tf(
                    "outcomes_cli.written_off",
                    &[
                        ("contract", &change.contract_no),
                        ("amount", &format_money(value, c)),
                        ("after", &format_money(change.outstanding_after, c)),
                        (
                            "status",
                            &lang.code_name("loan_status", change.status.code())
                        ),
                    ]
                )
            );
            say_evaluation(&change.evaluation, lang);
        }
        OutcomeCommand::Legal {
            contract_no,
            event,
            on,
            asset,
            reference,
            note,
            case: _,
        } => {
            let kind = code(
                event,
                LegalEventKind::parse,
                &accepted_codes(&["preservation", "suit", "seizure", "renewal"]),
                "--event",
                lang,
            )?;
            let asset = match asset {
                Some(a) => Some(code(
                    a,
                    AssetKind::parse,
                    &accepted_codes(&["deposit", "movable", "real_estate"]),
                    "--asset",
                    lang,
                )?),
                None => None,
            };
            flow::record_legal(
                &mut store,
                &actor,
                &flow::LegalInput {
                    contract_no,
                    kind,
                    asset,
                    on: *on,
                    reference,
                    note,
                    case_id: linked,
                },
                today,
            )?;
            crate::outln!(
                "{}",
                lang.tf(
                    "outcomes_cli.legal_recorded",
                    &[
                        ("contract", &contract_no.trim()),
                        ("event", &lang.code_name("legal_event", kind.code())),
                        ("date", on),
                    ]
                )
            );
        }
        OutcomeCommand::Show {
            contract_no,
            format,
        } => {
            let loan = store.outcome_loan(contract_no)?.ok_or_else(|| {
                workflow::WorkflowError::NotFound {
                    what: "loan",
                    key: contract_no.trim().to_string(),
                }
            })?;
            let o = store.loan_outcomes(loan.id, &clocks)?.ok_or_else(|| {
                workflow::WorkflowError::NotFound {
                    what: "loan",
                    key: contract_no.trim().to_string(),
                }
            })?;
            print_show(&o, today, *format, lang)?;
        }
    }
    Ok(0)
}

/// A clock for people and scripts.
#[derive(Debug, Serialize)]
struct ClockJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    contract_no: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    borrower_name: Option<&'a str>,
    clock: &'static str,
    source: &'static str,
    started_on: NaiveDate,
    ends_on: NaiveDate,
    days_left: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    officer: Option<&'a str>,
}

fn clock_json<'a>(c: &Clock, as_of: NaiveDate, row: Option<&'a ClockRow>) -> ClockJson<'a> {
    ClockJson {
        contract_no: row.map(|r| r.contract_no.as_str()),
        borrower_name: row.map(|r| r.borrower_name.as_str()),
        clock: c.kind.code(),
        source: c.source.code(),
        started_on: c.started_on,
        ends_on: c.ends_on,
        days_left: c.days_left(as_of),
        officer: row.map(|r| r.officer.as_str()),
    }
}

/// `loan show`'s JSON: the loan's outcome facts.
#[derive(Debug, Serialize)]
struct ShowJson<'a> {
    contract_no: &'a str,
    borrower_name: &'a str,
    officer: &'a str,
    currency: &'a str,
    status: &'static str,
    outstanding: Decimal,
    written_off: Decimal,
    recalled_on: Option<NaiveDate>,
    closed_on: Option<NaiveDate>,
    recovered: RecoveredJson,
    clocks: Vec<ClockJson<'a>>,
    demands: &'a [crate::store::Demand],
    legal_events: &'a [crate::store::LegalEvent],
    recoveries: &'a [crate::store::Recovery],
    write_offs: &'a [crate::store::WriteOff],
    status_events: &'a [crate::store::StatusEvent],
}

#[derive(Debug, Serialize)]
struct RecoveredJson {
    count: i64,
    principal: Decimal,
    interest: Decimal,
    costs: Decimal,
    total: Decimal,
}

fn print_show(
    o: &LoanOutcomes,
    today: NaiveDate,
    format: Format,
    lang: Lang,
) -> anyhow::Result<()> {
    let l = &o.loan;
    let r = &o.recovered;
    let mut out = super::visible::stdout(format == Format::Json);
    match format {
        Format::Json => {
            let j = ShowJson {
                contract_no: &l.contract_no,
                borrower_name: &l.borrower_name,
                officer: &l.officer,
                currency: &l.currency,
                status: l.status.code(),
                outstanding: l.outstanding,
                written_off: l.written_off,
                recalled_on: l.recalled_on,
                closed_on: l.closed_on,
                recovered: RecoveredJson {
                    count: r.count,
                    principal: r.principal,
                    interest: r.interest,
                    costs: r.costs,
                    total: r.principal + r.interest + r.costs,
                },
                clocks: o
                    .clocks
                    .iter()
                    .map(|c| clock_json(c, today, None))
                    .collect(),
                demands: &o.demands,
                legal_events: &o.legal_events,
                recoveries: &o.recoveries,
                write_offs: &o.write_offs,
                status_events: &o.status_events,
            };
            serde_json::to_writer_pretty(&mut out, &j)?;
            writeln!(out)?;
        }
        Format::Csv => {
            return Err(super::usage(
                lang.t("classification_cli.no_csv").to_string(),
            ));
        }
        Format::Table => {
            let c = &l.currency;
            let money = |d: Decimal| format_money(d, c);
            let line = |out: &mut dyn Write, key: &str, value: &str| -> std::io::Result<()> {
                writeln!(out, "{} {}", pad_right(lang.t(key), 14), value)
            };
            line(
                &mut out,
                "col.contract_no",
                &format!(
                    "{}  {}",
                    super::visible::shown(&l.contract_no),
                    super::visible::shown(&l.borrower_name)
                ),
            )?;
            line(
                &mut out,
                "col.status",
                &lang.code_name("loan_status", l.status.code()),
            )?;
            line(&mut out, "col.outstanding", &money(l.outstanding))?;
            line(
                &mut out,
                "outcomes_cli.written_off_label",
                &money(l.written_off),
            )?;
            if let Some(d) = l.recalled_on {
                line(&mut out, "outcomes_cli.recalled_on", &d.to_string())?;
            }
            if let Some(d) = l.closed_on {
                line(&mut out, "outcomes_cli.closed_on", &d.to_string())?;
            }
            line(
                &mut out,
                "outcomes_cli.recovered_label",
                &lang.tf(
                    "outcomes_cli.recovered_totals",
                    &[
                        ("count", &r.count),
                        ("principal", &money(r.principal)),
                        ("interest", &money(r.interest)),
                        ("costs", &money(r.costs)),
                    ],
                ),
            )?;
            for clock in &o.clocks {
                line(
                    &mut out,
                    "outcomes_cli.clock_label",
                    &workflow::disposal_record::clock_text(clock, today, lang),
                )?;
            }
            for rec in &o.recoveries {
                line(
                    &mut out,
                    "outcomes_cli.recovery_label",
                    &format!(
                        "{} {} {} / {} / {}{}",
                        rec.on,
                        lang.code_name("recovery_kind", rec.kind.code()),
                        money(rec.principal),
                        money(rec.interest),
                        money(rec.costs),
                        if rec.after_write_off {
                            lang.t("outcomes_cli.after_write_off_mark")
                        } else {
                            ""
                        }
                    ),
                )?;
            }
            for w in &o.write_offs {
                line(
                    &mut out,
                    "outcomes_cli.write_off_label",
                    &format!(
                        "{} {} {} ({})",
                        w.on,
                        money(w.amount),
                        super::visible::shown(&w.reason),
                        w.approved_by
                    ),
                )?;
            }
            for d in &o.demands {
                line(
                    &mut out,
                    "outcomes_cli.demand_label",
                    &format!(
                        "{} {} {}",
                        d.on,
                        lang.code_name("demand_channel", &d.channel),
                        super::visible::shown(&d.note)
                    ),
                )?;
            }
            for e in &o.legal_events {
                let asset = e
                    .asset
                    .as_deref()
                    .map(|a| format!(" {}", lang.code_name("asset_kind", a)))
                    .unwrap_or_default();
                line(
                    &mut out,
                    "outcomes_cli.legal_label",
                    &format!(
                        "{} {}{} {}",
                        e.on,
                        lang.code_name("legal_event", &e.kind),
                        asset,
                        super::visible::shown(&e.reference)
                    ),
                )?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

const CLOCK_CSV_COLUMNS: [&str; 8] = [
    "contract_no",
    "borrower_name",
    "clock",
    "source",
    "started_on",
    "ends_on",
    "days_left",
    "officer",
];

/// `postloan clocks`: every clock ending within the window, soonest first.
pub fn clocks(cli: &Cli, ctx: &Context_, args: &ClocksArgs) -> anyhow::Result<i32> {
    let lang = ctx.lang;
    super::bom_only_for_csv(args.bom, args.format, lang)?;
    let rules = clock_rules(ctx, lang)?;
    let path = book_path(cli, ctx);
    let store = open_book_to_read(&path, lang)?;
    workflow::identify(&store, &workflow::os_user(), cli.as_user.as_deref())?;
    super::filters::staff_name(&store, "--officer", args.officer.as_deref(), false, lang)?;
    let as_of = match args.as_of {
        Some(d) => d,
        None => book_today(&store)?,
    };
    let rows = flow::clocks_due(&store, as_of, args.within, args.officer.as_deref(), &rules)?;
    let mut out = super::visible::stdout(args.format == Format::Json);
    match args.format {
        Format::Json => {
            let items: Vec<ClockJson<'_>> = rows
                .iter()
                .map(|r| clock_json(&r.clock, as_of, Some(r)))
                .collect();
            serde_json::to_writer_pretty(&mut out, &items)?;
            writeln!(out)?;
        }
        Format::Csv => {
            if args.bom {
                out.write_all(UTF8_BOM)?;
            }
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(CLOCK_CSV_COLUMNS)?;
            for r in &rows {
                let c = &r.clock;
                w.write_record([
                    csv_text(&r.contract_no).as_ref(),
                    csv_text(&r.borrower_name).as_ref(),
                    c.kind.code(),
                    c.source.code(),
                    &c.started_on.to_string(),
                    &c.ends_on.to_string(),
                    &c.days_left(as_of).to_string(),
                    csv_text(&r.officer).as_ref(),
                ])?;
            }
            w.flush()?;
        }
        Format::Table => {
            let mut table = Table::new(vec![
                Column::new(lang.t("col.contract_no"), 24),
                Column::new(lang.t("col.borrower"), 40),
                Column::new(lang.t("outcomes_cli.col_clock"), 24),
                Column::new(lang.t("outcomes_cli.col_ends"), 10),
                Column::new(lang.t("outcomes_cli.col_days"), 24),
                Column::new(lang.t("col.officer"), 24),
            ]);
            for r in &rows {
                let c = &r.clock;
                table.row(
                    &mut out,
                    vec![
                        r.contract_no.clone(),
                        r.borrower_name.clone(),
                        lang.code_name("clock_kind", c.kind.code()),
                        c.ends_on.to_string(),
                        workflow::disposal_record::days_left_text(c.days_left(as_of), lang),
                        r.officer.clone(),
                    ],
                )?;
            }
            table.finish(&mut out)?;
            writeln!(
                out,
                "{}",
                lang.tf(
                    "outcomes_cli.clocks_count",
                    &[("n", &rows.len()), ("as_of", &as_of)]
                )
            )?;
        }
    }
    match out.flush() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
        other => {
            other?;
            Ok(0)
        }
    }
}
