//! Times the ledger's text filter (count + first page) per query on a book: a probe for tuning.
use postloan::store::{LedgerQuery, LedgerSort, PageFrom, Store};
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let db = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: filter_probe BOOK QUERY..."))?;
    let store = Store::open_existing(std::path::Path::new(&db))?;
    for text in args {
        for sort in [
            LedgerSort::ContractNo,
            LedgerSort::Borrower,
            LedgerSort::Outstanding,
        ] {
            let q = LedgerQuery {
                text: text.clone(),
                sort,
                ..Default::default()
            };
            let mut best = (f64::MAX, f64::MAX);
            let mut first = None;
            let mut total = None;
            for _ in 0..5 {
                let t = Instant::now();
                let n = store.ledger_count(&q)?;
                let c = t.elapsed().as_secs_f64() * 1e3;
                let t = Instant::now();
                let rows = store.ledger_page(&q, &PageFrom::Start, 76)?;
                let p = t.elapsed().as_secs_f64() * 1e3;
                best = (best.0.min(c), best.1.min(p));
                first.get_or_insert(c + p);
                total = Some((n, rows.len()));
            }
            let t = Instant::now();
            let end = store.ledger_page(&q, &PageFrom::End, 76)?;
            let end_ms = t.elapsed().as_secs_f64() * 1e3;
            let t = Instant::now();
            store.ledger_page(&q, &PageFrom::End, 76)?;
            println!(
                "{text:10} {sort:?}: End {} rows {end_ms:.2} ms, again {:.2} ms",
                end.len(),
                t.elapsed().as_secs_f64() * 1e3
            );
            println!(
                "{text:10} {sort:?}: {total:?} first count+page {:.2} ms; then count {:.2} ms, page {:.2} ms",
                first.unwrap_or_default(),
                best.0,
                best.1
            );
        }
    }
    Ok(())
}
