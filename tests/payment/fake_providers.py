"""Protocol-faithful fake Paymob-style and Fawry-style servers, served by uvicorn on loopback.

They sign with their own code written from the providers' documentation (not our
``domain.signatures``), check the signatures and credentials of what they receive, keep
their own state, and make the callbacks a real provider would post.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

PAYMOB_FIELDS = [
    "amount_cents",
    "created_at",
    "currency",
    "error_occured",
    "has_parent_transaction",
    "id",
    "integration_id",
    "is_3d_secure",
    "is_auth",
    "is_capture",
    "is_refunded",
    "is_standalone_payment",
    "is_voided",
    "order.id",
    "owner",
    "pending",
    "source_data.pan",
    "source_data.sub_type",
    "source_data.type",
    "success",
]


def _paymob_value(obj: dict[str, Any], path: str) -> str:
    value: Any = obj
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def paymob_sign(obj: dict[str, Any], secret: str) -> str:
    message = "".join(_paymob_value(obj, f) for f in PAYMOB_FIELDS)
    return hmac.new(secret.encode(), message.encode(), hashlib.sha512).hexdigest()


def _two(amount: Decimal | int | str) -> str:
    return f"{Decimal(str(amount)):.2f}"


class FakePaymob:
    def __init__(self, *, secret_key: str, api_key: str, hmac_secret: str, integrations: set[int]):
        self.secret_key, self.api_key, self.hmac_secret = secret_key, api_key, hmac_secret
        self.integrations = integrations
        self.intentions: dict[str, dict[str, Any]] = {}  # order id → intention
        self.transactions: dict[int, dict[str, Any]] = {}
        self.tokens: set[str] = set()
        self.received: list[dict[str, Any]] = []
        self._next = 100
        self.app = Starlette(
            routes=[
                Route("/v1/intention/", self.intention, methods=["POST"]),
                Route("/api/auth/tokens", self.auth, methods=["POST"]),
                Route("/api/ecommerce/orders/transaction_inquiry", self.inquiry, methods=["POST"]),
                Route("/api/acceptance/void_refund/refund", self.refund, methods=["POST"]),
            ]
        )

    def _id(self) -> int:
        self._next += 1
        return self._next

    async def intention(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Token {self.secret_key}":
            return JSONResponse({"detail": "Invalid token."}, 401)
        body = await request.json()
        self.received.append(body)
        if not isinstance(body.get("amount"), int) or body.get("currency") != "EGP":
            return JSONResponse({"detail": "amount must be integer cents in EGP"}, 400)
        if not set(body.get("payment_methods", [])) <= self.integrations:
            return JSONResponse({"detail": "Integration ID/Name does not exist"}, 404)
        items = body.get("items") or []
        if items and sum(i["amount"] * i["quantity"] for i in items) != body["amount"]:
            return JSONResponse({"detail": "items total must equal the amount"}, 400)
        order_id = self._id()
        intention = {
            "id": f"pi_test_{order_id}",
            "intention_order_id": order_id,
            "client_secret": f"egy_csk_test_{order_id}",
            "status": "intended",
            "special_reference": body["special_reference"],
            "amount": body["amount"],
            "currency": "EGP",
            "integration_id": body["payment_methods"][0],
            "billing_data": body["billing_data"],
        }
        self.intentions[str(order_id)] = intention
        return JSONResponse(intention, 201)

    async def auth(self, request: Request) -> Response:
        body = await request.json()
        if body.get("api_key") != self.api_key:
            return JSONResponse({"detail": "incorrect credentials"}, 403)
        token = f"token-{self._id()}"
        self.tokens.add(token)
        return JSONResponse({"token": token}, 201)

    async def inquiry(self, request: Request) -> Response:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.tokens:
            return JSONResponse({"detail": "Authentication credentials were not provided."}, 401)
        reference = (await request.json()).get("merchant_order_id")
        found = [
            t for t in self.transactions.values() if t["order"]["merchant_order_id"] == reference
        ]
        if not found:
            return JSONResponse({"detail": "Not found."}, 404)
        return JSONResponse(found[-1])

    async def refund(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Token {self.secret_key}":
            return JSONResponse({"detail": "Invalid token."}, 401)
        body = await request.json()
        parent = self.transactions.get(body.get("transaction_id"))
        if parent is None or not parent["success"]:
            return JSONResponse({"detail": "Transaction not found"}, 404)
        remaining = parent["amount_cents"] - parent["refunded_amount_cents"]
        if not 0 < body["amount_cents"] <= remaining:
            return JSONResponse({"message": "Refund amount exceeds the captured amount"}, 400)
        parent["refunded_amount_cents"] += body["amount_cents"]
        parent["is_refunded"] = True
        refund = {**parent, "id": self._id(), "amount_cents": body["amount_cents"]}
        refund.update(is_refund=True, has_parent_transaction=True, success=True)
        return JSONResponse(refund)

    # --- what the provider does on its own ----------------------------------------------------

    def pay(
        self,
        order_id: str,
        *,
        success: bool = True,
        amount_cents: int | None = None,
        wallet: bool = False,
        secret: str | None = None,
    ) -> tuple[bytes, dict[str, str]]:
        """The citizen pays (or is declined) on the checkout: the "transaction processed"
        callback body and its query (``hmac``)."""
        intention = self.intentions[order_id]
        transaction_id = self._id()
        obj = {
            "id": transaction_id,
            "pending": False,
            "amount_cents": intention["amount"] if amount_cents is None else amount_cents,
            "success": success,
            "is_auth": False,
            "is_capture": False,
            "is_standalone_payment": True,
            "is_voided": False,
            "is_refunded": False,
            "is_3d_secure": not wallet,
            "integration_id": intention["integration_id"],
            "profile_id": 1,
            "has_parent_transaction": False,
            "order": {
                "id": int(order_id),
                "merchant_order_id": intention["special_reference"],
                "amount_cents": intention["amount"],
                "created_at": "2026-11-24T12:00:00.000001",
            },
            "created_at": "2026-11-24T12:01:02.123456",
            "currency": "EGP",
            "source_data": (
                {"pan": "01010101010", "type": "wallet", "sub_type": "wallet"}
                if wallet
                else {"pan": "2346", "type": "card", "sub_type": "MasterCard"}
            ),
            "error_occured": not success,
            "owner": 302852,
            "refunded_amount_cents": 0,
            "data": {"message": "Approved" if success else "Do not honour"},
        }
        self.transactions[transaction_id] = obj
        body = json.dumps({"type": "TRANSACTION", "obj": obj}).encode()
        return body, {"hmac": paymob_sign(obj, secret or self.hmac_secret)}


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class FakeFawry:
    def __init__(self, *, merchant_code: str, secure_key: str) -> None:
        self.merchant_code, self.secure_key = merchant_code, secure_key
        self.charges: dict[str, dict[str, Any]] = {}  # merchantRefNum → charge
        self.received: list[dict[str, Any]] = []
        self.wrong_signatures = 0
        self._next = 9990076200
        self.app = Starlette(
            routes=[
                Route("/ECommerceWeb/Fawry/payments/charge", self.charge, methods=["POST"]),
                Route("/ECommerceWeb/Fawry/payments/status/v2", self.status, methods=["GET"]),
            ]
        )

    def _wrong(self) -> Response:
        self.wrong_signatures += 1
        return JSONResponse(
            {"type": "ChargeResponse", "statusCode": 9946, "statusDescription": "Wrong Signature"}
        )

    async def charge(self, request: Request) -> Response:
        body = json.loads(await request.body(), parse_float=Decimal)
        self.received.append(body)
        expected = _sha256(
            body["merchantCode"]
            + body["merchantRefNum"]
            + body.get("customerProfileId", "")
            + body["paymentMethod"]
            + _two(body["amount"])
            + self.secure_key
        )
        if body["merchantCode"] != self.merchant_code or body.get("signature") != expected:
            return self._wrong()
        self._next += 1
        charge = {
            "referenceNumber": str(self._next),
            "merchantRefNumber": body["merchantRefNum"],
            "orderAmount": _two(body["amount"]),
            "paymentMethod": body["paymentMethod"],
            "orderStatus": "UNPAID",
            "expirationTime": body["paymentExpiry"],
            "customerMobile": body.get("customerMobile"),
        }
        self.charges[body["merchantRefNum"]] = charge
        answer = {"type": "ChargeResponse", **charge, "statusCode": 200}
        answer["statusDescription"] = "Operation done successfully"
        return JSONResponse(answer)

    async def status(self, request: Request) -> Response:
        q = request.query_params
        expected = _sha256(
            q.get("merchantCode", "") + q.get("merchantRefNumber", "") + self.secure_key
        )
        if q.get("signature") != expected:
            return self._wrong()
        charge = self.charges.get(q["merchantRefNumber"])
        if charge is None:
            return JSONResponse({"type": "PaymentStatusResponse", "statusCode": 9938})
        answer = {
            "type": "PaymentStatusResponse",
            "referenceNumber": charge["referenceNumber"],
            "merchantRefNumber": charge["merchantRefNumber"],
            "orderAmount": Decimal(charge["orderAmount"]),
            "paymentAmount": Decimal(charge.get("paymentAmount", charge["orderAmount"])),
            "orderStatus": charge["orderStatus"],
            "paymentMethod": charge["paymentMethod"],
            "statusCode": 200,
            "statusDescription": "Operation done successfully",
        }
        # Fawry writes amounts as JSON numbers.
        text = (
            json.dumps(answer, default=lambda d: "@" + str(d) + "@")
            .replace('"@', "")
            .replace('@"', "")
        )
        return Response(text, media_type="application/json")

    def notify(
        self,
        merchant_reference: str,
        status: str = "PAID",
        *,
        paid: str | None = None,
        secure_key: str | None = None,
    ) -> bytes:
        """The outlet takes the cash (or the code expires): the V2 notification body."""
        charge = self.charges[merchant_reference]
        charge["orderStatus"] = status
        payment_amount = paid or charge["orderAmount"]
        charge["paymentAmount"] = payment_amount
        reference_number = "123456"
        signature = _sha256(
            charge["referenceNumber"]
            + merchant_reference
            + _two(payment_amount)
            + _two(charge["orderAmount"])
            + status
            + "PAYATFAWRY"
            + reference_number
            + (secure_key or self.secure_key)
        )
        body = {
            "requestId": "c72827d084ea4b88949d91dd2db4996e",
            "fawryRefNumber": charge["referenceNumber"],
            "merchantRefNumber": merchant_reference,
            "customerName": "سارة محمود",
            "customerMobile": charge["customerMobile"],
            "customerMail": "",
            "paymentAmount": "@" + payment_amount + "@",
            "orderAmount": "@" + charge["orderAmount"] + "@",
            "fawryFees": "@1.00@",
            "orderStatus": status,
            "paymentMethod": "PAYATFAWRY",
            "paymentTime": 1764000000000,
            "paymentRefrenceNumber": reference_number,
            "messageSignature": signature,
        }
        return json.dumps(body).replace('"@', "").replace('@"', "").encode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@asynccontextmanager
async def serving(app: Any) -> AsyncIterator[str]:
    """``app`` served by uvicorn on a loopback socket; yields its base URL."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()
