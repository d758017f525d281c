"""The Operator service's admin methods: peers, alarms, trust and audit witnesses.

Adapters over exchange.app like the rest of the service (see operator_service): they read
the request, call the use case, build the reply and abort with the error's status."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

from exchange._proto.v1 import operator_pb2
from exchange.app import alarms, audit, peers
from exchange.app import trust as app_trust
from exchange.errors import Error, MalformedInput, NotFound, Refusals, TooLarge
from exchange.node.operator_replies import (
    alarm_state,
    keys_status_response,
    peer_info,
    witnesses_response,
)
from exchange.node.status import abort

if TYPE_CHECKING:
    from exchange.node.runtime import Node

Ctx: TypeAlias = Any  # grpc.aio.ServicerContext; grpc ships no type information


class AdminMethods:
    node: Node

    async def AddPeer(
        self, request: operator_pb2.AddPeerRequest, context: Ctx
    ) -> operator_pb2.PeerInfo:
        try:
            return peer_info(
                await peers.add_peer(
                    self.node,
                    request.country,
                    request.address,
                    request.fingerprint,
                    self.node.clock.now(),
                )
            )
        except Error as err:
            await abort(context, err)

    async def RemovePeer(
        self, request: operator_pb2.RemovePeerRequest, context: Ctx
    ) -> operator_pb2.PeerInfo:
        try:
            return peer_info(
                await peers.remove_peer(self.node, request.country, self.node.clock.now())
            )
        except Error as err:
            await abort(context, err)

    async def SetPeerAddress(
        self, request: operator_pb2.SetPeerAddressRequest, context: Ctx
    ) -> operator_pb2.PeerInfo:
        try:
            return peer_info(
                await peers.set_peer_address(
                    self.node, request.country, request.address, self.node.clock.now()
                )
            )
        except Error as err:
            await abort(context, err)

    async def ListPeers(
        self, request: operator_pb2.ListPeersRequest, context: Ctx
    ) -> operator_pb2.ListPeersResponse:
        return operator_pb2.ListPeersResponse(
            peers=[peer_info(p) for p in peers.list_peers(self.node)]
        )

    async def AckAlarm(
        self, request: operator_pb2.AckAlarmRequest, context: Ctx
    ) -> operator_pb2.AlarmState:
        try:
            return alarm_state(
                await alarms.ack_alarm(self.node, request.id, request.reason, self.node.clock.now())
            )
        except Error as err:
            await abort(context, err)

    # -- trust -----------------------------------------------------------------------------

    async def ImportTrust(
        self, request: operator_pb2.ImportTrustRequest, context: Ctx
    ) -> operator_pb2.ImportTrustResponse:
        try:
            found = await app_trust.import_trust(
                self.node, list(request.items), request.anchor_digest
            )
        except (TooLarge, Refusals) as err:  # anything else is the guard's (audited) refusal
            await abort(context, err)
        return operator_pb2.ImportTrustResponse(
            items=[
                operator_pb2.ImportedItem(kind=i.kind, summary=i.summary, new=i.new) for i in found
            ]
        )

    async def KeysStatus(
        self, request: operator_pb2.KeysStatusRequest, context: Ctx
    ) -> operator_pb2.KeysStatusResponse:
        return keys_status_response(app_trust.keys_status(self.node, self.node.clock.now()))

    async def ResolveKeyLog(
        self, request: operator_pb2.ResolveKeyLogRequest, context: Ctx
    ) -> operator_pb2.ResolveKeyLogResponse:
        try:
            discarded = await app_trust.resolve(
                self.node, request.country, request.reason, self.node.clock.now()
            )
        except (NotFound, MalformedInput) as err:
            await abort(context, err)
        return operator_pb2.ResolveKeyLogResponse(
            country=request.country, discarded_entries=discarded
        )

    # -- audit witnesses -------------------------------------------------------------------

    async def AuditWitnesses(
        self, request: operator_pb2.AuditWitnessesRequest, context: Ctx
    ) -> operator_pb2.AuditWitnessesResponse:
        """The heads our peers hold of our audit log (signed by our keys); the CLI checks them."""
        return witnesses_response(await audit.witnesses(self.node))
