"""The demo CRM dataset as plain payloads (demo/records.py creates the records from it):
customers with contacts for the salespeople of the demo organisation, contracts, agents,
service tickets and expense claims.

It is generated from a fixed random seed, so it is the same on every machine (and, for the dates,
on the same day): `build_dataset(today)`.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

SEED = 20260531
SALES_OWNERS: list[tuple[str, int]] = [("zhangsan", 15), ("lisi", 15), ("zhouqiang", 12), ("lijun", 8)]
LEAVE_DAYS: list[tuple[str, str]] = [("annual", "10"), ("sick", "5"), ("personal", "3")]
HR_USER = "wufang"
AGENT_USER = "zhengtao"
HOTLINE_USER = "hanmei"

# (province, city, 4-digit area code for 服务授权编号, region, postcode prefix, districts)
PLACES: list[tuple[str, str, str, str, str, list[str]]] = [
    ("北京市", "北京", "0010", "华北", "100", ["海淀区", "朝阳区", "西城区", "丰台区"]),
    ("天津市", "天津", "0022", "华北", "300", ["南开区", "河西区", "滨海新区"]),
    ("河北省", "石家庄", "0311", "华北", "050", ["长安区", "裕华区"]),
    ("上海市", "上海", "0021", "华东", "200", ["浦东新区", "徐汇区", "闵行区", "静安区"]),
    ("江苏省", "南京", "0025", "华东", "210", ["鼓楼区", "建邺区", "江宁区"]),
    ("江苏省", "苏州", "0512", "华东", "215", ["工业园区", "姑苏区"]),
    ("浙江省", "杭州", "0571", "华东", "310", ["西湖区", "滨江区", "余杭区"]),
    ("山东省", "济南", "0531", "华东", "250", ["历下区", "高新区"]),
    ("山东省", "青岛", "0532", "华东", "266", ["市南区", "崂山区"]),
    ("福建省", "福州", "0591", "华东", "350", ["鼓楼区", "仓山区"]),
    ("广东省", "广州", "0020", "华南", "510", ["天河区", "越秀区", "黄埔区"]),
    ("广东省", "深圳", "0755", "华南", "518", ["南山区", "福田区", "龙岗区"]),
    ("湖北省", "武汉", "0027", "华中", "430", ["洪山区", "江汉区", "武昌区"]),
    ("湖南省", "长沙", "0731", "华中", "410", ["岳麓区", "天心区"]),
    ("河南省", "郑州", "0371", "华中", "450", ["金水区", "郑东新区"]),
    ("四川省", "成都", "0028", "西南", "610", ["武侯区", "高新区", "锦江区"]),
    ("重庆市", "重庆", "0023", "西南", "400", ["渝北区", "九龙坡区"]),
    ("云南省", "昆明", "0871", "西南", "650", ["五华区", "盘龙区"]),
    ("陕西省", "西安", "0029", "西北", "710", ["雁塔区", "高新区"]),
    ("辽宁省", "沈阳", "0024", "东北", "110", ["和平区", "浑南区"]),
]

# (word, pinyin) for company names and their web/email domains
BRANDS: list[tuple[str, str]] = [
    ("恒达", "hengda"), ("瑞丰", "ruifeng"), ("华宇", "huayu"), ("鼎盛", "dingsheng"), ("博远", "boyuan"),
    ("天成", "tiancheng"), ("金桥", "jinqiao"), ("宏图", "hongtu"), ("新锐", "xinrui"), ("嘉和", "jiahe"),
    ("众信", "zhongxin"), ("远航", "yuanhang"), ("盛世", "shengshi"), ("联创", "lianchuang"), ("蓝海", "lanhai"),
    ("卓越", "zhuoyue"), ("汇通", "huitong"), ("国泰", "guotai"), ("星辰", "xingchen"), ("东方", "dongfang"),
    ("银河", "yinhe"), ("正泰", "zhengtai"), ("安泰", "antai"), ("百川", "baichuan"), ("润泽", "runze"),
    ("智远", "zhiyuan"), ("同创", "tongchuang"), ("海纳", "haina"), ("泰和", "taihe"), ("中科", "zhongke"),
    ("广信", "guangxin"), ("明德", "mingde"), ("融通", "rongtong"), ("云图", "yuntu"), ("启明", "qiming"),
]
# industry code (records.INDUSTRIES) -> business words in the company name
INDUSTRY_WORDS: dict[str, list[str]] = {
    "01": ["信息技术", "软件", "数据科技"],
    "02": ["网络科技", "智能科技", "数字科技"],
    "03": ["测绘", "地理信息", "国土规划设计"],
    "04": ["水务", "燃气", "管网工程"],
    "05": ["通信", "信息通信工程", "通信技术"],
}
SUFFIXES = ["有限公司", "有限公司", "股份有限公司", "集团有限公司"]
NATURES = ["民营企业", "民营企业", "国有企业", "股份制企业", "外资企业"]
# 客户级别 / 类型 / 状态 / 阶段: values of crm.records.CUSTOMER_LEVELS / _TYPES / _STATUSES / _STAGES.
# TIERS picks a customer's importance; a "潜在客户" tier is an ordinary-level prospect (status 潜在客户).
TIERS = ["战略客户", "重点客户", "普通客户", "普通客户", "潜在客户"]
PROSPECT = "潜在客户"
TYPES = ["终端客户", "终端客户", "渠道客户", "合作伙伴"]
STAGES = ["初步接触", "需求确认", "方案报价", "商务谈判", "签约", "售后服务"]
SOURCES = ["展会", "电话营销", "老客户介绍", "官网咨询", "招投标信息", "代理商推荐", "行业会议"]
CREDITS = ["优", "良", "良", "中"]
STREETS = ["科技路", "创业大道", "中山路", "人民路", "建设路", "高新大道", "学院路", "滨江路", "长江路", "解放路"]

SURNAMES: list[tuple[str, str]] = [
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"), ("黄", "huang"),
    ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"),
    ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("高", "gao"), ("林", "lin"), ("罗", "luo"), ("梁", "liang"),
    ("宋", "song"), ("唐", "tang"), ("许", "xu"), ("邓", "deng"), ("冯", "feng"), ("曹", "cao"), ("彭", "peng"),
]
GIVEN: list[tuple[str, str, str]] = [
    ("伟", "wei", "male"), ("芳", "fang", "female"), ("娜", "na", "female"), ("敏", "min", "female"),
    ("静", "jing", "female"), ("磊", "lei", "male"), ("洋", "yang", "male"), ("艳", "yan", "female"),
    ("勇", "yong", "male"), ("杰", "jie", "male"), ("娟", "juan", "female"), ("明", "ming", "male"),
    ("超", "chao", "male"), ("秀英", "xiuying", "female"), ("霞", "xia", "female"), ("平", "ping", "male"),
    ("刚", "gang", "male"), ("建华", "jianhua", "male"), ("志强", "zhiqiang", "male"), ("海燕", "haiyan", "female"),
    ("晓东", "xiaodong", "male"), ("丽华", "lihua", "female"), ("国栋", "guodong", "male"),
    ("雪梅", "xuemei", "female"),
    ("文博", "wenbo", "male"), ("婷婷", "tingting", "female"), ("宇航", "yuhang", "male"), ("佳怡", "jiayi", "female"),
]
CONTACT_ROLES: list[tuple[str, str]] = [
    ("总经办", "总经理"), ("总经办", "副总经理"), ("信息中心", "主任"), ("信息中心", "工程师"),
    ("采购部", "采购经理"), ("采购部", "采购专员"), ("技术部", "技术总监"), ("财务部", "财务经理"),
    ("项目部", "项目经理"),
]
HOBBIES = ["羽毛球", "钓鱼", "摄影", "登山", "茶艺", "高尔夫", "书法", "跑步", None, None]

PRODUCTS: dict[str, list[str]] = {
    "01": ["数据中台建设项目", "服务器及存储设备采购", "信息系统年度运维服务"],
    "02": ["智慧园区平台实施", "业务中台软件许可", "移动办公平台定制开发"],
    "03": ["GIS平台软件采购", "不动产登记系统升级", "地理信息数据加工服务"],
    "04": ["管网监测系统实施", "供水管网GIS建设", "管线普查数据服务"],
    "05": ["通信网络资源管理系统", "基站巡检平台实施", "传输网络优化服务"],
}
# contracts per owner: how many, and how many of them were signed last year
CONTRACTS: list[tuple[str, int, int]] = [("zhangsan", 4, 1), ("lisi", 4, 1), ("zhouqiang", 2, 0), ("lijun", 2, 0)]

AGENTS: list[dict[str, Any]] = [
    {"name": "成都蜀信科技有限公司", "region": "西南", "contact_name": "何建华", "phone": "028-85123467",
     "bank_name": "中国工商银行成都高新支行", "bank_account": "4402 2330 0910 0156 782",
     "remark": "西南区域总代理，负责四川、重庆、云南"},
    {"name": "武汉楚天信达网络有限公司", "region": "华中", "contact_name": "彭丽华", "phone": "027-87654321",
     "bank_name": "招商银行武汉光谷支行", "bank_account": "1279 0563 2110 801",
     "remark": "华中区域代理，湖北、湖南、河南"},
    {"name": "西安秦川数码技术有限公司", "region": "西北", "contact_name": "曹国栋", "phone": "029-88231145",
     "bank_name": "中国建设银行西安高新技术产业开发区支行", "bank_account": "6105 0186 2000 0012 3456",
     "remark": "西北区域代理"},
    {"name": "沈阳北方智联科技有限公司", "region": "东北", "contact_name": "梁志强", "phone": "024-23456789",
     "bank_name": "中国银行沈阳浑南支行", "bank_account": "2918 6634 5512",
     "remark": "东北区域代理，新签约，首年考核期"},
]

# ticket categories are codes of the data dictionary (crm/admin/options.py "ticket_category")
TICKET_CATEGORIES = ["product", "service", "inquiry", "other"]


@dataclass
class CustomerSpec:
    owner: str
    payload: dict[str, Any]
    contacts: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Dataset:
    customers: list[CustomerSpec]
    contracts: list[tuple[str, int, dict[str, Any], bool]]  # owner, customer index, payload, signed last year
    agents: list[dict[str, Any]]
    tickets: list[tuple[str, int | None, dict[str, Any]]]  # creator, customer index, payload
    claims: list[tuple[str, dict[str, Any], list[tuple[int | None, dict[str, Any]]]]]  # claimant, claim, lines


def _person(rng: random.Random, used: set[str]) -> tuple[str, str, str]:
    while True:
        (sn, spy), (gn, gpy, gender) = rng.choice(SURNAMES), rng.choice(GIVEN)
        if sn + gn not in used:
            used.add(sn + gn)
            return sn + gn, f"{gpy}.{spy}", gender


def _mobile(rng: random.Random) -> str:
    return rng.choice(["138", "139", "135", "136", "150", "152", "158", "186", "187", "189", "177"]) + \
        f"{rng.randrange(10**8):08d}"


def _landline(rng: random.Random, area: str) -> str:
    return f"{area.lstrip('0').rjust(3, '0') if area.startswith('00') else area}-{rng.randrange(2 * 10**7, 9 * 10**7)}"


def _status(stage: str, activity: str) -> str:
    """客户状态 of a customer past the first contact: dormant, or by how far the sales got."""
    if activity == "休眠":
        return "休眠客户"
    return "成交客户" if stage in ("签约", "售后服务") else "意向客户"


def build_dataset(today: date | None = None) -> Dataset:
    """The whole demo dataset as plain payloads: the same for the same seed and day."""
    today = today or date.today()
    rng = random.Random(SEED)
    owners = [u for u, n in SALES_OWNERS for _ in range(n)]
    rng.shuffle(owners)
    names: set[str] = set()
    people: set[str] = set()
    customers = [_customer(rng, i, owner, names, people) for i, owner in enumerate(owners)]
    contracts = _contracts(rng, customers, today)
    tickets = _tickets(rng, customers, today)
    claims = _claims(rng, customers, today)
    return Dataset(customers, contracts, [dict(a) for a in AGENTS], tickets, claims)


def _customer(rng: random.Random, i: int, owner: str, names: set[str], people: set[str]) -> CustomerSpec:
    """The i-th customer (the first ones one per place, then at random) with 1-3 contacts."""
    province, city, area, region, post, districts = PLACES[i % len(PLACES)] if i < len(PLACES) \
        else rng.choice(PLACES)
    industry = rng.choice(sorted(INDUSTRY_WORDS))
    name, brand_py = _company_name(rng, city, industry, names)
    domain = f"{brand_py}{i + 1:02d}.com.cn"
    tier = rng.choice(TIERS)
    level = "普通客户" if tier == PROSPECT else tier
    stage = "初步接触" if tier == PROSPECT else rng.choice(STAGES)
    legal_rep, _, _ = _person(rng, people)
    payload: dict[str, Any] = {
        "name": name, "nature": rng.choice(NATURES), "legal_rep": legal_rep,
        "address": f"{province}{city}市{rng.choice(districts)}{rng.choice(STREETS)}{rng.randint(1, 399)}号",
        "postcode": f"{post}{rng.randint(0, 99):02d}0", "website": f"www.{domain}",
        "phone": _landline(rng, area), "email": f"info@{domain}", "level": level, "type": rng.choice(TYPES),
        "status": PROSPECT if tier == PROSPECT else _status(stage, rng.choice(["正常", "正常", "正常", "休眠"])),
        "stage": stage, "credit": rng.choice(CREDITS), "province": province, "region": region,
        "source": rng.choice(SOURCES), "vip": level == "战略客户" or (level == "重点客户" and rng.random() < 0.3),
        "area_code": area, "industry": industry, "owner": owner,
    }
    contacts = []
    for _ in range(rng.randint(1, 3)):
        cname, email_user, gender = _person(rng, people)
        dept, title = rng.choice(CONTACT_ROLES)
        contacts.append({
            "name": cname, "gender": gender, "department": dept, "title": title,
            "phone": payload["phone"], "mobile": _mobile(rng), "email": f"{email_user}@{domain}",
            "birthday": date(rng.randint(1968, 1995), rng.randint(1, 12), rng.randint(1, 28)).isoformat(),
            "hobbies": rng.choice(HOBBIES),
        })
    return CustomerSpec(owner, payload, contacts)


def _company_name(rng: random.Random, city: str, industry: str, names: set[str]) -> tuple[str, str]:
    """A company name not used yet, and the pinyin of its brand (for the web domain)."""
    while True:
        brand, brand_py = rng.choice(BRANDS)
        name = f"{city}{brand}{rng.choice(INDUSTRY_WORDS[industry])}{rng.choice(SUFFIXES)}"
        if name not in names:
            names.add(name)
            return name, brand_py


def _contracts(rng: random.Random, customers: list[CustomerSpec], today: date
               ) -> list[tuple[str, int, dict[str, Any], bool]]:
    """Per salesperson, contracts with some of their (non-prospect) customers; the first `signed`
    of them started last year, the others start soon."""
    contracts: list[tuple[str, int, dict[str, Any], bool]] = []
    titles: set[str] = set()
    for owner, count, signed in CONTRACTS:
        mine = [i for i, c in enumerate(customers) if c.owner == owner and c.payload["status"] != PROSPECT]
        for k, ci in enumerate(rng.sample(mine, count)):
            title = _contract_title(rng, customers[ci].payload, titles)
            old = k < signed
            start = today - timedelta(days=rng.randint(300, 400)) if old else today + timedelta(days=rng.randint(7, 45))
            amount = rng.randrange(80_000, 2_000_000, 500)
            contracts.append((owner, ci, {
                "customer": ci, "title": title, "amount": f"{amount}.00", "start_date": start.isoformat(),
                "end_date": (start + timedelta(days=365 * rng.choice([1, 1, 2, 3]) - 1)).isoformat(),
                "attachment": f"{title}.pdf",
                "remark": "去年签订，执行中" if old else rng.choice(["待提交会签", "客户已确认条款，待内部会签",
                                                                 "价格已谈妥，待法务审核", None]),
            }, old))
    return contracts


def _contract_title(rng: random.Random, c: dict[str, Any], titles: set[str]) -> str:
    """A contract title not used yet: the customer's short name and a product of its industry."""
    short = c["name"].removeprefix(next(p[1] for p in PLACES if c["name"].startswith(p[1])))[:4]
    while True:
        title = f"{short}{rng.choice(PRODUCTS[c['industry']])}合同"
        if title not in titles:
            titles.add(title)
            return title


