"""Query speed at scale: synthetic en/zh/fr articles with events in a database file, then the
latency of riskwatch's search, events and timeline queries against baselines in the same run.

Articles come from templates of our own (below): a headline and 3-6 sentences, firms and
regulators from the registries, ~1/3 per language, publication dates over 2015-2026 rising
with insertion order. About 3% report an action (regulatory_fine, data_breach,
ipo_suspension) told by 1-8 outlets in any of the three languages; they are tagged with the
action's sentence as evidence and go through the real event stage (build_events), so events,
event_companies and article_facts are what riskwatch itself writes. Articles are stored with
store.db.save_articles in batches; a second process writes them meanwhile.

Baselines, measured in the same run on the same articles:
- search: a plain `unicode61 remove_diacritics 2` FTS5 table fed the raw text (what SQLite
  gives without the CJK bigram rewrite) in a second file, and a LIKE scan for Chinese;
- events and timeline: list_events' and events_timeline's SQL with the event_companies
  (company, event_id) index disabled (NOT INDEXED).
Latency is warm (each query run once first), one long-lived connection, terms rotating.

Run: python bench/query.py [--articles 1000000] [--db PATH] [--keep] [--runs 240]
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import store  # noqa: E402
from bench.common import Timer, peak_rss_mb  # noqa: E402
from nlp.classify import EventTag  # noqa: E402
from nlp.entities.registry import load_registry  # noqa: E402
from nlp.events.run import EventStats, build_events  # noqa: E402
from store.db import save_articles  # noqa: E402
from store.search_text import fts_query  # noqa: E402

START, END = date(2015, 1, 1), date(2026, 10, 31)
LANGS = ("en", "zh", "fr")
EVENT_SHARE = 0.03
TYPES = {"regulatory_fine": 0.5, "data_breach": 0.35, "ipo_suspension": 0.15}
SHORT = {"regulatory_fine": "fine", "data_breach": "breach", "ipo_suspension": "ipo"}
# Firms the news talks about most get five times the weight of the other registry firms.
BIG = {
    "alibaba", "tencent", "meta", "google", "amazon", "apple", "microsoft", "bytedance", "tiktok",
    "baidu", "jd", "meituan", "pdd", "didi", "huawei", "xiaomi", "uber", "x-corp", "netflix",
    "nvidia", "facebook", "taobao", "wechat", "alipay", "ant-group",
}  # fmt: skip
SOURCES = {
    "en": "techwire marketline globaldesk asiabrief cyberdaily finpost chipreport policywatch "
    "datadesk startupnews dealwire tradejournal",
    "zh": "keji-ribao caijing-wang shuju-zhoukan hulian-zaobao zhengquan-kuaixun shangye-pinglun "
    "kexin-wang jinrong-shibao chuangtou-ribao yunduan-xinwen dianshang-bao zhineng-zixun",
    "fr": "eco-matin tech-hebdo fil-numerique bourse-info donnees-actu reseaux-mag puces-journal "
    "startup-france economiste-web regulation-presse cyber-veille marches-du-jour",
}
# Who acts on a firm's fine or IPO, by the firm's home ("*": anywhere else).
REGULATORS = {
    ("CN", "regulatory_fine"): "samr cac miit pboc",
    ("*", "regulatory_fine"): "ftc sec doj european-commission cnil dpc-ie ico cma "
    "bundeskartellamt garante-it adlc",
    ("CN", "ipo_suspension"): "sse szse csrc hkex",
    ("*", "ipo_suspension"): "sec nasdaq nyse hkex",
}
CURRENCY = {"CN": "CNY", "HK": "CNY", "US": "USD", "GB": "GBP"}  # else EUR
SYMBOL = {"USD": "$", "EUR": "€", "GBP": "£"}
FR_UNIT = {"CNY": "de yuans", "USD": "de dollars", "EUR": "d'euros", "GBP": "de livres"}
ZH_UNIT = {"CNY": "元", "USD": "美元", "EUR": "欧元", "GBP": "英镑"}
MONTHS_FR = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"

# --------------------------------------------------------------------------------------------
# Templates, our own writing: "key | text" per line. h: headline, s: body sentence; for events
# fine/breach/ipo + title (headline), lead (the news sentence, the tag's evidence), more
# (follow-ups), why (reasons). Slots: {firm} {firm2} {product} {city} {quarter} {bank} {pct}
# {n} {year} {money}; events add {regulator} {amount} {records} {date} {reason}. Words the
# bench searches for also occur outside events (data centres, a breach of contract, 数据,
# 监管, 上市, 处罚), as they do in real news.
# --------------------------------------------------------------------------------------------

WORDS = {
    "en": {
        "product": "cloud platform|smartphone|payment app|chip|AI assistant|streaming service|"
        "delivery app|search engine|electric car|smart speaker|online marketplace|video platform|"
        "ride-hailing app|mobile game|browser|operating system|social network|messaging app|"
        "advertising business|translation tool|smartwatch|server chip|robotaxi",
        "city": "Beijing|Shanghai|Shenzhen|Hangzhou|Hong Kong|Singapore|Paris|London|Berlin|"
        "Tokyo|Seoul|New York|San Francisco|Dublin|Brussels|Bangalore|Guangzhou|Lyon",
        "quarter": "first|second|third|fourth",
        "bank": "Morgan Hale|Crestline Research|Northgate Securities|Bluewater Capital|"
        "Everbright Analytics|Kestrel Partners",
    },
    "zh": {
        "product": "云平台|智能手机|支付应用|芯片|人工智能助手|流媒体服务|外卖平台|搜索引擎|"
        "电动汽车|智能音箱|电商平台|视频平台|网约车应用|手机游戏|浏览器|操作系统|社交网络|"
        "即时通讯软件|广告业务|翻译工具|智能手表|服务器芯片|自动驾驶出租车",
        "city": "北京|上海|深圳|杭州|香港|新加坡|巴黎|伦敦|柏林|东京|首尔|纽约|旧金山|"
        "都柏林|布鲁塞尔|班加罗尔|广州|里昂",
        "quarter": "一|二|三|四",
        "bank": "晨星证券|北门资本|蓝湾研究|恒远证券|启明分析|远航咨询",
    },
    "fr": {
        "product": "plateforme cloud|application de paiement|puce|messagerie|enceinte connectée|"
        "place de marché en ligne|plateforme vidéo|application de VTC|voiture électrique|"
        "régie publicitaire|montre connectée|puce pour serveurs|console de jeux|box internet",
        "city": "Pékin|Shanghai|Shenzhen|Hangzhou|Hong Kong|Singapour|Paris|Londres|Berlin|Tokyo|"
        "Séoul|New York|San Francisco|Dublin|Bruxelles|Bangalore|Canton|Lyon",
        "quarter": "premier|deuxième|troisième|quatrième",
        "bank": "Morgan Hale|Crestline Recherche|Northgate Bourse|Bluewater Capital|"
        "Everbright Analyses|Kestrel Partenaires",
    },
}

TEMPLATES_EN = """
h | {firm} unveils new {product} for business customers
h | {firm} revenue beats forecasts in {quarter} quarter
h | {firm} shares fall as {product} sales slow
h | {firm} and {firm2} sign {product} partnership
h | {firm} to hire {n} engineers in {city}
h | {firm} opens research centre in {city}
h | Analysts split on {firm}'s {product} strategy
h | {firm} cuts prices of its {product} in {city}
h | {firm} bets on AI to revive its {product}
h | {firm} names new head of its {product} unit
h | Investors weigh {firm}'s plan to spin off its {product}
h | {firm} expands {product} to {n} new markets
h | Price war squeezes {firm} margins
h | {firm} says {product} users topped {n} million
h | What {firm}'s {product} means for {firm2}
h | {firm} invests {money} in {city} data centre
s | {firm} said revenue rose {pct} percent to {money} in the {quarter} quarter.
s | Shares of {firm} closed {pct} percent higher in {city} on the news.
s | The company plans to open a new office in {city} next year.
s | {firm} will invest {money} in its {product} over the next {n} years.
s | Analysts at {bank} expect the {product} market to grow {pct} percent this year.
s | The launch comes as competition with {firm2} intensifies in {city}.
s | {firm} hired {n} engineers for its {product} unit this year.
s | Its chief executive told investors that demand for the {product} remained strong.
s | A spokesperson for {firm} declined to comment on the talks.
s | The deal values the {product} business at about {money}.
s | {firm} and {firm2} agreed to share infrastructure in {city}.
s | Some users complained that the {product} was slow after the latest update.
s | The firm is moving customer data to a new data centre in {city}.
s | Suppliers said the order did not breach any existing contract.
s | Regulators in {city} are reviewing rules for the {product} sector.
s | The {product} market in {city} has been hit by a price war.
s | A court in {city} will hear a contract dispute between {firm} and {firm2} next month.
s | The company's {product} had {n} million monthly users at the end of the quarter.
s | {firm} said its models were fine-tuned on licensed data.
s | The company expects margins to improve in the second half of the year.
s | Engineers in {city} built the first version of the {product} in {n} weeks.
s | {bank} raised its price target on {firm} after the results.
s | Demand for chips used in data centres kept rising in {year}.
s | Executives said personal data from the {product} is stored in {city}.
s | {firm} plans an initial public offering of its {product} unit, people familiar said.
s | The stock exchange in {city} approved {n} new listings this year.
s | Consumer groups want stricter privacy rules for the {product} industry.
s | {firm} said it had not been contacted by any regulator about the {product}.
s | Security researchers said the {product} update fixed {n} vulnerabilities.
s | Experts said the average cost of a data breach rose again in {year}.
s | The partnership will bring the {product} to shops in {city} by {year}.
s | Rivals such as {firm2} have cut prices to win back customers.
s | The board approved a share buyback of {money}.
s | {firm} said it would keep investing in research despite slower growth.
s | The company's cloud business grew faster than its advertising business.
s | Traffic on the {product} peaked during the holiday season.
s | The company reported a net profit of {money} for the year.
s | The new model runs on chips designed in-house.
s | Sales of the {product} doubled in {city} during the promotion.
s | {firm} signed a supply agreement with a battery maker in {city}.
s | The company will release the {product} in {n} countries next month.
s | Its research lab in {city} employs about {n} scientists.
s | Management said the restructuring would be completed by {year}.
s | Customers can now pay with the {product} in more than {n} cities.
s | The group's gaming revenue fell {pct} percent from a year earlier.
s | A new factory in {city} will start production in {year}.
s | The company is testing a subscription version of the {product}.
s | Advertisers returned to the platform after a weak start to the year.
s | {firm} said the outage lasted about {n} minutes.
s | The firm's workforce grew to {n},000 employees.
s | Industry figures showed smartphone shipments rose {pct} percent in the quarter.
s | The startup raised {money} from investors led by {bank}.
s | The deal is expected to close in the {quarter} quarter.
s | {firm} is also expanding its logistics network in {city}.
s | Its online store now sells products from {n},000 merchants.
s | Falling battery costs are helping makers of electric cars.
s | The company said the {product} would be free for the first year.
s | Engineers are working on a cheaper version for emerging markets.
s | Analysts said the guidance was cautious but realistic.
s | The firm opened its annual developer conference in {city}.
s | Its market value has risen by {money} since January.
s | The company has about {n} million paying subscribers.
s | Cloud customers include banks, retailers and carmakers.
s | {firm} shut down an older version of the {product} in {year}.
s | The group did not give a timetable for the launch in {city}.
fine.title | {regulator} fines {firm} {amount}
fine.title | {firm} fined {amount} by {regulator}
fine.title | {firm} hit with {amount} fine over {reason}
fine.lead | {regulator} fined {firm} {amount}{date} for {reason}.
fine.lead | {regulator} said{date} it had fined {firm} {amount} for {reason}.
fine.more | {firm} said it would appeal the decision.
fine.more | It is one of the largest penalties the regulator has imposed on a technology firm.
fine.more | The company said it had already changed the practices in question.
fine.why | abusing its dominant position
fine.why | breaking data protection rules
fine.why | misleading consumers
fine.why | failing to protect user data
fine.why | unlawful data transfers
breach.title | {firm} confirms data breach affecting {records} users
breach.title | Hackers stole data of {records} {firm} customers
breach.title | {firm} hit by cyberattack, {records} records exposed
breach.lead | {firm} said{date} that attackers had accessed personal data of {records} customers.
breach.lead | {firm} confirmed{date} a data breach exposing the records of {records} users.
breach.more | The breach exposed names, phone numbers and email addresses.
breach.more | The company said payment details were not affected.
breach.more | {firm} said it had informed the authorities and affected customers.
ipo.title | {regulator} suspends {firm} IPO
ipo.title | {firm} listing halted by {regulator}
ipo.title | {firm} initial public offering suspended
ipo.lead | {regulator} suspended the initial public offering of {firm}{date}, citing {reason}.
ipo.lead | {firm}'s planned listing was halted by {regulator}{date} over {reason}.
ipo.more | The offering had been expected to raise about {money}.
ipo.more | {firm} said it would work with the authorities to resume the listing.
ipo.why | incomplete disclosures
ipo.why | a change in financial regulation
ipo.why | concerns over data security
"""

TEMPLATES_ZH = """
h | {firm}发布面向企业客户的新{product}
h | {firm}第{quarter}季度营收超出预期
h | {product}销量放缓 {firm}股价下跌
h | {firm}与{firm2}签署{product}合作协议
h | {firm}计划在{city}招聘{n}名工程师
h | {firm}在{city}设立研发中心
h | 分析师对{firm}的{product}战略看法不一
h | {firm}在{city}下调{product}价格
h | {firm}押注人工智能 力图重振{product}
h | {firm}任命{product}业务新负责人
h | 投资者评估{firm}分拆{product}业务的计划
h | {firm}将{product}扩展至{n}个新市场
h | 价格战挤压{firm}利润
h | {firm}称{product}用户突破{n}百万
h | {firm}的{product}对{firm2}意味着什么
h | {firm}斥资{money}建设{city}数据中心
s | {firm}表示，第{quarter}季度营收同比增长{pct}%，达到{money}。
s | 受此消息影响，{firm}股价在{city}收涨{pct}%。
s | 该公司计划明年在{city}开设新的办公室。
s | {firm}将在未来{n}年向{product}投资{money}。
s | {bank}的分析师预计，今年{product}市场将增长{pct}%。
s | 此次发布正值{firm}与{firm2}在{city}的竞争日趋激烈之际。
s | {firm}今年为{product}部门招聘了{n}名工程师。
s | 公司首席执行官对投资者表示，{product}的需求依然强劲。
s | {firm}发言人拒绝就相关谈判置评。
s | 此次交易对{product}业务的估值约为{money}。
s | {firm}与{firm2}同意在{city}共享基础设施。
s | 部分用户抱怨最新更新后{product}运行缓慢。
s | 该公司正将客户数据迁移至位于{city}的新数据中心。
s | 供应商表示，该订单并未违反任何现有合同。
s | {city}的监管机构正在审查{product}行业的相关规定。
s | {city}的{product}市场受到价格战冲击。
s | {city}一家法院将于下月审理{firm}与{firm2}之间的合同纠纷。
s | 截至本季度末，该公司{product}的月活跃用户达{n}百万。
s | {firm}表示，其模型使用经授权的数据进行训练。
s | 公司预计下半年利润率将有所改善。
s | {city}的工程师用{n}周完成了{product}的首个版本。
s | 业绩公布后，{bank}上调了{firm}的目标价。
s | {year}年，数据中心所用芯片的需求持续上升。
s | 高管表示，{product}的个人数据存储在{city}。
s | 知情人士称，{firm}计划将旗下{product}业务分拆上市。
s | {city}的证券交易所今年批准了{n}家新公司上市。
s | 消费者组织呼吁对{product}行业实施更严格的隐私规则。
s | {firm}表示，尚未有监管机构就{product}与其联系。
s | 安全研究人员称，{product}的更新修复了{n}个漏洞。
s | 专家表示，{year}年企业应对安全事件的平均成本再次上升。
s | 根据合作协议，{product}将于{year}年进入{city}的门店。
s | {firm2}等竞争对手已降价以赢回客户。
s | 董事会批准了规模为{money}的股票回购计划。
s | {firm}表示，尽管增长放缓，仍将继续加大研发投入。
s | 该公司云业务的增速快于广告业务。
s | {product}的访问量在假期期间达到高峰。
s | 业内人士认为，行业监管将更加规范。
s | 交通违法处罚标准的调整引发{city}市民热议。
s | 该公司公布全年净利润为{money}。
s | 新模型运行在公司自主研发的芯片上。
s | 促销期间，{product}在{city}的销量翻了一番。
s | {firm}与{city}一家电池制造商签署了供货协议。
s | 该公司将于下月在{n}个国家推出{product}。
s | 其位于{city}的研究实验室拥有约{n}名科学家。
s | 管理层表示，重组将在{year}年前完成。
s | 用户现在可以在{n}多个城市使用{product}付款。
s | 集团游戏业务收入同比下降{pct}%。
s | 位于{city}的新工厂将于{year}年投产。
s | 该公司正在测试{product}的订阅版本。
s | 在年初表现疲软之后，广告主重新回到该平台。
s | {firm}表示，此次服务中断持续约{n}分钟。
s | 公司员工总数增至{n}000人。
s | 行业统计显示，本季度智能手机出货量增长{pct}%。
s | 这家初创公司完成{money}融资，由{bank}领投。
s | 该交易预计将于第{quarter}季度完成。
s | {firm}还在{city}扩建物流网络。
s | 其线上商城目前汇集了{n}000家商户的商品。
s | 电池成本下降，为电动汽车制造商带来利好。
s | 公司表示，{product}首年将免费提供。
s | 工程师们正在为新兴市场开发更便宜的版本。
s | 分析人士认为，公司的业绩指引谨慎但务实。
s | 公司年度开发者大会在{city}开幕。
s | 自一月以来，该公司市值增加了{money}。
s | 该公司拥有约{n}百万付费订阅用户。
s | 云服务客户包括银行、零售商和汽车制造商。
s | {firm}于{year}年关闭了旧版{product}。
s | 集团没有公布在{city}推出的具体时间表。
fine.title | {firm}被罚{amount}
fine.title | {regulator}对{firm}处以{amount}罚款
fine.lead | {regulator}{date}对{firm}处以{amount}罚款，原因是{reason}。
fine.lead | {firm}因{reason}被{regulator}罚款{amount}。
fine.more | {firm}表示将依法提起行政复议。
fine.more | 这是监管部门对科技企业开出的最大罚单之一。
fine.more | 该公司表示已对相关做法进行整改，诚恳接受处罚。
fine.why | 滥用市场支配地位
fine.why | 违反个人信息保护规定
fine.why | 误导消费者
fine.why | 未履行数据安全保护义务
fine.why | 违规跨境传输数据
breach.title | {firm}发生数据泄露 {records}用户信息外泄
breach.title | {firm}证实遭黑客攻击
breach.lead | {firm}{date}证实，约{records}名用户的个人信息遭到泄露。
breach.lead | {firm}表示，黑客窃取了{records}名用户的数据，发生严重数据泄露。
breach.more | 泄露的信息包括姓名、电话号码和电子邮箱。
breach.more | 该公司表示，用户的支付信息未受影响。
breach.more | {firm}称已向有关部门报告并通知受影响的用户。
ipo.title | {firm}上市被暂缓
ipo.title | {regulator}暂缓{firm}首次公开募股
ipo.lead | {regulator}{date}暂缓了{firm}的首次公开募股，原因是{reason}。
ipo.lead | 因{reason}，{firm}的上市计划被{regulator}暂缓。
ipo.more | 此次发行原计划募资{money}。
ipo.more | {firm}表示将配合监管部门，争取尽快恢复上市进程。
ipo.why | 信息披露不完整
ipo.why | 金融监管环境变化
ipo.why | 数据安全问题
"""

TEMPLATES_FR = """
h | {firm} dévoile une nouvelle {product} pour les entreprises
h | Le chiffre d'affaires de {firm} dépasse les attentes au {quarter} trimestre
h | L'action {firm} recule, les ventes ralentissent
h | {firm} et {firm2} signent un partenariat
h | {firm} va recruter {n} ingénieurs à {city}
h | {firm} ouvre un centre de recherche à {city}
h | Les analystes divisés sur la stratégie de {firm}
h | {firm} baisse ses prix à {city}
h | {firm} mise sur l'IA pour relancer sa {product}
h | {firm} nomme un nouveau patron pour sa {product}
h | Les investisseurs s'interrogent sur la scission voulue par {firm}
h | {firm} étend sa {product} à {n} nouveaux marchés
h | La guerre des prix pèse sur les marges de {firm}
h | {firm} revendique {n} millions d'utilisateurs
h | Ce que la {product} de {firm} change pour {firm2}
h | {firm} investit {money} dans un centre de données à {city}
s | {firm} annonce un chiffre d'affaires en hausse de {pct} % à {money} au {quarter} trimestre.
s | L'action {firm} a clôturé en hausse de {pct} % à {city} après l'annonce.
s | L'entreprise prévoit d'ouvrir un nouveau bureau à {city} l'an prochain.
s | {firm} va investir {money} dans sa {product} au cours des {n} prochaines années.
s | Les analystes de {bank} attendent une croissance de {pct} % du marché cette année.
s | Ce lancement intervient alors que la concurrence avec {firm2} s'intensifie à {city}.
s | {firm} a recruté {n} ingénieurs pour sa division cette année.
s | Son directeur général a assuré aux investisseurs que la demande restait forte.
s | Un porte-parole de {firm} n'a pas souhaité commenter les discussions.
s | L'accord valorise l'activité à environ {money}.
s | {firm} et {firm2} ont convenu de partager des infrastructures à {city}.
s | Certains utilisateurs se sont plaints de lenteurs après la dernière mise à jour.
s | Le groupe transfère les données de ses clients vers un centre de données à {city}.
s | Les fournisseurs ont assuré que la commande ne violait aucun contrat existant.
s | Les autorités de {city} réexaminent les règles du secteur.
s | Le marché de {city} est touché par une guerre des prix.
s | Un tribunal de {city} examinera un litige commercial entre {firm} et {firm2}.
s | La {product} de l'entreprise comptait {n} millions d'utilisateurs mensuels en fin d'année.
s | {firm} affirme que ses modèles ont été entraînés sur des données sous licence.
s | L'entreprise s'attend à une amélioration de ses marges au second semestre.
s | Des ingénieurs basés à {city} ont conçu la première version en {n} semaines.
s | {bank} a relevé son objectif de cours sur {firm} après les résultats.
s | La demande de puces pour les centres de données a encore augmenté en {year}.
s | Selon la direction, les données personnelles des utilisateurs sont hébergées à {city}.
s | {firm} prépare l'introduction en bourse de sa filiale, selon des sources proches du dossier.
s | La Bourse de {city} a accueilli {n} nouvelles sociétés cette année.
s | Des associations de consommateurs réclament des règles plus strictes sur la vie privée.
s | {firm} assure n'avoir été contacté par aucun régulateur à ce sujet.
s | Selon des chercheurs en sécurité, la mise à jour corrige {n} vulnérabilités.
s | Le coût moyen d'une fuite de données a encore augmenté en {year}, selon des experts.
s | Grâce à ce partenariat, la {product} arrivera dans les magasins de {city} d'ici {year}.
s | Des concurrents comme {firm2} ont baissé leurs prix pour reconquérir des clients.
s | Le conseil d'administration a approuvé un rachat d'actions de {money}.
s | {firm} continuera d'investir dans la recherche malgré une croissance ralentie.
s | L'activité cloud du groupe a progressé plus vite que sa publicité.
s | La fréquentation de la {product} a culminé pendant les fêtes.
s | Le groupe a publié un bénéfice net de {money} pour l'exercice.
s | Le nouveau modèle fonctionne sur des puces conçues en interne.
s | Les ventes ont doublé à {city} pendant la promotion.
s | {firm} a signé un contrat d'approvisionnement avec un fabricant de batteries de {city}.
s | L'entreprise lancera son offre dans {n} pays le mois prochain.
s | Son laboratoire de {city} emploie environ {n} chercheurs.
s | La direction prévoit d'achever la restructuration d'ici {year}.
s | Les clients peuvent désormais payer dans plus de {n} villes.
s | Les revenus du jeu vidéo ont reculé de {pct} % sur un an.
s | Une nouvelle usine à {city} entrera en production en {year}.
s | L'entreprise teste une version par abonnement de son service.
s | Les annonceurs sont revenus après un début d'année difficile.
s | {firm} indique que la panne a duré environ {n} minutes.
s | Les effectifs du groupe ont atteint {n} 000 salariés.
s | Les livraisons de smartphones ont progressé de {pct} % au cours du trimestre.
s | La jeune pousse a levé {money} auprès d'investisseurs menés par {bank}.
s | La transaction devrait être finalisée au {quarter} trimestre.
s | {firm} étend aussi son réseau logistique à {city}.
s | Sa boutique en ligne réunit désormais {n} 000 marchands.
s | La baisse du coût des batteries profite aux constructeurs de voitures électriques.
s | Le service sera gratuit la première année, selon l'entreprise.
s | Des ingénieurs travaillent à une version moins chère pour les pays émergents.
s | Les analystes jugent les prévisions prudentes mais réalistes.
s | La conférence annuelle des développeurs s'est ouverte à {city}.
s | Sa capitalisation a progressé de {money} depuis janvier.
s | L'entreprise revendique environ {n} millions d'abonnés payants.
s | Parmi les clients du cloud figurent des banques, des distributeurs et des constructeurs.
s | {firm} a fermé l'ancienne version de son application en {year}.
s | Le groupe n'a pas donné de calendrier pour le lancement à {city}.
fine.title | {firm} écope d'une amende de {amount}
fine.title | {regulator} inflige une amende de {amount} à {firm}
fine.lead | {regulator} a infligé{date} une amende de {amount} à {firm} pour {reason}.
fine.lead | {firm} a été condamné{date} à une amende de {amount} par {regulator} pour {reason}.
fine.more | {firm} a annoncé son intention de faire appel.
fine.more | Il s'agit de l'une des plus lourdes sanctions infligées à une entreprise du secteur.
fine.more | L'entreprise assure avoir déjà modifié les pratiques en cause.
fine.why | abus de position dominante
fine.why | violation du RGPD
fine.why | pratiques commerciales trompeuses
fine.why | manquements à la sécurité des données
fine.why | transferts illicites de données
breach.title | Fuite de données chez {firm} : {records} clients touchés
breach.title | {firm} victime d'une cyberattaque
breach.lead | {firm} a confirmé{date} une fuite de données touchant {records} clients.
breach.lead | Des pirates ont dérobé{date} les données personnelles de {records} clients de {firm}.
breach.more | Les noms, numéros de téléphone et adresses électroniques ont été exposés.
breach.more | Les données bancaires ne sont pas concernées, selon l'entreprise.
breach.more | {firm} indique avoir prévenu les autorités et les clients concernés.
ipo.title | L'introduction en bourse de {firm} suspendue
ipo.title | {regulator} suspend l'introduction en bourse de {firm}
ipo.lead | {regulator} a suspendu{date} l'introduction en bourse de {firm} en raison de {reason}.
ipo.more | L'opération devait lever environ {money}.
ipo.more | {firm} dit vouloir travailler avec les autorités pour reprendre l'opération.
ipo.why | informations incomplètes
ipo.why | l'évolution de la réglementation financière
ipo.why | préoccupations liées à la sécurité des données
"""


def _parse(block: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = defaultdict(list)
    for line in block.strip().splitlines():
        key, _, text = line.partition(" | ")
        parsed[key.strip()].append(text.strip())
    return dict(parsed)


TEMPLATES = {"en": _parse(TEMPLATES_EN), "zh": _parse(TEMPLATES_ZH), "fr": _parse(TEMPLATES_FR)}
# Body sentences for event articles: no other sums beside the action's own.
QUIET = {lang: [s for s in TEMPLATES[lang]["s"] if "{money}" not in s] for lang in LANGS}


# --------------------------------------------------------------------------------------------
# Numbers and dates as each language writes them
# --------------------------------------------------------------------------------------------


def money_text(value: float, currency: str, lang: str) -> str:
    """A sum as a journalist writes it: "$1.2 billion", "18,2 milliards de yuans", "182亿元"."""
    if lang == "zh":
        unit = ZH_UNIT[currency]
        return f"{value / 1e8:.4g}亿{unit}" if value >= 1e8 else f"{value / 1e4:.4g}万{unit}"
    big = value >= 1e9
    number = f"{value / (1e9 if big else 1e6):.3g}"
    if lang == "fr":
        scale = "milliards" if big else "millions"
        return f"{number.replace('.', ',')} {scale} {FR_UNIT[currency]}"
    words = f"{number} {'billion' if big else 'million'}"
    return f"{words} yuan" if currency == "CNY" else SYMBOL[currency] + words


def count_text(value: int, lang: str) -> str:
    """A number of people or records: "3.2 million", "320万", "3,2 millions de"."""
    if lang == "zh":
        return f"{value / 1e8:.3g}亿" if value >= 1e8 else f"{value / 1e4:.4g}万"
    if value < 1e6:
        return f"{value:,}".replace(",", " " if lang == "fr" else ",")
    number = f"{value / 1e6:.3g}"
    return f"{number.replace('.', ',')} millions de" if lang == "fr" else f"{number} million"


def date_text(day: date, lang: str) -> str:
    """The action date inside a sentence: " on April 8", "4月8日", " le 8 avril"."""
    if lang == "zh":
        return f"{day.month}月{day.day}日"
    if lang == "fr":
        return f" le {day.day} {MONTHS_FR.split()[day.month - 1]}"
    return f" on {day.strftime('%B')} {day.day}"


def log_uniform(rng: random.Random, low: float, high: float) -> float:
    """A round number (two significant digits) between low and high, log-uniformly."""
    value = math.exp(rng.uniform(math.log(low), math.log(high)))
    digits = 10 ** (int(math.log10(value)) - 1)
    return round(value / digits) * digits


# --------------------------------------------------------------------------------------------
# Who is in the news: firms and regulators from riskwatch's registries
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Named:
    id: str
    country: str
    names: dict[str, tuple[str, ...]]  # language -> names usable in text of that language

    def name(self, rng: random.Random, lang: str) -> str:
        return rng.choice(self.names[lang])


def registry_names(kind: str) -> dict[str, Named]:
    """Registry entries with names that need no context word, for en, zh and fr text."""
    found = {}
    for entity in load_registry(kind).entities.values():
        usable = {
            lang: [n for n in entity.names.get(lang, ()) if n not in entity.ambiguous][:2]
            for lang in LANGS
        }
        if usable["en"]:
            usable["zh"] = usable["zh"] or usable["en"][:1]
            usable["fr"] = usable["fr"] or usable["en"]
            names = {lang: tuple(n) for lang, n in usable.items()}
            found[entity.id] = Named(entity.id, entity.country, names)
    return found


@dataclass
class World:
    """What every article is written from: weighted firms and the regulators."""

    firms: list[Named]
    weights: list[float]
    regulators: dict[str, Named]

    @classmethod
    def load(cls) -> World:
        firms = sorted(registry_names("company").values(), key=lambda f: f.id)
        weights = [5.0 if f.id in BIG else 1.0 for f in firms]
        return cls(firms, weights, registry_names("regulator"))

    def firm(self, rng: random.Random) -> Named:
        return rng.choices(self.firms, self.weights)[0]


@dataclass
class PlannedEvent:
    """One real action and the reports of it: (lang, source, published, dated in the text)."""

    type: str
    firm: Named
    regulator: Named | None
    day: date
    amount: tuple[float, str] | None = None  # value, currency
    records: int | None = None
    reason: int = 0
    reports: list[tuple[str, str, datetime, bool]] = field(default_factory=list)


def plan_events(world: World, n_articles: int, rng: random.Random) -> list[PlannedEvent]:
    """Events until EVENT_SHARE of n_articles report one, each told by 1-8 outlets."""
    target, planned, events = round(n_articles * EVENT_SHARE), 0, []
    while planned < target:
        kind = rng.choices(list(TYPES), list(TYPES.values()))[0]
        firm = world.firm(rng)
        home = "CN" if firm.country in ("CN", "HK") else "*"
        regulators = REGULATORS.get((home, kind), "").split()
        regulator = world.regulators[rng.choice(regulators)] if regulators else None
        day = START + timedelta(rng.randrange((END - START).days - 5))
        event = PlannedEvent(kind, firm, regulator, day, reason=rng.randrange(5))
        if kind == "regulatory_fine":
            event.amount = (log_uniform(rng, 1e6, 2e10), CURRENCY.get(regulator.country, "EUR"))
        elif kind == "data_breach":
            event.records = int(log_uniform(rng, 2e4, 5e8))
        first = datetime.combine(day, datetime.min.time()) + timedelta(hours=rng.uniform(6, 20))
        for i in range(min(8, 1 + int(rng.expovariate(0.6)), target - planned)):
            lang = rng.choice(LANGS)
            when = first + timedelta(hours=rng.uniform(0.5, 72) if i else 0)
            source = rng.choice(SOURCES[lang].split())
            event.reports.append((lang, source, when, rng.random() < 0.5))
        planned += len(event.reports)
        events.append(event)
    return events


# --------------------------------------------------------------------------------------------
# Writing articles (in a worker process, chunk by chunk, in publication order)
# --------------------------------------------------------------------------------------------

_WORLD: World | None = None


def _init_worker(world: World) -> None:
    global _WORLD
    _WORLD = world


def _slots(rng: random.Random, lang: str) -> dict:
    """What one article is about: its firms, product, city, quarter and bank."""
    words = WORDS[lang]
    return {
        "firm": _WORLD.firm(rng).name(rng, lang),
        "firm2": _WORLD.firm(rng).name(rng, lang),
        **{slot: rng.choice(words[slot].split("|")) for slot in words},
    }


def _fill(rng: random.Random, template: str, slots: dict, lang: str) -> str:
    """A template with the article's slots and fresh numbers for this sentence."""
    value = log_uniform(rng, 2e7, 5e10)
    numbers = {
        "pct": rng.randint(2, 60),
        "n": rng.randint(3, 120),
        "year": rng.randint(2015, 2026),
        "money": money_text(value, rng.choice(("USD", "CNY", "EUR")), lang),
    }
    text = template.format_map({**slots, **numbers})
    return text[:1].upper() + text[1:]


