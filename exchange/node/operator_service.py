"""The local Operator service behind the CLI, served only on the state dir's Unix socket."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

from cryptography import x509

from exchange._proto.v1 import alert_pb2, envelope_pb2, operator_pb2, operator_pb2_grpc
from exchange.alerts import model
from exchange.app import alerts as app
from exchange.envelope import key_id
from exchange.errors import (
    Error,
    MalformedInput,
    NotFound,
    Refusals,
    TooLarge,
)
from exchange.node import operator_admin as admin
from exchange.node import whoami
from exchange.node.runtime import utcnow
from exchange.node.status import abort
from exchange.policy import evaluate, explain
from exchange.store import received as stored
from exchange.store import repo
from exchange.store.models import AlertVersion, Channel

if TYPE_CHECKING:
    from exchange.node.runtime import Node

Ctx: TypeAlias = Any  # grpc.aio.ServicerContext; grpc ships no type information
DEFAULT_LIST = 100


class OperatorService(operator_pb2_grpc.OperatorServicer):
    def __init__(self, node: Node) -> None:
        self.node = node
        self.tickets = whoami.Tickets()
        for m in operator_pb2.DESCRIPTOR.services_by_name["Operator"].methods:
            setattr(self, m.name, self.tickets.acting(getattr(self, m.name)))

    async def PublishAlert(
        self, request: operator_pb2.PublishAlertRequest, context: Ctx
    ) -> operator_pb2.AlertRecord:
        try:
            return await app.publish(self.node, request, utcnow())
        except Error as err:
            await abort(context, err)

    async def AmendAlert(
        self, request: operator_pb2.AmendAlertRequest, context: Ctx
    ) -> operator_pb2.AlertRecord:
        try:
            return await app.amend(self.node, request, utcnow())
        except Error as err:
            await abort(context, err)

    async def WithdrawAlert(
        self, request: operator_pb2.WithdrawAlertRequest, context: Ctx
    ) -> operator_pb2.AlertRecord:
        try:
            return await app.withdraw(self.node, request, utcnow())
        except Error as err:
            await abort(context, err)

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
                        out.append(app.record(row))
                return out

        return operator_pb2.ListAlertsResponse(alerts=await self.node.run_db(load))

    async def GetAlert(
        self, request: operator_pb2.GetAlertRequest, context: Ctx
    ) -> operator_pb2.GetAlertResponse:
        try:
            found = await app.versions(self.node, request.alert_id, request.origin)
        except Error as err:
            await abort(context, err)
        first = found[0].alert  # every read of an alert's content is audited, by id only
        await self.node.audit(
            "alert.read",
            {"alert_id": first.alert_id, "origin": first.origin, "versions": len(found)},
        )
        return operator_pb2.GetAlertResponse(versions=found)

    async def AddPeer(
        self, request: operator_pb2.AddPeerRequest, context: Ctx
    ) -> operator_pb2.PeerInfo:
        try:
            return await admin.add_peer(self.node, request)
        except Error as err:
            await abort(context, err)

    async def RemovePeer(
        self, request: operator_pb2.RemovePeerRequest, context: Ctx
    ) -> operator_pb2.PeerInfo:
        try:
            return await admin.remove_peer(self.node, request.country)
        except Error as err:
            await abort(context, err)

    async def SetPeerAddress(
        self, request: operator_pb2.SetPeerAddressRequest, context: Ctx
    ) -> operator_pb2.PeerInfo:
        try:
            return await admin.set_peer_address(self.node, request.country, request.address)
        except Error as err:
            await abort(context, err)

    async def AckAlarm(
        self, request: operator_pb2.AckAlarmRequest, context: Ctx
    ) -> operator_pb2.AlarmState:
        try:
            return await admin.ack_alarm(self.node, request.id, request.reason)
        except Error as err:
            await abort(context, err)

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

        def load() -> tuple[dict[tuple[str, str], Channel], tuple[int, int], int]:
            with node.db.read() as s:
                chans = {(c.origin, c.recipient): c for c in repo.channels(s)}
                held = stored.quarantine_count(s)
                return chans, repo.count_alerts(s, node.country), held

        chans, (own, received), held = await node.run_db(load)
        states = await admin.alarm_states(node, held)
        resp = operator_pb2.StatusResponse(
            country=node.country,
            address=node.address,
            fingerprint=node.identity.fingerprint,
            sign_key_id=key_id(node.identity.signing.public_raw),
            alerts_own=own,
            alerts_received=received,
            serving="SERVING" if not node.stopping.is_set() else "NOT_SERVING",
            alarms=[a.text for a in states],
            quarantined=held,
            alarm_states=states,
        )
        for p in node.peers.all():
            link = node.links.get(p.country)
            out = chans.get((node.country, p.country))
            inc = chans.get((p.country, node.country))
            depth = (out.head_seq - out.acked_seq) if out else 0
            ps = resp.peers.add(
                country=p.country,
                address=p.address,
                connected=bool(link and link.connected),
                outbox_depth=depth,
                sent_head=out.head_seq if out else 0,
                acked_seq=out.acked_seq if out else 0,
                received_head=inc.head_seq if inc else 0,
                last_error=link.last_error if link else "",
                stalled=node.stalled(p.country, depth > 0),
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
        try:
            row = await app.own_current(self.node, request.alert_id)
        except Error as err:
            await abort(context, err)
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
        # Audited by counts and the alerts hit: never the tokens (a register checked in bulk
        # would leave every person's traces), and the identities never reached this node.
        await self.node.audit(
            "match.query",
            {
                "queries": len(request.queries),
                "hits": len(hits),
                "alerts": sorted({f"{h.origin}/{h.alert_id}" for h in hits})[:100],
            },
        )
        return operator_pb2.MatchResponse(hits=hits, queries=len(request.queries))

    # -- trust -----------------------------------------------------------------------------

    async def ImportTrust(
        self, request: operator_pb2.ImportTrustRequest, context: Ctx
    ) -> operator_pb2.ImportTrustResponse:
        if len(request.items) > 1000:
            await abort(context, TooLarge("at most 1000 trust items per import"))
        out = await self.node.import_trust(list(request.items), request.anchor_digest)
        if out.refused:
            kind, err = out.refused[0]
            more = f" ({len(out.refused) - 1} more refused)" if len(out.refused) > 1 else ""
            kept = sum(new for _, _, new in out.accepted)
            if kept:
                more += f"; {kept} other item(s) were installed"
            refused = Refusals(f"{kind} refused: {err.message}{more}", first=err, hint=err.hint)
            await abort(context, refused)  # with the first refusal's status
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
        for country, fr in sorted(node.trust.frozen().items()):
            f = resp.frozen.add(country=country, seq=fr.seq, detail=fr.detail)
            f.evidence.extend(envelope_pb2.Envelope.FromString(e) for e in fr.evidence)
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

    # -- quarantine ------------------------------------------------------------------------

    async def ListQuarantine(
        self, request: operator_pb2.ListQuarantineRequest, context: Ctx
    ) -> operator_pb2.ListQuarantineResponse:
        try:
            items = await app.list_quarantine(self.node, request.origin)
        except Error as err:
            await abort(context, err)
        return operator_pb2.ListQuarantineResponse(items=items)

    async def ReleaseQuarantined(
        self, request: operator_pb2.QuarantineActionRequest, context: Ctx
    ) -> operator_pb2.QuarantinedItem:
        try:
            return await app.release(
                self.node, request.origin, request.seq, request.reason, utcnow()
            )
        except Error as err:
            await abort(context, err)

    async def DropQuarantined(
        self, request: operator_pb2.QuarantineActionRequest, context: Ctx
    ) -> operator_pb2.QuarantinedItem:
        try:
            return await app.drop(self.node, request.origin, request.seq, request.reason, utcnow())
        except Error as err:
            await abort(context, err)

    # -- audit witnesses -------------------------------------------------------------------

    async def AuditWitnesses(
        self, request: operator_pb2.AuditWitnessesRequest, context: Ctx
    ) -> operator_pb2.AuditWitnessesResponse:
        """The heads our peers hold of our audit log (signed by our keys); the CLI checks them."""
        out = operator_pb2.AuditWitnessesResponse()
        for ph in await self.node.audit_heads.witnesses():
            pw = out.peers.add(
                peer=ph.peer,
                reachable=ph.reachable,
                error=ph.error,
                unverified=ph.unverified,
                unverified_reason=ph.unverified_reason,
            )
            for cp in ph.heads:
                h = pw.heads.add(seq=cp.seq, hash=cp.hash, key_id=cp.key_id)
                h.signed_at.CopyFrom(model.timestamp(cp.signed_at))
        return out