def _pick(rng: random.Random, customers: list[CustomerSpec], owner: str) -> int:
    """One of the owner's customers, at random."""
    return rng.choice([i for i, c in enumerate(customers) if c.owner == owner])


# creator, status, handler, category, content
TICKET_TEXTS: list[tuple[str, str, str | None, str, str]] = [
    ("zhangsan", "open", None, "product", "GIS平台地图服务频繁超时，影响外业数据上报，请尽快安排排查。"),
    ("lisi", "assigned", "chuwei", "product", "管网监测系统昨日起部分传感器数据缺失，报表显示为空。"),
    ("zhouqiang", "handling", "chuwei", "product", "升级到新版本后不动产登记系统打印模板错位。"),
    ("lisi", "callback", "hanmei", "service", "数据加工服务第二批成果比合同约定晚交付两周，客户要求说明原因。"),
    ("zhangsan", "closed", "hanmei", "service", "客户反映上次现场服务工程师未按约定时间到场。"),
]


def _tickets(rng: random.Random, customers: list[CustomerSpec], today: date
             ) -> list[tuple[str, int | None, dict[str, Any]]]:
    """A ticket in every status, each from a contact of one of its creator's customers, and a
    hotline call with no customer."""
    tickets: list[tuple[str, int | None, dict[str, Any]]] = []
    for creator, status, handler, category, content in TICKET_TEXTS:
        ci = _pick(rng, customers, creator)
        contact = customers[ci].contacts[0]
        ticket: dict[str, Any] = {
            "complainant": contact["name"], "contact_info": contact["mobile"], "content": content,
            "category": category, "status": status,
            "expected_at": f"{(today + timedelta(days=rng.randint(1, 7))).isoformat()}T18:00:00+08:00",
        }
        _ticket_progress(ticket, status, handler)
        tickets.append((creator, ci, ticket))
    tickets.append((HOTLINE_USER, None, {
        "complainant": "吴先生", "contact_info": "13912345678", "category": "inquiry", "status": "open",
        "content": "来电咨询去年采购的数据中台软件能否续保，以及续保价格。",
    }))
    return tickets