def _text(rng: random.Random, lang: str, slots: dict, title: str, body: list[str]):
    sep = "" if lang == "zh" else " "
    return _fill(rng, title, slots, lang), sep.join(_fill(rng, s, slots, lang) for s in body)


def plain_article(rng: random.Random, lang: str) -> tuple[str, str]:
    """Title and body of an article that reports no event."""
    own = TEMPLATES[lang]
    body = rng.sample(own["s"], rng.randint(3, 6))
    return _text(rng, lang, _slots(rng, lang), rng.choice(own["h"]), body)


def event_article(rng: random.Random, event: PlannedEvent, lang: str, dated: bool):
    """Title, body and the news sentence (the tag's evidence) of one report of an event."""
    own, kind = TEMPLATES[lang], SHORT[event.type]
    slots = _slots(rng, lang)
    reasons = own.get(f"{kind}.why", [""])
    slots.update(
        firm=event.firm.name(rng, lang),
        regulator=event.regulator.name(rng, lang) if event.regulator else "",
        amount=money_text(*event.amount, lang) if event.amount else "",
        records=count_text(event.records, lang) if event.records else "",
        date=date_text(event.day, lang) if dated else "",
        reason=reasons[event.reason % len(reasons)],
    )
    lead = _fill(rng, rng.choice(own[f"{kind}.lead"]), slots, lang)
    more = rng.sample(own[f"{kind}.more"], rng.randint(1, 2))
    title, rest = _text(rng, lang, slots, rng.choice(own[f"{kind}.title"]),
                        more + rng.sample(QUIET[lang], rng.randint(1, 3)))  # fmt: skip
    return title, lead + ("" if lang == "zh" else " ") + rest, lead


