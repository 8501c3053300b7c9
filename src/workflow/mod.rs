//! The process as commands: every change to the book passes here — who is acting, may they,
//! the store write and its audit row, all in one transaction. TUI and CLI both call this layer.
//!
//! The command pattern (how a new command is added):
//! 1. name it: a variant of [`Command`] (`src/domain/permission.rs`), its rule in
//!    `authorize` (role, maker-checker via [`Subject::made_by`], reach), a `command.<code>`
//!    name in both translation files, and a row in the exhaustive test;
//! 2. write `fn thing_in(tx: &mut Tx, actor, …)`: it calls [`authorize_in`] first, reads what
//!    it changes inside `tx`, refuses a stale edit with [`check_version`] against the
//!    `expected_version` the screen showed (`None`: the current one, for scripts), writes
//!    through `tx` and appends its audit row with `tx.audit` — all in the caller's transaction;
//!    the row's detail says before → after (`{"before": {…}, "after": {…}}` with the fields
//!    it changed; the convention is in `store::audit`); every row the command wrote in a
//!    sealed table (side effects included) is sealed by its next audit row, so write before
//!    the entry that records the writing (`postloan verify` then sees a later edit);
//! 3. the public `thing(store, actor, …)` is `execute(store, actor, |tx| thing_in(tx, …))`, so a
//!    compound command calls several `_in` steps inside one `execute` and a failure anywhere
//!    leaves nothing; a refusal is recorded in the audit trail by `execute` itself;
//! 4. errors are [`WorkflowError`] variants whose [`WorkflowError::localized`] text comes from a
//!    translation key (`workflow_err.*`, `authz.*`, `err.*`), never English-only `Display` text.

pub mod archive;
pub mod audit_kinds;
pub mod backup;
pub mod book;
pub mod classification;
pub mod demo;
mod demo_classification;
pub mod demo_disposal;
mod demo_inspections;
pub mod disposal;
mod disposal_notice;
pub mod disposal_record;
pub mod doctor;
pub mod evidence;
pub mod feedback;
pub mod import;
pub mod inspection;
pub mod inspection_checklist;
pub mod inspection_report;
pub mod notice;
pub mod outcomes;
pub mod summary;
pub mod summary_sign;
pub mod tracking;
pub mod verify;
pub mod warning;

use crate::domain::Role;
use crate::domain::permission::{self, Principal, Refusal};
pub use crate::domain::permission::{Command, Subject};
use crate::store::{Store, StoreError, Tx};
use serde_json::json;

/// The user name the engine acts under in audit rows and history (never a staff name).
pub const SYSTEM_USER: &str = "system";

/// The person acting: the operating-system user, or in a demo book the `--as` user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The engine acting on its own (evaluations), not a person: see [`Actor::system`].
    pub system: bool,
}

/// Whose a refused loan or case is: its officer, and the case's number if it is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Whose {
    pub officer: String,
    pub case: Option<String>,
}

