"""Labelling rules: how each real row becomes commercial, major_news, none or fraud.

The rules are the labelling procedure (LABELLING.md): they are written against the content the
regulation cares about, read on hand-checked samples, corrected where they disagreed, and then
frozen here so that the same files always give the same labels. Every decision names its rule
(``Label.rule``), so a disagreement can be traced to the line that made it.

What we label is the genre of a text, not its truth or whom it concerns: a rumour that reports a
death is a report of a death; whether it concerns the school is for the reviewer to decide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Label:
    label: str  # commercial, major_news, none, fraud, or "" (row left out, see rule)
    kind: str
    rule: str


def _any(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(parts))


# --- commercial -------------------------------------------------------------------------------

# An offer: a price, a discount, a sale, a gift for buying. The heart of an advertisement.
OFFER = _any(
    r"\d+(?:\.\d+)?折", r"折起", r"折上折", r"特价", r"特惠", r"优惠", r"促销", r"抢购", r"钜惠",
    r"巨惠", r"让利", r"直降", r"直减", r"立减", r"半价", r"秒杀", r"团购", r"清仓", r"甩卖",
    r"大放送", r"买\S{0,3}送", r"送完为止", r"数量有限", r"售完为止", r"领完即止", r"限时",
    r"限量", r"\d+(?:\.\d+)?万?元?起", r"万元?起", r"元\s*/\s*(?:㎡|平|次|月|年|课时|克)",
    r"首付", r"开盘", r"认筹", r"认购", r"诚意金", r"样板[间区]", r"售楼", r"招商", r"租售",
    r"加盟", r"低至", r"免费(?:试|领|送|体验|咨询|鉴定)", r"包邮", r"货到付款", r"礼品", r"好礼",
    r"豪礼", r"有礼", r"赠送", r"送\S{0,4}(?:券|卡|礼)", r"红包", r"代金券", r"优惠券", r"抵用",
    r"积分", r"最低价", r"低价", r"震撼", r"火爆", r"热销", r"劲销", r"盛惠", r"回馈", r"酬宾",
    r"开业", r"周年庆", r"店庆", r"总价", r"惊爆", r"\d+减\d+", r"满\d+(?:元|送|减|返)",
    r"(?<!\d)0元", r"再享", r"充(?:值)?\d+送",
)
# What is on sale: goods and services that SMS and Weibo advertisements sell.
PRODUCT = _any(
    r"楼盘", r"公寓", r"别墅", r"洋房", r"商铺", r"铺面", r"写字楼", r"[两三四]居", r"户型",
    r"平米", r"㎡", r"精装", r"现房", r"期房", r"地产", r"置业", r"贷款", r"贷丨款", r"放款",
    r"无抵押", r"无担保", r"信用卡", r"办卡", r"理财", r"收益率", r"年化", r"起购", r"保本",
    r"招生", r"培训", r"辅导", r"补习", r"一对一", r"课程", r"试听", r"试学", r"学历", r"文凭",
    r"资格证", r"考证", r"酒店", r"KTV", r"会所", r"会员", r"专卖", r"专柜", r"旗舰店", r"淘宝",
    r"天猫", r"聚划算", r"tmall", r"taobao", r"商城", r"网店", r"微店", r"代购", r"股票?", r"建仓",
    r"涨停", r"拉升", r"荐股", r"个股", r"黑马", r"彩票", r"荐号", r"投注", r"车险", r"保险",
    r"4S店", r"车型", r"购车", r"美容", r"整形", r"祛斑", r"装修", r"家具", r"家电", r"建材",
    r"婚纱", r"摄影", r"影楼", r"旅行社", r"机票", r"特产", r"手机卖场", r"流量包", r"套餐",
    r"订购", r"上门服务", r"按摩", r"足疗", r"提分", r"押题", r"名师", r"授课", r"冲刺班", r"开班",
    r"拿证", r"总经销", r"经销商", r"诚招", r"融资", r"回报率?", r"利息", r"年利", r"月利",
    r"借款", r"资金", r"门诊", r"医院", r"专科", r"物流", r"专业(?:生产|销售|提供|承接|定做)",
    r"旅游", r"游轮", r"线路",
)
# A way to get in touch: a phone number, a link, an account.
CONTACT = _any(
    r"(?<!\d)1[3-9]\d{9}(?!\d)", r"(?<!\d)(?:0\d{2,3}-?)?\d{7,8}(?!\d)", r"400-?\d{3}-?\d{4}",
    r"https?://", r"www\.", r"\.(?:com|cn|net)\b", r"[Qq]{2}", r"扣扣", r"微信", r"加[Vv]",
)
# A call to buy or ask now: what turns a contact into an advertisement.
CALL = _any(
    r"热线", r"详询", r"咨询", r"询[:：]?\s*\d", r"垂询", r"预约", r"来电", r"致电", r"专线",
    r"回复\s*[A-Za-z0-9#]", r"编辑\s*[A-Za-z0-9#]", r"发送\s*[A-Za-z0-9#]+\s*至", r"莅临",
    r"速来", r"抢占", r"请?拨打\s*\d", r"欲购从速", r"欲报从速", r"先到先得",
    r"欢迎.{0,6}(?:选购|光临|咨询|来电|订购)",
    r"[经理总]经理", r"\[[^\]]{2,12}\]\s*$", r"【[^】]{2,12}】\s*$",
)
# Messages about an account or an order the reader already has: notices, not advertisements.
NOTICE = _any(
    r"验证码", r"校验码", r"动态密码", r"密码(?:已|本次|为)", r"查询密码", r"余额(?!理财|宝)",
    r"账单", r"尾号\s*\d", r"交易(?:人民币|金额|成功|提醒)", r"网上交易", r"入账", r"扣款",
    r"支出", r"收入\s*\d", r"消费人民币", r"取款", r"还款", r"已使用", r"剩余", r"可用积分",
    r"充值提醒", r"您已购买", r"您已成为", r"订单(?:号|状态|已|确认)", r"单号", r"已送达", r"寄出",
    r"快件", r"(?:预计|正在|将).{0,6}派送", r"派送中", r"物流(?:状态|信息)", r"签收", r"取票",
    r"购票成功", r"出票", r"航班", r"(?:已|于.{0,16})登录", r"退订成功", r"已成功", r"已开通",
    r"已退款", r"满意度", r"气温", r"新邮件", r"面试", r"券密码", r"欢迎您[！!，,]",
)
# News pushed by operators: a headline and a link, selling nothing.
NEWS_PUSH = _any(r"冲浪助手", r"WAP推送", r"\[PUSH\]", r"手机报", r"周刊", r"新闻", r"赠刊",
                 r"掌上精彩", r"城市快讯", r"笑话", r"精彩报道", r"详情(?:请)?点击",
                 r"点击(?:阅读|查看)",
                 r"g\.wo\.com\.cn", r"g\.js165\.com", r"go\.10086\.cn/n", r"\.wo\.com\.cn/i/")
# Brokers' market commentary and new-issue calendars: information, not an offer.
MARKET_INFO = _any(r"财富.{0,2}版", r"新股发行", r"新股申购", r"仅供参考", r"投资建议")
ASK = _any(r"热线", r"详询", r"咨询", r"致电", r"来电", r"专线", r"(?<!\d)1[3-9]\d{9}(?!\d)")
GREETING = _any(r"祝", r"快乐", r"幸福", r"问候", r"思念", r"愿你", r"愿您", r"节日", r"平安")
PAID_GREETING = re.compile(r"转发\s*0?\.\d+元")  # a carrier's greeting service, not a sale


def _groups(text: str) -> dict[str, bool]:
    return {"offer": bool(OFFER.search(text)) and not PAID_GREETING.search(text),
            "product": bool(PRODUCT.search(text)), "contact": bool(CONTACT.search(text)),
            "call": bool(CALL.search(text)), "notice": bool(NOTICE.search(text)),
            "news": bool(NEWS_PUSH.search(text)), "greeting": bool(GREETING.search(text))}


def sms_label(text: str, spam: bool) -> Label:
    """An SMS: an advertisement (commercial) or not. The source's spam flag is a hint only: it
    also marks news pushes, greetings and some personal messages as spam, and some
    advertisements as not. A notice about the reader's own account or order stays a notice even
    when a bank appends an offer to it."""
    g = _groups(text)
    if g["notice"]:
        return Label("none", "sms.notice", "sms:notice")
    if MARKET_INFO.search(text) and not ASK.search(text):
        return Label("none", "sms.market_info", "sms:market_info")
    if g["news"] and not g["offer"]:
        found = major_news_rule(text)
        if found:
            return Label("major_news", f"sms.news_push.{found}", f"sms:news_push_{found}")
        return Label("none", "sms.news_push", "sms:news_push")
    if spam:
        selling = g["offer"] or g["product"] or g["call"]
        if g["greeting"] and not (selling or g["contact"]):
            return Label("none", "sms.greeting", "sms:spam_greeting")
        if selling or g["contact"]:
            return Label("commercial", "sms.ad", "sms:spam_selling")
        # No offer, no product and no way to get in touch: a personal message the source
        # counted as spam. Neither label can be defended, so the row is left out.
        return Label("", "sms.unclear", "sms:spam_unclear")
    if (g["offer"] and (g["product"] or g["contact"] or g["call"])) \
            or (g["call"] and g["product"] and g["contact"]):
        return Label("commercial", "sms.ad", "sms:ham_selling")
    if g["greeting"] and len(text) >= 30:
        return Label("none", "sms.greeting", "sms:ham_greeting")
    return Label("none", "sms.ordinary", "sms:ham")


def fraud_label(category: str) -> Label:
    """The dataset's own category, by file. Loan and credit-card scripts offer a financial
    product for a fee: commercial. The others impersonate police, customer service or
    acquaintances: fraud, which no classifier of ours is for; they are scored and reported."""
    if category == "loan":
        return Label("commercial", "fraud.loan", "fraud:loan_offer")
    return Label("fraud", f"fraud.{category}", f"fraud:{category}")


# --- major news -------------------------------------------------------------------------------

DEATH = _any(r"逝世", r"去世", r"病逝", r"辞世", r"离世", r"悼念", r"讣告", r"追悼", r"哀悼",
             r"唁电", r"身亡", r"遇难", r"罹难", r"丧生", r"殒命", r"遇害", r"身故", r"不幸牺牲",
             r"溺亡", r"猝死", r"致死", r"死亡", r"尸体", r"自杀", r"被杀", r"杀害", r"\d+死",
             r"致[一二两三四五六七八九十]+死",
             r"[一二两三四五六七八九十]死[一二两三四五六七八九十\d]+伤",
             r"死\d+", r"抢救无效", r"[杀打砍捅勒炸撞烧淹掐]死")
ACCIDENT = _any(r"事故", r"火灾", r"(?<![激引挑])起火", r"(?<!巨)大火(?!山)", r"失火", r"爆炸",
                r"坠楼", r"跳楼(?!式|价)", r"车祸", r"撞车", r"追尾", r"翻车", r"坍塌", r"倒塌",
                r"塌方", r"溺水", r"中毒", r"伤亡", r"\d+死\d+伤", r"\d+人受伤", r"受伤", r"重伤",
                r"砍伤", r"刺伤", r"袭击", r"遇袭", r"(?<!玩)失踪", r"泄漏", r"脱轨", r"坠毁",
                r"沉没", r"倾覆", r"\d(?:\.\d)?级.{0,4}地震", r"地震.{0,8}\d(?:\.\d)?级",
                r"地震.{0,6}(?:伤亡|遇难|死亡|受灾)",
                r"泥石流", r"踩踏", r"失联")
APPOINT = _any(r"任命", r"任职", r"免去", r"免职", r"任免", r"出任", r"辞职", r"辞去", r"请辞",
               r"卸任", r"接任", r"继任", r"履新", r"撤职", r"撤销.{0,6}职务", r"调任", r"被免",
               r"双开", r"当选.{0,12}(?:主席|校长|书记|院长|总理|总统|首相|部长|会长|理事长)",
               r"新任", r"升任", r"擢升", r"职务.{0,3}通知", r"同志.{0,4}职务")
STATEMENT = _any(r"声明", r"致歉", r"道歉信", r"公开道歉", r"情况说明", r"情况通报", r"严正",
                 r"辟谣", r"澄清", r"官方回应", r"回应质疑", r"发表谈话", r"发布公告称",
                 r"新闻办公室", r"通报称")
# Rumour-spreaders ask for a denial; that is no statement.
NOT_STATEMENT = _any(r"求辟谣", r"求证", r"希望辟谣", r"请.{0,4}辟谣", r"等待辟谣")
# Death words that are not reports of a death.
NOT_DEATH = _any(r"《[^》]*(?:死|亡|杀)[^》]*》", r"死亡率", r"致死率", r"死亡几率",
                 r"死亡[之的]?[岛谷]",
                 r"自杀式", r"死亡空间", r"被去世", r"死机", r"杀毒", r"秒杀", r"杀手锏",
                 r"死亡笔记", r"无人死亡", r"零死亡", r"死亡通知书", r"死亡之组", r"九死一生",
                 r"生死")
# Injuries in sport, and "受伤" in markets, are not accidents.
NOT_ACCIDENT = _any(r"伤病", r"伤停", r"伤愈", r"伤缺", r"球员", r"赛季", r"主帅", r"联赛",
                    r"缺阵", r"伤情", r"受伤.{0,4}(?:股|基金|指数|板块|银行|市场)", r"演习",
                    r"演练", r"安全教育", r"消防.{0,4}(?:知识|培训|讲座|演练)", r"爆炸性", r"前兆",
                    r"预测", r"扬言", r"救起", r"中毒门",
                    r"《[^》]*》", r"防范", r"预防", r"安全隐患", r"隐患")
# Appointments and removals are of an office; statements are made by an institution.
OFFICE = _any(r"CEO", r"CFO", r"COO", r"CTO", r"总裁", r"总经理", r"董事", r"主席", r"校长",
              r"书记", r"院长", r"部长", r"局长", r"厅长", r"市长", r"省长", r"县长", r"区长",
              r"镇长", r"乡长", r"总理", r"总统", r"首相", r"外长", r"大使", r"司令", r"主任",
              r"教练", r"主帅", r"经理", r"团长", r"总编", r"处长", r"行长", r"高官", r"官员",
              r"同志", r"职务", r"人事", r"干部", r"领导", r"议长", r"会长", r"理事长", r"秘书长",
              r"国务卿", r"顾问", r"检察长", r"委员")
INSTITUTION = _any(r"公司", r"官方", r"官网", r"学校", r"大学", r"学院", r"政府", r"部门",
                   r"俱乐部", r"委员会", r"[^个]局", r"部(?!分)", r"院", r"厅", r"协会", r"央行",
                   r"联储", r"工作室", r"集团", r"银行", r"基金", r"影城", r"电视台", r"报社",
                   r"安理会", r"联合国", r"欧盟", r"中方", r"外交", r"发言人", r"警方", r"医院",
                   r"足协", r"体育总局", r"联合声明", r"校长", r"书记")
NOT_APPOINT = _any(r"《[^》]*》", r"辞职信.{0,4}(?:范文|模板)", r"公务员", r"招聘",
                   r"岗位聘任", r"聘任仪式", r"专业技术职务", r"职称")


# Sections of a news site whose death and injury words are about games, films and sport.
PLAY_SECTIONS = ("game", "sports", "entertainment")


def major_news_rule(text: str, section: str = "") -> str:
    """The name of the major-news rule the text satisfies, or ""."""
    if DEATH.search(text) and not NOT_DEATH.search(text) \
            and not (section == "game" and "《" in text):
        return "death"
    if ACCIDENT.search(text) and not NOT_ACCIDENT.search(text) \
            and not (section in PLAY_SECTIONS and re.search(r"伤|失踪", text)
                     and not re.search(r"事故|车祸|火灾|爆炸|坠", text)):
        return "accident"
    if APPOINT.search(text) and OFFICE.search(text) and not NOT_APPOINT.search(text):
        return "appointment"
    if STATEMENT.search(text) and INSTITUTION.search(text) and not NOT_STATEMENT.search(text):
        return "statement"
    return ""


# Property, gadget and car pages of news sites print offers as headlines.
SALES_SECTIONS = ("realty", "house", "science", "tech", "car")
TITLE_OFFER = _any(r"\d+(?:\.\d+)?折", r"特惠", r"优惠", r"团购", r"促销", r"\d+万?抵\d+万?",
                   r"限时", r"买\S{0,3}送", r"秒杀", r"直降", r"钜惠", r"让利")


def title_label(text: str, section: str, source: str) -> Label:
    """A headline or a notice title. Education headlines and university notices that announce
    nothing of the above are the clean reference corpus (kind news.edu / notice.univ)."""
    # Human-interest stories tell of deaths long past; they report nothing.
    found = "" if section == "story" else major_news_rule(text, section)
    if source == "univ":
        kind = "notice.univ"
    elif section in ("education", "edu"):
        kind = "news.edu"
    else:
        kind = f"news.{section or 'other'}"
    if found:
        return Label("major_news", f"{kind}.{found}", f"title:{found}")
    if section in SALES_SECTIONS and TITLE_OFFER.search(text):
        return Label("commercial", f"{kind}.offer", "title:offer")
    return Label("none", kind, "title:none")


# --- Weibo ------------------------------------------------------------------------------------

# A Weibo promotion: a shop or brand asking for reposts for prizes, or a plain sale.
WEIBO_PROMO = _any(r"转发.{0,20}(?:送|抽|赢)", r"关注.{0,12}(?:送|抽取|赢取)", r"抽奖",
                   r"旗舰店", r"淘宝店", r"天猫", r"代购", r"包邮", r"加微信.{0,6}(?:购|订|咨询)",
                   r"(?:订购|预订|咨询)热线",
                   r"限时(?:抢购|特价|优惠)", r"专卖店")
# Incident reports in rumour posts come with a time and a place; comment and history do not.
RECENT = _any(r"今天", r"今日", r"昨天", r"昨日", r"昨晚", r"今晚", r"今早", r"凌晨", r"刚刚",
              r"近日", r"日(?:上午|下午|晚|凌晨|早|中午)", r"\d+日", r"\d+时", r"\d+点",
              r"现场", r"目前")


def weibo_label(text: str) -> Label:
    g = _groups(text)
    if WEIBO_PROMO.search(text) or (g["offer"] and g["product"] and g["contact"]):
        return Label("commercial", "weibo.promotion", "weibo:promotion")
    found = major_news_rule(text)
    if found in ("statement", "appointment"):
        return Label("major_news", f"weibo.{found}", f"weibo:{found}")
    if found and RECENT.search(text):
        return Label("major_news", f"weibo.{found}", f"weibo:{found}_report")
    return Label("none", "weibo.post", "weibo:none")


# --- statutes ---------------------------------------------------------------------------------

SECRECY = _any(r"秘密", r"保密", r"密级", r"涉密", r"泄露", r"机密", r"绝密", r"情报")


def law_label(text: str) -> Label:
    """An article of a statute. Those that speak of secrets are hard negatives for
    confidential: the law's wording about 国家秘密 is public; quoting it leaks nothing."""
    if SECRECY.search(text):
        return Label("none", "law.secrecy", "law:secrecy")
    return Label("", "law.other", "law:not_about_secrets")


# --- product copy -----------------------------------------------------------------------------


def copy_label(product: str) -> Label:
    """Copy written to sell a product in an online shop. Posted on a college account it is
    commercial activity whatever its wording (第十一条: 未经许可不得从事商业经营活动)."""
    return Label("commercial", f"shop.copy.{product or 'other'}", "copy:shop")
