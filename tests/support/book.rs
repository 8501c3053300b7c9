//! The shared test book: a temporary directory with a store, a manager `boss` and staff, and
//! the extracts (loans, statements, repayments) written as CSV and imported through the real
//! import workflow, so a test states only what its own case needs.

use postloan::domain::{Role, StaffRecord};
use postloan::engine::rules::RuleSet;
use postloan::extract::{Encoding, ExtractKind};
use postloan::store::Store;
use postloan::workflow::import::{ImportReport, import_file};
use postloan::workflow::{self, Actor};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::str::FromStr;
use tempfile::TempDir;

/// The header line of a loans extract.
pub const LOANS_HEADER: &str = "contract_no,borrower_code,borrower_name,product,purpose,currency,principal,outstanding,interest_rate,disbursed_on,matures_on,guarantee_type,officer,tracking_frequency\n";
/// The header line of a statements extract.
pub const STATEMENTS_HEADER: &str = "borrower_code,period_end,total_assets,total_liabilities,current_assets,current_liabilities,inventory,revenue,ebit,interest_expense,net_profit,operating_cash_flow\n";
/// The header line of a repayments extract.
pub const REPAYMENTS_HEADER: &str =
    "contract_no,as_of,overdue_days,overdue_principal,overdue_interest\n";

/// The staff of [`TestBook::new`]: a specialist, a supervisor and an auditor.
pub const STAFF: [(&str, Role); 3] = [
    ("spec", Role::Specialist),
    ("super", Role::Supervisor),
    ("audit", Role::Auditor),
];

/// A book in a temporary directory (`book.db`), initialised by the manager `boss`.
/// Keep the value alive while the store is used: the directory goes with it.
pub struct TestBook {
    pub dir: TempDir,
    pub store: Store,
    pub boss: Actor,
    pub rules: RuleSet,
}

impl TestBook {
    /// An empty book with the manager `boss` and [`STAFF`].
    pub fn new() -> TestBook {
        TestBook::with_staff(&STAFF)
    }

    /// An empty book with the manager `boss` and the staff given (username, role).
    pub fn with_staff(staff: &[(&str, Role)]) -> TestBook {
        TestBook::managed_by("boss", staff)
    }

    /// An empty book whose manager is the user running the tests, with [`STAFF`]: the book
    /// for [`TestBook::run`], since the binary acts as the operating-system user.
    pub fn for_cli() -> TestBook {
        TestBook::managed_by(&workflow::os_user(), &STAFF)
    }

    /// An empty book with the manager `manager` and the staff given.
    fn managed_by(manager: &str, staff: &[(&str, Role)]) -> TestBook {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = Store::open(&dir.path().join("book.db")).expect("open the book");
        let boss = workflow::book::init(&mut store, manager).expect("init the book");
        for (u, role) in staff {
            let rec = StaffRecord {
                username: (*u).into(),
                display_name: (*u).into(),
                role: *role,
            };
            workflow::book::add_staff(&mut store, &boss, &rec).expect("add staff");
        }
        TestBook {
            dir,
            store,
            boss,
            rules: RuleSet::defaults(),
        }
    }

    /// Adds loans `L1`..`Ln` of borrower `B1` (officer `spec`, quarterly tracking).
    pub fn with_loans(mut self, n: usize) -> TestBook {
        let mut loans = String::from(LOANS_HEADER);
        for i in 1..=n {
            loans.push_str(&format!(
                "L{i},B1,华东机械制造有限公司,working_capital,采购,CNY,1000000,1000000,4.35,2025-01-15,2027-01-15,unsecured,spec,quarterly\n"
            ));
        }
        self.import(ExtractKind::Loans, &loans);
        self
    }

    /// Adds healthy statements of borrower `B1` (debt/assets 50%, current 2.0, quick 1.5,
    /// interest cover 5), one per (period end, revenue).
    pub fn with_statements(mut self, periods: &[(&str, i64)]) -> TestBook {
        let mut s = String::from(STATEMENTS_HEADER);
        for (p, rev) in periods {
            s.push_str(&format!(
                "B1,{p},10000,5000,4000,2000,1000,{rev},500,100,300,200\n"
            ));
        }
        self.import(ExtractKind::Statements, &s);
        self
    }

