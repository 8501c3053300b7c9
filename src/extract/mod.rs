//! Reads core-banking CSV extracts (UTF-8 or GBK) into validated domain records, streaming
//! row by row and reporting every bad cell as `FILE:LINE: column NAME: 'VALUE' WHY`.

mod cells;
mod decode;
mod dedup;
mod keys;
mod kinds;
#[cfg(test)]
mod tests;

pub use keys::{fold_key, normalize_key};

use crate::domain::records::{
    BorrowerRecord, CollateralRecord, CovenantRecord, FundFlowRecord, LoanRecord, RepaymentRecord,
    StatementRecord,
};
use crate::domain::text;
use crate::i18n::Lang;
use csv::StringRecord;
use rust_decimal::Decimal;
use std::io::Read;
use std::path::Path;

/// Longest value (in characters) quoted back in a [`RowError`].
const MAX_VALUE_CHARS: usize = 60;

/// Which extract a file holds; decides the columns and the record produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExtractKind {
    Borrowers,
    Loans,
    Statements,
    Repayments,
    Collateral,
    FundFlows,
    /// A loan's own warning thresholds (`contract_no, indicator, yellow, orange, red`).
    Covenants,
}

impl ExtractKind {
    pub const ALL: &'static [ExtractKind] = &[
        ExtractKind::Borrowers,
        ExtractKind::Loans,
        ExtractKind::Statements,
        ExtractKind::Repayments,
        ExtractKind::Collateral,
        ExtractKind::FundFlows,
        ExtractKind::Covenants,
    ];

    /// Accepts the code (`fund-flows` also as `fund_flows`), any case, surrounding spaces.
    pub fn parse(s: &str) -> Option<Self> {
        let t = s.trim().to_ascii_lowercase().replace('_', "-");
        Self::ALL.iter().copied().find(|k| k.code() == t)
    }

    /// The stable code: `borrowers`, `loans`, `statements`, `repayments`, `collateral`,
    /// `fund-flows`.
    pub fn code(self) -> &'static str {
        match self {
            ExtractKind::Borrowers => "borrowers",
            ExtractKind::Loans => "loans",
            ExtractKind::Statements => "statements",
            ExtractKind::Repayments => "repayments",
            ExtractKind::Collateral => "collateral",
            ExtractKind::FundFlows => "fund-flows",
            ExtractKind::Covenants => "covenants",
        }
    }

    /// Columns the header must name (lower case).
    pub fn required_columns(self) -> &'static [&'static str] {
        kinds::required(self)
    }

    /// Columns that may be present; absent or empty cells take a default.
    pub fn optional_columns(self) -> &'static [&'static str] {
        kinds::optional(self)
    }
}

impl std::fmt::Display for ExtractKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// How the bytes of an extract are to be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8 when the bytes are valid UTF-8 and read as such (GBK text can be valid UTF-8:
    /// the detector weighs both readings), GBK (GB18030) otherwise.
    #[default]
    Auto,
    Utf8,
    /// GBK, decoded as its superset GB18030.
    Gbk,
}

impl Encoding {
    /// Accepts `auto`, `utf-8`/`utf8`, `gbk`/`gb18030`/`gb2312` (any case).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(Encoding::Auto),
            "utf-8" | "utf8" | "utf_8" => Some(Encoding::Utf8),
            "gbk" | "gb18030" | "gb2312" | "cp936" => Some(Encoding::Gbk),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Encoding::Auto => "auto",
            Encoding::Utf8 => "utf-8",
            Encoding::Gbk => "gbk",
        }
    }
}

/// One validated row of an extract.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Borrower(BorrowerRecord),
    Loan(LoanRecord),
    Statement(StatementRecord),
    Repayment(RepaymentRecord),
    Collateral(CollateralRecord),
    FundFlow(FundFlowRecord),
    Covenant(CovenantRecord),
}

