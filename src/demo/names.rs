//! Data tables for the demo book: staff, regions, the parts company names are built from,
//! loan purposes, addresses and follow-up notes. Plain constants, no logic.

use crate::domain::ContactKind::{self, Call, Meeting, Visit};
use crate::domain::{Product, Role};

/// The fixed demo staff: user name, display name, role.
pub const STAFF: &[(&str, &str, Role)] = &[
    ("wang.fang", "王芳", Role::Specialist),
    ("li.na", "李娜", Role::Specialist),
    ("zhang.wei", "张伟", Role::Specialist),
    ("liu.yang", "刘洋", Role::Specialist),
    ("chen.jing", "陈静", Role::Specialist),
    ("yang.min", "杨敏", Role::Specialist),
    ("huang.qiang", "黄强", Role::Specialist),
    ("zhou.jie", "周杰", Role::Specialist),
    ("wu.hao", "吴昊", Role::Supervisor),
    ("xu.li", "徐丽", Role::Supervisor),
    ("sun.tao", "孙涛", Role::Supervisor),
    ("zhao.lei", "赵磊", Role::Manager),
    ("hu.yan", "胡艳", Role::Auditor),
];

/// Relative share of loans each specialist follows (same order as in `STAFF`).
pub const SPECIALIST_WEIGHTS: &[u32] = &[22, 18, 15, 12, 10, 9, 8, 6];

/// A place a borrower is registered in.
pub struct Region {
    /// As written in the book, e.g. `江苏省苏州市`.
    pub full: &'static str,
    /// Short city name used in company names, e.g. `苏州`.
    pub city: &'static str,
    /// Short province name (equal to `city` for municipalities).
    pub province: &'static str,
    /// Broad area (华东 …), also used as a company-name prefix.
    pub area: &'static str,
    /// Administrative division code of the city (GB/T 2260).
    pub code: u32,
}

const fn r(
    full: &'static str,
    city: &'static str,
    province: &'static str,
    area: &'static str,
    code: u32,
) -> Region {
    Region {
        full,
        city,
        province,
        area,
        code,
    }
}

pub const REGIONS: &[Region] = &[
    r("上海市", "上海", "上海", "华东", 310000),
    r("北京市", "北京", "北京", "华北", 110000),
    r("天津市", "天津", "天津", "华北", 120000),
    r("重庆市", "重庆", "重庆", "西南", 500000),
    r("江苏省南京市", "南京", "江苏", "华东", 320100),
    r("江苏省苏州市", "苏州", "江苏", "华东", 320500),
    r("江苏省无锡市", "无锡", "江苏", "华东", 320200),
    r("江苏省常州市", "常州", "江苏", "华东", 320400),
    r("浙江省杭州市", "杭州", "浙江", "华东", 330100),
    r("浙江省宁波市", "宁波", "浙江", "华东", 330200),
    r("浙江省温州市", "温州", "浙江", "华东", 330300),
    r("广东省深圳市", "深圳", "广东", "华南", 440300),
    r("广东省广州市", "广州", "广东", "华南", 440100),
    r("广东省东莞市", "东莞", "广东", "华南", 441900),
    r("广东省佛山市", "佛山", "广东", "华南", 440600),
    r("四川省成都市", "成都", "四川", "西南", 510100),
    r("湖北省武汉市", "武汉", "湖北", "华中", 420100),
    r("陕西省西安市", "西安", "陕西", "西北", 610100),
    r("山东省青岛市", "青岛", "山东", "华东", 370200),
    r("山东省济南市", "济南", "山东", "华东", 370100),
    r("福建省厦门市", "厦门", "福建", "华南", 350200),
    r("河南省郑州市", "郑州", "河南", "华中", 410100),
    r("湖南省长沙市", "长沙", "湖南", "华中", 430100),
    r("安徽省合肥市", "合肥", "安徽", "华东", 340100),
    r("辽宁省沈阳市", "沈阳", "辽宁", "东北", 210100),
    r("辽宁省大连市", "大连", "辽宁", "东北", 210200),
];

/// Two-character trade names (字号). All exactly two characters, so names stay unique.
pub const CORES: &[&str] = &[
    "恒通", "瑞丰", "金桥", "宏达", "鑫源", "永泰", "华盛", "嘉禾", "隆鑫", "中联", "天元", "海翔",
    "盛世", "长城", "东方", "新华", "广源", "富华", "三和", "万通", "德润", "博远", "锦程", "远航",
    "信达", "鼎盛", "泰和", "宝丰", "祥云", "凯旋", "利民", "华信", "众诚", "晨光", "兆丰", "振华",
    "同创", "鸿运", "聚源", "康达", "安泰", "润华", "金鼎", "弘毅", "久益", "百川", "明阳", "卓越",
    "天成", "旭日", "蓝海", "中恒", "恒远", "方圆", "通达", "华美", "永利", "荣盛", "汇川", "正泰",
];

/// One-character words put before the trade name once the plain combinations run out.
pub const MODIFIERS: &[&str] = &[
    "新", "永", "大", "华", "中", "金", "宏", "天", "泰", "元", "盛", "昌", "利", "祥", "兴", "建",
    "国", "长", "东", "南", "西", "北", "嘉", "福",
];