@dataclass
class ChunkTask:
    index: int
    seed: int
    plain: int  # articles without an event
    start: datetime
    end: datetime
    reports: list[tuple[PlannedEvent, int]]  # (event, which report) published in [start, end)


def render_chunk(task: ChunkTask) -> tuple[list[dict], list[tuple[str, EventTag]]]:
    """The chunk's articles in publication order, and the tags of those reporting events."""
    rng = random.Random(task.seed * 1_000_003 + task.index)
    span = (task.end - task.start).total_seconds()
    items = [(task.start + timedelta(seconds=rng.uniform(0, span)), None, 0)
             for _ in range(task.plain)]  # fmt: skip
    items += [(event.reports[i][2], event, i) for event, i in task.reports]
    items.sort(key=lambda item: item[0])
    rows, tags = [], []
    for n, (when, event, i) in enumerate(items):
        article_id = f"q{task.index:05d}-{n:05d}"
        if event is None:
            lang = rng.choice(LANGS)
            source = rng.choice(SOURCES[lang].split())
            title, body = plain_article(rng, lang)
        else:
            lang, source, _, dated = event.reports[i]
            title, body, lead = event_article(rng, event, lang, dated)
            tags.append((article_id, EventTag(event.type, round(rng.uniform(0.6, 0.99), 3), lead)))
        rows.append(
            {
                "id": article_id,
                "url": f"https://{source}.example/{when:%Y/%m/%d}/{article_id}.html",
                "source": source,
                "lang": lang,
                "title": title,
                "body": body,
                "published": f"{when:%Y-%m-%dT%H:%M:%SZ}",
                "fetched_at": f"{when + timedelta(minutes=15):%Y-%m-%dT%H:%M:%SZ}",
            }
        )
    return rows, tags


