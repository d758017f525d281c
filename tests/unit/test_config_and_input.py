"""Node config loading and alert input: bad input gets a clear error naming what is wrong."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import uuid6

from exchange._proto.v1 import alert_pb2
from exchange.alerts import model
from exchange.alerts.input import alert_from_mapping, load_file
from exchange.config import Limits, SyncConfig, load, normalize_db_url
from exchange.errors import ConfigError, MalformedInput

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)

VALID_CONFIG = """
country = "kz"
name = "Kazakhstan"
listen = "127.0.0.1:7401"
state_dir = "../state/kz"
database_url = "postgresql://postgres@127.0.0.1:5432/exchange_kz"

[sync]
batch_size = 250
retry_max_seconds = 2.5

[limits]
max_entry_bytes = 32768
"""


def write(tmp_path: Path, text: str, name: str = "node.toml") -> Path:
    folder = tmp_path / "nodes"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# -- config ---------------------------------------------------------------------------------


def test_valid_config_loads(tmp_path: Path) -> None:
    path = write(tmp_path, VALID_CONFIG)
    cfg = load(path)
    assert cfg.country == "kz"
    assert cfg.name == "Kazakhstan"
    assert cfg.listen == "127.0.0.1:7401"
    assert cfg.state_dir == (tmp_path / "state" / "kz").resolve()  # relative to the file
    assert cfg.source == path.resolve()
    assert cfg.sync == SyncConfig(batch_size=250, retry_max_seconds=2.5)
    assert cfg.limits == Limits(max_entry_bytes=32768)
    assert cfg.socket_path == cfg.state_dir / "operator.sock"


def test_postgresql_url_gets_psycopg_driver(tmp_path: Path) -> None:
    cfg = load(write(tmp_path, VALID_CONFIG))
    assert cfg.database_url == "postgresql+psycopg://postgres@127.0.0.1:5432/exchange_kz"
    assert cfg.db_url == cfg.database_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_normalize_db_url(url: str, expected: str) -> None:
    assert normalize_db_url(url) == expected


def test_minimal_config_defaults_to_sqlite_in_state_dir(tmp_path: Path) -> None:
    cfg = load(write(tmp_path, 'country = "kg"\n'))
    assert cfg.name == "KG"
    assert cfg.listen == "127.0.0.1:0"
    assert cfg.state_dir == (tmp_path / "nodes" / "state" / "kg").resolve()
    assert cfg.db_url == f"sqlite:///{cfg.state_dir / 'node.db'}"
    assert cfg.sync == SyncConfig() and cfg.limits == Limits()


def test_missing_config_file_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load(tmp_path / "nope.toml")


def test_invalid_toml_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load(write(tmp_path, 'country = "kz\n'))


def test_unknown_top_level_key_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown key 'databse_url'") as info:
        load(write(tmp_path, 'country = "kz"\ndatabse_url = "x"\n'))
    assert "database_url" in info.value.hint


@pytest.mark.parametrize("section", ["sync", "limits"])
def test_unknown_section_key_refused(tmp_path: Path, section: str) -> None:
    with pytest.raises(ConfigError, match=rf"unknown key {section}\.bogus") as info:
        load(write(tmp_path, f'country = "kz"\n[{section}]\nbogus = 1\n'))
    assert f"[{section}] accepts" in info.value.hint


@pytest.mark.parametrize("country", ['"KZ"', '"kaz"', '"k"', '"k1"', "7", '""'])
def test_bad_country_refused(tmp_path: Path, country: str) -> None:
    with pytest.raises(ConfigError, match="'country' must be a two-letter"):
        load(write(tmp_path, f"country = {country}\n"))


def test_missing_country_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="'country'"):
        load(write(tmp_path, 'listen = "127.0.0.1:1"\n'))


@pytest.mark.parametrize("listen", ['"localhost"', "7401", '""'])
def test_bad_listen_refused(tmp_path: Path, listen: str) -> None:
    with pytest.raises(ConfigError, match="'listen' must be host:port"):
        load(write(tmp_path, f'country = "kz"\nlisten = {listen}\n'))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("batch_size = 0", r"sync\.batch_size must be a positive number"),
        ("batch_size = -5", r"sync\.batch_size must be a positive number"),
        ('batch_size = "500"', r"sync\.batch_size must be a positive number"),
        ("batch_size = true", r"sync\.batch_size must be a positive number"),
        ("batch_size = 2.5", r"sync\.batch_size must be a whole number"),
        ("window = 1.5", r"sync\.window must be a whole number"),
        ("retry_max_seconds = 0", r"sync\.retry_max_seconds must be a positive number"),
        ("check_processes = -1", r"sync\.check_processes must be a positive number"),
        ("check_processes = 1.5", r"sync\.check_processes must be a whole number"),
    ],
)
def test_bad_sync_value_refused(tmp_path: Path, line: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load(write(tmp_path, f'country = "kz"\n[sync]\n{line}\n'))


def test_check_processes_zero_means_threads_only(tmp_path: Path) -> None:
    """0 (the default) turns the check workers off; other keys stay > 0."""
    cfg = load(write(tmp_path, 'country = "kz"\n[sync]\ncheck_processes = 0\n'))
    assert cfg.sync.check_processes == 0
    assert load(write(tmp_path, 'country = "kz"\n')).sync.check_processes == 0
    two = load(write(tmp_path, 'country = "kz"\n[sync]\ncheck_processes = 2\n'))
    assert two.sync.check_processes == 2
    short = load(write(tmp_path, 'country = "kz"\n[sync]\nretry_initial_seconds = 0.2\n'))
    assert short.sync.retry_initial_seconds == 0.2


def test_bad_limits_value_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"limits\.max_entry_bytes must be a positive"):
        load(write(tmp_path, 'country = "kz"\n[limits]\nmax_entry_bytes = -1\n'))


def test_section_that_is_not_a_table_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[sync\] must be a table"):
        load(write(tmp_path, 'country = "kz"\nsync = 5\n'))


@pytest.mark.parametrize(("key", "value"), [("state_dir", "5"), ("database_url", "5")])
def test_non_text_path_or_url_refused(tmp_path: Path, key: str, value: str) -> None:
    with pytest.raises(ConfigError, match=f"'{key}'"):
        load(write(tmp_path, f'country = "kz"\n{key} = {value}\n'))


def test_reference_region_configs_load() -> None:
    nodes = Path(__file__).resolve().parents[2] / "nodes"
    for name in ("kz", "kg", "tj"):
        assert load(nodes / f"{name}.toml").country == name


# -- alert input ----------------------------------------------------------------------------

VALID_ALERT_TOML = """
category = "release-notice"
risk = "high"
handling = "H2"
reliability = "B"
accuracy = 2
action_requested = "Inform the regional unit before the release date"
valid_until = 2030-01-31
facility_region = "Almaty region"
summary = "Release of a person convicted of violent extremism from facility 3"
references = ["KZ-2025-0042"]

