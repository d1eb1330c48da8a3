"""Shandong's 16 prefecture-level cities and their division codes (莱芜 merged into 济南, 2019)."""

CITY_CODES: dict[str, str] = {
    "济南": "3701",
    "青岛": "3702",
    "淄博": "3703",
    "枣庄": "3704",
    "东营": "3705",
    "烟台": "3706",
    "潍坊": "3707",
    "济宁": "3708",
    "泰安": "3709",
    "威海": "3710",
    "日照": "3711",
    "临沂": "3713",
    "德州": "3714",
    "聊城": "3715",
    "滨州": "3716",
    "菏泽": "3717",
}


def normalize_city(value: str) -> str | None:
    """'济南市' or '济南' → '济南'; None when it is not one of the 16."""
    name = value.strip().removesuffix("市")
    return name if name in CITY_CODES else None
