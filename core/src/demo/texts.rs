//! The shop's catalogue and the Chinese (and some bilingual) texts of demo records.

/// A product category: name, relative weight across all sales, and item prices in fen.
pub(crate) struct Category {
    pub name: &'static str,
    pub weight: u32,
    pub prices: &'static [i64],
    /// Highest quantity an individual usually buys at once.
    pub max_qty: u64,
}

/// The café-and-retail catalogue of the demo shop.
pub(crate) const CATEGORIES: &[Category] = &[
    Category {
        name: "咖啡 Coffee",
        weight: 40,
        prices: &[2200, 2800, 2800, 3000, 3200, 3800],
        max_qty: 3,
    },
    Category {
        name: "茶饮 Tea",
        weight: 14,
        prices: &[1800, 2200, 2600, 2800],
        max_qty: 3,
    },
    Category {
        name: "烘焙 Bakery",
        weight: 14,
        prices: &[1500, 1600, 1800, 2200],
        max_qty: 4,
    },
    Category {
        name: "甜品 Desserts",
        weight: 9,
        prices: &[3200, 3600, 3800],
        max_qty: 2,
    },
    Category {
        name: "轻食 Light meals",
        weight: 10,
        prices: &[3200, 3800, 4200, 4800],
        max_qty: 2,
    },
    Category {
        name: "咖啡豆 Coffee beans",
        weight: 6,
        prices: &[8800, 12800, 16800, 19800],
        max_qty: 2,
    },
    Category {
        name: "周边 Merchandise",
        weight: 4,
        prices: &[4900, 6900, 12900, 19900],
        max_qty: 1,
    },
    Category {
        name: "礼品卡 Gift cards",
        weight: 3,
        prices: &[10000, 20000, 50000],
        max_qty: 1,
    },
];

/// Index of the coffee-beans category (bought by coffee lovers).
pub(crate) const BEANS: usize = 5;
/// Index of the gift-card category.
pub(crate) const GIFT_CARDS: usize = 7;
/// Categories that businesses order for meetings and gifts.
pub(crate) const BUSINESS_CATEGORIES: &[usize] = &[0, 2, 4, 5, 7];

/// Notes a shop keeps about a customer.
pub(crate) const CUSTOMER_NOTES: &[&str] = &[
    "喜欢靠窗的座位",
    "对坚果过敏，注意甜品配料",
    "常点燕麦拿铁，少冰",
    "周末经常带孩子来",
    "在附近写字楼上班，早上赶时间",
    "喜欢尝试新品，可优先推荐季节限定",
    "乳糖不耐受，推荐燕麦奶",
    "曾反馈等待时间长，注意出杯速度",
    "生日当天来过店里，送过小蛋糕",
    "喜欢手冲，对产地感兴趣",
    "Prefers English menu",
    "经常帮同事带咖啡",
];

/// Taste preferences (a custom text field).
pub(crate) const TASTES: &[&str] = &[
    "少糖",
    "无糖",
    "燕麦奶",
    "加浓",
    "去冰",
    "热饮",
    "美式",
    "拿铁",
    "手冲",
    "果茶",
];

/// Tags given to customers by segment.
pub(crate) const TAG_STUDENT: &str = "学生";
/// Office workers.
pub(crate) const TAG_OFFICE: &str = "上班族";
/// Members of the points programme.
pub(crate) const TAG_MEMBER: &str = "会员";
/// High spenders.
pub(crate) const TAG_VIP: &str = "VIP";
/// Businesses.
pub(crate) const TAG_BUSINESS: &str = "企业客户";
/// Parents.
pub(crate) const TAG_PARENT: &str = "宝妈";
/// Coffee-bean buyers.
pub(crate) const TAG_COFFEE_LOVER: &str = "咖啡爱好者";
/// Delivery customers.
pub(crate) const TAG_DELIVERY: &str = "外卖";
/// Long-standing, still active customers.
pub(crate) const TAG_REGULAR: &str = "老客户";

