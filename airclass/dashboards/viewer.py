"""Who is looking at a dashboard, and which rows they may see.

The Voila dashboard service decides the viewer on the server:
`airclass.dashboards.viewer_hook.voila_prelaunch_hook` (configured as
``VoilaConfiguration.prelaunch_hook``) finds the hub user of the request,
looks the person up in the platform DB, refuses roles that may not open the notebook
(HTTP 403), and inserts as the first cell of the notebook a code cell that sets
``AIRCLASS_VIEWER``. The notebook then calls `current_viewer()` and `scope_table()`;
no filter is merely hidden in the page.

Row-level rules (`scope_table`):
    provincial manager → every row; city manager → rows of their city;
    trainer → rows of the courses they teach; cadre → their own rows;
    no viewer, or anything unknown → no rows at all.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the kernels of a warm dashboard render never load pandas
    import pandas as pd

VIEWER_ENV = "AIRCLASS_VIEWER"

#: Which roster roles may open which dashboard notebook.
DASHBOARD_ROLES: dict[str, frozenset[str]] = {
    "manager": frozenset({"manager"}),
    "trainer": frozenset({"trainer"}),
    "my_progress": frozenset({"cadre", "trainer", "manager"}),
}


@dataclass(frozen=True)
class Viewer:
    user_id: str = ""
    role: str = ""
    city: str = ""
    level: str = ""
    courses: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_province_manager(self) -> bool:
        return self.role == "manager" and self.level == "province" and bool(self.user_id)

    @property
    def is_city_manager(self) -> bool:
        return self.role == "manager" and self.level == "city" and bool(self.user_id and self.city)

    @property
    def has_access(self) -> bool:
        if not self.user_id:
            return False
        return self.is_province_manager or self.is_city_manager or self.role in ("trainer", "cadre")

    def to_json(self) -> str:
        return json.dumps(
            {
                "user_id": self.user_id,
                "role": self.role,
                "city": self.city,
                "level": self.level,
                "courses": list(self.courses),
            },
            ensure_ascii=False,
        )


NO_ACCESS = Viewer()


def viewer_from_mapping(data: Mapping[str, Any]) -> Viewer:
    """A Viewer from a dict; anything malformed gives NO_ACCESS."""
    try:
        courses = data.get("courses") or []
        if isinstance(courses, str) or not all(isinstance(c, str) for c in courses):
            return NO_ACCESS
        fields = {k: data.get(k) or "" for k in ("user_id", "role", "city", "level")}
        if not all(isinstance(v, str) for v in fields.values()):
            return NO_ACCESS
        return Viewer(courses=tuple(courses), **fields)
    except (AttributeError, TypeError):
        return NO_ACCESS


def current_viewer(environ: Mapping[str, str] | None = None) -> Viewer:
    """The viewer named by $AIRCLASS_VIEWER (JSON). Absent or invalid: a viewer with no
    access — never everything."""
    raw = (os.environ if environ is None else environ).get(VIEWER_ENV, "")
    if not raw:
        return NO_ACCESS
    try:
        data = json.loads(raw)
    except ValueError:
        return NO_ACCESS
    if not isinstance(data, dict):
        return NO_ACCESS
    return viewer_from_mapping(data)


def scope_table(df: pd.DataFrame, viewer: Viewer) -> pd.DataFrame:
    """Only the rows `viewer` may see (see the module docstring). A table that lacks the
    column a rule needs gives no rows."""
    nothing = df.iloc[0:0]
    if not viewer.has_access:
        return nothing
    if viewer.is_province_manager:
        return df
    if viewer.is_city_manager:
        column, allowed = "city", [viewer.city]
    elif viewer.role == "trainer":
        column, allowed = "course_id", list(viewer.courses)
    elif viewer.role == "cadre":
        column, allowed = "user_id", [viewer.user_id]
    else:
        return nothing
    if column not in df.columns:
        return nothing
    return df[df[column].isin(allowed)]


def visible_cities(viewer: Viewer, all_cities: tuple[str, ...]) -> list[str]:
    """Cities a viewer may pick in a filter: all for the province, their own for a city."""
    if viewer.is_province_manager:
        return list(all_cities)
    if viewer.is_city_manager:
        return [viewer.city]
    return []
