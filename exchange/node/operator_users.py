"""The Operator service's sign-in methods, for the web console: passwords, sign-in, who am I,
sign-out. Adapters over exchange.app.passwords like the rest of the service."""

from __future__ import annotations

from typing import TYPE_CHECKING

from exchange import actor
from exchange._proto.v1 import user_ops_pb2
from exchange.alerts.model import timestamp
from exchange.app import passwords, users
from exchange.errors import Error, NotPermitted
from exchange.node.operator_admin import Ctx
from exchange.node.operator_auth import token_of
from exchange.node.operator_records import user_pb
from exchange.node.status import abort
from exchange.records.roles import allowed

if TYPE_CHECKING:
    from exchange.node.runtime import Node


class UserMethods:
    node: Node
    limiter: passwords.Limiter

    async def SetPassword(
        self, request: user_ops_pb2.SetPasswordRequest, context: Ctx
    ) -> user_ops_pb2.UserInfo:
        try:
            now = self.node.clock.now()
            await passwords.set_password(self.node, request.name, request.password, now)
            found, _ = await users.listing(self.node, now)
            return user_pb(next(u for u in found if u.name == request.name))
        except Error as err:
            await abort(context, err)

    async def SignIn(
        self, request: user_ops_pb2.SignInRequest, context: Ctx
    ) -> user_ops_pb2.SignInResponse:
        now = self.node.clock.now()
        try:
            if request.api_token:
                got = await passwords.token_sign_in(
                    self.node, self.limiter, request.api_token, request.source, now
                )
            else:
                got = await passwords.sign_in(
                    self.node, self.limiter, request.name, request.password, request.source, now
                )
        except Error as err:
            await abort(context, err)
        out = user_ops_pb2.SignInResponse(token=got.token, name=got.name, role=got.role)
        out.expires_at.CopyFrom(timestamp(got.expires_at))
        return out

    async def WhoAmI(
        self, request: user_ops_pb2.WhoAmIRequest, context: Ctx
    ) -> user_ops_pb2.WhoAmIResponse:
        who = actor.current() or {}
        method = request.check_method[:64]
        if method and not allowed(method, str(who.get("role", ""))):
            name, role = str(who.get("name", "")), str(who.get("role", ""))
            await self.node.audit(
                "user.refused", {"method": method, "role": role, "user": name, "via": "console"}
            )
            await abort(context, NotPermitted(f"the {role} role may not use this page"))
        return user_ops_pb2.WhoAmIResponse(
            name=str(who.get("name", "")), role=str(who.get("role", ""))
        )

    async def SignOut(
        self, request: user_ops_pb2.SignOutRequest, context: Ctx
    ) -> user_ops_pb2.SignOutResponse:
        who = actor.current() or {}
        token = token_of(context.invocation_metadata())
        await passwords.sign_out(self.node, token, str(who.get("name", "")), self.node.clock.now())
        return user_ops_pb2.SignOutResponse()