    /// The book's database file.
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("book.db")
    }

    /// The staff member `user` of this book.
    pub fn who(&self, user: &str) -> Actor {
        workflow::identify(&self.store, user, None).expect("a user of the book")
    }

    /// Writes `bytes` to `name` in the book's directory.
    pub fn write(&self, name: &str, bytes: &(impl AsRef<[u8]> + ?Sized)) -> PathBuf {
        write(self.dir.path(), name, bytes)
    }

    /// Imports `text` as an extract of `kind` by `boss`; the import must be written.
    pub fn import(&mut self, kind: ExtractKind, text: &str) {
        let path = self.write(&format!("{}.csv", kind.code()), text);
        let r = import_file(
            &mut self.store,
            &self.boss,
            kind,
            &path,
            Encoding::Auto,
            false,
        )
        .expect("import");
        assert!(r.written, "{:?}", r.errors);
    }

    /// One loan of borrower `B1`: contract, outstanding, disbursed, matures.
    pub fn loan(&mut self, contract: &str, outstanding: &str, disbursed: &str, matures: &str) {
        self.import(
            ExtractKind::Loans,
            &format!(
                "{LOANS_HEADER}{contract},B1,华东机械制造有限公司,working_capital,采购,CNY,1000000.00,{outstanding},4.35,{disbursed},{matures},unsecured,spec,quarterly\n"
            ),
        );
    }

    /// The bank's repayment status of `contract` on `on`: `days` past due, nothing owed.
    pub fn repayment(&mut self, contract: &str, on: &str, days: i64) {
        self.import(
            ExtractKind::Repayments,
            &format!("{REPAYMENTS_HEADER}{contract},{on},{days},0,0\n"),
        );
    }

    /// The directory, store and manager, for tests that pass them around one by one.
    pub fn into_parts(self) -> (TempDir, Store, Actor) {
        (self.dir, self.store, self.boss)
    }
}

impl Default for TestBook {
    fn default() -> Self {
        TestBook::new()
    }
}

/// Writes `bytes` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, bytes: &(impl AsRef<[u8]> + ?Sized)) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes.as_ref()).expect("write a test file");
    p
}

/// Imports the file at `path` as `kind` by `who`, whatever its outcome.
pub fn import(store: &mut Store, who: &Actor, kind: ExtractKind, path: &Path) -> ImportReport {
    import_file(store, who, kind, path, Encoding::Auto, false).expect("import")
}

/// The binary with a clean environment: home, data, config and state under `home`, the locale
/// `lang` (e.g. `en_US.UTF-8`) and the caller's `PATH`.
pub fn cli(home: &Path, lang: &str) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("postloan").expect("the binary");
    c.env_clear()
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("LANG", lang)
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    c
}

/// A command's standard output as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A command's standard error as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

impl TestBook {
    /// Runs the binary on this book (`--db`, home in the book's directory, English locale) as
    /// the operating-system user, the manager of a [`TestBook::for_cli`] book:
    /// `book.run(&["warnings", "--format", "json"])`.
    pub fn run(&self, args: &[&str]) -> Output {
        cli(self.dir.path(), "en_US.UTF-8")
            .args(args)
            .arg("--db")
            .arg(self.path())
            .output()
            .expect("run the binary")
    }
}

/// The staff of [`ht1_book`] in the verify, archive and tamper tests: zhang (specialist, HT-1's
/// officer), wang (supervisor), hu (auditor) and li (manager).
pub const HT1_STAFF: [(&str, Role); 4] = [
    ("zhang", Role::Specialist),
    ("wang", Role::Supervisor),
    ("hu", Role::Auditor),
    ("li", Role::Manager),
];

/// A demo-flagged book (so `--as` works) at `dir/book.db`, initialised by the user running the
/// tests and dated `today` (the demo's date), with `staff` and `loans`, all in one write. Its
/// path and the store.
pub fn demo_flagged_book(
    dir: &Path,
    today: &str,
    staff: &[(&str, Role)],
    loans: &[postloan::domain::LoanRecord],
) -> (PathBuf, Store) {
    let path = dir.join("book.db");
    let me = workflow::os_user();
    let mut store = Store::open(&path).expect("open");
    workflow::book::init(&mut store, &me).expect("init");
    store
        .write(|tx| -> postloan::store::Result<()> {
            tx.set_meta("demo", "1")?;
            tx.set_meta("demo_as_of", today)?;
            for &(u, role) in staff {
                tx.upsert_staff(
                    &StaffRecord {
                        username: u.into(),
                        display_name: u.into(),
                        role,
                    },
                    &me,
                )?;
            }
            for loan in loans {
                tx.upsert_loan(loan, &me)?;
            }
            Ok(())
        })
        .expect("book");
    (path, store)
}

