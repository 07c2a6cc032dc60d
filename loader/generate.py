"""A deterministic synthetic portfolio in the CSV templates, at any size (in the spirit of LUBM).

Everything it writes is fictional: organisations, projects, people's money. The same number of
projects and the same seed give byte-identical files on every machine.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from innograph.loader.tables import TABLES

COMPONENTS = [f"A{i}" for i in range(1, 6)] + [f"P{i}" for i in range(1, 6)] + \
             [f"S{i}" for i in range(1, 7)] + [f"B{i}" for i in range(1, 9)]
FOCUS_AREAS = [f"F{i:02d}" for i in range(1, 11)]
FOCUS_WEIGHTS = [20, 16, 14, 10, 9, 6, 4, 3, 1, 1]  # some areas are deliberately thin: coverage gaps
PLACES = ["Chengzhong District", "Chengdong District", "Chengxi District", "Chengbei District",
          "Huangzhong District", "Datong Hui and Tu Autonomous County", "Huangyuan County",
          "Dongchuan Industrial Park", "Nanchuan Industrial Park", "Ganhe Industrial Park"]
BUREAU = "Xining Municipal Science and Technology Bureau"
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"

FIELDS = [("Plateau Ecology", "高原生态"), ("New Energy", "新能源"), ("Materials", "材料"),
          ("Tibetan Medicine", "藏医药"), ("Agriculture", "农牧"), ("Information", "信息"),
          ("Salt Lake Chemistry", "盐湖化工"), ("Biology", "生物"), ("Mechanics", "机械"), ("Health", "健康")]
ORG_KINDS = [
    ("university", 0.15, "{place} {field} University", "{zplace}{zfield}大学"),
    ("research_institute", 0.22, "{place} Institute of {field}", "{zplace}{zfield}研究所"),
    ("enterprise", 0.55, "{place} {field} {suffix} Co., Ltd.", "{zplace}{zfield}{zsuffix}有限公司"),
    ("government_agency", 0.08, "{place} {field} Promotion Office", "{zplace}{zfield}促进办公室"),
]
SUFFIXES = [("Technology", "科技"), ("Industry", "实业"), ("Development", "开发"), ("Engineering", "工程")]
PLACE_WORDS = [("Qinghe", "青河"), ("Xishan", "西山"), ("Nanshan", "南山"), ("Beichuan", "北川"), ("Huangshui", "湟水"),
               ("Kunlun", "昆仑"), ("Qilian", "祁连"), ("Riyue", "日月"), ("Haihu", "海湖"), ("Datong", "大同")]
TECHNIQUES = [("Key technologies", "关键技术"), ("Demonstration", "示范"), ("Process optimisation", "工艺优化"),
              ("Quality standards", "质量标准"), ("Pilot production", "中试生产"), ("Monitoring system", "监测系统")]
SUBJECTS = [("photovoltaic modules", "光伏组件"), ("yak dairy products", "牦牛乳制品"),
            ("Tibetan carpets", "藏毯"), ("lithium extraction", "提锂"), ("highland barley", "青稞"),
            ("wolfberry", "枸杞"), ("Tibetan medicinal herbs", "藏药材"), ("magnesium alloys", "镁合金"),
            ("electronic copper foil", "电子铜箔"), ("grassland restoration", "草原修复"),
            ("endemic disease screening", "地方病筛查"), ("smart grids", "智能电网")]


def _uscc(rng: random.Random) -> str:
    return "91" + "630100" + "".join(rng.choice(USCC_CHARS) for _ in range(10))


def _organisations(rng: random.Random, count: int) -> list[dict[str, str]]:
    rows, names = [], set()
    while len(rows) < count:
        kind, _, en, zh = rng.choices(ORG_KINDS, weights=[k[1] for k in ORG_KINDS])[0]
        (place, zplace), (field, zfield), (suffix, zsuffix) = (rng.choice(PLACE_WORDS), rng.choice(FIELDS),
                                                               rng.choice(SUFFIXES))
        name_en = en.format(place=place, field=field, suffix=suffix)
        if name_en in names:
            name_en = f"{name_en.removesuffix(' Co., Ltd.')} No. {len(rows) + 1}" + \
                (" Co., Ltd." if kind == "enterprise" else "")
        names.add(name_en)
        rows.append({
            "id": _uscc(rng) if rng.random() < 0.8 else "",
            "name_en": name_en,
            "name_zh": zh.format(zplace=zplace, zfield=zfield, zsuffix=zsuffix) + (f"{len(rows) + 1}号" if
                                                                                    name_en.count("No.") else ""),
            "type": kind,
            "location": rng.choice(PLACES) if rng.random() < 0.95 else "",
            "parent": "",
        })
    return rows


def _reference(org: dict[str, str]) -> str:
    return org["id"] or org["name_en"]


def generate_rows(projects: int, seed: int) -> dict[str, list[dict[str, str]]]:
    """The four tables of a synthetic portfolio, as rows of strings."""
    rng = random.Random(seed)
    organisations = _organisations(rng, max(40, projects // 4))
    rows: dict[str, list[dict[str, str]]] = {"organisations": organisations, "projects": [], "participation": [],
                                             "funding": []}
    for number in range(1, projects + 1):
        start = rng.randint(2019, 2025)
        code = f"XN-{start}-{number:05d}"
        (technique, ztechnique), (subject, zsubject) = rng.choice(TECHNIQUES), rng.choice(SUBJECTS)
        areas = sorted(set(rng.choices(FOCUS_AREAS, weights=FOCUS_WEIGHTS, k=rng.randint(1, 2))))
        rows["projects"].append({
            "code": code, "title_en": f"{technique} for {subject} ({number})",
            "title_zh": f"{zsubject}{ztechnique}（{number}）",
            "component": COMPONENTS[(number - 1) % len(COMPONENTS)] if number <= len(COMPONENTS)
            else rng.choice(COMPONENTS),
            "focus_areas": ";".join(areas), "start_year": str(start), "end_year": str(start + rng.randint(1, 3)),
        })
        team = rng.sample(organisations, k=1 + min(rng.choice([0, 1, 1, 2, 2, 3]), len(organisations) - 1))
        shares = [round(1 / len(team), 4)] * len(team)
        for position, org in enumerate(team):
            rows["participation"].append({"project": code, "organisation": _reference(org),
                                          "role": "lead" if position == 0 else "participant",
                                          "funding_share": str(shares[position])})
        for grant in range(rng.choice([0, 1, 1, 1, 2]) if number > len(COMPONENTS) else 1):
            rows["funding"].append({"grant_id": f"{code}-G{grant + 1}", "project": code, "funder": BUREAU,
                                    "amount": str(rng.randint(50, 2000) * 1000), "currency": "CNY",
                                    "year": str(start + grant)})
    return rows


def generate_portfolio(out_dir: Path, projects: int, seed: int) -> dict[str, int]:
    """Write the four CSV tables into `out_dir`; returns rows written per table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = generate_rows(projects, seed)
    for table, records in rows.items():
        with open(out_dir / f"{table}.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=TABLES[table].names, lineterminator="\n")
            writer.writeheader()
            writer.writerows(records)
    return {table: len(records) for table, records in rows.items()}
