# ruff: noqa: E501  (Chinese vocabulary lines are long but easier to maintain one list a line)
"""Slot vocabularies for the synthetic corpus: names, units, topics, places, numbers.

Every value is invented or generic. Company, product and project names are fictitious on
purpose so that the corpus never says something false about a real organisation.
"""

from __future__ import annotations

import random

SURNAMES = list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂文辉鹏华红玉飞宇浩凯晨思雨欣怡梓涵子轩博睿嘉诺佳琪晓东海峰建国志新春林婷颖然昊哲彤瑶琳泽铭楠")

DEPTS = ["力学与工程科学系", "先进制造与机器人系", "能源与资源工程系", "材料科学与工程系", "生物医学工程系",
         "航空航天工程系", "工业工程与管理系", "环境与能源研究中心", "湍流与复杂系统研究中心", "工学院团委",
         "工学院学生会", "工学院研究生会", "工学院教务办公室", "工学院科研办公室", "工学院学生工作办公室",
         "工学院校友工作办公室", "工学院国际合作办公室", "工学院研究生工作办公室", "智能制造联合实验室", "工学院工会"]
TOPICS = ["湍流减阻", "柔性电子器件", "固态电池电解质", "仿生机器人", "增材制造", "高超声速流动", "碳中和路径",
          "医学影像分析", "微流控芯片", "复合材料疲劳", "智能制造系统", "氢能储运", "软物质力学", "脑机接口",
          "钙钛矿太阳能电池", "组织工程支架", "多相流数值模拟", "工业大数据", "热防护材料", "机器人灵巧操作",
          "储能系统安全", "生物力学建模", "超材料设计", "燃烧诊断", "精密测量", "微纳加工", "大模型辅助设计"]
UNIVS = ["清华大学", "浙江大学", "上海交通大学", "哈尔滨工业大学", "中国科学技术大学", "麻省理工学院", "斯坦福大学",
         "剑桥大学", "香港科技大学", "新加坡国立大学", "西安交通大学", "南京大学", "中国科学院力学研究所",
         "东京大学", "帝国理工学院", "苏黎世联邦理工学院", "华中科技大学", "北京航空航天大学"]
TITLES = ["教授", "研究员", "副教授", "助理教授", "特聘研究员", "长聘副教授", "博雅特聘教授", "讲席教授"]
COMPANIES = ["星衡科技", "睿驰智能", "北辰新材料", "蓝湾机器人", "启明医疗器械", "华源储能", "瀚海智能装备",
             "恒润精密", "云图数据", "青禾生物", "天擎航空", "沐光能源", "远帆汽车", "知行芯片"]
PLACES = ["工学院1号楼212会议室", "工学院2号楼报告厅", "英杰交流中心阳光厅", "理科教学楼106", "廖凯原楼会议室",
          "工学院大楼一层大厅", "百周年纪念讲堂", "邱德拔体育馆", "工学院3号楼301", "线上腾讯会议",
          "工学院1号楼报告厅", "方正大厦多功能厅", "图书馆北配殿"]
COURSES = ["考研数学冲刺班", "托福强化营", "Python数据分析实战营", "公务员面试特训班", "CFA一级精讲课",
           "教师资格证速成班", "四六级冲刺营", "留学文书精修服务", "考研英语一对一", "机器学习就业班",
           "SCI论文润色服务", "雅思口语私教课", "保研夏令营辅导", "PMP项目管理认证班", "CAD制图速成课",
           "驾校暑期班", "MATLAB建模竞赛辅导"]
PRODUCTS = ["护眼台灯", "降噪耳机", "乳清蛋白粉", "学生平板", "便携咖啡机", "双肩电脑包", "电动牙刷", "智能手表",
            "护肤套装", "自习室月卡", "机械键盘", "人体工学椅", "考研资料大礼包", "二手教材", "移动电源"]