/// One bad row or cell. `line` is the 1-based physical line in the file (header = line 1);
/// `column` is `-` when the whole row is at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: column {column}: '{value}' {why}")]
pub struct RowError {
    pub file: String,
    pub line: u64,
    pub column: String,
    pub value: String,
    /// The reason in English (what `Display` shows).
    pub why: String,
    /// The reason as a translation key, for [`RowError::localized`]; `None` for reasons that
    /// exist only in English so far.
    pub reason: Option<Box<Why>>,
}

/// A reason that can be said in either language: a translation key and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Why {
    pub key: &'static str,
    pub args: Vec<(&'static str, WhyArg)>,
}

/// One argument of a [`Why`]: plain text, or a translation key to be said in the language too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WhyArg {
    Text(String),
    Key(&'static str),
}

impl Why {
    pub fn new(key: &'static str) -> Self {
        Why {
            key,
            args: Vec::new(),
        }
    }

    /// Adds a plain-text argument.
    pub fn arg(mut self, name: &'static str, value: impl std::fmt::Display) -> Self {
        self.args.push((name, WhyArg::Text(value.to_string())));
        self
    }

    /// Adds an argument that is itself a translation key.
    pub fn arg_key(mut self, name: &'static str, key: &'static str) -> Self {
        self.args.push((name, WhyArg::Key(key)));
        self
    }

    /// The reason in `lang`.
    pub fn say(&self, lang: Lang) -> String {
        let values: Vec<(&str, String)> = self
            .args
            .iter()
            .map(|(name, a)| {
                let v = match a {
                    WhyArg::Text(t) => t.clone(),
                    WhyArg::Key(k) => lang.t(k).to_string(),
                };
                (*name, v)
            })
            .collect();
        let refs: Vec<(&str, &dyn std::fmt::Display)> = values
            .iter()
            .map(|(n, v)| (*n, v as &dyn std::fmt::Display))
            .collect();
        lang.tf(self.key, &refs)
    }
}

impl RowError {
    /// Builds an error with `value` sanitized and cut to about 60 characters. Callers of
    /// [`read_extract`] may leave `file` empty and `line` 0 in errors returned from `on_row`:
    /// the reader fills them in.
    pub fn new(
        file: impl Into<String>,
        line: u64,
        column: impl Into<String>,
        value: &str,
        why: impl Into<String>,
    ) -> Self {
        RowError {
            file: file.into(),
            line,
            column: column.into(),
            value: clip_value(value),
            why: why.into(),
            reason: None,
        }
    }

    /// Like [`RowError::new`] with a translatable reason (its English text becomes `why`).
    pub fn keyed(
        file: impl Into<String>,
        line: u64,
        column: impl Into<String>,
        value: &str,
        why: Why,
    ) -> Self {
        let mut e = RowError::new(file, line, column, value, why.say(Lang::En));
        e.reason = Some(Box::new(why));
        e
    }

    /// The whole message in `lang`: `FILE:LINE: column NAME: 'VALUE' WHY`.
    pub fn localized(&self, lang: Lang) -> String {
        let why = match &self.reason {
            Some(w) => w.say(lang),
            None => self.why.clone(),
        };
        // The value (outside data) is filled in last, so nothing in it is taken as a field.
        lang.tf(
            "import_check.row_error",
            &[
                ("file", &self.file),
                ("line", &self.line),
                ("column", &self.column),
                ("why", &why),
                ("value", &self.value),
            ],
        )
    }
}

/// Something the reader did that the user should know of but that is not an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadNote {
    /// Line `line` has the same values as line `first`; the row was taken once.
    Repeat { line: u64, first: u64 },
}

impl ReadNote {
    pub fn localized(&self, file: &str, lang: Lang) -> String {
        match self {
            ReadNote::Repeat { line, first } => lang.tf(
                "import_check.repeat_taken_once",
                &[("file", &file), ("line", line), ("first", first)],
            ),
        }
    }
}

/// Bounds on values whose unit is easily mixed up (a fraction written for a percent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Lowest interest rate accepted, percent a year.
    pub rate_min: Decimal,
    /// Highest interest rate accepted, percent a year.
    pub rate_max: Decimal,
}