[subject]
tokens = ["name-dob:0a1b2c3d", "9f8e"]
birth_year = 1990
sex = "m"
nationality = "KZ"
"""


def test_valid_alert_file_parsed(tmp_path: Path) -> None:
    path = write(tmp_path, VALID_ALERT_TOML, "alert.toml")
    alert = alert_from_mapping(load_file(path))
    assert alert.category == alert_pb2.CATEGORY_RELEASE_NOTICE
    assert alert.risk == alert_pb2.RISK_HIGH
    assert alert.handling == alert_pb2.HANDLING_H2
    assert alert.reliability == alert_pb2.RELIABILITY_B
    assert alert.accuracy == alert_pb2.ACCURACY_2
    assert alert.facility_region == "Almaty region"
    assert list(alert.references) == ["KZ-2025-0042"]
    assert model.ts_datetime(alert.valid_until) == datetime(2030, 1, 31, tzinfo=UTC)
    subj = alert.subject
    assert [(t.kind, t.value) for t in subj.tokens] == [
        ("name-dob", bytes.fromhex("0a1b2c3d")),
        ("opaque", bytes.fromhex("9f8e")),
    ]
    assert (subj.birth_year, subj.sex, subj.nationality) == (1990, alert_pb2.SEX_MALE, "kz")
    # Once stamped like the node does, the parsed alert is valid.
    alert.alert_id, alert.version, alert.origin = str(uuid6.uuid7()), 1, "kz"
    model.validate(alert, now=NOW)


def test_valid_alert_json_file_parsed(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '{"category": "escape", "risk": "critical", "handling": "H0",'
        ' "valid_until": "2030-01-31T10:00:00+02:00"}',
        "alert.json",
    )
    alert = alert_from_mapping(load_file(path))
    assert alert.category == alert_pb2.CATEGORY_ESCAPE
    assert model.ts_datetime(alert.valid_until) == datetime(2030, 1, 31, 8, tzinfo=UTC)


def test_unreadable_alert_file_refused(tmp_path: Path) -> None:
    with pytest.raises(MalformedInput, match=r"alert file .* does not exist"):
        load_file(tmp_path / "missing.toml")


def test_invalid_alert_toml_refused(tmp_path: Path) -> None:
    path = write(tmp_path, 'category = "escape\n', "alert.toml")
    with pytest.raises(MalformedInput, match="not valid TOML") as info:
        load_file(path)
    assert "fix the syntax" in info.value.hint


def test_alert_file_that_is_not_a_table_refused(tmp_path: Path) -> None:
    path = write(tmp_path, '["escape"]', "alert.json")
    with pytest.raises(MalformedInput, match="must hold one table"):
        load_file(path)


def test_unknown_alert_field_refused() -> None:
    with pytest.raises(MalformedInput, match="unknown alert field 'severity'") as info:
        alert_from_mapping({"category": "escape", "severity": "high"})
    assert "known fields" in info.value.hint


def test_name_at_top_level_refused() -> None:
    with pytest.raises(MalformedInput, match="unknown alert field 'name'"):
        alert_from_mapping({"category": "escape", "name": "Ivan Petrov"})


@pytest.mark.parametrize("field", ["name", "full_name", "passport_number", "date_of_birth"])
def test_identifying_subject_field_refused_with_no_names_hint(field: str) -> None:
    with pytest.raises(MalformedInput, match=f"unknown subject field '{field}'") as info:
        alert_from_mapping({"subject": {"birth_year": 1990, field: "Ivan Petrov"}})
    assert "no names or document numbers" in info.value.hint
    assert "Ivan" not in info.value.message  # the refused value is never echoed back


@pytest.mark.parametrize("value", ["2025-13-45", "next week", "31/01/2030"])
def test_bad_date_refused(value: str) -> None:
    with pytest.raises(MalformedInput, match="'valid_until' is not a date") as info:
        alert_from_mapping({"valid_until": value})
    assert "YYYY-MM-DD" in info.value.hint


def test_non_date_type_refused() -> None:
    with pytest.raises(MalformedInput, match="'valid_until' must be a date"):
        alert_from_mapping({"valid_until": 20300131})


@pytest.mark.parametrize("category", ["prison-break", "", "Release notice"])
def test_bad_category_refused(category: str) -> None:
    with pytest.raises(MalformedInput, match="unknown category") as info:
        alert_from_mapping({"category": category})
    assert "release-notice" in info.value.hint


def test_category_of_wrong_type_refused() -> None:
    with pytest.raises(MalformedInput, match="'category' must be text"):
        alert_from_mapping({"category": 3})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"risk": "extreme"}, "unknown risk"),
        ({"handling": "H9"}, "unknown handling code"),
        ({"reliability": "Z"}, "unknown source reliability"),
        ({"accuracy": 5}, "unknown information accuracy"),
        ({"references": "KZ-1"}, "'references' must be a list of text"),
        ({"subject": ["token"]}, "'subject' must be a table"),
        ({"subject": {"tokens": ["zz-not-hex"]}}, "is not hex"),
        ({"subject": {"tokens": [5]}}, "must be hex strings"),
        ({"subject": {"birth_year": "1990"}}, "birth_year must be a year"),
        ({"subject": {"sex": "x"}}, "unknown sex"),
    ],
)
def test_bad_alert_values_refused(data: dict[str, Any], message: str) -> None:
    with pytest.raises(MalformedInput, match=message):
        alert_from_mapping(data)


# -- model.validate bounds ------------------------------------------------------------------


def valid_alert() -> alert_pb2.Alert:
    alert = alert_pb2.Alert(
        alert_id=str(uuid6.uuid7()),
        version=1,
        origin="kz",
        category=alert_pb2.CATEGORY_ESCAPE,
        risk=alert_pb2.RISK_HIGH,
        handling=alert_pb2.HANDLING_H1,
        summary="x" * model.MAX_SUMMARY,
    )
    alert.valid_until.CopyFrom(model.timestamp(NOW + timedelta(days=30)))
    return alert


def test_valid_alert_at_bounds_accepted() -> None:
    model.validate(valid_alert(), now=NOW)


def test_summary_too_long_refused() -> None:
    alert = valid_alert()
    alert.summary = "x" * (model.MAX_SUMMARY + 1)
    with pytest.raises(MalformedInput, match="summary is longer than 1000"):
        model.validate(alert, now=NOW)
    with pytest.raises(MalformedInput, match="summary"):
        model.validate(alert, now=NOW, received=True)


def test_missing_category_refused() -> None:
    alert = valid_alert()
    alert.ClearField("category")
    with pytest.raises(MalformedInput, match="category is missing or unknown"):
        model.validate(alert, now=NOW)


def test_past_valid_until_refused_at_publish_but_not_on_receipt() -> None:
    alert = valid_alert()
    alert.valid_until.CopyFrom(model.timestamp(NOW - timedelta(seconds=1)))
    with pytest.raises(
        MalformedInput, match=r"valid_until \(retention review date\) is in the past"
    ):
        model.validate(alert, now=NOW)
    model.validate(alert, now=NOW, received=True)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda a: setattr(a, "alert_id", "not-a-uuid"), "alert_id must be a UUIDv7"),
        (lambda a: setattr(a, "alert_id", a.alert_id.upper()), "canonical form"),
        (lambda a: setattr(a, "alert_id", "{" + a.alert_id + "}"), "canonical form"),
        (
            lambda a: setattr(a, "alert_id", "1b4e28ba-2fa1-41d2-883f-0016d3cca427"),
            "alert_id must be a UUIDv7",
        ),
        (lambda a: setattr(a, "version", 0), "version must be between 1 and"),
        (lambda a: setattr(a, "version", 2**31), "version must be between 1 and"),
        (lambda a: setattr(a, "version", 2**32 - 1), "version must be between 1 and"),
        (lambda a: setattr(a, "origin", "KZ"), "origin must be a two-letter"),
        (lambda a: a.ClearField("risk"), "risk is missing"),
        (lambda a: a.ClearField("handling"), "handling code is missing"),
        (lambda a: setattr(a, "action_requested", "x" * 501), "action_requested is longer"),
        (lambda a: setattr(a, "facility_region", "x" * 101), "facility_region is longer"),
        (lambda a: setattr(a, "handling_note", "x" * 201), "handling_note is longer"),
        (lambda a: a.references.extend(["r"] * 11), "at most 10 references"),
        (lambda a: a.references.append("r" * 201), "a reference is longer than 200"),
        (lambda a: setattr(a, "summary", "ok\x1b[2Jcleared"), "invisible control character"),
        (lambda a: setattr(a, "summary", "moved \u202eevil"), "invisible control character"),
        (lambda a: setattr(a, "facility_region", "Karaganda\nx"), "invisible control"),
        (lambda a: a.references.append("ref\x00"), "invisible control character"),
        (lambda a: setattr(a, "handling_note", "note\r"), "invisible control character"),
        (lambda a: setattr(a.valid_until, "seconds", 2**40), "valid_until is too far"),
        (lambda a: setattr(a.valid_until, "nanos", -1), "valid_until has malformed nano"),
        (lambda a: setattr(a.valid_until, "seconds", -1), "valid_until is before 2000"),
        (lambda a: setattr(a.issued_at, "seconds", 2**40), "issued_at is too far"),
        (lambda a: setattr(a.issued_at, "nanos", 10**9), "issued_at has malformed nano"),
        (
            lambda a: a.subject.tokens.append(alert_pb2.SubjectToken(kind="Kind\n", value=b"v")),
            "each with a kind",
        ),
        (lambda a: setattr(a.subject, "birth_year", 1899), "birth_year is out of range"),
        (lambda a: setattr(a.subject, "birth_year", 2026), "birth_year is out of range"),
        (lambda a: setattr(a.subject, "nationality", "kaz"), "nationality must be"),
        (
            lambda a: a.subject.tokens.extend([alert_pb2.SubjectToken(kind="k", value=b"v")] * 17),
            "at most 16 subject tokens",
        ),
        (
            lambda a: a.subject.tokens.append(alert_pb2.SubjectToken(kind="k", value=b"v" * 65)),
            "at most 16 subject tokens",
        ),
    ],
)
def test_out_of_bounds_alert_refused(mutate: Any, message: str) -> None:
    """The same bounds on publish and on receipt: nothing stored could break a reader."""
    alert = valid_alert()
    mutate(alert)
    with pytest.raises(MalformedInput, match=message):
        model.validate(alert, now=NOW)
    if message != "risk is missing":  # a received view may lack it (withheld by the sender)
        with pytest.raises(MalformedInput, match=message):
            model.validate(alert, now=NOW, received=True)


def test_multiline_text_keeps_newlines_and_tabs() -> None:
    alert = valid_alert()
    alert.summary = "Line one.\n\tLine two."
    model.validate(alert, now=NOW)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda w: setattr(w, "alert_id", "x" * 37), "alert_id must be a UUIDv7"),
        (lambda w: setattr(w, "version", 0), "version must be between"),
        (lambda w: setattr(w, "version", 2**31), "version must be between"),
        (lambda w: setattr(w, "origin", "k"), "origin must be"),
        (lambda w: setattr(w, "reason", "x" * 501), "reason is longer than 500"),
        (lambda w: setattr(w, "reason", "[/]\x1b]0;owned\x07"), "invisible control"),
        (lambda w: setattr(w.issued_at, "nanos", -5), "issued_at has malformed"),
    ],
)
def test_out_of_bounds_withdrawal_refused(mutate: Any, message: str) -> None:
    w = alert_pb2.Withdrawal(alert_id=valid_alert().alert_id, version=2, origin="kz")
    w.issued_at.CopyFrom(model.timestamp(NOW))
    model.validate_withdrawal(w, now=NOW)
    mutate(w)
    with pytest.raises(MalformedInput, match=message):
        model.validate_withdrawal(w, now=NOW)


def test_out_of_range_stored_time_is_shown_not_raised() -> None:
    """A time stored before these bounds existed must not break `alerts list`."""
    alert = valid_alert()
    alert.valid_until.seconds = 2**40
    assert model.to_dict(alert)["valid_until"].startswith("(invalid time")


def test_all_problems_reported_together() -> None:
    alert = valid_alert()
    alert.ClearField("category")
    alert.summary = "x" * 2000
    with pytest.raises(MalformedInput) as info:
        model.validate(alert, now=NOW)
    assert "category" in info.value.message and "summary" in info.value.message


def test_read_text_refuses_a_pipe_without_waiting_for_it(tmp_path: Path) -> None:
    """A FIFO saved where a policy or config should be is refused at once (a watcher that
    opened it normally would hang until someone wrote to it)."""
    import os

    from exchange.policy.loader import PolicyError, load_policy

    pipe = tmp_path / "kz.policy.toml"
    os.mkfifo(pipe)
    with pytest.raises(PolicyError, match="not a regular file"):
        load_policy(pipe, "kz")