BRANDS = ["优思", "轻野", "米可", "拾光", "悦动", "鲸选", "初见", "青橙", "乐米", "小蓝象"]
AWARDS = ["国家自然科学奖二等奖", "中国青年科技奖", "国家杰出青年科学基金", "北京市科学技术奖一等奖",
          "挑战杯全国一等奖", "全国大学生机械创新设计大赛一等奖", "中国力学学会青年科技奖", "IEEE Fellow",
          "教育部青年长江学者", "北京市优秀教学成果奖", "国际大学生方程式大赛冠军", "美国大学生数学建模竞赛特等奖",
          "最佳论文奖", "优秀博士学位论文", "北京市三好学生", "五四青年奖章"]
JOURNALS = ["Nature", "Science", "Nature Energy", "PNAS", "Journal of Fluid Mechanics", "Advanced Materials",
            "Science Robotics", "Nature Communications", "Physical Review Letters", "Joule"]
PROJECTS = ["XX-2型", "X型", "某新型", "某重点型号", "某专项", "某预研"]
PROJ_THINGS = ["高超声速飞行器热防护", "舰载无人机着舰控制", "固体火箭发动机装药", "水下航行器推进", "卫星姿态控制",
               "导弹弹体结构", "雷达隐身涂层", "装甲复合材料", "激光制导组件"]
HISTORICAL = [("詹天佑", "1919年", "58"), ("茅以升", "1989年", "93"), ("钱学森", "2009年", "98"),
              ("周培源", "1993年", "91"), ("侯德榜", "1974年", "84"), ("李四光", "1971年", "82"),
              ("竺可桢", "1974年", "84"), ("严济慈", "1996年", "95"), ("钱伟长", "2010年", "98"),
              ("爱迪生", "1931年", "84"), ("特斯拉", "1943年", "86"), ("冯·卡门", "1963年", "81")]
POSTS = ["院长", "副院长", "党委书记", "党委副书记", "系主任", "副系主任", "院长助理", "研究中心主任", "办公室主任"]
CITIES = ["北京", "上海", "深圳", "杭州", "成都", "西安", "武汉", "南京", "合肥", "广州"]
TAGS = ["北大工学院", "工学院新闻", "燕园工学", "科研前沿", "学生活动", "校园生活", "招生季", "毕业季", "开学季"]
EMOJI = ["👉", "🔥", "✨", "📢", "💪", "🎉", "📚", "👍", "🌟", "❗", "💰", "🎁", "😊", "🙏", "🕯️"]


