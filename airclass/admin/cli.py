"""`airclass` command line. Commands only parse arguments and call modules that hold the work."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from airclass.admin.backup import BackupError, backup, restore
from airclass.admin.demo import run_demo
from airclass.admin.roster_import import import_roster
from airclass.admin.setup import setup
from airclass.core.catalog import CatalogError, discover, load_course
from airclass.core.roster import RosterError
from airclass.core.settings import SettingsError, load
from airclass.dashboards.report import export_progress
from airclass.hub import k8s
from airclass.learner.certificate import verify as verify_certificate
from airclass.services.dashboard_refresher import warm_cache
from airclass.system import launcher, layout
from airclass.system.accounts import AccountError
from airclass.system.runtime import RuntimeSetupError
from grader.grading import GradingError, grade, release

USER_ERRORS = (
    BackupError,
    SettingsError,
    CatalogError,
    RosterError,
    GradingError,
    AccountError,
    RuntimeSetupError,
    ValueError,
    FileNotFoundError,
)


def cmd_demo(args) -> int:
    return run_demo(args.port, Path(args.data_dir), args.password, args.db_url)


def cmd_setup(args) -> int:
    settings = load(args.settings)
    setup(settings)
    print(f"set up {settings.data_dir} (settings: {settings.source or 'defaults'})")
    return 0


def cmd_hub(args) -> int:
    settings = load(args.settings)
    setup(settings)
    return launcher.run_foreground(settings)


def cmd_roster_import(args) -> int:
    settings = load(args.settings)
    report = import_roster(
        settings,
        args.file,
        dry_run=args.dry_run,
        initial_password=_initial_password(args.initial_password_file),
        passwords_out=args.passwords_out,
    )
    counts = report.counts()
    verb = "would import" if args.dry_run else "imported"
    print(
        f"{args.file}: {verb} {len(report.people)} people "
        f"({counts['cadre']} 学员, {counts['trainer']} 培训师, {counts['manager']} 管理员)"
    )
    if args.dry_run:
        return 0
    if args.passwords_out:
        print(f"{report.activation_codes} activation codes written to {args.passwords_out} (mode 0600)")
    _refresh_dashboards(settings)
    if report.hub_changes is None:
        print("The hub is not running: the roster takes effect when it starts.")
    else:
        print(
            f"Running hub updated: {report.hub_changes['users']} new accounts, "
            f"{report.hub_changes['memberships']} group memberships added."
        )
    return 0


INITIAL_PASSWORD_ENV = "AIRCLASS_INITIAL_PASSWORD"


def _initial_password(path: str | None) -> str | None:
    """A shared first password from a file or $AIRCLASS_INITIAL_PASSWORD — never from the
    command line, where every local account reads it in `ps`."""
    if path:
        password = Path(path).read_text(encoding="utf-8").strip()
        if not password:
            raise ValueError(f"{path}: the file is empty; put the initial password on its first line")
        return password
    return os.environ.get(INITIAL_PASSWORD_ENV) or None


def _course_dirs(paths: list[str]) -> list[Path]:
    if paths:
        return [Path(p) for p in paths]
    root = Path("courses")
    if not root.is_dir():
        raise FileNotFoundError("no ./courses folder here; pass course folders explicitly")
    return sorted(p for p in root.iterdir() if (p / "course.toml").exists())


def cmd_course_validate(args) -> int:
    dirs = _course_dirs(args.paths)
    failed = 0
    for course_dir in dirs:
        try:
            course = load_course(course_dir)
        except CatalogError as exc:
            failed += 1
            print(f"✘ {course_dir}\n{exc}", file=sys.stderr)
            continue
        print(
            f"✔ {course.id}: {course.title} — {len(course.lessons)} lessons, "
            f"{len(course.assignments)} assignments"
        )
    return 1 if failed else 0


def cmd_course_deploy(args) -> int:
    settings = load(args.settings)
    setup(settings, with_runtime=False)
    courses = discover(Path(args.courses))
    chosen = [c for c in courses if not args.course or c.id in args.course]
    for course in chosen:
        root = layout.deploy_course(settings, course)
        print(f"deployed {course.id} → {root}")
    print("Restart the hub so new courses get their formgrader services.")
    return 0


def cmd_course_release(args) -> int:
    settings = load(args.settings)
    course = load_course(settings.course_root(args.course))
    path = release(settings, course, args.assignment)
    print(f"released {args.course}/{args.assignment} → {path}")
    return 0


def cmd_grade(args) -> int:
    settings = load(args.settings)
    course = load_course(settings.course_root(args.course))
    summary = grade(
        settings,
        course,
        args.assignment,
        workers=args.workers,
        force=args.force,
        progress=not args.json and sys.stderr.isatty(),
    )
    print(json.dumps(summary.as_json(), ensure_ascii=False, indent=2) if args.json else summary.table())
    _refresh_dashboards(settings)
    if summary.interrupted:
        return 130
    return 1 if summary.failed else 0


def _refresh_dashboards(settings) -> None:
    warning = warm_cache(settings)
    if warning:
        print(f"warning: {warning}", file=sys.stderr)


def cmd_report_progress(args) -> int:
    settings = load(args.settings)
    rows = export_progress(settings, Path(args.out), args.city, args.course)
    print(f"wrote {rows} rows to {args.out}")
    return 0


def cmd_certificate_verify(args) -> int:
    cert = verify_certificate(load(args.settings), args.code)
    if cert is None:
        print(f"{args.code}: 无效——没有这个验证码的结业证书", file=sys.stderr)
        return 1
    print(
        f"{cert.code}: 有效 — {cert.name}（{cert.user_id}）《{cert.course_title}》"
        f" 作业总分 {cert.score}，发证日期 {cert.issued_on}"
    )
    return 0


def cmd_backup(args) -> int:
    settings = load(args.settings)
    summary = backup(settings, Path(args.dest))
    print(
        f"backed up {summary.files} files ({summary.databases} SQLite databases, "
        f"{summary.bytes / 2**20:.1f} MiB) and {summary.homes} home folders → {args.dest}"
    )
    return 0


def cmd_restore(args) -> int:
    settings = load(args.settings)
    summary = restore(settings, Path(args.src), force=args.force)
    print(
        f"restored {summary.files} files ({summary.databases} SQLite databases) and "
        f"{summary.homes} home folders into {settings.data_dir}; start the hub with `airclass hub`"
    )
    return 0


def _k8s_course_ids(settings, catalog: str) -> list[str]:
    """The deployed courses if this machine has a data dir, else the catalog's."""
    deployed = layout.deployed_course_ids(settings)
    return deployed or [c.id for c in discover(Path(catalog))]


