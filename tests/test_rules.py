"""The rules tagger against the label policy: phrasings that fire and near-misses that must not."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from nlp.classify import LABELS, EventTag
from nlp.rules import RulesClassifier, load_lexicon
from riskwatch.errors import ConfigError

BREACH, FINE, IPO = "data_breach", "regulatory_fine", "ipo_suspension"


@pytest.fixture(scope="module")
def tagger():
    return RulesClassifier()


def labels_of(tagger, text):
    return {tag.type for tag in tagger.classify([text])[0]}


def tag_for(tagger, text, label):
    return next(tag for tag in tagger.classify([text])[0] if tag.type == label)


# (id, text, expected labels). Ids: label family, language (en, fr, hans, hant), what it checks.
BREACH_CASES = [
    # leaked, stolen, hacked out, exposed, scraped; ransomware only when data was taken
    (
        "breach_en_stolen",
        "Hackers stole the names and phone numbers of 40 million T-Mobile customers, "
        "the carrier said.",
        {BREACH},
    ),
    (
        "breach_en_scraped",
        "A crawler built by a Zhejiang software firm scraped 1.2 billion Taobao user "
        "records over eight months.",
        {BREACH},
    ),
    (
        "breach_en_posted",
        "Phone numbers of 533 million Facebook users were posted on a hacking forum for free.",
        {BREACH},
    ),
    (
        "breach_en_exposed",
        "An unsecured database left the personal data of 80 million households "
        "exposed on the open internet.",
        {BREACH},
    ),
    (
        "breach_en_ransomware_taken",
        "A ransomware gang leaked stolen patient records from the hospital group on its website.",
        {BREACH},
    ),
    (
        "breach_en_headline",
        "Uber concealed a 2016 hack that exposed the data of 57 million riders.",
        {BREACH},
    ),
    (
        "breach_en_breach_noun",
        "Equifax disclosed a breach in which attackers took the Social Security "
        "numbers of 147 million people.",
        {BREACH},
    ),
    ("breach_en_threat_actors", "Threat actors stole the data of 2 million customers.", {BREACH}),
    ("breach_en_up_to", "Up to 5 million customers had their data stolen.", {BREACH}),
    (
        "breach_en_publicly_accessible",
        "Scans of 120,000 guests' passports sat in a cloud folder that "
        "was publicly accessible for two years.",
        {BREACH},
    ),
    (
        "breach_en_platform_available",
        "The firm made its data platform available to customers.",
        set(),
    ),
    (
        "breach_fr_fuite",
        "Fuite de données chez l'opérateur : les informations de 19 millions "
        "d'abonnés dérobées par un pirate.",
        {BREACH},
    ),
    (
        "breach_fr_derobe",
        "Des pirates ont dérobé les coordonnées bancaires de milliers de clients de l'enseigne.",
        {BREACH},
    ),
    (
        "breach_fr_volees",
        "Les données personnelles de 33 millions de Français ont été volées lors "
        "d'une cyberattaque contre deux prestataires.",
        {BREACH},
    ),
    ("breach_hans_crawler", "淘宝12亿条用户信息遭爬虫窃取，涉案软件公司负责人被判刑。", {BREACH}),
    ("breach_hans_insider", "某快递公司内鬼倒卖客户信息40万条。", {BREACH}),
    ("breach_hans_hotel", "黑客入侵酒店集团系统，窃取了约5亿名客人的个人信息。", {BREACH}),
    ("breach_hans_exposed", "该数据库未设密码，导致800万条用户数据暴露在公网上。", {BREACH}),
    ("breach_hant_members", "駭客竊取逾百萬名會員個資，電商平台坦承資料外洩。", {BREACH}),
    ("breach_hant_airline", "香港某航空公司承認940萬名乘客的個人資料外洩。", {BREACH}),
    # near-misses: product leaks, flaws without access, outages, encryption only, products,
    # statistics, legal uses, drills, denials
    ("breach_en_renders", "Leaked renders of the next iPhone show a titanium frame.", set()),
    (
        "breach_en_source_code",
        "Engineers leaked source code to the chatbot, so Samsung banned it.",
        set(),
    ),
    ("breach_en_prototype", "A prototype of the foldable phone leaked after a bar visit.", set()),
    (
        "breach_en_memo",
        "A leaked internal memo shows Google plans another round of layoffs.",
        set(),
    ),
    (
        "breach_en_patch",
        "Microsoft patched a critical flaw in Exchange; there is no evidence that "
        "customer data was accessed.",
        set(),
    ),
    (
        "breach_en_outage",
        "A six-hour outage knocked Facebook, Instagram and WhatsApp offline for 3 billion users.",
        set(),
    ),
    (
        "breach_en_encrypted_only",
        "The ransomware encrypted the hospital's servers, but no patient "
        "data was stolen, officials said.",
        set(),
    ),
    (
        "breach_en_product",
        "Cisco launches a new tool to detect data breaches in cloud apps.",
        set(),
    ),
    (
        "breach_en_cost_report",
        "The average cost of a data breach rose to $4.45 million in 2023, according to IBM.",
        set(),
    ),
    ("breach_en_contract", "Didi sued its former supplier for breach of contract.", set()),
    (
        "breach_en_gdpr_rules",
        "Regulators said the app breached the GDPR by keeping records too long.",
        set(),
    ),
    (
        "breach_en_exposed_to_risk",
        "The flaw exposed millions of users to phishing attacks, researchers warned.",
        set(),
    ),
    ("breach_en_drill", "The bank ran a data breach drill with 200 staff last week.", set()),
    ("breach_en_denied", "Apple denied reports that iCloud accounts had been hacked.", set()),
    ("breach_en_could", "The bug could have exposed the data of 50 million users.", set()),
    ("breach_fr_code_source", "Le code source de la plateforme a fuité sur un forum.", set()),
    (
        "breach_fr_exercice",
        "La banque a mené un exercice de simulation de fuite de données.",
        set(),
    ),
    ("breach_fr_dementi", "L'opérateur dément toute fuite de données de ses clients.", set()),
    (
        "breach_fr_risque",
        "Une faille pourrait exposer les données de millions d'utilisateurs.",
        set(),
    ),
    ("breach_hans_design", "新款手机的设计图在网上泄露。", set()),
    ("breach_hans_patch", "该公司修复了一个高危漏洞，目前没有证据显示用户数据被泄露。", set()),
    ("breach_hans_drill", "银行开展数据泄露应急演练。", set()),
    ("breach_hans_risk", "专家提醒，过度收集个人信息存在数据泄露风险。", set()),
    ("breach_hans_law", "新修订的个人信息保护法将于明年实施。", set()),
    ("breach_hans_denied", "阿里巴巴否认用户数据泄露。", set()),
    ("breach_hant_rumour", "網傳某銀行客戶資料外洩，銀行澄清純屬謠言。", set()),
    ("breach_hant_gas", "工廠天然氣洩漏，數百名居民緊急撤離。", set()),
]

FINE_CASES = [
    # imposed, by a regulator or court, amount or none; appealed, reduced, upheld still count
    (
        "fine_en_samr",
        "China's market regulator fined Alibaba 18.228 billion yuan for abusing its "
        "dominant position.",
        {FINE},
    ),
    (
        "fine_en_headline_verb",
        "EU fines Google €2.42 billion for favouring its shopping service",
        {FINE},
    ),
    (
        "fine_en_imposed",
        "Ireland's Data Protection Commission imposed a €1.2 billion penalty on Meta "
        "over data transfers.",
        {FINE},
    ),
    ("fine_en_appealed", "Google has appealed the fine, which it called unjustified.", {FINE}),
    (
        "fine_en_upheld",
        "The EU General Court upheld the €4.1 billion penalty against Google's Android business.",
        {FINE},
    ),
    ("fine_en_reduced", "The court later cut Intel's fine to €376 million.", {FINE}),
    (
        "fine_en_hit_with",
        "Didi was hit with an 8 billion yuan penalty by the Cyberspace Administration of China.",
        {FINE},
    ),
    (
        "fine_en_no_amount",
        "Regulators fined the exchange over lapses in its market surveillance.",
        {FINE},
    ),
    ("fine_en_month_may", "In May, the regulator fined the lender for mis-selling.", {FINE}),
    (
        "fine_en_accepted",
        "The company accepted the penalty imposed in April and will comply.",
        {FINE},
    ),
    (
        "fine_fr_inflige",
        "La CNIL a infligé une amende de 150 millions d'euros à Google pour ses cookies.",
        {FINE},
    ),
    (
        "fine_fr_condamne",
        "L'Autorité de la concurrence a condamné Apple à une amende de 1,1 milliard d'euros.",
        {FINE},
    ),
    (
        "fine_fr_ecope",
        "Amazon écope d'une amende record de 746 millions d'euros au Luxembourg.",
        {FINE},
    ),
    ("fine_fr_amount_object", "La CNIL a condamné l'entreprise à 32 millions d'euros.", {FINE}),
    (
        "fine_fr_class_action",
        "Le groupe versera 95 millions de dollars pour clore un recours collectif.",
        set(),
    ),
    ("fine_fr_appel", "Google a fait appel de l'amende de 500 millions d'euros.", {FINE}),
    ("fine_hans_chuyi", "市场监管总局依法对阿里巴巴集团处以182.28亿元罚款。", {FINE}),
    ("fine_hans_didi", "国家网信办对滴滴全球股份有限公司处人民币80.26亿元罚款。", {FINE}),
    ("fine_hans_bei", "该公司因违规收集个人信息被罚款50万元。", {FINE}),
    ("fine_hans_weiyifa", "腾讯音乐因未依法申报经营者集中被处以50万元罚款。", {FINE}),
    ("fine_hans_decision", "中国证监会对该公司作出行政处罚决定。", {FINE}),
    ("fine_hans_upheld", "法院判决维持了对该公司的行政处罚。", {FINE}),
    ("fine_hant_kaifa", "金管會對該銀行開罰新台幣1000萬元。", {FINE}),
    ("fine_hant_caifa", "公平會裁罰高通234億元新台幣。", {FINE}),
    # near-misses: could face, notice of intent, probes, formal notices, talks, state aid,
    # settlements, damages, criminal fines on people, sport, "fine" in other senses
    ("fine_en_could_face", "Meta could face a fine of up to 4% of its global turnover.", set()),
    (
        "fine_en_notice_of_intent",
        "The ICO issued a notice of intent to fine British Airways £183 million.",
        set(),
    ),
    (
        "fine_en_probe",
        "The European Commission opened an investigation into Microsoft's bundling of Teams.",
        set(),
    ),
    (
        "fine_en_preliminary",
        "In preliminary findings, Brussels said Apple had broken EU rules and may be fined.",
        set(),
    ),
    (
        "fine_en_state_aid",
        "Apple must repay €13 billion in back taxes to Ireland, the EU's top court ruled.",
        set(),
    ),
    (
        "fine_en_settlement",
        "Meta agreed to pay a $725 million penalty to settle claims over Cambridge Analytica.",
        set(),
    ),
    (
        "fine_en_damages",
        "A jury ordered Google to pay $2.4 billion in damages to the plaintiffs.",
        set(),
    ),
    (
        "fine_en_individual",
        "The court sentenced the scraper's developer to three years in prison "
        "and fined him 500,000 yuan.",
        set(),
    ),
    ("fine_en_ceo", "The former CEO was personally fined $1 million by the SEC.", set()),
    ("fine_en_sport", "Ronaldo scored a penalty in the 88th minute.", set()),
    ("fine_en_fine_tune", "Engineers fine-tune the model on customer support transcripts.", set()),
    ("fine_en_fine_print", "Read the fine print before you sign up.", set()),
    ("fine_en_define", "The new rules define the finest details of data handling.", set()),
    ("fine_en_not_fined", "Alibaba was not fined, the regulator said.", set()),
    ("fine_en_expected", "Alibaba's antitrust fine is expected within weeks.", set()),
    ("fine_en_rumour", "Rumours of a record fine sent the shares lower.", set()),
    ("fine_en_proposed", "The ICO proposed a £183 million fine for British Airways.", set()),
    (
        "fine_en_legal_maximum",
        "The regulator can impose fines of up to 4% of global turnover.",
        set(),
    ),
    ("fine_fr_prepare", "Bruxelles prépare une amende contre Apple, selon la presse.", set()),
    (
        "fine_fr_mise_en_demeure",
        "La CNIL a mis en demeure la société de se conformer au RGPD.",
        set(),
    ),
    ("fine_fr_pourrait", "Google pourrait écoper d'une amende de plusieurs milliards.", set()),
    ("fine_fr_negated", "La société n'a pas été sanctionnée d'une amende.", set()),
    ("fine_hans_yuetan", "市场监管总局约谈阿里巴巴等平台企业。", set()),
    ("fine_hans_lian", "市场监管总局对阿里巴巴涉嫌垄断行为立案调查。", set()),
    ("fine_hans_guidance", "监管部门召开行政指导会，要求平台企业整改。", set()),
    (
        "fine_hans_fajin_people",
        "法院以侵犯公民个人信息罪判处被告人有期徒刑三年，并处罚金50万元。",
        set(),
    ),
    ("fine_hans_ni", "监管部门拟对该公司处以罚款。", set()),
    ("fine_hans_notice", "证监会向该公司送达行政处罚事先告知书，拟罚款600万元。", set()),
    ("fine_hans_not", "该公司并未被罚款。", set()),
    ("fine_hans_settlement", "公司与欧盟委员会达成和解，同意支付罚款。", set()),
    ("fine_hant_kong", "該公司恐面臨巨額罰款。", set()),
]

IPO_CASES = [
    # halted, suspended, postponed, delayed, withdrawn, terminated: by regulator, exchange or firm
    (
        "ipo_en_suspended",
        "Ant Group's $37 billion IPO was suspended by the Shanghai Stock Exchange "
        "two days before its debut.",
        {IPO},
    ),
    ("ipo_en_withdrew", "WeWork formally withdrew its IPO filing on Monday.", {IPO}),
    (
        "ipo_en_postponed",
        "The ride-hailing firm postponed its Hong Kong listing amid regulatory scrutiny.",
        {IPO},
    ),
    ("ipo_en_halted", "Regulators halted the listing, the exchange said.", {IPO}),
    (
        "ipo_en_passing",
        "The crackdown that sank Ant's 2020 listing also hit Alibaba's shares.",
        {IPO},
    ),
    (
        "ipo_en_review_terminated",
        "The Shanghai exchange terminated its review of the chipmaker's "
        "STAR Market IPO application.",
        {IPO},
    ),
    ("ipo_en_delayed", "The chipmaker delayed its IPO until market conditions improve.", {IPO}),
    ("ipo_en_planned", "Ant's planned $37 billion IPO was halted by regulators.", {IPO}),
    (
        "ipo_fr_suspendue",
        "L'introduction en Bourse de Ant Group a été suspendue à deux jours de sa cotation.",
        {IPO},
    ),
    ("ipo_fr_prevue", "L'entrée en Bourse prévue jeudi a été suspendue.", {IPO}),
    ("ipo_fr_renonce", "WeWork renonce à son entrée en Bourse.", {IPO}),
    (
        "ipo_fr_met_fin",
        "La Bourse de Shanghai a mis fin à l'examen de la demande d'introduction "
        "du fabricant de puces.",
        {IPO},
    ),
    ("ipo_fr_reporte", "Le groupe a reporté son introduction en Bourse à Hong Kong.", {IPO}),
    ("ipo_hans_zanhuan", "上交所决定暂缓蚂蚁集团在科创板上市。", {IPO}),
    ("ipo_hans_zhongzhi", "因财务资料过期，深交所中止了该公司的创业板IPO审核。", {IPO}),
    ("ipo_hans_withdrawn", "该公司主动撤回了首次公开发行股票并上市的申请。", {IPO}),
    ("ipo_hans_registration", "证监会决定对该公司的首发注册申请终止注册。", {IPO}),
    ("ipo_hant_h_shares", "螞蟻集團H股暫緩上市，港交所同步叫停。", {IPO}),
    ("ipo_hant_yahou", "網易雲音樂押後原定本月的香港上市計劃。", {IPO}),
    ("ipo_hant_withdraw", "該公司撤回在港上市申請。", {IPO}),
    # near-misses: went ahead, filing, relaunch, funding, spin-off, trading halt, delisting,
    # terminated merger, listing only envisaged, product launches
    ("ipo_en_headline_stalls", "Fast-fashion retailer's London IPO stalls", {IPO}),
    (
        "ipo_en_priced",
        "Airbnb's IPO priced above range and its shares doubled on the first day of trading.",
        set(),
    ),
    ("ipo_en_oversubscribed", "Arm's IPO was oversubscribed ten times.", set()),
    ("ipo_en_filed", "Shein has confidentially filed for a US IPO.", set()),
    ("ipo_en_relaunch", "Ant Group is preparing to relaunch its IPO, sources said.", set()),
    ("ipo_en_funding", "The startup raised $200 million in a Series D funding round.", set()),
    ("ipo_en_spin_off", "Alibaba plans to spin off its cloud unit and list it separately.", set()),
    (
        "ipo_en_trading_halt",
        "Trading in Evergrande shares was suspended in Hong Kong on Monday.",
        set(),
    ),
    ("ipo_en_delisting", "Didi announced its delisting from the New York Stock Exchange.", set()),
    ("ipo_en_merger", "The two companies terminated their merger agreement.", set()),
    ("ipo_en_envisaged", "The company is considering a Hong Kong listing next year.", set()),
    ("ipo_en_could_delay", "The company could delay its IPO if markets stay volatile.", set()),
    (
        "ipo_en_product_listing_pulled",
        "Amazon pulled the listing for the charger after complaints.",
        set(),
    ),
    (
        "ipo_en_shares_stalled",
        "The shares stalled after the company's listing in Hong Kong.",
        set(),
    ),
    (
        "ipo_en_product_listings",
        "Amazon suspended the product listings of 600 Chinese brands.",
        set(),
    ),
    (
        "ipo_fr_cotation",
        "La cotation de l'action Atos a été suspendue à la Bourse de Paris.",
        set(),
    ),
    ("ipo_fr_envisage", "Le groupe envisage une introduction en Bourse en 2025.", set()),
    ("ipo_hans_tingpai", "该股票今日起停牌，暂停交易。", set()),
    ("ipo_hans_trading_halt_listed", "在港上市的该公司今日起暂停买卖。", set()),
    ("ipo_hans_restart", "蚂蚁集团重启上市计划。", set()),
    ("ipo_hans_delist", "该公司股票被终止上市并摘牌。", set()),
    ("ipo_hans_phone", "新款手机推迟上市。", set()),
    ("ipo_hans_first_day", "快手港股上市首日大涨。", set()),
    ("ipo_hans_spin_off", "阿里巴巴宣布分拆云智能集团并计划独立上市。", set()),
    ("ipo_hant_filing", "該公司遞交上市申請，擬於香港主板上市。", set()),
]

MIXED_CASES = [
    # multi-label: a breach and the fine that punished it
    (
        "multi_en",
        "The CNIL fined the retailer €2 million after a leak exposed the bank details of "
        "400,000 customers.",
        {BREACH, FINE},
    ),
    (
        "multi_hans",
        "因数据泄露导致5000万用户信息外泄，监管部门对该公司处以罚款300万元。",
        {BREACH, FINE},
    ),
    (
        "multi_fr",
        "Après la fuite de données de 2018, la CNIL a infligé une amende de 20 millions "
        "d'euros au groupe.",
        {BREACH, FINE},
    ),
    (
        "multi_all",
        "Regulators fined the lender 5 million yuan.\nHackers stole 3 million customer "
        "records.\nIts Hong Kong IPO was postponed.",
        {BREACH, FINE, IPO},
    ),
    # mixed scripts in one sentence
    (
        "mixed_en_zh_fine",
        "Alibaba (阿里巴巴) was fined 18.2 billion yuan (182亿元) by SAMR.",
        {FINE},
    ),
    ("mixed_zh_en_ipo", "蚂蚁集团 Ant Group IPO suspended", {IPO}),
    ("mixed_zh_en_breach", "Taobao 用户数据被爬虫窃取 12亿条", {BREACH}),
    # markup, empty and odd input
    (
        "markup_event",
        "<h1>Meta fined</h1><p>Ireland&#39;s regulator fined Meta &euro;1.2 billion.</p>",
        {FINE},
    ),
    ("markup_script", "<script>var fine = 1; leak(data);</script><p>&amp;</p>", set()),
    ("markup_only", "<div><p></p><br/></div>", set()),
    ("empty", "", set()),
    ("whitespace", " \n\t \n ", set()),
]

ALL_CASES = BREACH_CASES + FINE_CASES + IPO_CASES + MIXED_CASES


@pytest.mark.parametrize(
    ("text", "expected"), [case[1:] for case in ALL_CASES], ids=[case[0] for case in ALL_CASES]
)
def test_labels(tagger, text, expected):
    assert labels_of(tagger, text) == expected


def test_case_ids_are_unique():
    ids = [case[0] for case in ALL_CASES]
    assert len(ids) == len(set(ids))


def test_every_language_family_is_covered():
    ids = [case[0] for case in ALL_CASES]
    for family in ("breach", "fine", "ipo"):
        for lang in ("en", "fr", "hans", "hant"):
            assert any(i.startswith(f"{family}_{lang}_") for i in ids), (family, lang)


# Evidence: the sentence that shows the event, as written, not the headline of another story.
EVIDENCE_CASES = [
    (
        "unrelated_title",
        "Alibaba reports strong quarterly results\nRevenue rose 10%. Separately, "
        "the market regulator fined the company 18.2 billion yuan in April.",
        FINE,
        "Separately, the market regulator fined the company 18.2 billion yuan in April.",
    ),
    (
        "title_is_evidence",
        "Ant Group IPO suspended by Shanghai exchange\nThe company had planned to "
        "raise $34 billion.",
        IPO,
        "Ant Group IPO suspended by Shanghai exchange",
    ),
    (
        "traditional_kept",
        "市場表現平穩。主管機關對該公司處以罰鍰200萬元。",
        FINE,
        "主管機關對該公司處以罰鍰200萬元。",
    ),
    (
        "multi_breach",
        "The CNIL fined the retailer €2 million. Earlier, a leak exposed the bank "
        "details of 400,000 customers.",
        BREACH,
        "Earlier, a leak exposed the bank details of 400,000 customers.",
    ),
    (
        "multi_fine",
        "The CNIL fined the retailer €2 million. Earlier, a leak exposed the bank "
        "details of 400,000 customers.",
        FINE,
        "The CNIL fined the retailer €2 million.",
    ),
    (
        "hedged_title",
        "Alibaba could face a record fine\nOn Saturday the market regulator fined "
        "Alibaba 18.2 billion yuan.",
        FINE,
        "On Saturday the market regulator fined Alibaba 18.2 billion yuan.",
    ),
    (
        "markup_evidence",
        "<p>Shares rose.</p><p>Hackers stole 3 million customer records.</p>",
        BREACH,
        "Hackers stole 3 million customer records.",
    ),
]


@pytest.mark.parametrize(
    ("text", "label", "sentence"),
    [case[1:] for case in EVIDENCE_CASES],
    ids=[case[0] for case in EVIDENCE_CASES],
)
def test_evidence_is_the_event_sentence(tagger, text, label, sentence):
    assert tag_for(tagger, text, label).evidence == sentence


def test_long_text_finds_the_event_in_sentence_30_of_40(tagger):
    filler = [f"The company opened its store number {n} in the city centre." for n in range(40)]
    event = "A week later, regulators fined the chain 3 million euros for misleading prices."
    filler[29] = event
    tags = tagger.classify(["Retail chain expands\n" + " ".join(filler)])[0]
    assert [(tag.type, tag.evidence) for tag in tags] == [(FINE, event)]


def test_huge_sentence_evidence_is_trimmed_around_the_event(tagger):
    words = " ".join(f"word{n}" for n in range(3000))
    text = f"{words} and regulators fined the bank 2 million dollars {words}"
    tag = tag_for(tagger, text, FINE)
    assert len(tag.evidence) <= 302
    assert "fined the bank" in tag.evidence
    assert tag.evidence.startswith("…") and tag.evidence.endswith("…")


def test_scores_rank_stronger_evidence_higher(tagger):
    bare = tag_for(tagger, "The company appealed the fine.", FINE).score
    full = tag_for(
        tagger, "The market regulator fined the company 18.2 billion yuan; it appealed.", FINE
    ).score
    assert 0.5 <= bare < full <= 1.0


def test_tags_are_eventtags_in_label_order(tagger):
    tags = tagger.classify(
        [
            "Its IPO was suspended. Regulators fined it 5 million dollars. "
            "Hackers stole 2 million customer records."
        ]
    )[0]
    assert all(isinstance(tag, EventTag) for tag in tags)
    assert [tag.type for tag in tags] == list(LABELS)
    assert all(0.5 <= tag.score <= 1.0 for tag in tags)


def test_batch_keeps_order_and_length(tagger):
    texts = ["", "WeWork withdrew its IPO.", "Nothing happened today.", "该公司被罚款50万元。"]
    assert [[tag.type for tag in tags] for tags in tagger.classify(texts)] == [
        [],
        [IPO],
        [],
        [FINE],
    ]
    assert tagger.classify([]) == []


ODD_INPUTS = [
    "\x00\x01\x02",
    "\ud800 lone surrogate",
    "<<<>>>",
    "<p",
    "&&&;&#xZZ;",
    "。" * 5000,
    "a" * 30000,
    ".\n" * 3000,
    "fined " * 4000,
    "罚款" * 5000,
    "<script>" * 2000,
    "(" * 3000 + "IPO suspended" + ")" * 3000,
    "\u200b\u00a0\ufeff",
    "ＩＰＯ被暂缓。１２亿条数据泄露",
]


@pytest.mark.parametrize("text", ODD_INPUTS, ids=range(len(ODD_INPUTS)))
def test_never_raises_on_odd_input(tagger, text):
    started = time.perf_counter()
    (tags,) = tagger.classify([text])
    assert all(tag.type in LABELS for tag in tags)
    assert time.perf_counter() - started < 5  # a generous ceiling against runaway backtracking


def test_full_width_forms_are_folded(tagger):
    assert labels_of(tagger, "ＩＰＯ被暂缓。１２亿条用户数据泄露") == {IPO, BREACH}


def test_lexicon_has_every_label_in_every_core_language():
    lexicon = load_lexicon()
    present = {(rules.label, rules.lang) for rules in lexicon.rules}
    assert {(label, lang) for label in LABELS for lang in ("en", "fr", "zh")} <= present
    assert isinstance(lexicon.version, str) and lexicon.version
    assert RulesClassifier().version == lexicon.version
    assert RulesClassifier.name == "rules"


def _documented_examples():
    """(label, text, fires) for every example row of docs/labels.md."""
    label, rows = None, []
    for line in (Path(__file__).parents[1] / "docs" / "labels.md").read_text().splitlines():
        if line.startswith("## `"):
            label = line.split("`")[1]
        elif label and line.startswith(("| en |", "| fr |", "| zh |")):
            fires, stays_none = (_unquote(cell) for cell in line.split(" | ")[1:3])
            rows += [(label, fires, True), (label, stays_none, False)]
    return rows


def _unquote(cell: str) -> str:
    return cell.strip(" |").strip('"«»“” \u00a0')


DOCUMENTED = _documented_examples()


@pytest.mark.parametrize(("label", "text", "fires"), DOCUMENTED)
def test_documented_examples_behave_as_documented(tagger, label, text, fires):
    assert labels_of(tagger, text) == ({label} if fires else set())


def test_docs_have_examples_for_every_label():
    assert {label for label, _, _ in DOCUMENTED} == set(LABELS)


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("The fine hurt quarterly profits.", None),
        ("The $5 million fine hurt quarterly profits.", 0.5),
        ("The company appealed the fine.", 0.7),
        ("The market regulator fined Alibaba 18.2 billion yuan.", 0.95),
    ],
)
def test_documented_scores(tagger, text, score):
    tags = tagger.classify([text])[0]
    assert [tag.score for tag in tags] == ([] if score is None else [score])


def test_a_trigger_the_prepass_cannot_see_is_refused(tmp_path):
    lexicon = tmp_path / "rules.toml"
    lexicon.write_text(
        'version = "0"\n[scores]\nstrong = 0.75\ntrigger = 0.6\nweak = 0.4\nsupport = 0.1\n'
        "threshold = 0.5\nevidence_chars = 300\n"
        '[cues.en]\nscript = "latin"\nobject_window = 80\nnegation_gap = 14\nhedge_gap = 45\n'
        "after_gap = 22\nclause_break = [',']\n"
        "[labels.data_breach.en]\nstrong = ['\\s+leak']\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="must begin with a letter"):
        RulesClassifier(lexicon)