/// Interaction texts by purpose: (summary, outcome).
pub(crate) const INQUIRY: &[(&str, &str)] = &[
    ("咨询会员卡积分规则", "已说明积分与等级规则"),
    ("询问是否有无咖啡因咖啡", "推荐了低因美式"),
    ("询问店内是否可以预订包场", "已发送包场价格表"),
    ("咨询咖啡豆的烘焙日期", "告知每周二、五新鲜烘焙"),
    ("问营业时间和停车信息", "已告知"),
    ("询问礼品卡能否开发票", "可以，已登记开票信息"),
];
/// Complaint texts.
pub(crate) const COMPLAINT: &[(&str, &str)] = &[
    ("外卖送达时咖啡洒了", "已退款并赠送优惠券"),
    ("高峰期等了二十多分钟", "致歉，赠送一杯饮品"),
    ("拿铁太甜，和平时不一样", "已反馈给咖啡师，下次重做"),
    ("积分没有到账", "已核实并补录积分"),
    ("店内空调太冷", "已调整温度"),
    ("蛋糕口感不新鲜", "退款并检查了冷柜"),
];
/// Follow-up texts.
pub(crate) const FOLLOW_UP: &[(&str, &str)] = &[
    ("回访上次投诉的处理结果", "客户表示满意"),
    ("电话回访新会员体验", "客户提出希望增加座位"),
    ("通知新品上市：桂花拿铁", "客户表示会来尝试"),
    ("提醒积分即将可兑换", "客户计划周末来店兑换"),
    ("长时间未到店，发送回归优惠券", "暂无回复"),
];
/// Visit texts.
pub(crate) const VISIT: &[(&str, &str)] = &[
    ("到店品鉴新一季咖啡豆", "购买了一包耶加雪菲"),
    ("参加周末手冲体验课", "对课程很满意"),
    ("拜访公司，洽谈下午茶合作", "对方需要内部讨论"),
    ("到店取预订的生日蛋糕", "顺利取货"),
];
/// After-sales texts.
pub(crate) const AFTER_SALES: &[(&str, &str)] = &[
    ("咖啡豆研磨度不合适，申请更换", "已更换为手冲研磨"),
    ("随行杯漏水", "已换新"),
    ("礼品卡余额查询", "已告知余额"),
    ("企业下午茶订单的发票补开", "发票已寄出"),
];
/// Other texts.
pub(crate) const OTHER: &[(&str, &str)] = &[
    ("在朋友圈点赞并留言", "已回复感谢"),
    ("参加店庆抽奖活动", "获得一张饮品券"),
    ("推荐朋友来店", "已记录推荐关系"),
];

/// Deal titles with value ranges in fen.
pub(crate) const DEAL_TITLES: &[(&str, i64, i64)] = &[
    ("企业下午茶 Corporate afternoon tea", 200_000, 1_200_000),
    ("年会茶歇 Annual party catering", 500_000, 3_000_000),
    ("中秋礼盒团购 Mid-autumn gift boxes", 300_000, 2_000_000),
    (
        "办公室咖啡豆月度订阅 Office bean subscription",
        100_000,
        600_000,
    ),
    ("婚礼甜品台 Wedding dessert table", 400_000, 1_500_000),
    ("生日派对包场 Birthday party booking", 150_000, 500_000),
    ("咖啡拉花培训课 Latte-art course", 80_000, 300_000),
];

/// Objections customers raise while negotiating.
pub(crate) const OBJECTIONS: &[&str] = &[
    "价格偏高",
    "需要和领导确认预算",
    "担心送货时效",
    "已有合作的供应商",
    "希望先提供试饮样品",
    "发票抬头和付款方式需要确认",
    "担心人数变动后的退改政策",
];

/// Survey comments of promoters (NPS 9–10).
pub(crate) const PRAISE: &[&str] = &[
    "咖啡很香，店员很热情！",
    "环境舒服，适合工作。",
    "会员积分很划算，会一直来。",
    "手冲很专业，推荐给朋友了。",
    "甜品好吃，出杯也快。",
    "Great coffee and friendly staff.",
];
/// Survey comments of passives (NPS 7–8).
pub(crate) const SUGGESTIONS: &[&str] = &[
    "总体不错，希望座位多一点。",
    "味道稳定，价格可以再优惠些。",
    "希望增加无糖甜品。",
    "高峰期等待有点久。",
    "希望外卖包装更好。",
];
/// Survey comments of detractors (NPS 0–6).
pub(crate) const COMPLAINTS: &[&str] = &[
    "等待时间太长了。",
    "最近几次味道不稳定。",
    "价格偏贵。",
    "店员态度一般，没有人招呼。",
    "积分规则太复杂。",
    "外卖经常送错。",
];

/// Manual tasks without a customer.
pub(crate) const SHOP_TASKS: &[&str] = &[
    "盘点咖啡豆库存",
    "更新秋冬季菜单",
    "联系供应商补货牛奶",
    "培训新员工拉花",
    "检查磨豆机刻度",
    "准备店庆活动物料",
    "整理本月会员积分报表",
];
/// Manual tasks about a customer (the name follows).
pub(crate) const CUSTOMER_TASKS: &[&str] = &[
    "寄送会员卡给",
    "确认包场预订：",
    "回电咨询：",
    "准备试饮样品给",
    "开具发票给",
];