def chunk_tasks(events: list[PlannedEvent], n: int, size: int, seed: int) -> list[ChunkTask]:
    """The time line cut into chunks of about `size` articles, reports placed by date."""
    chunks = max(1, math.ceil(n / size))
    plain = n - sum(len(e.reports) for e in events)
    t0 = datetime.combine(START, datetime.min.time())
    span = (datetime.combine(END, datetime.min.time()) + timedelta(days=4) - t0) / chunks
    tasks = [
        ChunkTask(k, seed, plain * (k + 1) // chunks - plain * k // chunks,
                  t0 + span * k, t0 + span * (k + 1), [])
        for k in range(chunks)
    ]  # fmt: skip
    for event in events:
        for i, (_, _, when, _) in enumerate(event.reports):
            tasks[min(chunks - 1, int((when - t0) / span))].reports.append((event, i))
    return tasks


# --------------------------------------------------------------------------------------------
# Building riskwatch's database, and the baseline index (plain unicode61, raw text)
# --------------------------------------------------------------------------------------------


def open_baseline(path: Path) -> sqlite3.Connection:
    """articles_fts as riskwatch declares it, fed the raw text (no bigrams), same pragmas."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5("
        "title, body, tokenize='unicode61 remove_diacritics 2')"
    )
    return conn


def baseline_insert(conn: sqlite3.Connection, rows: list[dict]) -> None:
    conn.execute("BEGIN IMMEDIATE")
    texts = [(r["title"], r["body"]) for r in rows]
    conn.executemany("INSERT INTO fts (title, body) VALUES (?, ?)", texts)
    conn.execute("COMMIT")


@dataclass
class BuildStats:
    articles: int = 0
    store_s: float = 0.0  # inside save_articles
    stored_wall_s: float = 0.0  # from start until the last article was stored
    baseline_s: float = 0.0  # inside baseline_insert
    tags: int = 0
    tags_s: float = 0.0
    events_s: float = 0.0
    events: EventStats | None = None
    wall_s: float = 0.0


def build(db_path: Path, base_path: Path, n: int, seed: int, chunk: int, batch: int) -> BuildStats:
    """Generate n articles into riskwatch's store and the baseline, tag, run the event stage."""
    stats, clock = BuildStats(), time.perf_counter()
    world = World.load()
    tasks = chunk_tasks(plan_events(world, n, random.Random(seed)), n, chunk, seed)
    db = store.open_db(db_path)
    names = [(s, lang) for lang in LANGS for s in SOURCES[lang].split()]
    store.sync_sources(db, [{"name": s, "lang": lang, "kind": "news"} for s, lang in names])
    base = open_baseline(base_path)
    tags: list[tuple[str, EventTag]] = []
    # one worker writes articles while this process stores them (SQLite has one writer)
    with multiprocessing.get_context("fork").Pool(1, _init_worker, (world,)) as pool:
        for rows, chunk_tags in pool.imap(render_chunk, tasks):
            for i in range(0, len(rows), batch):
                with Timer() as t:
                    save_articles(db, rows[i : i + batch])
                stats.store_s += t.seconds
                with Timer() as t:
                    baseline_insert(base, rows[i : i + batch])
                stats.baseline_s += t.seconds
            stats.articles += len(rows)
            tags.extend(chunk_tags)
            if stats.articles % (10 * chunk) < chunk or stats.articles == n:
                rate = stats.articles / stats.store_s
                progress(f"stored {stats.articles:,} articles, save_articles {rate:,.0f}/s")
    stats.stored_wall_s = time.perf_counter() - clock
    with Timer() as t:
        for article_id, tag in tags:
            store.save_tags(db, article_id, [tag], "bench", "1")
    stats.tags, stats.tags_s = len(tags), t.seconds
    progress(f"tagged {len(tags):,} articles in {t.seconds:.0f} s; running the event stage")
    with Timer() as t:
        stats.events = build_events(db)
    stats.events_s = t.seconds
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    base.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    base.close()
    stats.wall_s = time.perf_counter() - clock
    return stats


