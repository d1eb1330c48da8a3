"""Lay out the data directory and deploy courses into it, with the permissions that isolate roles.

<data>/hub/                 root 0700     hub database, cookie secret, proxy token
<data>/platform/            airclass-api:airclass-dash 0750   roster, lesson completions
<data>/courses/<id>/        grader-<id>:ac-<id> 2770   nbgrader course root (source, gradebook)
<data>/public/<id>/         world-readable   course.toml, lessons/, data/
<data>/exchange/            1777             nbgrader exchange (nbgrader sets sub-permissions)
<data>/etc/jupyter/         world-readable   student-side nbgrader config
<data>/dashboards/          world-readable   Voila notebooks for the dashboard services
"""

from __future__ import annotations

import contextlib
import grp
import io
import json
import os
import pwd
import secrets
import shutil
import stat
import subprocess
import tarfile
from pathlib import Path

from airclass.core import databases, dburls, names
from airclass.core.catalog import Course, load_course
from airclass.core.names import API_USER, DASH_USER  # noqa: E402
from airclass.core.platform_db import migrate as migrate_platform_db
from airclass.core.settings import Settings
from airclass.system import accounts
from airclass.system.childproc import system_tool
from airclass.system.safe_fs import own_tree

#: Voila service -> the notebooks it serves (its landing page first). A service's folder
#: holds only these, so /services/learning/ cannot render the managers' dashboard.
DASHBOARD_NOTEBOOKS = {
    names.DASHBOARD_SERVICE: ("manager.ipynb",),
    names.LEARNING_SERVICE: ("my_progress.ipynb", "trainer.ipynb"),
}


def _mkdir(path: Path, mode: int) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, mode)
    return path


def ensure_service_accounts(settings: Settings) -> None:
    """System accounts for the dashboard (reads gradebooks) and the completion API."""
    for name in (DASH_USER, API_USER):
        if not accounts.user_exists(name):
            accounts._run(
                [
                    "useradd",
                    "--system",
                    "--create-home",
                    "--shell",
                    "/usr/sbin/nologin",
                    "--user-group",
                    name,
                ]
            )
    if DASH_USER not in accounts.groups_of(API_USER):
        accounts._run(["usermod", "--append", "--groups", DASH_USER, API_USER])
    # useradd makes system homes 0755; the dashboard's home holds its IPython history
    # (who viewed what) and caches: private to the account.
    for name in (DASH_USER, API_USER):
        home = pwd.getpwnam(name).pw_dir
        if os.path.isdir(home) and not os.path.islink(home):
            os.chmod(home, 0o700)


def fix_platform_permissions(settings: Settings) -> None:
    """The completion API writes the platform DB; dashboards read it; nobody else can."""
    ensure_service_accounts(settings)
    folder = settings.platform_db.parent
    _mkdir(folder, 0o770)
    # files 0660, never through a link the API account planted (airclass.system.safe_fs)
    own_tree(folder, pwd.getpwnam(API_USER).pw_uid, grp.getgrnam(DASH_USER).gr_gid, file_mode=0o660)
    os.chmod(folder, 0o770)


def student_nbgrader_config(settings: Settings) -> str:
    return (
        "# Written by airclass (airclass/system/layout.py): the cadre side of nbgrader.\n"
        "c = get_config()\n"
        f"c.Exchange.root = {str(settings.exchange_dir)!r}\n"
        "c.Exchange.path_includes_course = True\n"
        "# A cadre sees only the courses whose nbgrader-<course> hub group they belong to.\n"
        "c.Authenticator.plugin_class = 'nbgrader.auth.JupyterHubAuthPlugin'\n"
    )


def gradebook_password_file(settings: Settings, course_id: str) -> Path:
    """libpq password file of a course's gradebook: the grader account's alone (0600) — the
    course root, which its trainers read, holds the URL without the password."""
    return settings.data_dir / "gradebook-passwords" / f"{course_id}.pgpass"


CODE_STUB = "pass  # 在这里作答：写代码，或把上面的 ... 换成你的答案"
TEXT_STUB = "在这里写你的回答。"