/// Why a command was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    #[error(
        "'{user}' is not staff in this book; a manager can add them with: postloan staff add {user} --role specialist"
    )]
    NotStaff { user: String },
    #[error("'{user}' ({role}) may not {command} ({why}); who may: {may}", why = refusal.code(), may = roles_list(may))]
    Denied {
        user: String,
        role: &'static str,
        command: String,
        refusal: Refusal,
        may: Vec<Role>,
        /// Whose the loan or case is, when a specialist is refused someone else's (boxed: the
        /// error stays small).
        whose: Option<Box<Whose>>,
    },
    #[error(
        "{what} was changed by {by} at {at} after you loaded it (version {expected}, now {current}); reload it and apply your change again"
    )]
    Stale {
        what: String,
        by: String,
        at: String,
        expected: i64,
        current: i64,
    },
    #[error("'{name}' is reserved for the warning engine's own entries; choose another user name")]
    Reserved { name: String },
    /// A business rule refused the input: its translation key (`workflow_err.*`) and arguments.
    #[error("{}", rule_text(crate::i18n::Lang::En, key, args))]
    Rule {
        key: &'static str,
        args: Vec<(&'static str, String)>,
    },
    #[error("the cause is empty")]
    CauseEmpty,
    #[error("warning {number} is {status} and can no longer change")]
    Closed {
        number: String,
        status: &'static str,
    },
    #[error("no {what} '{key}'")]
    NotFound { what: &'static str, key: String },
    #[error("--as works only in a demo book")]
    AsOutsideDemo,
    /// `demo` was pointed at a book that is not a demo book: it only builds and rebuilds
    /// demo books, never replaces a real one.
    #[error("{path} is a real book, not a demo book")]
    NotDemoBook { path: String },
    #[error("this book already has staff; ask a manager to add you")]
    AlreadyInitialised,
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Move(#[from] crate::domain::warning::MoveError),
    /// An inspection's state machine refused the step.
    #[error(transparent)]
    Inspection(#[from] crate::domain::inspection::InspectionMoveError),
    /// A plan's or an action's state machine refused the step.
    #[error(transparent)]
    Disposal(#[from] crate::domain::disposal::DisposalMoveError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl WorkflowError {
    /// The message in the user's language (the `Display` text is English, for logs).
    pub fn localized(&self, lang: crate::i18n::Lang) -> String {
        use crate::domain::warning::MoveError;
        match self {
            WorkflowError::NotStaff { user } => lang.tf("err.not_staff", &[("user", user)]),
            WorkflowError::Denied {
                user,
                role,
                command,
                refusal,
                may,
                whose,
            } => {
                if *refusal == Refusal::NotOfficer
                    && let Some(w) = whose
                {
                    let (officer, case) = (&w.officer, &w.case);
                    let action = lang.code_name("command", command);
                    return match case {
                        Some(case) => lang.tf(
                            "authz.denied_not_officer_case",
                            &[
                                ("user", user),
                                ("action", &action),
                                ("case", case),
                                ("officer", officer),
                            ],
                        ),
                        None => lang.tf(
                            "authz.denied_not_officer_loan",
                            &[("user", user), ("action", &action), ("officer", officer)],
                        ),
                    };
                }
                let who = if may.is_empty() {
                    lang.t("authz.system").to_string()
                } else {
                    may.iter()
                        .map(|r| lang.code_name("role", r.code()))
                        .collect::<Vec<_>>()
                        // "another supervisor or manager": any one of them checks it.
                        .join(lang.t(if refusal.code() == "own_record" {
                            "authz.or_sep"
                        } else {
                            "authz.list_sep"
                        }))
                };
                lang.tf(
                    &format!("authz.denied_{}", refusal.code()),
                    &[
                        ("user", user),
                        ("role", &lang.code_name("role", role)),
                        ("action", &lang.code_name("command", command)),
                        ("may", &who),
                    ],
                )
            }
            WorkflowError::Stale {
                what,
                by,
                at,
                expected,
                current,
            } => lang.tf(
                "workflow_err.stale",
                &[
                    ("what", what),
                    ("by", by),
                    ("at", at),
                    ("expected", expected),
                    ("current", current),
                ],
            ),
            WorkflowError::Rule { key, args } => rule_text(lang, key, args),
            WorkflowError::CauseEmpty => lang.t("workflow_err.cause_empty").to_string(),
            WorkflowError::Closed { number, status } => lang.tf(
                "workflow_err.closed",
                &[
                    ("number", number),
                    ("status", &lang.code_name("wstatus", status)),
                ],
            ),
            WorkflowError::Reserved { name } => lang.tf("workflow_err.reserved", &[("name", name)]),
            WorkflowError::NotFound { what, key } => lang.tf(
                "workflow_err.not_found",
                &[
                    ("what", &lang.code_name("workflow_err.entity", what)),
                    ("key", key),
                ],
            ),
            WorkflowError::AsOutsideDemo => lang.t("err.as_outside_demo").to_string(),
            WorkflowError::NotDemoBook { path } => lang.tf("err.not_demo_book", &[("path", path)]),
            WorkflowError::AlreadyInitialised => lang.t("err.already_initialised").to_string(),
            WorkflowError::Move(m) => match m {
                MoveError::NotFromHere { from, to } => lang.tf(
                    "err.move_not_from_here",
                    &[
                        ("from", &lang.code_name("wstatus", from)),
                        ("to", &lang.code_name("wstatus", to)),
                    ],
                ),
                MoveError::ReasonRequired => lang.t("err.reason_required").to_string(),
                MoveError::NeedsSupervisor => lang.t("err.needs_supervisor").to_string(),
                MoveError::ReadOnly => lang.t("err.read_only").to_string(),
                MoveError::StillTriggered => lang.t("err.still_triggered").to_string(),
            },
            WorkflowError::Inspection(e) => lang.tf(
                "inspection_err.wrong_state",
                &[
                    (
                        "status",
                        &lang.code_name("inspection_status", e.from.code()),
                    ),
                    ("action", &lang.code_name("inspection_action", e.mv.code())),
                ],
            ),
            WorkflowError::Disposal(e) => lang.tf(
                "disposal_err.wrong_state",
                &[
                    ("what", &lang.code_name("disposal_entity", e.what)),
                    (
                        "status",
                        &lang.code_name(&format!("{}_status", e.what), e.from),
                    ),
                    ("action", &lang.code_name(&format!("{}_move", e.what), e.mv)),
                ],
            ),
            other => other.to_string(),
        }
    }
}

pub type Result<T, E = WorkflowError> = std::result::Result<T, E>;

impl WorkflowError {
    /// Whether the command failed only because another connection held the book: nothing was
    /// written, and the same command can be sent again once the book frees.
    pub fn is_busy(&self) -> bool {
        matches!(self, WorkflowError::Store(e) if e.is_busy())
    }
}

impl WorkflowError {
    /// A rule's refusal with translation `key` and its named arguments.
    pub fn rule(key: &'static str, args: &[(&'static str, &dyn std::fmt::Display)]) -> Self {
        WorkflowError::Rule {
            key,
            args: args.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        }
    }
}

/// Marks a translation key inside a refusal's argument text: [`said_key`] writes one, and
/// the refusal says it in the reader's language (data text never holds control characters).
const KEY_OPEN: char = '\u{1}';
const KEY_CLOSE: char = '\u{2}';

/// `key` marked to be said in the reader's language inside an argument's text.
pub fn said_key(key: &str) -> String {
    format!("{KEY_OPEN}{key}{KEY_CLOSE}")
}

/// An argument's text with each marked key said in `lang`.
fn said_keys(lang: crate::i18n::Lang, text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find(KEY_OPEN) {
        out.push_str(&rest[..start]);
        let after = &rest[start + KEY_OPEN.len_utf8()..];
        match after.find(KEY_CLOSE) {
            Some(end) => {
                out.push_str(lang.t(&after[..end]));
                rest = &after[end + KEY_CLOSE.len_utf8()..];
            }
            None => {
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A rule's refusal in `lang`. An argument that is an OS failure's key (`i18n::Failure::key`)
/// or a translation key marked with a leading `@` (`@loan_status.closed`) is said in `lang`.
fn rule_text(lang: crate::i18n::Lang, key: &str, args: &[(&'static str, String)]) -> String {
    let said: Vec<String> = args
        .iter()
        .map(|(_, v)| {
            if v.starts_with("os_err.") {
                lang.t(v).to_string()
            } else if v.contains(KEY_OPEN) {
                said_keys(lang, v)
            } else if let Some(codes) = v.strip_prefix('@') {
                // `@a/b`: each code's name, joined by '/'; an unknown code is said as given.
                codes
                    .split('/')
                    .map(|code| lang.t(code).to_string())
                    .collect::<Vec<_>>()
                    .join("/")
            } else {
                v.clone()
            }
        })
        .collect();
    let args: Vec<(&str, &dyn std::fmt::Display)> = args
        .iter()
        .zip(&said)
        .map(|((k, _), v)| (*k, v as &dyn std::fmt::Display))
        .collect();
    lang.tf(key, &args)
}

/// Roles named in English, for the log text of a refusal.
fn roles_list(may: &[Role]) -> String {
    if may.is_empty() {
        return SYSTEM_USER.to_string();
    }
    may.iter().map(|r| r.code()).collect::<Vec<_>>().join(", ")
}

impl Actor {
    /// The engine acting on its own: evaluations write their rows as `system`.
    pub fn system() -> Actor {
        Actor {
            username: SYSTEM_USER.to_string(),
            display_name: SYSTEM_USER.to_string(),
            role: Role::Manager,
            system: true,
        }
    }

    /// The actor as the permission rules see it.
    pub fn principal(&self) -> Principal<'_> {
        if self.system {
            Principal::System
        } else {
            Principal::Staff {
                username: &self.username,
                role: self.role,
            }
        }
    }

    fn role_code(&self) -> &'static str {
        if self.system {
            SYSTEM_USER
        } else {
            self.role.code()
        }
    }

    /// Fails with [`WorkflowError::Denied`] unless [`permission::authorize`] allows it.
    pub fn authorize(&self, command: Command, subject: &Subject<'_>) -> Result<()> {
        permission::authorize(&self.principal(), &command, subject).map_err(|refusal| {
            WorkflowError::Denied {
                user: self.username.clone(),
                role: self.role_code(),
                command: command.code(),
                refusal,
                may: permission::roles_that_may(command),
                whose: match (refusal, subject.officer) {
                    (Refusal::NotOfficer, Some(officer)) => Some(Box::new(Whose {
                        officer: officer.to_string(),
                        case: subject.case.map(str::to_string),
                    })),
                    _ => None,
                },
            }
        })
    }
}

/// Step one of every command: may `actor` do `command` to `subject`? (In the transaction, so
/// a subject read inside it is judged as it is.)
pub fn authorize_in(
    _tx: &mut Tx<'_>,
    actor: &Actor,
    command: Command,
    subject: &Subject<'_>,
) -> Result<()> {
    actor.authorize(command, subject)
}

/// Runs one command in one write transaction. A refusal rolls the command back and is then
/// written to the audit trail in a small transaction of its own.
pub fn execute<T>(
    store: &mut Store,
    actor: &Actor,
    f: impl FnOnce(&mut Tx<'_>) -> Result<T>,
) -> Result<T> {
    let result = store.write(|tx| {
        tx.expect_all_sealed();
        f(tx)
    });
    if let Err(e) = &result {
        record_refusal(store, actor, e);
    }
    result
}

/// Checks `command` before any transaction; a refusal is recorded as [`execute`] does.
pub fn guard(
    store: &mut Store,
    actor: &Actor,
    command: Command,
    subject: &Subject<'_>,
) -> Result<()> {
    let result = actor.authorize(command, subject);
    if let Err(e) = &result {
        record_refusal(store, actor, e);
    }
    result
}

/// Writes a refusal to the audit trail in a transaction of its own; other errors pass.
fn record_refusal(store: &mut Store, actor: &Actor, e: &WorkflowError) {
    let WorkflowError::Denied {
        command,
        refusal,
        may,
        ..
    } = e
    else {
        return;
    };
    let detail = json!({
        "role": actor.role_code(),
        "refusal": refusal.code(),
        "may": may.iter().map(|r| r.code()).collect::<Vec<_>>(),
    });
    // The refusal stands even if the book cannot take its audit row (e.g. read-only).
    let recorded = store.write(|tx| -> Result<()> {
        tx.audit(
            &actor.username,
            "command.denied",
            "command",
            command,
            &detail,
        )?;
        Ok(())
    });
    if let Err(e) = recorded {
        tracing::warn!("refusal not recorded: {e}");
    }
}

/// Refuses a stale edit: the record is at `current` (last changed by `by` at `at`, stored UTC,
/// said in local time) while the screen showed `expected`. `None` accepts the current version
/// (a script's edit).
pub fn check_version(
    what: &str,
    expected: Option<i64>,
    current: i64,
    by: &str,
    at: &str,
) -> Result<i64> {
    match expected {
        // A version the record has never had is a typo or another book's number, not a
        // change made since: say where the record stands.
        Some(v) if v > current => Err(WorkflowError::rule(
            "workflow_err.version_ahead",
            &[("what", &what), ("expected", &v), ("current", &current)],
        )),
        Some(v) if v != current => Err(WorkflowError::Stale {
            what: what.to_string(),
            by: by.to_string(),
            at: crate::domain::text::local_time(at),
            expected: v,
            current,
        }),
        _ => Ok(current),
    }
}

/// Who is acting: `os_user` unless `as_user` is given, which only a demo book accepts (a
/// demo book holds invented people, so pretending to be one of them gives no one a right
/// over real loans; on a real book only the real user id says who you are).
pub fn identify(store: &Store, os_user: &str, as_user: Option<&str>) -> Result<Actor> {
    let user = match as_user {
        Some(u) if !store.is_demo()? => {
            let _ = u;
            return Err(WorkflowError::AsOutsideDemo);
        }
        Some(u) => u,
        None => os_user,
    };
    match store.staff(user)? {
        Some(s) if s.active => Ok(Actor {
            username: s.username,
            display_name: s.display_name,
            role: s.role,
            system: false,
        }),
        _ => Err(WorkflowError::NotStaff {
            user: user.to_string(),
        }),
    }
}

/// The operating-system user running the program: the name of the *real* user id
/// (`getuid`) in the password database. Never `$USER` or `$LOGNAME`, which anyone can set,
/// nor the effective ids a setgid installation lends (see the README, "Shared server").
/// A user id without a name is said as its number, which no staff record carries.
pub fn os_user() -> String {
    // SAFETY: getuid cannot fail.
    let uid = unsafe { libc::getuid() };
    user_name(uid).unwrap_or_else(|| uid.to_string())
}

/// The real group id of the process: the user's own group, not the group a setgid program
/// runs with.
pub fn real_primary_gid() -> u32 {
    // SAFETY: getgid takes nothing and cannot fail.
    unsafe { libc::getgid() }
}

/// Whether `login` is a user of this server (the password database has it).
pub fn login_exists(login: &str) -> bool {
    let Ok(c) = std::ffi::CString::new(login) else {
        return false;
    };
    let mut buf = vec![0u8; 4096];
    loop {
        // SAFETY: an all-zero passwd is a valid value for getpwnam_r to fill.
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: `c` is NUL-terminated; `buf` outlives the call and its length is passed;
        // `pwd` and `found` are valid for writes.
        let rc = unsafe {
            libc::getpwnam_r(
                c.as_ptr(),
                &mut pwd,
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut found,
            )
        };
        if rc == libc::ERANGE && buf.len() < 1 << 20 {
            buf.resize(buf.len() * 2, 0);
            continue;
        }
        return rc == 0 && !found.is_null();
    }
}

/// The password database's name for `uid`, if it has one.
pub fn user_name(uid: u32) -> Option<String> {
    let mut buf = vec![0u8; 4096];
    loop {
        // SAFETY: an all-zero passwd is a valid value for getpwuid_r to fill.
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: `buf` outlives the call and its length is passed; `pwd` and `found` are
        // valid for writes; the strings `pwd` points to live in `buf`.
        let rc = unsafe {
            libc::getpwuid_r(
                uid,
                &mut pwd,
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut found,
            )
        };
        if rc == libc::ERANGE && buf.len() < 1 << 20 {
            buf.resize(buf.len() * 2, 0);
            continue;
        }
        if rc != 0 || found.is_null() || pwd.pw_name.is_null() {
            return None;
        }
        // SAFETY: getpwuid_r succeeded, so pw_name is a NUL-terminated string inside `buf`.
        let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
        return Some(name.to_string_lossy().into_owned());
    }
}

#[cfg(test)]
mod stale_time_tests {
    use super::*;

    #[test]
    fn a_stale_refusal_says_when_in_local_time_in_both_languages() {
        let e =
            check_version("W1", Some(1), 2, "zhang", "2026-11-30T20:05:42Z").expect_err("stale");
        let local = crate::domain::text::local_time("2026-11-30T20:05:42Z");
        for lang in [crate::i18n::Lang::En, crate::i18n::Lang::ZhCn] {
            let text = e.localized(lang);
            assert!(text.contains(&local), "{text}");
            assert!(
                !text.contains("20:05:42") && !text.contains("42Z"),
                "{text}"
            );
        }
        assert!(e.to_string().contains(&local));
    }

    #[test]
    fn a_version_not_yet_reached_says_where_the_record_stands() {
        let e =
            check_version("W1", Some(9), 2, "zhang", "2026-11-30T20:05:42Z").expect_err("ahead");
        assert!(!matches!(e, WorkflowError::Stale { .. }), "{e}");
        let en = e.localized(crate::i18n::Lang::En);
        assert!(en.contains("version 9 does not exist yet"), "{en}");
        assert!(en.contains("at version 2"), "{en}");
        let zh = e.localized(crate::i18n::Lang::ZhCn);
        assert!(
            zh.contains("版本 9 尚不存在") && zh.contains("版本 2"),
            "{zh}"
        );
        assert!(!en.contains("zhang"), "{en}");
    }
}