def progress(message: str) -> None:
    print(f"  {time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Measuring: warm cache, one long-lived connection per file, rotating terms
# --------------------------------------------------------------------------------------------

EN_PHRASES = ['"data breach"', '"personal data"', '"initial public offering"', '"data centre"',
              '"price war"', '"share buyback"']  # fmt: skip
ZH_WORDS = ["罚款", "泄露", "处罚"]  # words of the events riskwatch tracks
ZH_COMMON = ["上市", "监管", "数据"]  # words in a large share of Chinese business news
FR_WORDS = ["amende", "donnees", '"fuite de données"', '"introduction en bourse"', "concurrence"]
KINDS = [("en phrase", EN_PHRASES), ("zh 2-char", ZH_WORDS), ("zh 2-char common", ZH_COMMON),
         ("fr word", FR_WORDS)]  # fmt: skip
COMPANIES = ["alibaba", "tencent", "meta", "google", "amazon", "apple", "microsoft", "bytedance",
             "baidu", "meituan", "nvidia", "criteo"]  # fmt: skip
# list_events' and events_timeline's SQL for the filters measured, with event_companies'
# (company, event_id) index disabled: what the same queries cost without it.
UNINDEXED_EVENTS = (
    "SELECT e.* FROM events e WHERE e.type = ? AND e.action_date >= ? AND e.action_date < ? "
    "AND e.id IN (SELECT event_id FROM event_companies NOT INDEXED WHERE company = ?) "
    "ORDER BY e.action_date DESC, e.first_seen DESC LIMIT 200"
)
UNINDEXED_TIMELINE = (
    "SELECT substr(e.action_date, 1, 7) AS period, e.type, count(*) AS events, "
    "round(sum(e.amount_usd), 2) AS amount_usd, round(sum(e.amount_eur), 2) AS amount_eur, "
    "sum(e.n_articles) AS articles FROM events e WHERE e.type = ? "
    "AND e.id IN (SELECT event_id FROM event_companies NOT INDEXED WHERE company = ?) "
    "GROUP BY period, e.type ORDER BY period, e.type"
)


@dataclass
class Timing:
    name: str
    ms: list[float] = field(default_factory=list)
    per_term: dict[str, list[float]] = field(default_factory=dict)
    found: dict[str, int] = field(default_factory=dict)  # per term: articles it matches

    def pct(self, q: float, ms: list[float] | None = None) -> float:
        ordered = sorted(self.ms if ms is None else ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(name: str, call, params: list[tuple], runs: int) -> Timing:
    """Latency of call(*p) over `runs` calls cycling through params, each warmed up once."""
    for p in params:
        call(*p)
    timing = Timing(name)
    for i in range(runs):
        p = params[i % len(params)]
        start = time.perf_counter()
        call(*p)
        ms = (time.perf_counter() - start) * 1000
        timing.ms.append(ms)
        timing.per_term.setdefault(p[0], []).append(ms)
    return timing


def match_count(conn: sqlite3.Connection, term: str) -> int:
    """Articles riskwatch's index matches for a query, translated as store.search does."""
    sql = "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?"
    return conn.execute(sql, [fts_query(term)]).fetchone()[0]


def plain_count(conn: sqlite3.Connection, term: str) -> int:
    return conn.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", [term]).fetchone()[0]


def like_count(conn: sqlite3.Connection, term: str) -> int:
    """Every article containing the term, found by reading all the text: right, and slow."""
    sql = "SELECT count(*) FROM articles WHERE title LIKE ? OR body LIKE ?"
    return conn.execute(sql, [f"%{term}%"] * 2).fetchone()[0]


def measure_search(db, base: sqlite3.Connection, runs: int, like_runs: int) -> list[Timing]:
    """store.search per kind of query, the plain unicode61 baseline, LIKE for Chinese."""

    def ours(term):
        return store.search(db, term)

    def plain(term):
        sql = (
            "SELECT rowid, title, snippet(fts, 1, '[', ']', '…', 24) FROM fts "
            "WHERE fts MATCH ? ORDER BY rank LIMIT 20"
        )
        return base.execute(sql, [term]).fetchall()

    found = []
    for label, terms in KINDS:
        progress(f"measuring search: {label}")
        params = [(t,) for t in terms]
        timing = timed(f"search {label}", ours, params, runs)
        timing.found = {t: match_count(db.conn, t) for t in terms}
        baseline = timed(f"  plain unicode61 {label}", plain, params, runs)
        baseline.found = {t: plain_count(base, t) for t in terms}
        found += [timing, baseline]
    # what finding the matches costs without ranking them: the rest of a search is BM25
    every = [(db.conn, t) for _, terms in KINDS for t in terms]
    found.append(timed("  MATCH alone, no BM25 (every term above)", match_count, every, runs))
    progress("measuring the LIKE scan")
    words = ZH_WORDS + ZH_COMMON
    params = [(db.conn, t) for t in words]
    like = timed("  LIKE scan zh 2-char", like_count, params, like_runs * len(words))
    like.per_term = {t: like.ms[i :: len(words)] for i, t in enumerate(words)}
    like.found = {t: like_count(db.conn, t) for t in words}
    return [*found, like]


def event_params(runs: int) -> list[tuple]:
    """(company, type, since, until): 3-year windows over the whole period, every type."""
    types, firms = list(TYPES), COMPANIES
    return [
        (firms[i % len(firms)], types[i % 3], f"{2015 + i % 9}-01-01", f"{2018 + i % 9}-01-01")
        for i in range(runs)
    ]


def measure_events(db, runs: int) -> list[Timing]:
    """list_events and events_timeline, and the same SQL without the event_companies index."""
    progress("measuring the events and timeline queries")

    def events(company, kind, since, until):
        return store.list_events(db, company=company, event_type=kind, since=since, until=until)

    def events_unindexed(company, kind, since, until):
        return db.execute(UNINDEXED_EVENTS, [kind, since, until, company]).fetchall()

    def timeline(company, kind):
        return store.events_timeline(db, company=company, event_type=kind, by="month")

    def timeline_unindexed(company, kind):
        return db.execute(UNINDEXED_TIMELINE, [kind, company]).fetchall()

    params, pairs = event_params(runs), [(c, t) for c in COMPANIES for t in TYPES]
    return [
        timed("events company+type+dates", events, params, runs),
        timed("  no event_companies index", events_unindexed, params, runs),
        timed("timeline per month", timeline, pairs, runs),
        timed("  no event_companies index", timeline_unindexed, pairs, runs),
    ]


def sizes(db_path: Path) -> dict[str, int]:
    """Bytes per part of the file: articles with their indexes, full-text index, the rest."""
    conn = sqlite3.connect(db_path)
    parts: dict[str, int] = defaultdict(int)
    sql = (
        "SELECT coalesce(m.tbl_name, d.name), sum(d.pgsize) FROM dbstat d "
        "LEFT JOIN sqlite_master m ON m.name = d.name GROUP BY d.name"
    )
    for table, size in conn.execute(sql):
        if table.startswith("articles_fts"):
            parts["full-text index (bigram text + postings)"] += size
        elif table == "articles":
            parts["articles and their indexes"] += size
        elif table in ("events", "event_companies", "article_facts", "tags"):
            parts["tags, facts, events"] += size
        else:
            parts["other"] += size
    conn.close()
    return parts


# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------


def report_build(n: int, stats: BuildStats | None, db_path: Path, base_path: Path) -> None:
    print(f"\nriskwatch query bench: {n:,} articles (en/zh/fr), SQLite {sqlite3.sqlite_version}")
    if stats:
        rate, base_rate = stats.articles / stats.store_s, stats.articles / stats.baseline_s
        ev = stats.events
        print(f"build: {stats.wall_s / 60:.1f} min wall (articles written in a second process)")
        print(f"  store save_articles, batches, bigram index: {rate:,.0f} articles/s "
              f"({stats.articles / stats.stored_wall_s:,.0f}/s of wall time, generation and "
              f"baseline included)")  # fmt: skip
        print(f"  plain unicode61 FTS insert of the raw text: {base_rate:,.0f} articles/s "
              f"(riskwatch's store takes {base_rate / rate:.1f}x its time)")  # fmt: skip
        print(f"  save_tags: {stats.tags:,} articles in {stats.tags_s:.1f} s; event stage: "
              f"{ev.articles:,} tags in {stats.events_s:.0f} s "
              f"({ev.articles / stats.events_s:,.0f}/s) -> {ev.new_events:,} events")  # fmt: skip
    total = db_path.stat().st_size
    print(f"file: {total / 1e9:.2f} GB = {total / n:,.0f} bytes/article "
          f"(plain unicode61 FTS file: {base_path.stat().st_size / n:,.0f})")  # fmt: skip
    for part, size in sorted(sizes(db_path).items(), key=lambda kv: -kv[1]):
        print(f"  {part:42} {size / n:7,.0f} bytes/article")


def report_queries(timings: list[Timing]) -> None:
    print(f"\n{'query, ms (baselines indented)':44} {'p50':>7} {'p95':>7} {'p99':>7} {'runs':>5}")
    goals = {"search": 50, "events": 20}
    for t in timings:
        goal = next((v for k, v in goals.items() if t.name.startswith(k)), None)
        verdict = f"  p95 < {goal}: {'met' if t.pct(0.95) < goal else 'MISSED'}" if goal else ""
        print(f"{t.name:44} {t.pct(0.5):7.1f} {t.pct(0.95):7.1f} {t.pct(0.99):7.1f} "
              f"{len(t.ms):5}{verdict}")  # fmt: skip
    by = {t.name.strip(): t for t in timings}
    like = by["LIKE scan zh 2-char"]
    print("\nper term: articles matched, p50 / p95 ms | plain unicode61: matched, p50 | LIKE")
    for label, _ in KINDS:
        ours, plain = by[f"search {label}"], by[f"plain unicode61 {label}"]
        for term, ms in ours.per_term.items():
            truth = f" | {like.found[term]:,} in {like.pct(0.5, like.per_term[term]):,.0f}" if (
                term in like.found) else ""  # fmt: skip
            print(f"  {term:26} {ours.found[term]:9,} {ours.pct(0.5, ms):6.1f} "
                  f"{ours.pct(0.95, ms):6.1f} | {plain.found[term]:9,} "
                  f"{plain.pct(0.5, plain.per_term[term]):6.1f}{truth}")  # fmt: skip
    en, en_plain = by["search en phrase"], by["plain unicode61 en phrase"]
    zh = [by["search zh 2-char"], by["search zh 2-char common"]]
    zh_plain = [by["plain unicode61 zh 2-char"], by["plain unicode61 zh 2-char common"]]
    truth = sum(like.found.values())
    found = sum(n for t in zh for n in t.found.values()) / truth
    plain_found = sum(n for t in zh_plain for n in t.found.values()) / truth
    zh_p50 = statistics.median(ms for t in zh for ms in t.ms)
    print("\nratios (same run):")
    print(f"  en phrase p50, riskwatch / plain unicode61: {en.pct(0.5) / en_plain.pct(0.5):.2f}")
    print(
        f"  zh 2-char p50 (all six words), LIKE scan / riskwatch: {like.pct(0.5) / zh_p50:,.0f}x;"
        f" articles found: riskwatch {found:.1%} of LIKE's, plain unicode61 {plain_found:.1%}"
    )
    slope, base = per_match_cost(timings)
    print(
        f"  search p50 ~ {base:.1f} ms + {slope * 1000:.2f} µs per matched article (BM25 is "
        f"computed for every match): 50 ms at ~{(50 - base) / slope:,.0f} matches"
    )
    for name in ("events company+type+dates", "timeline per month"):
        i = timings.index(by[name])
        ratio = timings[i + 1].pct(0.5) / timings[i].pct(0.5)
        print(f"  {name} p50, without the index / riskwatch: {ratio:.1f}x")


def per_match_cost(timings: list[Timing]) -> tuple[float, float]:
    """Least-squares line of search p50 (ms) over articles matched, per term: slope, intercept."""
    points = [
        (t.found[term], statistics.median(ms))
        for t in timings
        if t.name.startswith("search")
        for term, ms in t.per_term.items()
    ]
    mean_n = statistics.mean(n for n, _ in points)
    mean_ms = statistics.mean(ms for _, ms in points)
    num = sum((n - mean_n) * (ms - mean_ms) for n, ms in points)
    slope = num / sum((n - mean_n) ** 2 for n, _ in points)
    return slope, mean_ms - slope * mean_n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="database file to build and keep (default: temp)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary databases")
    parser.add_argument("--reuse", action="store_true", help="only measure an existing --db")
    parser.add_argument("--runs", type=int, default=240, help="timed runs per kind of query")
    parser.add_argument("--like-runs", type=int, default=2, help="LIKE scans per Chinese word")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--chunk", type=int, default=10_000, help="articles per generated chunk")
    parser.add_argument("--batch", type=int, default=2_000, help="articles per save_articles")
    args = parser.parse_args(argv)
    folder = None
    if args.db is None:
        folder = Path(tempfile.mkdtemp(prefix="riskwatch-query-"))
        args.db = folder / "query.db"
    base_path = args.db.with_name(args.db.stem + ".baseline.db")
    if args.reuse != args.db.exists():
        state = "does not exist" if args.reuse else "exists (measure it with --reuse)"
        sys.exit(f"error: {args.db} {state}")
    try:
        stats = None
        if not args.reuse:
            progress(f"building {args.articles:,} articles into {args.db}")
            stats = build(args.db, base_path, args.articles, args.seed, args.chunk, args.batch)
        db, base = store.open_db(args.db), sqlite3.connect(base_path)
        timings = measure_search(db, base, args.runs, args.like_runs)
        timings += measure_events(db, args.runs)
        db.close()
        base.close()
        report_build(args.articles, stats, args.db, base_path)
        report_queries(timings)
        print(f"peak memory of this process: {peak_rss_mb():,.0f} MB")
    finally:
        if folder and not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        elif folder:
            print(f"kept {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
