"""Roster import: validate a roster file, then store it everywhere it matters — or nowhere.

Parsing and validation are airclass.core.roster; this step writes the platform DB, the
hub credentials, every course gradebook's student list, and updates a running hub.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from airclass.core import audit
from airclass.core.platform_db import PlatformDB
from airclass.core.roster import RosterReport, parse_roster
from airclass.core.settings import Settings
from airclass.hub import hubclient
from airclass.hub.credentials import ensure_credentials, issue_activation_codes
from airclass.system import layout
from grader.grading import sync_students


def _write_codes(path: Path, people: list[dict], codes: dict[str, str]) -> None:
    """Activation codes of the accounts that have no password yet; readable by its owner only."""
    with open(
        os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8-sig", newline=""
    ) as fh:
        os.fchmod(fh.fileno(), 0o600)  # an existing file keeps its mode on O_CREAT
        writer = csv.writer(fh)
        writer.writerow(["学员编号", "姓名", "城市", "激活码"])
        for person in people:
            if person["user_id"] in codes:
                writer.writerow([person["user_id"], person["name"], person["city"], codes[person["user_id"]]])


def import_roster(
    settings: Settings,
    path: str | Path,
    *,
    dry_run: bool = False,
    initial_password: str | None = None,
    passwords_out: str | Path | None = None,
    actor: str | None = None,
) -> RosterReport:
    """Validate `path`, then store it: platform DB, hub credentials, course gradebooks.

    Nothing is written unless every row is valid. Roster users without a password get
    `initial_password` (the demo; real sites pass it in a file or an environment
    variable, never on a command line), or with `passwords_out` a one-time activation
    code each, listed in that CSV (mode 0600) for the admin to hand out: with it they set
    their own password on the sign-up page. Without either they cannot sign up (the
    sign-up page refuses a roster id without its code) until codes are issued. The import
    and every access it grants or changes go to the audit trail, naming `actor` (default:
    the account running the command), in the same transaction.
    """
    deployed = set(layout.deployed_course_ids(settings))
    report = parse_roster(path, deployed)
    if dry_run:
        return report
    with PlatformDB(settings.platform_db_url) as db:
        audit.record_roster_import(db, actor or audit.cli_actor(), Path(path), report.people)
        db.upsert_people(report.people)
    layout.fix_platform_permissions(settings)
    names = [p["user_id"] for p in report.people]
    passwords = {n: initial_password for n in names} if initial_password else {}
    settings.hub_dir.mkdir(parents=True, exist_ok=True)
    ensure_credentials(settings.hub_db_url, passwords, names)
    if passwords_out:
        codes = issue_activation_codes(settings.hub_db_url, names)
        _write_codes(Path(passwords_out), report.people, codes)
        report.activation_codes = len(codes)
    for course in sorted(deployed):
        cadres = [p for p in report.people if p["role"] == "cadre" and course in p["courses"]]
        sync_students(settings, course, cadres)
    if hubclient.hub_is_running(settings):
        report.hub_changes = hubclient.sync_roster(settings, report.people, sorted(deployed))
    return report
