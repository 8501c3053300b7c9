//! Company identities for the demo book: unique borrower names from a shuffled space of
//! name parts, GB 32100-2015 credit codes, counterparty names and collateral wording.

use super::dice::Dice;
use super::names::{
    BUILDINGS, CORES, INDUSTRY_WORDS, MODIFIERS, REGIONS, ROADS, Region, SUFFIXES, ZONES,
};
use crate::domain::{CollateralKind, Sector};

/// Who a borrower is, before any loan.
pub struct Identity {
    pub name: String,
    pub industry: &'static str,
    pub region: &'static Region,
    pub credit_code: String,
}

/// Hands out borrower names; the i-th name is unique while `i` stays below
/// `combinations × (1 + MODIFIERS.len())` (≈2.3 million), after which names repeat.
pub struct Namer {
    /// Name prefixes (city, province or area) with the regions each may stand for.
    prefixes: Vec<(&'static str, Vec<usize>)>,
    key: [u64; 4],
}

impl Namer {
    pub fn new(key_seed: u64) -> Self {
        let mut prefixes: Vec<(&'static str, Vec<usize>)> = Vec::new();
        let mut add = |p: &'static str, i: usize| match prefixes.iter_mut().find(|e| e.0 == p) {
            Some(e) => e.1.push(i),
            None => prefixes.push((p, vec![i])),
        };
        for (i, r) in REGIONS.iter().enumerate() {
            add(r.city, i);
        }
        for (i, r) in REGIONS.iter().enumerate() {
            if r.province != r.city {
                add(r.province, i);
            }
        }
        for (i, r) in REGIONS.iter().enumerate() {
            add(r.area, i);
        }
        let mut k = key_seed;
        let key = std::array::from_fn(|_| {
            k = splitmix(k);
            k
        });
        Namer { prefixes, key }
    }

    fn combinations(&self) -> u64 {
        (self.prefixes.len() * CORES.len() * INDUSTRY_WORDS.len()) as u64
    }

    /// The identity of the `i`-th borrower (0-based).
    pub fn identity(&self, i: u64, dice: &mut Dice) -> Identity {
        let m = self.combinations();
        let round = i / m;
        let j = self.permute(i % m, m, round);
        let ind = (j % INDUSTRY_WORDS.len() as u64) as usize;
        let rest = j / INDUSTRY_WORDS.len() as u64;
        let core = (rest % CORES.len() as u64) as usize;
        let pre = (rest / CORES.len() as u64) as usize;
        let (prefix, regions) = &self.prefixes[pre];
        let region = &REGIONS[*dice.pick(regions)];
        let suffix = SUFFIXES[dice.weighted(&[70, 18, 8, 4])].0;
        let modifier = match round {
            0 => "",
            r => MODIFIERS[((r - 1) % MODIFIERS.len() as u64) as usize],
        };
        let (word, industry) = INDUSTRY_WORDS[ind];
        let name = [*prefix, modifier, CORES[core], word, suffix].concat();
        let credit_code = credit_code(region.code, dice);
        Identity {
            name,
            industry,
            region,
            credit_code,
        }
    }

    /// A keyed bijection of `0..m` (a Feistel network on the next even power of two,
    /// cycle-walked back into range).
    fn permute(&self, x: u64, m: u64, round: u64) -> u64 {
        let bits = (64 - (m - 1).leading_zeros()).max(2).next_multiple_of(2);
        let half = bits / 2;
        let mask = (1u64 << half) - 1;
        let mut v = x;
        loop {
            let (mut l, mut r) = (v >> half, v & mask);
            for k in self.key {
                let f = splitmix(r ^ k ^ round.wrapping_mul(0x9E37)) & mask;
                (l, r) = (r, l ^ f);
            }
            v = (l << half) | r;
            if v < m {
                return v;
            }
        }
    }
}

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The 31 characters a unified social credit code is written in (no I, O, Z, S, V).
const USCC_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// The GB 32100-2015 check character for the first 17 characters, if they are valid.
pub fn uscc_check_char(body: &str) -> Option<char> {
    if body.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (b, w) in body.bytes().zip(USCC_WEIGHTS) {
        let v = USCC_CHARS.iter().position(|c| *c == b)? as u32;
        sum += v * w;
    }
    let c = (31 - sum % 31) % 31;
    Some(USCC_CHARS[c as usize] as char)
}

/// A credit code for an enterprise (`91`) registered in a district of `city_code`, with a
/// GB 11714 organisation code inside and a valid GB 32100 check character.
pub fn credit_code(city_code: u32, dice: &mut Dice) -> String {
    let district = if city_code.is_multiple_of(10000) {
        // Municipality: 31 01 xx.
        city_code + 100 + dice.int(1, 16) as u32
    } else {
        city_code + dice.int(2, 12) as u32
    };
    let mut s = String::with_capacity(18);
    s.push_str("91");
    s.push_str(&district.to_string());
    let mut sum = 0;
    for w in [3, 7, 9, 10, 5, 8, 4, 2] {
        let d = dice.int(0, 9) as u32;
        sum += d * w;
        s.push(char::from(b'0' + d as u8));
    }
    s.push(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        c => char::from(b'0' + c as u8),
    });
    let check = uscc_check_char(&s).unwrap_or('0');
    s.push(check);
    s
}