def course_nbgrader_config(settings: Settings, course_id: str) -> str:
    db_url, password = dburls.split_password(settings.gradebook_url(course_id))
    secret = ""
    if password:
        where = str(gradebook_password_file(settings, course_id))
        secret = (
            f"import os\nos.environ['PGPASSFILE'] = {where!r}  # the password, readable by the grader only\n"
        )
    return (
        "# Written by airclass (airclass/system/layout.py): the trainer side of nbgrader for one course.\n"
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(settings.course_root(course_id))!r}\n"
        f"c.CourseDirectory.course_id = {course_id!r}\n"
        f"{secret}"
        f"c.CourseDirectory.db_url = {db_url!r}\n"
        f"c.Exchange.root = {str(settings.exchange_dir)!r}\n"
        "c.Exchange.path_includes_course = True\n"
        f"c.ExecutePreprocessor.timeout = {settings['nbgrader']['execute_timeout']}\n"
        "# Collect screens the exchange inbox first: forged, unenrolled or backdated work is\n"
        "# quarantined (grader/intake.py), also from the formgrader's Collect button.\n"
        "c.ExchangeFactory.collect = 'grader.intake.ScreenedExchangeCollect'\n"
        "# Feedback shows the hidden tests' results but never their text.\n"
        "c.ClearHiddenTests.enforce_metadata = True\n"
        "# Trainers read deadlines and submission times in Beijing time (stored as UTC).\n"
        "c.NbGraderAPI.timezone = 'Asia/Shanghai'\n"
        "c.NbGraderAPI.timestamp_format = '%Y-%m-%d %H:%M'\n"
        "# Released answers say where to answer in Chinese, and a fill-in line (`x = ...`) above the\n"
        "# solution region still runs (nbgrader's default stub raises NotImplementedError).\n"
        f"c.ClearSolutions.code_stub = {{'python': {CODE_STUB!r}}}\n"
        f"c.ClearSolutions.text_stub = {TEXT_STUB!r}\n"
        "c.GenerateFeedback.preprocessors = ['nbgrader.preprocessors.GetGrades', "
        "'grader.feedback.LeakFreeFeedback', 'nbconvert.preprocessors.CSSHTMLHeaderPreprocessor']\n"
    )


# Cadres' (and trainers' own) servers get the student side of nbgrader only: the
# formgrader and assignment authoring live in the per-course formgrader services.
USER_SERVER_CONFIG = {
    "ServerApp": {
        "jpserver_extensions": {
            "nbgrader.server_extensions.formgrader": False,
            "nbgrader.server_extensions.course_list": False,
            # 我的作业 (airclass/learner): assignments in Chinese, run as the cadre.
            "airclass.learner": True,
        }
    },
    # Lessons open as Voila pages: text, widgets and quick checks, no code.
    "VoilaConfiguration": {"strip_sources": True},
}
USER_LAB_PAGE_CONFIG = {
    "disabledExtensions": {
        "@jupyter/nbgrader:formgrader": True,
        "@jupyter/nbgrader:create-assignment": True,
        "@jupyter/nbgrader:course-list": True,
    }
}


# Formgrader services (and only they) load the extensions that audit manual grades and
# send the Autograde button to the sandboxed grading service.
FORMGRADER_SERVER_CONFIG = {
    "ServerApp": {
        "jpserver_extensions": {
            "airclass.services.grade_audit": True,
            "airclass.services.formgrader_autograde": True,
        }
    }
}


def formgrader_config_dir(settings: Settings) -> Path:
    return settings.data_dir / "etc" / "formgrader"


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o755)
    path.write_text(json.dumps(data, indent=2))
    os.chmod(path, 0o644)


def prepare_data_dir(settings: Settings) -> None:
    accounts.require_root("Preparing the data directory")
    ensure_service_accounts(settings)
    accounts.ensure_group(settings["accounts"]["unix_group"])
    _mkdir(settings.data_dir, 0o755)
    _mkdir(settings.hub_dir, 0o700)
    ensure_hub_secrets(settings)
    _mkdir(settings.courses_dir, 0o755)
    _mkdir(settings.public_dir, 0o755)
    _mkdir(settings.dashboards_dir, 0o755)
    _mkdir(settings.exchange_dir, 0o1777)
    config_dir = _mkdir(settings.jupyter_config_dir, 0o755)
    (config_dir / "nbgrader_config.py").write_text(student_nbgrader_config(settings))
    os.chmod(config_dir / "nbgrader_config.py", 0o644)
    _write_json(config_dir / "jupyter_server_config.json", USER_SERVER_CONFIG)
    _write_json(config_dir / "labconfig" / "page_config.json", USER_LAB_PAGE_CONFIG)
    _write_json(
        formgrader_config_dir(settings) / "jupyter_server_config.d" / "airclass-grade-audit.json",
        FORMGRADER_SERVER_CONFIG,
    )
    write_formgrader_config(settings)
    _mkdir(settings.platform_db.parent, 0o770)
    databases.ensure_schema(settings.hub_db_url)
    migrate_platform_db(settings.platform_db_url)  # before fixing its files' owners below
    fix_platform_permissions(settings)
    protect_settings_file(settings)


#: Secrets the hub reads at start: the proxy's API token and the CLI's admin-service token.
HUB_SECRETS = ("proxy_token", "admin_api_token")


def ensure_hub_secrets(settings: Settings) -> None:
    """Random secrets in the root-only hub folder, created once (stable across restarts)."""
    settings.hub_dir.mkdir(parents=True, exist_ok=True)
    for name in HUB_SECRETS:
        path = settings.hub_dir / name
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))