class Slots:
    """Slot values for one draft: 'sticky' slots keep one value through the draft (the speaker of a
    lecture is the same person in every paragraph), the rest are drawn afresh each time."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.sticky: dict[str, str] = {}

    def pick(self, seq):
        return self.rng.choice(seq)

    def person(self) -> str:
        r = self.rng
        return r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2, 2))))

    def date(self) -> str:
        r = self.rng
        return f"{r.choice((2023, 2024, 2025))}年{r.randint(1, 12)}月{r.randint(1, 28)}日"

    def short_date(self) -> str:
        return f"{self.rng.randint(1, 12)}月{self.rng.randint(1, 28)}日"

    def time(self) -> str:
        r = self.rng
        return f"{r.choice(('上午', '下午', '晚上'))}{r.choice((8, 9, 10, 2, 3, 4, 7))}:{r.choice(('00', '30'))}"

    def mobile(self) -> str:
        r = self.rng
        digits = r.choice(("13", "15", "17", "18", "19")) + "".join(str(r.randint(0, 9)) for _ in range(9))
        style = r.random()
        if style < 0.2:
            return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
        if style < 0.3:
            return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
        return digits

    def landline(self) -> str:
        return f"010-627{self.rng.randint(10000, 59999)}"

    def wechat_id(self) -> str:
        r = self.rng
        head = r.choice(("xy", "kaoyan", "edu", "study", "bd", "vip", "lele", "mia", "zhao", "jun", "abc", "wx"))
        return head + r.choice(("_", "", "-")) + str(r.randint(100, 99999)) + r.choice(("", "a", "x", "vip", ""))

    def qq(self) -> str:
        return str(self.rng.randint(10000000, 3999999999))

    def price(self) -> str:
        r = self.rng
        value = r.choice((9.9, 19.9, 39, 49, 99, 129, 199, 299, 399, 599, 699, 999, 1280, 1980, 2980, 3999, 6800))
        value = int(value) if float(value).is_integer() else value
        return r.choice((f"{value}元", f"¥{value}", f"￥{value}", f"{value}块", f"{value}元/人"))

    def url(self) -> str:
        r = self.rng
        return r.choice((f"http://t.cn/A6{r.randint(1000, 9999)}xyz", f"www.{r.choice(('kaoyan', 'youxue', 'shuati', 'goodbuy', 'xuezhang'))}{r.randint(1, 99)}.com",
                         f"https://{r.choice(('m', 'h5', 'go'))}.{r.choice(('dajia', 'haoke', 'mall', 'edu-vip'))}.cn/{r.randint(100, 999)}"))

    def student_id(self) -> str:
        return f"{self.rng.choice((19, 20, 21, 22, 23, 24))}0{self.rng.randint(10, 19)}{self.rng.randint(10000, 99999)}"

    def id_number(self) -> str:
        r = self.rng
        return f"{r.choice(('110', '320', '370', '410', '510', '130'))}{r.randint(100, 999)}{r.randint(1996, 2005)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}{r.randint(100, 999)}{r.choice('0123456789X')}"

    def number(self, lo: int = 2, hi: int = 300) -> str:
        return str(self.rng.randint(lo, hi))

    def value(self, slot: str) -> str:
        if slot in self.sticky:
            return self.sticky[slot]
        value = self._fresh(slot)
        if slot in STICKY:
            self.sticky[slot] = value
        return value

    def _fresh(self, slot: str) -> str:  # noqa: C901  (a flat table of slot kinds reads best)
        r = self.rng
        base = slot.rstrip("0123456789")  # speaker2 is a second sticky speaker
        simple = {
            "dept": DEPTS, "topic": TOPICS, "univ": UNIVS, "title": TITLES, "company": COMPANIES,
            "place": PLACES, "course": COURSES, "product": PRODUCTS, "brand": BRANDS, "award": AWARDS,
            "journal": JOURNALS, "proj": PROJECTS, "thing": PROJ_THINGS, "post": POSTS, "city": CITIES,
            "tag": TAGS, "emoji": EMOJI,
        }
        if base in simple:
            return r.choice(simple[base])
        if base in ("name", "speaker", "leader", "student", "teacher", "deceased", "host", "contact", "author"):
            return self.person()
        if base == "date":
            return self.date()
        if base == "sdate":
            return self.short_date()
        if base == "time":
            return self.time()
        if base == "mobile":
            return self.mobile()
        if base == "tel":
            return self.landline()
        if base == "wxid":
            return self.wechat_id()
        if base == "qq":
            return self.qq()
        if base == "price":
            return self.price()
        if base == "url":
            return self.url()
        if base == "sid":
            return self.student_id()
        if base == "idno":
            return self.id_number()
        if base == "n":
            return self.number()
        if base == "small":
            return self.number(2, 12)
        if base == "pct":
            return f"{r.randint(5, 95)}%"
        if base == "year":
            return str(r.choice((2023, 2024, 2025)))
        if base == "age":
            return str(r.randint(62, 98))
        if base == "born":
            return str(r.randint(1926, 1962))
        if base == "grade":
            return r.choice(("2021级", "2022级", "2023级", "2024级", "本科生", "硕士研究生", "博士研究生"))
        if base == "hist":
            return "|".join(r.choice(HISTORICAL))
        if base in ("hname", "hyear", "hage"):
            return self.value("hist").split("|")[("hname", "hyear", "hage").index(base)]
        if base == "discount":
            return r.choice(("5折", "6.8折", "7折", "8折", "半价", "买一送一", "第二件0元", "立省300"))
        if base == "amount":
            return f"{r.randint(20, 900)}万元"
        raise KeyError(slot)


STICKY = {"dept", "topic", "univ", "title", "company", "place", "course", "product", "brand", "award",
          "journal", "proj", "thing", "post", "speaker", "speaker2", "leader", "leader2", "student",
          "teacher", "deceased", "host", "contact", "date", "time", "hist", "price", "wxid", "mobile",
          "qq", "url", "discount", "city", "age", "born", "tel", "grade", "amount", "author"}
