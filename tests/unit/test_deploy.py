"""deploy/ stays true to the code: the region's node configs load, and every metric the
alerting rules and the dashboard use is one a node exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

from prometheus_client import generate_latest

from exchange import config
from exchange.node.metrics import Metrics

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
STATE_METRICS = {  # read at scrape time (exchange.node.metrics._State)
    "exchange_outbox_depth",
    "exchange_entries_sent",
    "exchange_outbox_oldest_seconds",
    "exchange_link_up",
    "exchange_last_contact_seconds",
    "exchange_record_requests",
    "exchange_record_requests_overdue",
    "exchange_trust_alarms",
    "exchange_certificate_expiry_seconds",
    "exchange_alerts_review_due",
}


def exported() -> set[str]:
    m = Metrics()
    m.received.labels("kz").inc()
    m.refused.labels("kz", "x").inc()
    m.replayed.labels("kz").inc()
    m.document_bytes.labels("kz", "in").inc()
    text = generate_latest(m.registry).decode()
    names = set(re.findall(r"^(exchange_[a-z_]+)", text, re.M))
    return names | STATE_METRICS


def test_alert_rules_and_dashboard_use_only_exported_metrics() -> None:
    have = exported()
    for path in (DEPLOY / "alerts.yml", DEPLOY / "grafana/dashboards/exchange.json"):
        used = set(re.findall(r"\b(exchange_[a-z_]+)", path.read_text()))
        assert used, path
        assert used <= have, f"{path.name}: {sorted(used - have)}"
    json.loads((DEPLOY / "grafana/dashboards/exchange.json").read_text())


def test_the_compose_regions_node_configs_load() -> None:
    for c in ("kz", "kg", "tj"):
        cfg = config.load(DEPLOY / "region" / f"{c}.toml")
        assert cfg.country == c and cfg.metrics.listen == "0.0.0.0:9464"
        assert cfg.database_url.startswith("postgresql")