fn short_company(dice: &mut Dice, words: &[&str], suffix: &str) -> String {
    let region = dice.pick(REGIONS);
    let prefix = if dice.chance(0.5) {
        region.city
    } else {
        region.province
    };
    [prefix, *dice.pick(CORES), *dice.pick(words), suffix].concat()
}

/// Who received a payment out of the loan, by where the money went.
pub fn counterparty(sector: Sector, city: &str, dice: &mut Dice) -> String {
    match sector {
        Sector::Supplier => short_company(
            dice,
            &[
                "钢材贸易",
                "化工原料",
                "五金机电",
                "电子元器件",
                "包装材料",
                "纺织原料",
            ],
            "有限公司",
        ),
        Sector::Payroll => "本单位员工工资代发专户".to_string(),
        Sector::Tax => ["国家税务总局", city, "市税务局"].concat(),
        Sector::Equipment => short_company(
            dice,
            &["重工", "机床", "智能装备", "自动化设备", "数控设备"],
            "有限公司",
        ),
        Sector::Construction => short_company(
            dice,
            &["建设工程", "建筑安装工程", "市政工程", "钢结构工程"],
            "有限公司",
        ),
        Sector::PropertySpeculation => short_company(dice, &["置业", "房地产开发"], "有限公司"),
        Sector::Securities => short_company(dice, &["证券"], "股份有限公司（客户资金账户）"),
        Sector::Futures => short_company(dice, &["期货"], "有限公司"),
        Sector::EquityInvestment => {
            short_company(dice, &["股权投资", "创业投资"], "合伙企业（有限合伙）")
        }
        Sector::Other => short_company(dice, &["商务咨询", "投资管理"], "有限公司"),
    }
}

/// A description of a collateral item located near the borrower; areas follow from the
/// appraised value (`value_yuan`) at a plausible price per square metre.
pub fn collateral_description(
    kind: CollateralKind,
    value_yuan: i64,
    region: &Region,
    dice: &mut Dice,
) -> String {
    match kind {
        CollateralKind::RealEstate => format!(
            "{}{}{}{}号{}，建筑面积{}平方米，不动产权证已办理抵押登记",
            region.full,
            dice.pick(ZONES),
            dice.pick(ROADS),
            dice.int(1, 999),
            dice.pick(BUILDINGS),
            (value_yuan / dice.int(3_000, 15_000) / 10).max(5) * 10
        ),
        CollateralKind::Land => format!(
            "{}{}{}以东地块工业用地使用权，面积{}平方米，剩余年限{}年",
            region.full,
            dice.pick(ZONES),
            dice.pick(ROADS),
            (value_yuan / dice.int(300, 2_000) / 100).max(5) * 100,
            dice.int(25, 48)
        ),
        CollateralKind::Deposit => format!(
            "本行单位定期存单，存期{}，已办理止付",
            dice.pick(&["六个月", "一年", "两年", "三年"])
        ),
        CollateralKind::Equity => format!(
            "实际控制人持有的{}{}%股权，已办理出质登记",
            short_company(dice, &["实业", "投资", "科技"], "有限公司"),
            dice.int(10, 60)
        ),
        CollateralKind::Receivables => format!(
            "对{}的应收账款，已在中登网办理质押登记",
            short_company(dice, &["集团", "实业", "贸易"], "有限公司")
        ),
        CollateralKind::Equipment => "生产线机器设备一批，已办理动产抵押登记".to_string(),
        CollateralKind::Inventory => "库存原材料及产成品，由第三方监管".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_char_matches_published_codes() {
        for code in ["91330100716105852F", "9144030071526726XG"] {
            assert_eq!(uscc_check_char(&code[..17]), code.chars().nth(17), "{code}");
        }
    }

    #[test]
    fn generated_codes_are_well_formed() {
        let mut dice = Dice::new(1);
        for r in REGIONS {
            let c = credit_code(r.code, &mut dice);
            assert_eq!(c.len(), 18);
            assert!(c.starts_with("91"));
            assert!(c.bytes().all(|b| USCC_CHARS.contains(&b)), "{c}");
            assert_eq!(uscc_check_char(&c[..17]), c.chars().nth(17));
        }
    }

    #[test]
    fn names_are_unique_across_the_first_rounds() {
        let namer = Namer::new(42);
        let mut dice = Dice::new(42);
        let n = namer.combinations() * 2 + 500;
        let mut seen = std::collections::HashSet::new();
        for i in 0..n {
            let id = namer.identity(i, &mut dice);
            assert!(seen.insert(id.name.clone()), "duplicate {}", id.name);
        }
    }
}
