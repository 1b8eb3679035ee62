"""The labelling rules on hand-written examples of each kind of text."""

from __future__ import annotations

import pytest

from screener.corpus import rules
from screener.corpus.near import first_of_each, grams, near_any


@pytest.mark.parametrize(("text", "spam", "label", "kind"), [
    ("开业大酬宾全场5折，满200减50，详询 0571-8888888【某商场】", True, "commercial", "sms.ad"),
    ("无抵押无担保贷款，当天放款，联系李经理 13912345678", True, "commercial", "sms.ad"),
    ("您尾号8888的信用卡消费人民币120.00元。点此领优惠券 t.cn/xxxx", False, "none",
     "sms.notice"),
    ("验证码 123456，请勿泄露给他人。", False, "none", "sms.notice"),
    ("财富早间版：指数震荡上行，关注优质个股机会。投资建议仅供参考。", False, "none",
     "sms.market_info"),
    ("某市一居民楼起火致2人死亡[新闻]-冲浪助手:http://go.10086.cn/nd/x", True, "major_news",
     "sms.news_push.death"),
    ("明天早上八点楼下见", True, "", "sms.unclear"),
    ("祝你新年快乐，万事如意，幸福安康！", True, "none", "sms.greeting"),
    ("周末一起去爬山吗？", False, "none", "sms.ordinary"),
    ("会员专享：全场低至3折，回复TD退订【某某商城】", False, "commercial", "sms.ad"),
])
def test_sms(text, spam, label, kind):
    got = rules.sms_label(text, spam)
    assert (got.label, got.kind) == (label, kind)


@pytest.mark.parametrize(("text", "section", "source", "label", "kind"), [
    ("2011年研究生招生考试报名开始", "education", "thucnews", "none", "news.edu"),
    ("关于开展实验室安全检查的通知", "", "univ", "none", "notice.univ"),
    ("关于李四同志职务任免的通知", "", "univ", "major_news", "notice.univ.appointment"),
    ("沉痛悼念王五教授", "", "univ", "major_news", "notice.univ.death"),
    ("某地发生5.8级地震 暂无伤亡报告", "politics", "thucnews", "major_news",
     "news.politics.accident"),
    ("某公司董事长辞职 副总裁接任", "science", "thucnews", "major_news",
     "news.science.appointment"),
    ("某俱乐部官网发表声明 否认球员转会传闻", "sports", "thucnews", "major_news",
     "news.sports.statement"),
    ("《死亡岛》续作公布", "game", "thucnews", "none", "news.game"),
    ("新赛季前锋受伤缺阵两周", "sports", "thucnews", "none", "news.sports"),
    ("股市跳楼式下跌 投资者观望", "stocks", "thucnews", "none", "news.stocks"),
    ("冬泳队员救起两名溺水者", "society", "thucnews", "none", "news.society"),
    ("某楼盘两居全款97折 限时特惠", "realty", "thucnews", "commercial", "news.realty.offer"),
    ("老人讲述十年前亲人离世的往事", "story", "tnews", "none", "news.story"),
])
def test_titles(text, section, source, label, kind):
    got = rules.title_label(text, section, source)
    assert (got.label, got.kind) == (label, kind)


@pytest.mark.parametrize(("text", "label", "kind"), [
    ("转发本微博并关注@某某旗舰店，抽五位送耳机！", "commercial", "weibo.promotion"),
    ("今天下午某商场发生火灾，造成3人受伤，现场已控制。", "major_news", "weibo.accident"),
    ("某公司官方发表声明，澄清近日网传消息不实。", "major_news", "weibo.statement"),
    ("求辟谣：听说某地出事了，是真的吗？", "none", "weibo.post"),
    ("历史上有很多人死于战争。", "none", "weibo.post"),  # no reported incident
    ("周末去看了一场电影，很感人。", "none", "weibo.post"),
])
def test_weibo(text, label, kind):
    got = rules.weibo_label(text)
    assert (got.label, got.kind) == (label, kind)


def test_fraud_and_law():
    assert rules.fraud_label("loan").label == "commercial"
    assert rules.fraud_label("police") == rules.Label("fraud", "fraud.police", "fraud:police")
    assert rules.law_label("第三条 工作人员应当保守国家秘密。").label == "none"
    assert rules.law_label("第四条 本法自公布之日起施行。").label == ""


def test_near_duplicates_by_four_gram_jaccard():
    assert grams("ab c") == {"abc"} and grams("abcde") == {"abcd", "bcde"}
    texts = ["周末特惠，两居首付十万起，详询热线", "周末特惠，两居首付十二万起，详询热线",
             "明天下午开组会", "周末特惠，两居首付十万起，详询热线"]
    assert first_of_each(texts) == [None, 0, None, 0]
    assert near_any(texts, ["明天下午开组会。"]) == [False, False, True, False]
