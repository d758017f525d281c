"""The local Operator service behind the CLI, served only on the state dir's Unix socket."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeAlias

import uuid6
from cryptography import x509
from sqlalchemy.exc import IntegrityError

from exchange._proto.v1 import alert_pb2, operator_pb2, operator_pb2_grpc
from exchange.alerts import model
from exchange.alerts.pii import check_summary, find_pii
from exchange.alerts.views import Item
from exchange.envelope import key_id
from exchange.errors import (
    AlreadyExists,
    Error,
    MalformedInput,
    NotFound,
    TooLarge,
    VersionRefused,
)
from exchange.node import faults
from exchange.node.runtime import utcnow
from exchange.node.status import abort
from exchange.node.tls import (
    fetch_peer_certificate,
    inspect_peer_certificate,
    parse_fingerprint,
)
from exchange.policy import evaluate, explain
from exchange.store import repo
from exchange.store.models import AlertVersion, Channel, Peer
from exchange.sync import outbox
from exchange.trust.errors import KeyNotCertified, NoTrustAnchor

if TYPE_CHECKING:
    from exchange.node.runtime import Node

Ctx: TypeAlias = Any  # grpc.aio.ServicerContext; grpc ships no type information
DEFAULT_LIST = 100


def _record(row: AlertVersion, recipients: int = 0) -> operator_pb2.AlertRecord:
    rec = operator_pb2.AlertRecord(withdrawn=row.withdrawn, recipients=recipients)
    if row.withdrawn:
        w = alert_pb2.Withdrawal.FromString(row.body)
        rec.withdraw_reason = w.reason
        rec.alert.alert_id, rec.alert.version, rec.alert.origin = w.alert_id, w.version, w.origin
        rec.alert.issued_at.CopyFrom(w.issued_at)
    else:
        rec.alert.CopyFrom(alert_pb2.Alert.FromString(row.body))
    rec.stored_at.CopyFrom(model.timestamp(row.stored_at))
    return rec


class OperatorService(operator_pb2_grpc.OperatorServicer):
    def __init__(self, node: Node) -> None:
        self.node = node

    async def _publish(self, item: Item, context: Ctx) -> operator_pb2.AlertRecord:
        node = self.node
        now = utcnow()
        recipients = [p.country for p in node.peers.all()]
        try:
            published = await node.run_db(
                outbox.publish,
                node.db,
                node.country,
                node.identity.signing,
                recipients,
                [item],
                node.disclosure,
                now,
            )
        except IntegrityError:
            await abort(context, VersionRefused("a concurrent change took that version; retry"))
        except Error as err:
            await abort(context, err)
        faults.maybe_crash("crash-after-commit")
        node.wake_senders()
        row = AlertVersion(
            origin=node.country,
            alert_id=item.alert_id,
            version=item.version,
            withdrawn=isinstance(item, alert_pb2.Withdrawal),
            body=item.SerializeToString(deterministic=True),
            stored_at=now,
        )
        return _record(row, len(published[0].recipients))

    async def _stamp(self, alert: alert_pb2.Alert, now: datetime, allow_pii: str) -> None:
        """Set origin and time, validate, and run the free-text guard on the summary."""
        alert.origin = self.node.country
        alert.issued_at.CopyFrom(model.timestamp(now))
        model.validate(alert, now=now)
        if not allow_pii:
            check_summary(alert.summary, now.date())
            return
        if len(allow_pii) > 300:
            raise MalformedInput("the --allow-pii reason is over 300 characters")
        found = find_pii(alert.summary, now.date())
        if found:  # the override is audited by the kinds found and the reason, never the text
            await self.node.audit(
                "alert.pii_override",
                {
                    "alert_id": alert.alert_id,
                    "version": alert.version,
                    "kinds": sorted({f.kind for f in found}),
                    "reason": allow_pii,
                },
            )

    async def PublishAlert(
        self, request: operator_pb2.PublishAlertRequest, context: Ctx
    ) -> operator_pb2.AlertRecord:
        alert = alert_pb2.Alert()
        alert.CopyFrom(request.alert)
        alert.alert_id = str(uuid6.uuid7())
        alert.version = 1
        try:
            await self._stamp(alert, utcnow(), request.allow_pii_reason)
        except Error as err:
            await abort(context, err)
        return await self._publish(alert, context)

    async def _current(self, alert_id: str, context: Ctx) -> AlertVersion:
        def latest() -> AlertVersion | None:
            with self.node.db.read() as s:
                rows = [
                    r for r in repo.alert_versions(s, alert_id) if r.origin == self.node.country
                ]
                return rows[-1] if rows else None

        row = await self.node.run_db(latest)
        if row is None:
            await abort(
                context,
                NotFound(
                    f"no alert {alert_id!r} published by this node",
                    hint="only the publishing country can amend or withdraw an alert; "
                    "see `exchange alerts list`",
                ),
            )
        return row

    async def AmendAlert(
        self, request: operator_pb2.AmendAlertRequest, context: Ctx
    ) -> operator_pb2.AlertRecord:
        current = await self._current(request.alert.alert_id, context)
        alert = alert_pb2.Alert()
        alert.CopyFrom(request.alert)
        alert.version = alert.version or current.version + 1
        try:
            await self._stamp(alert, utcnow(), request.allow_pii_reason)
        except Error as err:
            await abort(context, err)
        return await self._publish(alert, context)

    async def WithdrawAlert(
        self, request: operator_pb2.WithdrawAlertRequest, context: Ctx
    ) -> operator_pb2.AlertRecord:
        if len(request.reason) > 500:
            await abort(context, MalformedInput("the withdrawal reason is over 500 characters"))
        current = await self._current(request.alert_id, context)
        w = alert_pb2.Withdrawal(
            alert_id=request.alert_id,
            version=current.version + 1,
            origin=self.node.country,
            reason=request.reason,
        )
        w.issued_at.CopyFrom(model.timestamp(utcnow()))
        return await self._publish(w, context)

    async def ListAlerts(
        self, request: operator_pb2.ListAlertsRequest, context: Ctx
    ) -> operator_pb2.ListAlertsResponse:
        limit = min(request.limit or DEFAULT_LIST, 10_000)

        def load() -> list[operator_pb2.AlertRecord]:
            with self.node.db.read() as s:
                heads = repo.alert_heads(s, request.origin or None, limit)
                out = []
                for h in heads:
                    row = s.get(AlertVersion, (h.origin, h.alert_id, h.version))
                    if row is not None:
                        out.append(_record(row))
                return out

        return operator_pb2.ListAlertsResponse(alerts=await self.node.run_db(load))

    async def GetAlert(
        self, request: operator_pb2.GetAlertRequest, context: Ctx
    ) -> operator_pb2.GetAlertResponse:
        def load() -> list[operator_pb2.AlertRecord]:
            with self.node.db.read() as s:
                return [_record(r) for r in repo.alert_versions(s, request.alert_id)]

        versions = await self.node.run_db(load)
        if not versions:
            await abort(
                context,
                NotFound(
                    f"no alert {request.alert_id!r} on this node",
                    hint="see `exchange alerts list` for the alerts this node holds",
                ),
            )
        return operator_pb2.GetAlertResponse(versions=versions)

    async def AddPeer(
        self, request: operator_pb2.AddPeerRequest, context: Ctx
    ) -> operator_pb2.PeerInfo:
        node = self.node
        try:
            if not model.is_country(request.country):
                raise MalformedInput(
                    f"unknown country {request.country!r}",
                    hint="use a two-letter lower-case ISO 3166-1 code such as kg or tj",
                )
            if request.country == node.country:
                raise MalformedInput("a node cannot add itself as a peer")
            if node.peers.get(request.country) is not None:
                raise AlreadyExists(
                    f"{request.country} is already a peer",
                    hint="see `exchange peers list`",
                )
            if node.trust.bundle is None:
                raise NoTrustAnchor(
                    "this node has no region trust bundle yet, so it can trust no peer",
                    hint="import the bundle and certificates first: exchange keys import FILES",
                )
            der = await asyncio.get_running_loop().run_in_executor(
                None, fetch_peer_certificate, request.address
            )
            given = parse_fingerprint(request.fingerprint) if request.fingerprint else None
            cert = inspect_peer_certificate(der, given, request.country)
            actual = cert.fingerprint
            if actual not in node.trust.tls_pins(request.country, utcnow()):
                raise KeyNotCertified(
                    f"the TLS key of the node at {request.address} ({actual[:16]}) has no valid "
                    f"certificate from the admin key of {request.country}",
                    hint=f"import {request.country}'s node certificates (exchange keys import), "
                    "or check the address",
                )
        except Error as err:
            await abort(context, err)

        def store() -> None:
            with node.db.write() as s:
                node.trust.add_tls(s, request.country, cert.pem)
                s.add(
                    Peer(
                        country=request.country,
                        address=request.address,
                        tls_fingerprint=cert.fingerprint,
                        tls_cert_pem=cert.pem,
                        sign_public_key=cert.sign_public_raw,
                        sign_key_id=key_id(cert.sign_public_raw),
                        added_at=utcnow(),
                    )
                )
                repo.append_audit(
                    s,
                    utcnow(),
                    "peer.added",
                    {
                        "country": request.country,
                        "address": request.address,
                        "fingerprint": cert.fingerprint,
                    },
                )
            node.load_addresses()
            node.refresh_peers()

        try:
            await node.run_db(store)
        except IntegrityError:
            await abort(
                context,
                AlreadyExists("that peer or fingerprint is already registered"),
            )
        node.start_peer(request.country)
        signers = node.trust.signers(request.country)
        return operator_pb2.PeerInfo(
            country=request.country,
            address=request.address,
            fingerprint=cert.fingerprint,
            sign_key_id=",".join(sorted(signers)),
        )

    async def ListPeers(
        self, request: operator_pb2.ListPeersRequest, context: Ctx
    ) -> operator_pb2.ListPeersResponse:
        return operator_pb2.ListPeersResponse(
            peers=[
                operator_pb2.PeerInfo(
                    country=p.country,
                    address=p.address,
                    fingerprint=p.fingerprint,
                    sign_key_id=",".join(sorted(self.node.trust.signers(p.country))),
                )
                for p in self.node.peers.all()
            ]
        )

    async def Status(
        self, request: operator_pb2.StatusRequest, context: Ctx
    ) -> operator_pb2.StatusResponse:
        node = self.node

        def load() -> tuple[dict[tuple[str, str], Channel], tuple[int, int]]:
            with node.db.read() as s:
                chans = {(c.origin, c.recipient): c for c in repo.channels(s)}
                return chans, repo.count_alerts(s, node.country)

        chans, (own, received) = await node.run_db(load)
        resp = operator_pb2.StatusResponse(
            country=node.country,
            address=node.address,
            fingerprint=node.identity.fingerprint,
            sign_key_id=key_id(node.identity.signing.public_raw),
            alerts_own=own,
            alerts_received=received,
            serving="SERVING" if not node.stopping.is_set() else "NOT_SERVING",
            alarms=node.trust_alarms(),
        )
        for p in node.peers.all():
            link = node.links.get(p.country)
            out = chans.get((node.country, p.country))
            inc = chans.get((p.country, node.country))
            ps = resp.peers.add(
                country=p.country,
                address=p.address,
                connected=bool(link and link.connected),
                outbox_depth=(out.head_seq - out.acked_seq) if out else 0,
                sent_head=out.head_seq if out else 0,
                acked_seq=out.acked_seq if out else 0,
                received_head=inc.head_seq if inc else 0,
                last_error=link.last_error if link else "",
                stalled=node.stalled(p.country),
            )
            if link and link.last_contact:
                ps.last_contact.CopyFrom(model.timestamp(link.last_contact))
        return resp

    async def ReloadPolicy(
        self, request: operator_pb2.ReloadPolicyRequest, context: Ctx
    ) -> operator_pb2.PolicyInfo:
        node = self.node
        try:
            policy, changed = node.reload_policy()
        except Error as err:
            await abort(context, err)
        if changed:
            await node.audit_policy("exchange policy reload")
        return operator_pb2.PolicyInfo(
            path=str(node.config.policy), digest=policy.digest, changed=changed
        )

    async def ExplainPolicy(
        self, request: operator_pb2.ExplainPolicyRequest, context: Ctx
    ) -> operator_pb2.ExplainPolicyResponse:
        row = await self._current(request.alert_id, context)
        if row.withdrawn:
            await abort(context, NotFound(f"alert {request.alert_id} is withdrawn"))
        alert = alert_pb2.Alert.FromString(row.body)
        decision = evaluate(self.node.policy, alert, request.peer)
        return operator_pb2.ExplainPolicyResponse(
            send=decision.send,
            lines=explain(self.node.policy, alert, request.peer),
            fields=sorted(decision.fields),
        )

    async def MatchTokens(
        self, request: operator_pb2.MatchRequest, context: Ctx
    ) -> operator_pb2.MatchResponse:
        if len(request.queries) > 1000 or any(len(q.tokens) > 16 for q in request.queries):
            await abort(
                context, TooLarge("at most 1000 queries of at most 16 tokens each per request")
            )

        def run() -> list[operator_pb2.MatchHit]:
            out: list[operator_pb2.MatchHit] = []
            with self.node.db.read() as s:
                for q in request.queries:
                    toks = [(t.kind, t.epoch, t.value) for t in q.tokens]
                    for kinds, head in repo.match_tokens(s, toks):
                        hit = operator_pb2.MatchHit(
                            ref=q.ref,
                            alert_id=head.alert_id,
                            origin=head.origin,
                            version=head.version,
                            kinds=kinds,
                        )
                        hit.category = head.category  # type: ignore[assignment]
                        hit.risk = head.risk  # type: ignore[assignment]
                        out.append(hit)
            return out

        hits = await self.node.run_db(run)
        # Audited by the tokens only: the identities never reached this node.
        await self.node.audit(
            "match.query",
            {
                "queries": len(request.queries),
                "tokens": [t.value.hex()[:16] for q in request.queries[:50] for t in q.tokens],
                "hits": len(hits),
            },
        )
        return operator_pb2.MatchResponse(hits=hits, queries=len(request.queries))

    # -- trust -----------------------------------------------------------------------------

    async def ImportTrust(
        self, request: operator_pb2.ImportTrustRequest, context: Ctx
    ) -> operator_pb2.ImportTrustResponse:
        if len(request.items) > 1000:
            await abort(context, TooLarge("at most 1000 trust items per import"))
        out = await self.node.import_trust(list(request.items))
        if out.refused:
            kind, err = out.refused[0]
            more = f" ({len(out.refused) - 1} more refused)" if len(out.refused) > 1 else ""
            kept = sum(new for _, _, new in out.accepted)
            if kept:
                more += f"; {kept} other item(s) were installed"
            refused = Error(f"{kind} refused: {err.message}{more}", hint=err.hint)
            refused.code = err.code  # the first refusal's status
            await abort(context, refused)
        return operator_pb2.ImportTrustResponse(
            items=[
                operator_pb2.ImportedItem(kind=k, summary=summary, new=new)
                for k, summary, new in out.accepted
            ]
        )

    async def KeysStatus(
        self, request: operator_pb2.KeysStatusRequest, context: Ctx
    ) -> operator_pb2.KeysStatusResponse:
        node = self.node
        now = utcnow()
        rows, warnings = node.trust.keys_report(now, node.identity.public_by_purpose())
        not_after = x509.load_pem_x509_certificate(node.identity.tls_cert_pem).not_valid_after_utc
        left = (not_after - now).total_seconds() / 86400
        if left <= 30:
            level = "URGENT" if left <= 7 else "warning"
            warnings.append(
                f"{level}: this node's TLS certificate (X.509) expires in {left:.1f} days; "
                "rotate the TLS key (exchange keys node rotate --purpose tls)"
            )
        resp = operator_pb2.KeysStatusResponse(warnings=warnings, alarms=node.trust_alarms())
        b = node.trust.bundle
        if b is not None:
            resp.bundle_version = b.version
            resp.bundle_digest = b.digest
            resp.bundle_expires.FromNanoseconds(b.expires_ns)
        for r in rows:
            k = resp.keys.add(
                country=str(r["country"]),
                purpose=str(r["purpose"]),
                key_id=str(r["key_id"]),
                fingerprint=str(r["fingerprint"]),
                state=str(r["state"]),
            )
            if isinstance(r["valid_from"], int):
                k.valid_from.FromNanoseconds(r["valid_from"])
            if isinstance(r["valid_until"], int):
                k.valid_until.FromNanoseconds(r["valid_until"])
        for country, head in node.trust.heads().items():
            resp.key_log_heads.add(country=country, seq=head.seq, hash=head.hash)
        return resp

    async def ResolveKeyLog(
        self, request: operator_pb2.ResolveKeyLogRequest, context: Ctx
    ) -> operator_pb2.ResolveKeyLogResponse:
        node = self.node
        if request.country not in node.trust.frozen():
            await abort(
                context,
                NotFound(
                    f"key changes from {request.country!r} are not frozen",
                    hint="see the alarms in `exchange keys status`",
                ),
            )
        if not request.reason.strip():
            await abort(context, MalformedInput("say why the split view is resolved (--reason)"))

        def run() -> int:
            with node.db.write() as s:
                n = node.trust.resolve(s, request.country)
                repo.append_audit(
                    s,
                    utcnow(),
                    "trust.resolved",
                    {"country": request.country, "reason": request.reason[:500], "discarded": n},
                )
                return n

        discarded = await node.run_db(run)
        await node.after_trust_change()
        return operator_pb2.ResolveKeyLogResponse(
            country=request.country, discarded_entries=discarded
        )