def hub_secret(settings: Settings, name: str) -> str:
    try:
        return (settings.hub_dir / name).read_text().strip()
    except FileNotFoundError:
        raise FileNotFoundError(
            f"{settings.hub_dir / name} is missing: run `airclass setup` (it creates the hub's secrets)"
        ) from None


def is_prepared(settings: Settings) -> bool:
    """Whether `prepare_data_dir` has run for these settings (the hub refuses to start otherwise)."""
    return (
        settings.hub_dir.is_dir()
        and settings.jupyter_config_dir.is_dir()
        and databases.exists(settings.platform_db_url)
    )


FORMGRADER_GUARD_CONFIG = """\
# Written by airclass (airclass/system/layout.py) for the formgrader services;
# see airclass.services.formgrader_guard (enabled by jupyter_server_config.d/airclass-formgrader.json).
c = get_config()  # noqa: F821
# Cadre HTML in submissions is sanitised before the formgrader renders it.
c.HTMLExporter.preprocessors = [
    "nbconvert.preprocessors.sanitize.SanitizeHTML",
    "airclass.services.formgrader_guard.SafeNbgraderMetadata",
]
c.SanitizeHTML.strip = True
"""


#: Enabled the way extensions enable themselves (config.d JSON), so nbgrader's own
#: formgrader extensions stay enabled beside it.
FORMGRADER_EXTENSION = {"ServerApp": {"jpserver_extensions": {"airclass.services.formgrader_guard": True}}}


def write_formgrader_config(settings: Settings) -> None:
    folder = _mkdir(formgrader_config_dir(settings), 0o755)
    (folder / "jupyter_server_config.py").write_text(FORMGRADER_GUARD_CONFIG)
    os.chmod(folder / "jupyter_server_config.py", 0o644)
    _write_json(folder / "jupyter_server_config.d" / "airclass-formgrader.json", FORMGRADER_EXTENSION)


def protect_settings_file(settings: Settings) -> None:
    """The settings may hold secrets (the SSO client secret): root and the platform's
    service accounts read them; cadres' servers never need them."""
    if settings.source and settings.source.is_file():
        os.chown(settings.source, 0, grp.getgrnam(DASH_USER).gr_gid)
        os.chmod(settings.source, 0o640)


def _sync(src: Path, dest: Path) -> None:
    if src.is_dir():
        shutil.copytree(
            src,
            dest,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
        )


_SKIP = {".ipynb_checkpoints", "__pycache__"}


def _course_bundle(course: Course, nbgrader_config: str) -> bytes:
    """The catalog files of a course root (source, lessons, data, course.toml) and its
    nbgrader config, as an in-memory tar."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for part in ("source", "lessons", "data", "course.toml"):
            if (course.path / part).exists():
                tar.add(
                    course.path / part,
                    arcname=part,
                    filter=lambda info: None if _SKIP & set(Path(info.name).parts) else info,
                )
        data = nbgrader_config.encode()
        info = tarfile.TarInfo("nbgrader_config.py")
        info.size, info.mode = len(data), 0o660
        tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _extract_as(user: str, dest: Path, bundle: bytes) -> None:
    proc = subprocess.run(
        [system_tool("runuser"), "-u", user, "--", system_tool("tar"), "-x", "--no-same-owner"]
        + ["-C", str(dest), "-f", "-"],
        input=bundle,
        capture_output=True,
        cwd="/",
    )
    if proc.returncode != 0:
        raise accounts.AccountError(f"copying into {dest} as {user} failed: {proc.stderr.decode()[-500:]}")


#: nbgrader's own modes for a course's exchange folders (its release/submit/feedback steps
#: check them and that the grader account owns them).
EXCHANGE_MODES = {"": 0o755, "outbound": 0o755, "inbound": 0o2733, "feedback": 0o711}


def ensure_exchange(settings: Settings, course_id: str) -> Path:
    """Create exchange/<course> at deploy, owned by the grader account. The exchange root
    is world-writable (1777, nbgrader needs it): a folder anyone else made under this
    course's name before deploy is a squat, and is removed."""
    course_dir = settings.exchange_dir / course_id
    grader = pwd.getpwnam(names.grader_account(course_id))
    info = os.lstat(course_dir) if os.path.lexists(course_dir) else None
    squatted = info is not None and (info.st_uid != grader.pw_uid or not stat.S_ISDIR(info.st_mode))
    if info is not None and squatted:
        if stat.S_ISDIR(info.st_mode):
            shutil.rmtree(course_dir)  # fd-based on Linux: does not follow links inside
        else:
            os.unlink(course_dir)
    if info is None or squatted:
        os.mkdir(course_dir)  # fails if someone raced us to the name: deploy again
    for part, mode in EXCHANGE_MODES.items():
        path = course_dir / part
        with contextlib.suppress(FileExistsError):
            os.mkdir(path)
        # O_NOFOLLOW: a link the grader account put there is refused, never followed
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_DIRECTORY)
        try:
            os.fchown(fd, grader.pw_uid, grader.pw_gid)
            os.fchmod(fd, mode)
        finally:
            os.close(fd)
    return course_dir


