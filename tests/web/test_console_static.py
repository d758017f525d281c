"""What the console serves without a node: pinned static files, complete Russian catalog,
autoescaping everywhere, settings that refuse a non-loopback listen without TLS."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from exchange.errors import ConfigError
from exchange.web import console, i18n
from exchange.web.settings import load

WEB = Path(console.__file__).parent


def test_vendored_static_files_match_their_pinned_hashes() -> None:
    for name, digest in console.PINNED.items():
        assert hashlib.sha256((console.STATIC / name).read_bytes()).hexdigest() == digest, name
    base = (WEB / "templates" / "base.html").read_text()
    assert "integrity=\"{{ sri['htmx.min.js'] }}\"" in base
    assert console.sri("htmx.min.js").startswith("sha384-")


def test_templates_have_no_inline_script_style_or_remote_source() -> None:
    for t in (WEB / "templates").glob("*.html"):
        text = t.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=\"/static/)", text), t.name
        assert "<style" not in text and " style=" not in text, t.name
        assert " on" + "click=" not in text and "javascript:" not in text, t.name
        assert "http://" not in text and "https://" not in text, t.name
        assert "|safe" not in text.replace(" ", "") and "autoescape false" not in text, t.name


def test_every_input_has_a_label() -> None:
    for t in (WEB / "templates").glob("*.html"):
        text = t.read_text()
        ids = set(re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', text))
        for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", text):
            if 'type="hidden"' in tag or 'type="checkbox"' in tag:
                continue  # checkboxes are wrapped in their <label>
            found = re.search(r'\bid="([^"]+)"', tag)
            assert found, f"{t.name}: an input without an id: {tag}"
        for i in ids:
            assert f'for="{i}"' in text, f"{t.name}: no label for {i}"


def test_russian_catalog_is_complete_and_skeletons_exist() -> None:
    with (WEB / "locale" / "messages.pot").open("rb") as fh:
        ids = {m.id for m in read_po(fh) if m.id}
    with (WEB / "locale" / "ru" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        ru = {m.id: m.string for m in read_po(fh) if m.id}
    assert ids and ids == set(ru), "messages.pot and the Russian catalog differ"
    assert all(ru.values()), [k for k, v in ru.items() if not v]
    for lang in ("kk", "ky", "tg", "uz"):
        assert (WEB / "locale" / lang / "LC_MESSAGES" / "messages.po").exists()
    i18n.load()
    token = i18n.CURRENT.set("ru")
    try:
        assert i18n.gettext("Inbox") == "Входящие"
    finally:
        i18n.CURRENT.reset(token)
    assert i18n.gettext("Inbox") == "Inbox"


def test_non_loopback_without_tls_refused(tmp_path: Path) -> None:
    cfg = tmp_path / "n.toml"
    cfg.write_text('country = "kz"\n')
    assert load(cfg, None).host == "127.0.0.1"
    assert load(cfg, "[::1]:8080").host == "::1"
    with pytest.raises(ConfigError, match="without TLS"):
        load(cfg, "0.0.0.0:8443")
    with pytest.raises(ConfigError, match="HOST:PORT"):
        load(cfg, "nonsense")
    (tmp_path / "c.pem").write_text("x")
    cfg.write_text('country = "kz"\n[web]\ntls_cert = "c.pem"\ntls_key = "c.pem"\n')
    assert load(cfg, "0.0.0.0:8443").tls
    cfg.write_text('country = "kz"\n[web]\ntls_cert = "c.pem"\n')
    with pytest.raises(ConfigError, match="both"):
        load(cfg, None)


def test_sessions_end_after_idle_and_absolute_timeouts() -> None:
    from exchange.web.sessions import Sessions

    table = Sessions(idle=60, absolute=3600)
    s = table.new()
    signed = table.signed_in(s, "timur", "officer", "exu_x")
    assert table.get(s.sid) is None, "the anonymous session is gone at sign-in"
    assert signed.sid != s.sid and signed.csrf != s.csrf
    assert table.get(signed.sid) is signed
    signed.seen -= 61  # idle too long
    assert table.get(signed.sid) is None
    again = table.signed_in(table.new(), "timur", "officer", "exu_y")
    again.created -= 3601  # active all along, but past the absolute limit
    assert table.get(again.sid) is None
    assert table.get("x" * 5000) is None
