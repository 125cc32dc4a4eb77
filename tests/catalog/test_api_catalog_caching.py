"""ETag / Cache-Control / 304, and the snapshot: local writes show at once, other replicas' within the check interval."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ed25519

from catalog_service.queries import generation
from catalog_service.readmodel import CatalogueReadModel
from mahaliyat.auth import TokenVerifier
from tests.catalog.conftest import Catalogue, running, settings_for

LIST = "/api/v1/catalog/services?limit=5"


async def test_reads_carry_etag_and_cache_control_and_answer_304(catalogue: Catalogue) -> None:
    first = await catalogue.client.get(LIST)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=300"
    assert etag.startswith('"')
    assert etag.endswith('"')

    again = await catalogue.client.get(LIST, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag

    listed = await catalogue.client.get(LIST, headers={"If-None-Match": f'"other", W/{etag}'})
    assert listed.status_code == 304
    stale = await catalogue.client.get(LIST, headers={"If-None-Match": '"0-stale"'})
    assert stale.status_code == 200
    assert stale.json() == first.json()

    other = await catalogue.client.get("/api/v1/catalog/services?limit=6")
    assert other.headers["etag"] != etag  # the representation is part of the tag


async def test_a_write_changes_the_etag_and_is_read_back_at_once(catalogue: Catalogue) -> None:
    before = await catalogue.client.get("/api/v1/catalog/centres/21-03-F01")
    response = await catalogue.client.patch(
        "/api/v1/catalog/centres/21-03-F01",
        json={"phone": "02 3333 4444"},
        headers=catalogue.auth("21"),
    )
    assert response.status_code == 200, response.text
    after = await catalogue.client.get(
        "/api/v1/catalog/centres/21-03-F01", headers={"If-None-Match": before.headers["etag"]}
    )
    assert after.status_code == 200
    assert after.json()["phone"] == "+20233334444"
    assert after.headers["etag"] != before.headers["etag"]


async def test_another_replica_sees_the_change_after_its_check(
    catalogue: Catalogue,
    tmp_path: Path,
    verifier: TokenVerifier,
    signing_key: ed25519.Ed25519PrivateKey,
) -> None:
    """A second app on the same database, checking the generation on every read."""
    url = catalogue.database.url.render_as_string(hide_password=False)
    settings = settings_for(url, tmp_path / "replica", snapshot_check_seconds=0)
    async for replica in running(settings, verifier, signing_key):
        assert (await replica.client.get("/api/v1/catalog/centres/21-03-F01")).json()["active"]
        await catalogue.client.patch(
            "/api/v1/catalog/centres/21-03-F01",
            json={"active": False},
            headers=catalogue.auth("21"),
        )
        seen = await replica.client.get("/api/v1/catalog/centres/21-03-F01")
        assert seen.json()["active"] is False


async def test_the_snapshot_is_rechecked_only_after_the_interval(catalogue: Catalogue) -> None:
    now = [0.0]
    model = CatalogueReadModel(catalogue.database, check_seconds=1.0, clock=lambda: now[0])
    first = await model.current()
    async with catalogue.database.unit_of_work() as uow:  # a write by another process
        await generation.bump(uow.session)
    now[0] = 0.5
    assert await model.current() is first
    now[0] = 1.0
    fresh = await model.current()
    assert fresh is not first
    assert fresh.generation == first.generation + 1
    assert model.loads == 2
    now[0] = 5.0
    assert await model.current() is fresh  # same generation: checked, not reloaded
    assert model.loads == 2


async def test_readers_do_not_wait_for_a_periodic_check(catalogue: Catalogue) -> None:
    now = [0.0]
    model = CatalogueReadModel(catalogue.database, check_seconds=1.0, clock=lambda: now[0])
    first = await model.current()
    now[0] = 2.0
    async with model._lock:  # another request is checking the generation
        assert await model.current() is first
    assert model.loads == 1