def cmd_k8s_values(args) -> int:
    settings = load(args.settings)
    k8s.check(settings)
    sys.stdout.write(k8s.to_yaml([k8s.helm_values(settings, _k8s_course_ids(settings, args.courses))]))
    return 0


def cmd_k8s_manifests(args) -> int:
    settings = load(args.settings)
    k8s.check(settings)
    sys.stdout.write(k8s.to_yaml(k8s.platform_manifests(settings, _k8s_course_ids(settings, args.courses))))
    return 0


def cmd_k8s_grading_job(args) -> int:
    settings = load(args.settings)
    sys.stdout.write(k8s.to_yaml([k8s.grading_job(settings, args.course, args.assignment)]))
    return 0


def cmd_audit(args) -> int:
    from airclass.core.audit import format_entry
    from airclass.core.platform_db import PlatformDB

    settings = load(args.settings)
    with PlatformDB(settings.platform_db_url) as db:
        entries = db.audit_entries(
            course_ids=args.course or None, action=args.action, since=args.since, limit=args.limit
        )
    for entry in reversed(entries):
        print(format_entry(entry))
    if not entries:
        print("no audit entries match", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="airclass", description="空中课堂 — air classroom")
    parser.add_argument(
        "--settings",
        help="settings file (default: $AIRCLASS_SETTINGS or /etc/airclass/airclass.toml)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="set up and serve a demo classroom in the foreground")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--data-dir", default="/srv/airclass-demo")
    demo.add_argument("--password", default="airclass-demo")
    demo.add_argument(
        "--db-url",
        default="",
        help="PostgreSQL database (postgresql://user:password@host/db) for the hub, the platform "
        "and the gradebooks; default: SQLite files in the data dir",
    )
    demo.set_defaults(func=cmd_demo)

    setup_cmd = sub.add_parser(
        "setup", help="prepare this machine for the hub (accounts, data dir, dashboards); safe to repeat"
    )
    setup_cmd.set_defaults(func=cmd_setup)

    hub = sub.add_parser("hub", help="set up, then serve the hub in the foreground")
    hub.set_defaults(func=cmd_hub)

    roster = sub.add_parser("roster", help="roster commands").add_subparsers(dest="sub", required=True)
    # no abbreviations: `--initial-password SECRET` must not pass as --initial-password-file
    imp = roster.add_parser(
        "import", help="import a roster CSV/XLSX (all rows or nothing)", allow_abbrev=False
    )
    imp.add_argument("file")
    imp.add_argument("--dry-run", action="store_true", help="validate only, change nothing")
    imp.add_argument(
        "--initial-password-file",
        help="file holding one password for roster users who have none yet "
        f"(or set ${INITIAL_PASSWORD_ENV}; never give a password on the command line)",
    )
    imp.add_argument(
        "--passwords-out",
        help="give users without a password a one-time activation code for the sign-up page, "
        "listed in this CSV (mode 0600) for distribution",
    )
    imp.set_defaults(func=cmd_roster_import)

    course = sub.add_parser("course", help="course commands").add_subparsers(dest="sub", required=True)
    val = course.add_parser("validate", help="check course.toml and notebooks")
    val.add_argument("paths", nargs="*", help="course folders (default: ./courses/*)")
    val.set_defaults(func=cmd_course_validate)
    dep = course.add_parser("deploy", help="copy courses from the catalog into the data dir")
    dep.add_argument("course", nargs="*")
    dep.add_argument("--courses", default="courses", help="catalog folder (default ./courses)")
    dep.set_defaults(func=cmd_course_deploy)
    rel = course.add_parser("release", help="generate and release an assignment")
    rel.add_argument("course")
    rel.add_argument("assignment")
    rel.set_defaults(func=cmd_course_release)

    grade = sub.add_parser("grade", help="collect, autograde, and return feedback")
    grade.add_argument("course")
    grade.add_argument("assignment")
    grade.add_argument("--workers", type=int, help="notebooks graded at once (default: one per core)")
    grade.add_argument("--force", action="store_true", help="regrade submissions already graded")
    grade.add_argument("--json", action="store_true", help="print the summary as JSON")
    grade.set_defaults(func=cmd_grade)

    bak = sub.add_parser("backup", help="consistent copy of the whole platform (safe while the hub runs)")
    bak.add_argument("dest", help="a new folder for the backup")
    bak.set_defaults(func=cmd_backup)
    res = sub.add_parser("restore", help="put a backup back (the hub must be stopped)")
    res.add_argument("src", help="a folder written by `airclass backup`")
    res.add_argument("--force", action="store_true", help="overwrite a data directory that holds a platform")
    res.set_defaults(func=cmd_restore)

    kube = sub.add_parser("k8s", help="Kubernetes (Zero to JupyterHub) configuration from the settings")
    kube = kube.add_subparsers(dest="sub", required=True)
    for name, func, text in (
        ("values", cmd_k8s_values, "Helm values for the jupyterhub chart (> values.yaml)"),
        (
            "manifests",
            cmd_k8s_manifests,
            "Deployments and Services the chart does not make (| kubectl apply -f -)",
        ),
    ):
        cmd = kube.add_parser(name, help=text)
        cmd.add_argument(
            "--courses", default="courses", help="catalog folder when no data dir (default ./courses)"
        )
        cmd.set_defaults(func=func)
    job = kube.add_parser("grading-job", help="a Job that grades one assignment (| kubectl apply -f -)")
    job.add_argument("course")
    job.add_argument("assignment")
    job.set_defaults(func=cmd_k8s_grading_job)
    aud = sub.add_parser("audit", help="who changed grades, the roster and permissions, and when")
    aud.add_argument("--course", action="append", help="only entries about this course (repeatable)")
    aud.add_argument("--action", choices=["roster.import", "permission.change", "grade.manual"])
    aud.add_argument("--since", help="ISO date or time (UTC), e.g. 2026-11-01")
    aud.add_argument("--limit", type=int, default=200, help="newest N entries (default 200)")
    aud.set_defaults(func=cmd_audit)

    report = sub.add_parser("report", help="reports").add_subparsers(dest="sub", required=True)
    prog = report.add_parser("progress", help="export the progress table (xlsx or csv)")
    prog.add_argument("--out", required=True)
    prog.add_argument("--city")
    prog.add_argument("--course")
    prog.set_defaults(func=cmd_report_progress)

    cert = sub.add_parser("certificate", help="结业证书").add_subparsers(dest="sub", required=True)
    check = cert.add_parser("verify", help="check a certificate's verification code")
    check.add_argument("code")
    check.set_defaults(func=cmd_certificate_verify)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except USER_ERRORS as exc:
        print(f"airclass: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