impl Default for Limits {
    /// 0.1 % and 36 % a year (the defaults of `[import]` in config/default.toml).
    fn default() -> Self {
        Limits {
            rate_min: Decimal::new(1, 1),
            rate_max: Decimal::new(36, 0),
        }
    }
}

/// Sanitizes a value for quoting in an error and cuts it to [`MAX_VALUE_CHARS`].
fn clip_value(value: &str) -> String {
    let clean = text::sanitize(value);
    if clean.chars().count() <= MAX_VALUE_CHARS {
        return clean;
    }
    let mut out: String = clean.chars().take(MAX_VALUE_CHARS).collect();
    out.push('…');
    out
}

/// Why a whole extract could not be read. Row-level problems are [`RowError`]s instead.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("{file}: cannot read the file: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: not valid {encoding} at line {line}, column {column} (byte {offset}); {hint}")]
    Encoding {
        file: String,
        /// The encoding tried: `utf-8`, `gbk`, or `utf-8 or gbk` under auto-detection.
        encoding: &'static str,
        offset: u64,
        line: u64,
        /// Characters before the fault on its line, plus one.
        column: u64,
        hint: &'static str,
    },
    /// Excel's "Unicode text" and some exports write UTF-16, which is refused with the fix.
    #[error(
        "{file}: the file is UTF-16 ({order}), as Excel's \"Unicode text\" saves it: save it as UTF-8 or GBK (in Excel: \"CSV UTF-8\")"
    )]
    Utf16 { file: String, order: &'static str },
    #[error(
        "{file}: the header lacks required column(s) {}; a {kind} extract needs: {}",
        .columns.join(", "),
        .kind.required_columns().join(", ")
    )]
    MissingColumns {
        file: String,
        kind: ExtractKind,
        columns: Vec<String>,
    },
    #[error("{file}:{line}: column '{column}' appears more than once in the header; keep one")]
    DuplicateColumn {
        file: String,
        line: u64,
        column: String,
    },
    #[error("{file}: the file is empty; a header row naming the columns is required")]
    EmptyFile { file: String },
    #[error("{file}:{line}: malformed CSV: {message}")]
    Csv {
        file: String,
        line: u64,
        message: String,
    },
}

impl ExtractError {
    /// The message in `lang` (`Display` gives the English one).
    pub fn localized(&self, lang: Lang) -> String {
        match self {
            ExtractError::Io { file, source } => lang.tf(
                "extract_error.io",
                &[("file", file), ("why", &io_reason(source, lang))],
            ),
            ExtractError::Utf16 { file, order } => {
                lang.tf("import_keys.utf16", &[("file", file), ("order", order)])
            }
            ExtractError::Encoding {
                file,
                encoding,
                offset,
                line,
                column,
                hint: _,
            } => {
                let hint = match *encoding {
                    "utf-8" => "extract_error.hint_utf8",
                    "gbk" => "extract_error.hint_gbk",
                    _ => "extract_error.hint_auto",
                };
                let label = match *encoding {
                    "utf-8" | "gbk" => (*encoding).to_string(),
                    _ => lang.t("import_keys.enc_auto").to_string(),
                };
                lang.tf(
                    "extract_error.encoding",
                    &[
                        ("file", file),
                        ("encoding", &label),
                        ("offset", offset),
                        ("line", line),
                        ("column", column),
                        ("hint", &lang.t(hint)),
                    ],
                )
            }
            ExtractError::MissingColumns {
                file,
                kind,
                columns,
            } => lang.tf(
                "extract_error.missing_columns",
                &[
                    ("file", file),
                    ("columns", &columns.join(", ")),
                    ("kind", kind),
                    ("needed", &kind.required_columns().join(", ")),
                ],
            ),
            ExtractError::DuplicateColumn { file, line, column } => lang.tf(
                "extract_error.duplicate_column",
                &[("file", file), ("line", line), ("column", column)],
            ),
            ExtractError::EmptyFile { file } => {
                lang.tf("extract_error.empty_file", &[("file", file)])
            }
            ExtractError::Csv {
                file,
                line,
                message,
            } => lang.tf(
                "extract_error.csv",
                &[("file", file), ("line", line), ("message", message)],
            ),
        }
    }
}