def deploy_course(settings: Settings, course: Course) -> Path:
    """Copy a course from the catalog into the data directory; return its nbgrader root.

    Files from the catalog overwrite their deployed copies; files trainers created in the
    course root (new assignments, gradebook, submissions) are kept.
    """
    accounts.require_root("Deploying a course")
    group = names.course_group(course.id)
    grader = names.grader_account(course.id)
    accounts.ensure_group(group)
    accounts.ensure_user(grader, settings["accounts"]["unix_group"], (group,))
    # The dashboard services read every course's gradebook.
    if group not in accounts.groups_of(DASH_USER):
        accounts._run(["usermod", "--append", "--groups", group, DASH_USER])

    root = _mkdir(settings.course_root(course.id), 0o2770)
    top = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:  # the course root itself (in root's courses folder) belongs to the grader account
        os.fchown(top, pwd.getpwnam(grader).pw_uid, grp.getgrnam(group).gr_gid)
    finally:
        os.close(top)
    # The course root belongs to the grader account (and trainers write there): the copy
    # is extracted by the grader account itself, so a link planted there cannot make root
    # overwrite a file elsewhere.
    bundle = _course_bundle(course, course_nbgrader_config(settings, course.id))
    _extract_as(grader, root, bundle)
    databases.ensure_schema(settings.gradebook_url(course.id))
    _write_gradebook_password(settings, course.id)
    fix_course_permissions(settings, course.id)
    ensure_exchange(settings, course.id)

    public = settings.public_dir / course.id
    if public.exists():
        shutil.rmtree(public)
    _sync(course.path / "lessons", public / "lessons")
    _sync(course.path / "data", public / "data")
    public.mkdir(parents=True, exist_ok=True)
    shutil.copy2(course.path / "course.toml", public / "course.toml")
    for folder, _dirs, files in os.walk(public):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)
    return root


def _write_gradebook_password(settings: Settings, course_id: str) -> None:
    url = settings.gradebook_url(course_id)
    if not dburls.split_password(url)[1]:
        return
    path = gradebook_password_file(settings, course_id)
    _mkdir(path.parent, 0o711)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.unlink(missing_ok=True)
    with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600), "w") as fh:
        fh.write(dburls.pgpass_line(url))
    grader = pwd.getpwnam(names.grader_account(course_id))
    os.chown(tmp, grader.pw_uid, grader.pw_gid)
    os.replace(tmp, path)


def fix_course_permissions(settings: Settings, course_id: str) -> None:
    """grader-<course>:ac-<course>, dirs 2770, files 0660 — the course root is the barrier.
    The grader account and trainers can plant links in it: none is followed."""
    own_tree(
        settings.course_root(course_id),
        pwd.getpwnam(names.grader_account(course_id)).pw_uid,
        grp.getgrnam(names.course_group(course_id)).gr_gid,
        dir_mode=0o2770,
        file_mode=0o660,
    )


def deploy_dashboards(settings: Settings, notebooks_dir: Path, server_config: str) -> None:
    """Copy the Voila dashboard notebooks and the locked-down server config they run under
    (`server_config`: the jupyter_server config text, airclass.services.dashboard_server's)."""
    config_dir = _mkdir(settings.dashboards_dir / "config", 0o755)
    (config_dir / "jupyter_server_config.py").write_text(server_config)
    os.chmod(config_dir / "jupyter_server_config.py", 0o644)
    for service, notebooks in DASHBOARD_NOTEBOOKS.items():
        served = _mkdir(settings.dashboards_dir / service, 0o755)
        for stale in served.glob("*.ipynb"):
            if stale.name not in notebooks:
                stale.unlink()
        for name in notebooks:
            shutil.copy2(Path(notebooks_dir) / name, served / name)
            os.chmod(served / name, 0o644)
    for stale in settings.dashboards_dir.glob("*.ipynb"):  # the former shared folder
        stale.unlink()


def deployed_course_titles(settings: Settings) -> dict[str, str]:
    """Course id → Chinese title of the deployed courses (for hub pages)."""
    return {
        course_id: load_course(settings.course_root(course_id), check_notebooks=False).title
        for course_id in deployed_course_ids(settings)
    }


def deployed_course_ids(settings: Settings) -> list[str]:
    if not settings.courses_dir.is_dir():
        return []
    return sorted(p.name for p in settings.courses_dir.iterdir() if (p / "course.toml").is_file())