/// Industry words used in names, with the industry recorded for the borrower.
pub const INDUSTRY_WORDS: &[(&str, &str)] = &[
    ("机械制造", "制造业"),
    ("精密机械", "制造业"),
    ("纺织", "制造业"),
    ("服饰", "制造业"),
    ("化工", "制造业"),
    ("新材料", "制造业"),
    ("建材", "制造业"),
    ("钢结构", "制造业"),
    ("汽车零部件", "制造业"),
    ("电气", "制造业"),
    ("食品", "制造业"),
    ("医药", "制造业"),
    ("印刷包装", "制造业"),
    ("塑胶制品", "制造业"),
    ("家具", "制造业"),
    ("光电", "制造业"),
    ("商贸", "批发和零售业"),
    ("贸易", "批发和零售业"),
    ("供应链管理", "批发和零售业"),
    ("医疗器械销售", "批发和零售业"),
    ("物流", "交通运输业"),
    ("运输", "交通运输业"),
    ("仓储", "交通运输业"),
    ("电子科技", "信息技术"),
    ("软件", "信息技术"),
    ("网络科技", "信息技术"),
    ("建设工程", "建筑业"),
    ("建筑安装", "建筑业"),
    ("路桥工程", "建筑业"),
    ("装饰工程", "建筑业"),
    ("农业科技", "农林牧渔业"),
    ("生态农业", "农林牧渔业"),
    ("新能源", "电力燃气及水生产供应业"),
    ("环保科技", "水利环境和公共设施管理业"),
    ("酒店管理", "住宿和餐饮业"),
];

/// Company-form suffixes with weights.
pub const SUFFIXES: &[(&str, u32)] = &[
    ("有限公司", 70),
    ("股份有限公司", 18),
    ("集团有限公司", 8),
    ("有限责任公司", 4),
];

/// Loan purposes by product.
pub fn purposes(product: Product) -> &'static [&'static str] {
    match product {
        Product::WorkingCapital => &[
            "采购原材料",
            "补充流动资金",
            "支付供应商货款",
            "日常经营周转",
            "支付员工工资及税费",
            "旺季备货采购",
        ],
        Product::FixedAsset => &["购置生产设备", "厂房建设", "生产线技术改造", "购置办公用房"],
        Product::TradeFinance => &[
            "进口原材料押汇",
            "出口订单备货",
            "国内信用证项下付款",
            "采购进口设备",
        ],
        Product::Project => &[
            "新建生产基地项目",
            "仓储物流园区建设",
            "分布式光伏电站项目",
            "污水处理厂提标改造项目",
        ],
        Product::Syndicated => &[
            "高速公路建设项目银团融资",
            "产业园区开发建设",
            "大型设备购置银团融资",
        ],
        Product::MerchantBill => &["银行承兑汇票贴现", "商业承兑汇票贴现"],
    }
}

/// Development zones used in collateral addresses.
pub const ZONES: &[&str] = &[
    "高新技术产业开发区",
    "经济技术开发区",
    "工业园区",
    "临港产业园",
    "新区",
    "综合保税区",
];

/// Roads used in collateral addresses.
pub const ROADS: &[&str] = &[
    "长江路",
    "黄河路",
    "建设路",
    "人民路",
    "中山路",
    "解放路",
    "工业大道",
    "科技路",
    "创业路",
    "发展大道",
    "兴业路",
    "滨江大道",
];

/// Buildings a real-estate collateral item may be.
pub const BUILDINGS: &[&str] = &["厂房", "办公楼", "仓库", "商业用房", "研发楼"];

/// Notes for follow-ups on a loan that performs, with how the contact was made.
pub const NOTES_GOOD: &[(ContactKind, &str)] = &[
    (Visit, "实地走访，企业生产经营正常"),
    (Visit, "查看厂区及库存，开工率正常，订单饱满"),
    (Visit, "实地查看抵押物，状态良好，未发现异常"),
    (Visit, "现场核实贷款资金用途，与合同约定一致"),
    (Call, "电话联系财务负责人，确认按期付息"),
    (Call, "电话回访，企业纳税及水电数据平稳"),
    (Call, "电话联系实际控制人，经营情况无重大变化"),
    (Meeting, "约见实际控制人，经营计划无重大变化"),
];

/// Notes for follow-ups where warning signs showed.
pub const NOTES_WARN: &[(ContactKind, &str)] = &[
    (Visit, "走访发现库存积压，销售回款放缓"),
    (Visit, "实地走访，企业开工率下降，部分生产线停产"),
    (
        Call,
        "电话联系财务负责人，反映下游客户付款延迟，资金周转偏紧",
    ),
    (Call, "电话未能联系上实际控制人，拟安排现场走访"),
    (
        Meeting,
        "约谈企业负责人，了解涉及民间借贷诉讼情况，需持续关注",
    ),
    (Meeting, "约谈主要股东，其所持股权已被质押，已提示风险"),
];

/// Notes for follow-ups on an overdue loan.
pub const NOTES_OVERDUE: &[(ContactKind, &str)] = &[
    (Call, "电话催收，企业承诺月底前归还逾期利息"),
    (Meeting, "约谈实际控制人，要求制定还款计划"),
    (Visit, "上门催收，企业经营困难，已送达逾期催收通知书"),
    (Meeting, "约见保证人商谈代偿事宜，保证人表示需时间筹措资金"),
    (Visit, "实地查看抵押物并启动处置前期评估，拟提起诉讼"),
];