/// Why a file could not be read: in English the system's own words (as before), in another
/// language the common cases (not found, no permission, a directory, not UTF-8) translated.
pub fn io_reason(e: &std::io::Error, lang: Lang) -> String {
    crate::i18n::io_reason(e, lang)
}

/// What a read did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadSummary {
    /// Data rows read (good and bad; the header and blank lines not counted).
    pub rows: u64,
    /// Rows passed to `on_row` that it accepted.
    pub accepted: u64,
    /// The first `error_cap` errors.
    pub errors: Vec<RowError>,
    /// All errors, kept or not.
    pub error_count: u64,
    /// The encoding the file was decoded with: `utf-8`, `gbk`, or `gb18030` when the file
    /// holds four-byte GB18030 sequences (characters GBK lacks).
    pub encoding: &'static str,
    /// Rows that repeat an earlier row exactly (taken once); the first `error_cap` kept.
    pub notes: Vec<ReadNote>,
    /// All repeated rows, kept or not.
    pub repeat_count: u64,
}

/// Streams the file: for each good row calls `on_row(line, record)`. A row with bad cells is
/// not passed to `on_row`; every bad cell of every row is collected (the first `error_cap`
/// kept, all counted). `on_row` may itself return a [`RowError`] (e.g. "unknown officer"),
/// which is collected the same way.
pub fn read_extract<F>(
    path: &Path,
    kind: ExtractKind,
    encoding: Encoding,
    error_cap: usize,
    on_row: F,
) -> Result<ReadSummary, ExtractError>
where
    F: FnMut(u64, Record) -> Result<(), RowError>,
{
    read_extract_with(path, kind, encoding, &Limits::default(), error_cap, on_row)
}

/// [`read_extract`] with the sanity bounds given (from the config's `[import]`).
pub fn read_extract_with<F>(
    path: &Path,
    kind: ExtractKind,
    encoding: Encoding,
    limits: &Limits,
    error_cap: usize,
    on_row: F,
) -> Result<ReadSummary, ExtractError>
where
    F: FnMut(u64, Record) -> Result<(), RowError>,
{
    let file = path.display().to_string();
    // The user's file: read with the user's own rights (see `user_rights`).
    let bytes = crate::user_rights::read(path).map_err(|source| ExtractError::Io {
        file: file.clone(),
        source,
    })?;
    read_extract_from_bytes_with(&file, &bytes, kind, encoding, limits, error_cap, on_row)
}

/// [`read_extract`] over bytes already in memory; `name` is used as the file in messages.
pub fn read_extract_from_bytes<F>(
    name: &str,
    bytes: &[u8],
    kind: ExtractKind,
    encoding: Encoding,
    error_cap: usize,
    on_row: F,
) -> Result<ReadSummary, ExtractError>
where
    F: FnMut(u64, Record) -> Result<(), RowError>,
{
    let limits = Limits::default();
    read_extract_from_bytes_with(name, bytes, kind, encoding, &limits, error_cap, on_row)
}

/// [`read_extract_from_bytes`] with the sanity bounds given.
pub fn read_extract_from_bytes_with<F>(
    name: &str,
    bytes: &[u8],
    kind: ExtractKind,
    encoding: Encoding,
    limits: &Limits,
    error_cap: usize,
    on_row: F,
) -> Result<ReadSummary, ExtractError>
where
    F: FnMut(u64, Record) -> Result<(), RowError>,
{
    let ctx = RunCtx {
        name,
        kind,
        limits,
        error_cap,
    };
    match decode::decide(name, bytes, encoding)? {
        decode::Decided::Utf8(body) => {
            let mut reader = csv_reader(body);
            let result = run(&ctx, &mut reader, on_row, "utf-8");
            result.map_err(|e| csv_error(name, e))
        }
        decode::Decided::Gb18030(body) => {
            let label = if decode::has_four_byte(body) {
                "gb18030"
            } else {
                "gbk"
            };
            let mut reader = csv_reader(decode::Gb18030Reader::new(body));
            let result = run(&ctx, &mut reader, on_row, label);
            result.map_err(|e| match reader.get_ref().inner.malformed_at() {
                Some(offset) => {
                    let skipped = bytes.len() - body.len();
                    decode::encoding_error(
                        name,
                        bytes,
                        "gbk",
                        decode::Reading::Gb18030,
                        offset + skipped,
                    )
                }
                None => csv_error(name, e),
            })
        }
    }
}