/// HT-1 of borrower B1 (华东精密机械有限公司): working capital, 4,000,000 of 5,000,000 CNY out at
/// 4.35 %, disbursed 2026-01-30, maturing 2027-01-30, mortgage, looked after by zhang
/// quarterly, class pass.
pub fn ht1_loan() -> postloan::domain::LoanRecord {
    use postloan::domain::{Classification, GuaranteeType, LoanRecord, Product, TrackingFrequency};
    use rust_decimal::Decimal;
    let date = |s: &str| chrono::NaiveDate::from_str(s).expect("date");
    LoanRecord {
        contract_no: "HT-1".into(),
        borrower_code: "B1".into(),
        borrower_name: "华东精密机械有限公司".into(),
        product: Product::WorkingCapital,
        purpose: "采购".into(),
        currency: "CNY".into(),
        principal: Decimal::from(5_000_000),
        outstanding: Decimal::from(4_000_000),
        interest_rate: Decimal::from_str("4.35").expect("rate"),
        disbursed_on: date("2026-01-30"),
        matures_on: date("2027-01-30"),
        guarantee_type: GuaranteeType::Mortgage,
        officer: "zhang".into(),
        tracking_frequency: TrackingFrequency::Quarterly,
        classification: Some(Classification::Pass),
        restructured_on: None,
        credit_impaired: None,
    }
}

/// [`demo_flagged_book`] with `staff` and the one loan [`ht1_loan`].
pub fn ht1_book(dir: &Path, today: &str, staff: &[(&str, Role)]) -> (PathBuf, Store) {
    demo_flagged_book(dir, today, staff, &[ht1_loan()])
}

/// [`ht1_book`] dated `today` with [`HT1_STAFF`] and, by zhang on `today`, a visit recorded, a
/// red manual warning (litigation) with its notice (a document), and a routine on-site
/// inspection with one evidence file (`dir/photo.png`): every kind of thing `verify` checks.
/// Its path.
pub fn ht1_book_with_records(dir: &Path, today: &str) -> PathBuf {
    use postloan::domain::inspection::{InspectionKind, InspectionMode};
    use postloan::domain::warning::{Level, ManualSignal, RiskType};
    use postloan::domain::{ContactKind, ContactRecord};
    let on = chrono::NaiveDate::from_str(today).expect("date");
    let (path, mut store) = ht1_book(dir, today, &HT1_STAFF);
    let zhang = workflow::identify(&store, "zhang", Some("zhang")).expect("staff");
    let contact = ContactRecord {
        contract_no: "HT-1".into(),
        contact_on: on,
        kind: ContactKind::Visit,
        notes: "走访厂区，生产正常".into(),
    };
    workflow::tracking::record_contact(&mut store, &zhang, &contact, on).expect("contact");
    let mw = workflow::warning::ManualWarning {
        contract_no: "HT-1",
        signal: ManualSignal::Litigation,
        level: Level::Red,
        risk_type: RiskType::Credit,
        reason: "法院传票",
    };
    workflow::warning::raise_manual(&mut store, &zhang, &mw, on, postloan::i18n::Lang::ZhCn)
        .expect("warning and notice");
    let start = workflow::inspection::StartInspection {
        contract_no: "HT-1",
        kind: InspectionKind::Routine,
        mode: InspectionMode::Onsite,
        warnings: &[],
        focus: "",
        inspected_on: None,
        inspectors: "zhang",
    };
    let number = workflow::inspection::start(&mut store, &zhang, &start, on).expect("inspection");
    let photo = dir.join("photo.png");
    std::fs::write(&photo, b"\x89PNG site photo").expect("photo");
    workflow::inspection::attach(&mut store, &zhang, &number, None, &photo, "", 1 << 20)
        .expect("attach");
    path
}
