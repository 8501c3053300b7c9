//! The process as commands: every change to the book passes here — who is acting, may they,
//! the store write and its audit row, all in one transaction. TUI and CLI both call this layer.

pub mod book;
pub mod demo;
pub mod import;
pub mod notice;
pub mod tracking;
pub mod warning;

use crate::domain::Role;
use crate::domain::permission::{Permission, allows};
use crate::store::{Store, StoreError};

/// The person acting: the operating-system user, or in a demo book the `--as` user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

/// Why a command was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    #[error(
        "'{user}' is not staff in this book; a manager can add them with: postloan staff add {user} --role specialist"
    )]
    NotStaff { user: String },
    #[error("'{user}' ({role}) may not {action}")]
    Denied {
        user: String,
        role: &'static str,
        action: &'static str,
    },
    #[error("--as works only in a demo book")]
    AsOutsideDemo,
    #[error("this book already has staff; ask a manager to add you")]
    AlreadyInitialised,
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Move(#[from] crate::domain::warning::MoveError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl WorkflowError {
    /// The message in the user's language (the `Display` text is English, for logs).
    pub fn localized(&self, lang: crate::i18n::Lang) -> String {
        use crate::domain::warning::MoveError;
        match self {
            WorkflowError::NotStaff { user } => lang.tf("err.not_staff", &[("user", user)]),
            WorkflowError::Denied { user, role, action } => lang.tf(
                "err.denied",
                &[
                    ("user", user),
                    ("role", &lang.code_name("role", role)),
                    ("action", &lang.code_name("permission", action)),
                ],
            ),
            WorkflowError::AsOutsideDemo => lang.t("err.as_outside_demo").to_string(),
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
            other => other.to_string(),
        }
    }
}

pub type Result<T, E = WorkflowError> = std::result::Result<T, E>;

impl Actor {
    /// Fails unless the actor's role allows `permission`.
    pub fn require(&self, permission: Permission) -> Result<()> {
        if allows(self.role, permission) {
            Ok(())
        } else {
            Err(WorkflowError::Denied {
                user: self.username.clone(),
                role: self.role.code(),
                action: permission.code(),
            })
        }
    }
}

/// Who is acting: `os_user` unless `as_user` is given, which only a demo book accepts.
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
        }),
        _ => Err(WorkflowError::NotStaff {
            user: user.to_string(),
        }),
    }
}

/// The operating-system user running the program.
pub fn os_user() -> String {
    whoami::username()
}