/// Records end at `\n` only (a `\r` before it is trimmed with the cell), so that every
/// record but possibly the last consumes its terminator; [`start_line`] relies on that.
fn csv_reader<R: Read>(input: R) -> csv::Reader<Tracked<R>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(Tracked {
            inner: input,
            total: 0,
            last: None,
            eof: false,
        })
}

/// Remembers how many bytes were handed to the CSV reader, the last one, and whether the
/// input ended, so the line a record starts on can be worked out from where it ended.
struct Tracked<R> {
    inner: R,
    total: u64,
    last: Option<u8>,
    eof: bool,
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() {
            self.eof = true;
        }
        if let Some(&b) = buf[..n].last() {
            self.last = Some(b);
        }
        self.total += n as u64;
        Ok(n)
    }
}

/// The 1-based line `record` (just read) starts on. csv's own record position is taken
/// before blank lines are skipped, so it is worked back from the end instead: the reader's
/// line, less the newlines inside quoted fields, less the terminating newline if any.
fn start_line<R: Read>(reader: &csv::Reader<Tracked<R>>, record: &StringRecord) -> u64 {
    let end = reader.position();
    let embedded: usize = record
        .iter()
        .map(|f| f.bytes().filter(|&b| b == b'\n').count())
        .sum();
    let t = reader.get_ref();
    let unterminated = t.eof && end.byte() == t.total && t.last != Some(b'\n');
    end.line()
        .saturating_sub(embedded as u64 + u64::from(!unterminated))
}

fn csv_error(name: &str, e: ReadFailure) -> ExtractError {
    match e {
        ReadFailure::Extract(e) => e,
        ReadFailure::Csv(e) => ExtractError::Csv {
            file: name.to_string(),
            line: e.position().map_or(0, |p| p.line()),
            message: e.to_string(),
        },
    }
}

/// A failure inside [`run`]: either already an [`ExtractError`] or a csv error still to be
/// explained (the caller knows whether it was really a decoding error).
enum ReadFailure {
    Extract(ExtractError),
    Csv(csv::Error),
}

impl From<csv::Error> for ReadFailure {
    fn from(e: csv::Error) -> Self {
        ReadFailure::Csv(e)
    }
}

/// Collects row errors: keeps the first `cap`, counts all.
struct ErrorSink {
    cap: usize,
    kept: Vec<RowError>,
    count: u64,
}

impl ErrorSink {
    fn push(&mut self, e: RowError) {
        self.count += 1;
        if self.kept.len() < self.cap {
            self.kept.push(e);
        }
    }
}

fn is_blank(record: &StringRecord) -> bool {
    record.iter().all(|f| f.trim().is_empty())
}

/// What [`run`] reads with.
struct RunCtx<'a> {
    name: &'a str,
    kind: ExtractKind,
    limits: &'a Limits,
    error_cap: usize,
}