def _ticket_progress(ticket: dict[str, Any], status: str, handler: str | None) -> None:
    """The fields a ticket has filled in by the time it reaches `status`."""
    if handler:
        ticket["handler"] = handler
    if status in ("handling", "callback", "closed"):
        ticket["verification"] = "情况属实，已与客户联系人确认。"
        ticket["handling_method"] = "远程排查并安排工程师上门处理。"
    if status in ("callback", "closed"):
        ticket["result"] = "问题已解决，客户确认恢复正常。"
    if status == "closed":
        ticket["satisfaction"] = 4
        ticket["customer_opinion"] = "处理及时，希望以后提前沟通到场时间。"


# claimant, title, lines (category, amount, note)
CLAIM_ITEMS: list[tuple[str, str, list[tuple[str, str, str | None]]]] = [
    ("zhangsan", "杭州、苏州客户拜访差旅报销",
     [("transport", "1280.00", "高铁往返"), ("travel", "960.00", "住宿两晚"),
      ("entertainment", "650.00", "工作餐")]),
    ("lisi", "行业展会参展费用报销",
     [("other", "3500.00", "会务费：展位费分摊"), ("transport", "860.00", "机票"), ("travel", "1200.00", "住宿")]),
]


def _claims(rng: random.Random, customers: list[CustomerSpec], today: date
            ) -> list[tuple[str, dict[str, Any], list[tuple[int | None, dict[str, Any]]]]]:
    """Expense claims whose transport and entertainment lines name one of the claimant's customers."""
    claims: list[tuple[str, dict[str, Any], list[tuple[int | None, dict[str, Any]]]]] = []
    for claimant, title, items in CLAIM_ITEMS:
        lines: list[tuple[int | None, dict[str, Any]]] = []
        for n, (category, line_amount, line_note) in enumerate(items):
            line_ci = _pick(rng, customers, claimant) if category in ("transport", "entertainment") else None
            lines.append((line_ci, {"date": (today - timedelta(days=20 - 3 * n)).isoformat(), "category": category,
                               "amount": line_amount, "note": line_note}))
        claims.append((claimant, {"title": title, "remark": "发票已粘贴，待提交"}, lines))
    return claims
