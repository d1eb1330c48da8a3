"""The formgrader services show cadre-written notebooks to trainers: keep cadre HTML inert.

nbgrader's formgrader renders a submission's markdown, raw cells and outputs as HTML on
the hub's origin, where a script could act as the trainer (mint hub tokens, change grades).
Two independent layers, both loaded by the formgrader services' own Jupyter config
(written by airclass.system.layout.write_formgrader_config):

1. Sanitising: nbconvert's `SanitizeHTML` (bleach) cleans markdown, raw cells and outputs,
   and `SafeNbgraderMetadata` keeps cell ids that the template prints raw to a safe
   alphabet, before the page is rendered.
2. A Content-Security-Policy on every formgrader page (`FormgraderCSP`): scripts run only
   from the service itself or when they carry this response's nonce, which is added only
   to the formgrader's own inline scripts — those before the submitted notebook on a
   submission page — so a script that got past the sanitiser still does not run.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from typing import Any

from nbconvert.preprocessors import Preprocessor
from tornado.web import OutputTransform

#: Where cadre content starts on nbgrader's submission page (formgrade/index.html.j2).
NOTEBOOK_MARKER = b'<div id="notebook"'
#: The formgrader's own inline event handlers (show/hide student names), allowed by hash.
TRUSTED_HANDLERS = ("toggle_name(true);", "toggle_name(false);", "toggleAllNames()")
SAFE_ID = re.compile(r"[^A-Za-z0-9_.\-]")
SCRIPT_TAG = re.compile(rb"<script(?=[\s>])")


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def content_security_policy(nonce: str) -> str:
    handlers = " ".join(_hash(h) for h in TRUSTED_HANDLERS)
    return (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}' 'unsafe-hashes' {handlers}; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    )


def add_nonce(html: bytes, nonce: str) -> bytes:
    """Give the page's own <script> tags the nonce: all of them, or on a submission page
    only those before the submitted notebook."""
    cut = html.find(NOTEBOOK_MARKER)
    trusted, rest = (html, b"") if cut < 0 else (html[:cut], html[cut:])
    return SCRIPT_TAG.sub(b'<script nonce="' + nonce.encode() + b'"', trusted) + rest


class FormgraderCSP(OutputTransform):
    """Tornado output transform: CSP + nonces on the formgrader's HTML pages."""

    def __init__(self, request: Any):
        super().__init__(request)
        self._applies = "/formgrader" in request.path

    def transform_first_chunk(self, status_code, headers, chunk, finishing):
        if self._applies and headers.get("Content-Type", "").startswith("text/html"):
            nonce = secrets.token_urlsafe(18)
            headers["Content-Security-Policy"] = content_security_policy(nonce)
            chunk = add_nonce(chunk, nonce)
            if "Content-Length" in headers:
                headers["Content-Length"] = str(len(chunk))
        return status_code, headers, chunk


class SafeNbgraderMetadata(Preprocessor):
    """nbgrader's formgrade template prints `metadata.nbgrader.grade_id` into HTML
    attributes unescaped; a cadre controls it in cells they add. Keep it to [A-Za-z0-9_.-]."""

    def preprocess_cell(self, cell, resources, index):
        meta = cell.get("metadata", {}).get("nbgrader")
        if isinstance(meta, dict) and "grade_id" in meta:
            meta["grade_id"] = SAFE_ID.sub("_", str(meta["grade_id"]))
        return cell, resources


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": __name__}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    # first, so it sees the page before any compression transform
    serverapp.web_app.transforms.insert(0, FormgraderCSP)
    serverapp.log.info("airclass: formgrader pages carry a nonce-based Content-Security-Policy")
