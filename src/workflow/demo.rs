//! Building the demo book: the generator's records streamed into a fresh database in one
//! transaction, marked as a demo (so `--as` works there and only there).

use super::{Actor, Result, WorkflowError};
use crate::demo::{self, DemoCounts, DemoParams, DemoSink};
use crate::domain::*;
use crate::store::{BulkWriter, Store, StoreError, Table};
use serde_json::json;
use std::path::Path;

struct Sink<'a, 'c> {
    bulk: &'a mut BulkWriter<'c>,
    officer: String,
}

impl DemoSink for Sink<'_, '_> {
    type Error = StoreError;
    fn staff(&mut self, r: &StaffRecord) -> Result<(), StoreError> {
        self.bulk.staff(r)
    }
    fn borrower(&mut self, r: &BorrowerRecord) -> Result<(), StoreError> {
        self.bulk.borrower(r)
    }
    fn statement(&mut self, r: &StatementRecord) -> Result<(), StoreError> {
        self.bulk.statement(r)
    }
    fn loan(&mut self, r: &LoanRecord) -> Result<(), StoreError> {
        self.officer.clone_from(&r.officer);
        self.bulk.loan(r)
    }
    fn collateral(&mut self, r: &CollateralRecord) -> Result<(), StoreError> {
        self.bulk.collateral(r)
    }
    fn repayment(&mut self, r: &RepaymentRecord) -> Result<(), StoreError> {
        self.bulk.repayment(r)
    }
    fn fund_flow(&mut self, r: &FundFlowRecord) -> Result<(), StoreError> {
        self.bulk.fund_flow(r)
    }
    fn contact(&mut self, r: &ContactRecord) -> Result<(), StoreError> {
        let by = self.officer.clone();
        self.bulk.contact(r, &by)
    }
}

/// The time each phase of a demo build took, written to the log (info) as it ends.
struct Phases {
    at: std::time::Instant,
}

impl Phases {
    fn start() -> Phases {
        Phases {
            at: std::time::Instant::now(),
        }
    }

    fn done(&mut self, what: &str) {
        let now = std::time::Instant::now();
        tracing::info!(
            "demo build: {what} took {:.2} s",
            (now - self.at).as_secs_f64()
        );
        self.at = now;
    }
}

/// The page cache of the demo build, MiB: 1 per 1,000 loans, between 64 and 1,024.
fn build_cache_mib(loans: u64) -> u32 {
    u32::try_from((loans / 1000).clamp(64, 1024)).unwrap_or(1024)
}

/// What `demo` found or built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DemoBook {
    /// An existing demo book was reopened as it was left.
    Reopened {
        loans: i64,
    },
    Built(DemoCounts),
}

/// Removes a book and its WAL files.
fn remove_book(path: &Path) -> std::io::Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        match std::fs::remove_file(&p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

/// Opens the demo book at `path`, building it first when it is missing or `fresh` is set.
/// The operating-system user joins the demo staff as a manager, so the book works without `--as`.
pub fn open_or_build(
    path: &Path,
    params: &DemoParams,
    fresh: bool,
    os_user: &str,
) -> Result<(Store, DemoBook)> {
    // A book this user may not reach is refused as such before anything is removed or made.
    // Nor is any book that is not a demo book touched, --fresh or not: demo only ever
    // builds and rebuilds demo books.
    // (An empty book, as an interrupted build leaves, holds nothing to lose.)
    if crate::store::book_exists(path)? {
        let old = Store::open_for_reading(path)?;
        let empty = old.count_rows(Table::Loans)? == 0 && old.staff_count()? == 0;
        if !empty && !old.is_demo()? {
            return Err(WorkflowError::NotDemoBook {
                path: path.display().to_string(),
            });
        }
    }
    if fresh {
        remove_book(path).map_err(|e| {
            WorkflowError::Invalid(format!("cannot remove {}: {e}", path.display()))
        })?;
    }
    let mut store = Store::open(path)?;
    let loans = store.count_rows(Table::Loans)?;
    if loans > 0 || store.staff_count()? > 0 {
        if !store.is_demo()? {
            return Err(WorkflowError::NotDemoBook {
                path: path.display().to_string(),
            });
        }
        return Ok((store, DemoBook::Reopened { loans }));
    }
    let mut phase = Phases::start();
    // The build writes millions of rows into indexes in no particular order (loans by
    // officer and name, warnings, inspections, the plan): with SQLite's default 2 MiB cache
    // each insert reads and writes pages back, which made a 1,000,000-loan book take over
    // an hour. A cache of about 1 MiB per 1,000 loans holds them.
    let cache = build_cache_mib(params.loans);
    store.set_cache_mib(cache)?;
    let counts = {
        let mut bulk = store.bulk()?;
        bulk.set_meta("demo", "1")?;
        bulk.set_meta("demo_seed", &params.seed.to_string())?;
        bulk.set_meta("demo_as_of", &params.as_of.to_string())?;
        let mut sink = Sink {
            bulk: &mut bulk,
            officer: String::new(),
        };
        let counts = demo::generate(params, &mut sink)?;
        if !demo::demo_staff().iter().any(|s| s.username == os_user) {
            bulk.staff(&StaffRecord {
                username: os_user.to_string(),
                display_name: os_user.to_string(),
                role: Role::Manager,
            })?;
        }
        bulk.finish(
            os_user,
            &json!({"loans": params.loans, "seed": params.seed, "as_of": params.as_of.to_string()}),
        )?;
        counts
    };
    phase.done("generate and load");
    // Reopen so the connection's settings are those of normal work again.
    drop(store);
    let mut store = Store::open(path)?;
    // The same cache for the rest of the build; the workbench's own settings come back
    // when the book is opened again.
    store.set_cache_mib(cache)?;
    // The overnight run has happened: warnings are raised as of the book's date.
    // The engine acting on its own, named for the demo build in the warnings' history.
    let system = Actor {
        username: "demo".into(),
        display_name: "demo".into(),
        ..Actor::system()
    };
    super::warning::evaluate_book(
        &mut store,
        &system,
        &crate::engine::rules::RuleSet::defaults(),
        params.as_of,
    )?;
    phase.done("evaluate");
    super::demo_inspections::seed(&mut store, &system, params.as_of)?;
    phase.done("inspections");
    super::demo_classification::seed(&mut store, &system, params.as_of, params.loans)?;
    phase.done("classification");
    super::demo_disposal::seed(&mut store, &system, params.as_of)?;
    phase.done("case study");
    // Say what is in the book: the case study's borrower and loan come on top of the
    // generated ones, so the figures are read back rather than taken from the request.
    let mut counts = counts;
    counts.loans = u64::try_from(store.count_rows(Table::Loans)?).unwrap_or(counts.loans);
    counts.borrowers =
        u64::try_from(store.count_rows(Table::Borrowers)?).unwrap_or(counts.borrowers);
    Ok((store, DemoBook::Built(counts)))
}

/// The actor in a demo book: `as_user` if given, else the OS user.
pub fn demo_actor(store: &Store, os_user: &str, as_user: Option<&str>) -> Result<Actor> {
    super::identify(store, os_user, as_user)
}