fn run<R: Read, F>(
    ctx: &RunCtx<'_>,
    reader: &mut csv::Reader<Tracked<R>>,
    mut on_row: F,
    encoding: &'static str,
) -> Result<ReadSummary, ReadFailure>
where
    F: FnMut(u64, Record) -> Result<(), RowError>,
{
    let (name, kind, error_cap) = (ctx.name, ctx.kind, ctx.error_cap);
    let mut record = StringRecord::new();
    let (header, header_line) = loop {
        if !reader.read_record(&mut record)? {
            return Err(ReadFailure::Extract(ExtractError::EmptyFile {
                file: name.to_string(),
            }));
        }
        if !is_blank(&record) {
            break (record.clone(), start_line(reader, &record));
        }
    };
    let columns = kinds::ColumnMap::from_header(name, kind, &header, header_line)
        .map_err(ReadFailure::Extract)?;
    let width = header.len();

    let mut sink = ErrorSink {
        cap: error_cap,
        kept: Vec::new(),
        count: 0,
    };
    let mut rows = 0u64;
    let mut accepted = 0u64;
    let mut keys = dedup::KeySet::new();
    let mut notes = Vec::new();
    let mut repeat_count = 0u64;
    while reader.read_record(&mut record)? {
        if is_blank(&record) {
            continue;
        }
        rows += 1;
        let line = start_line(reader, &record);
        if record.len() != width {
            let joined = record.iter().map(str::trim).collect::<Vec<_>>().join(",");
            let why = Why::new("import_check.field_count")
                .arg("n", record.len())
                .arg("width", width);
            sink.push(RowError::keyed(name, line, "-", &joined, why));
            continue;
        }
        let mut row = cells::Row::new(name, line, &record, &columns, ctx.limits);
        let built = kinds::build(kind, &mut row);
        let mut errors = row.into_errors();
        if built.is_none() && errors.is_empty() {
            let why = Why::new("import_check.row_rejected");
            errors.push(RowError::keyed(name, line, "-", "", why));
        }
        let built = match built {
            Some(rec) if errors.is_empty() => match repeated(name, line, &rec, &mut keys) {
                Ok(None) => Some(rec),
                Ok(Some(first)) => {
                    // Same key, same values as an earlier row: taken once.
                    repeat_count += 1;
                    if notes.len() < error_cap {
                        notes.push(ReadNote::Repeat { line, first });
                    }
                    continue;
                }
                Err(e) => {
                    errors.push(*e);
                    None
                }
            },
            other => other,
        };
        match built {
            Some(rec) if errors.is_empty() => match on_row(line, rec) {
                Ok(()) => accepted += 1,
                Err(mut e) => {
                    if e.file.is_empty() {
                        e.file = name.to_string();
                    }
                    if e.line == 0 {
                        e.line = line;
                    }
                    sink.push(e);
                }
            },
            _ => errors.into_iter().for_each(|e| sink.push(e)),
        }
    }
    Ok(ReadSummary {
        rows,
        accepted,
        errors: sink.kept,
        error_count: sink.count,
        encoding,
        notes,
        repeat_count,
    })
}

/// Whether `rec` repeats an earlier row of the file exactly (`Ok(Some(first line))`: skip
/// it), or gives a key of an earlier row other values (`Err`: the file cannot say which row
/// is right, so it is refused).
fn repeated(
    name: &str,
    line: u64,
    rec: &Record,
    keys: &mut dedup::KeySet,
) -> Result<Option<u64>, Box<RowError>> {
    if let Some(s) = keys.check_spelling(line, rec) {
        // Outside text goes in last, so nothing in it is taken for a placeholder.
        let why = Why::new("import_keys.case_in_file")
            .arg("first", s.first)
            .arg("column", s.column)
            .arg("earlier", clip_value(&s.earlier));
        return Err(Box::new(RowError::keyed(
            name, line, s.column, &s.value, why,
        )));
    }
    let columns = dedup::key_columns(rec);
    match keys.check(line, rec) {
        dedup::Seen::New => {}
        dedup::Seen::Repeat { first } => return Ok(Some(first)),
        dedup::Seen::Conflict { first } => {
            let key = keys.last_key();
            let why = Why::new("import_check.duplicate_key")
                .arg("columns", columns)
                .arg("first", first)
                .arg("line", line);
            return Err(Box::new(RowError::keyed(name, line, columns, &key, why)));
        }
    }
    if let Record::Loan(r) = rec
        && let dedup::Seen::Conflict { first } =
            keys.check_borrower_name(line, &r.borrower_code, &r.borrower_name)
    {
        // Outside text goes in last, so nothing in it is taken for a placeholder.
        let why = Why::new("import_check.borrower_name_differs")
            .arg("first", first)
            .arg("code", clip_value(&r.borrower_code));
        return Err(Box::new(RowError::keyed(
            name,
            line,
            "borrower_name",
            &r.borrower_name,
            why,
        )));
    }
    Ok(None)
}
