"""The formgrader's CSP nonces and metadata sanitising (no hub needed)."""

from __future__ import annotations

import re

import nbformat

from airclass.services.formgrader_guard import (
    SafeNbgraderMetadata,
    add_nonce,
    content_security_policy,
)

PAGE = (
    b"<html><head><script src='/x.js'></script><script>var base_url='/s';</script></head>"
    b'<body><nav><script>tooltip()</script></nav><div id="notebook">'
    b"<p>answer</p><script>steal()</script><SCRIPT>x()</SCRIPT></div></body></html>"
)


def test_only_the_pages_own_scripts_before_the_notebook_get_the_nonce():
    out = add_nonce(PAGE, "N0NCE")
    head, notebook = out.split(b'<div id="notebook">')
    assert head.count(b'<script nonce="N0NCE"') == 3
    assert b"nonce" not in notebook
    assert add_nonce(b"<p>list page</p><script>a()</script>", "N").count(b'nonce="N"') == 1


def test_policy_allows_no_inline_script_without_the_nonce():
    policy = content_security_policy("N0NCE")
    script = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'nonce-N0NCE'" in script and "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


def test_grade_ids_printed_raw_by_nbgrader_are_kept_to_a_safe_alphabet():
    cell = nbformat.v4.new_markdown_cell("x")
    cell.metadata["nbgrader"] = {"grade_id": '"><script>alert(1)</script>', "solution": True}
    nb = nbformat.v4.new_notebook(cells=[cell])
    out, _ = SafeNbgraderMetadata().preprocess(nb, {})
    grade_id = out.cells[0].metadata["nbgrader"]["grade_id"]
    assert re.fullmatch(r"[A-Za-z0-9_.\-]+", grade_id) and "script" in grade_id
