"""What a worker does with a chunk of posts: screen them, or carry their reports forward.

The same function runs in the calling process (``jobs=1``), in a spawned worker process
(``--jobs N``) and on a Dask worker (``--dask``). Each process builds its Screener (compiled
lexicon, models) and each probe once and keeps them for every later chunk; workers never write,
they return compact tuples the driver stores:

* ``("s", post_id, lexicon_version, verdict, report_json, model_version)``: screened;
* ``("c", post_id, previous_seq)``: the probe found nothing, the previous report stands.

Workers read the posts they are given (ids) from the store themselves, so the driver's share of
the work per post is one small write; reading is spread over the workers.
"""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Mapping

from ..images.config import cache_dir, image_config
from ..images.decode import read_image
from ..images.ocr import OcrCache
from ..model import Draft, Platform
from ..pipeline import Screener, freeze_long_lived
from ..settings import Settings
from ..stages.images import REMOTE
from . import db
from .incremental import Probe, ProbeSpec

_LOCK = threading.Lock()
_SCREENERS: dict[tuple[str, tuple[str, ...] | None], object] = {}
_PROBES: dict[str, Probe] = {}
_OCR: dict[str, object] = {}
_ENGINES: dict[str, object] = {}
_FRESH: set = set()  # screeners built since the last run began: no reload needed


def pinned(settings: Settings) -> Settings:
    # One run, one lexicon version: no background reload in the middle of it.
    return settings.model_copy(update={"lexicon_check_seconds": 1e12})


def screener_for(settings: Settings, stages: tuple[str, ...] | None):
    """This process's Screener for these settings, built on first use."""
    key = (settings.model_dump_json(), stages)
    screener = _SCREENERS.get(key)
    if screener is None:
        with _LOCK:
            screener = _SCREENERS.get(key)
            if screener is None:
                screener = Screener(pinned(settings), stages=stages)
                _SCREENERS[key] = screener
                _FRESH.add(key)
                freeze_long_lived()
    return screener


def init_process(settings: Settings, stages: tuple[str, ...] | None) -> None:
    """Process-pool initializer: load everything before the first chunk arrives."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    try:
        screener_for(settings, stages)
    except Exception:  # noqa: BLE001  (an initializer's error only says "broken pool"; the
        pass  # first task builds it again and its error reaches the parent whole)


def _probe(spec: ProbeSpec, screener) -> Probe:
    probe = _PROBES.get(spec.digest)
    if probe is None:
        with _LOCK:
            probe = _PROBES.get(spec.digest)
            if probe is None:
                probe = _PROBES[spec.digest] = Probe(spec, screener.resources.normalizer,
                                                     screener.settings.cache_dir)
    return probe


def _ocr_texts(settings: Settings, images: tuple[str, ...]) -> list[str] | None:
    """The text read from each image, as the images stage reads it (the OCR cache answers for
    every image screened before). None when an image cannot be read: screen the post fully."""
    home = str(settings.home)
    if home not in _OCR:
        _OCR[home] = (OcrCache(cache_dir(settings) / "ocr"), image_config(settings))
    ocr, config = _OCR[home]
    texts = []
    for path in images:
        if path.lower().startswith(REMOTE):
            continue  # never fetched, never read: no text
        try:
            image = read_image(path, config)
            for number, frame in enumerate(image.frames):
                key = image.sha256 if number == 0 else f"{image.sha256}-f{number}"
                texts.append(ocr.read(key, frame).text)
        except Exception:  # noqa: BLE001  (unreadable or OCR failed: screen it fully)
            return None
    return texts


def draft_of(row: Mapping) -> Draft:
    return Draft(id=row["id"], title=row["title"], body=row["body"], account=row["account"],
                 platform=Platform(row["platform"]), images=tuple(json.loads(row["images"])),
                 author=row["author"])


def current_version(settings: Settings, stages: tuple[str, ...] | None) -> str:
    """The lexicon version in force, as this process's screener sees it after a store check."""
    screener = screener_for(settings, stages)
    key = (settings.model_dump_json(), stages)
    if key in _FRESH:
        _FRESH.discard(key)
    else:
        # Built for an earlier run: the store may have moved on, and so may the shipped files
        # (which the store's change stamp does not show), so load what is in force now.
        screener.reload()
    return screener.lexicon_version


def _read(settings: Settings, ids: list[str], probes: Mapping[str, ProbeSpec],
          model: str) -> list[dict]:
    """The posts, read here rather than by the driver (workers read in parallel; the driver only
    writes); with ``probes``, each row also names its newest report, if that one was made with
    the model in force (the probes are only for those)."""
    url = settings.lexicon_database_url
    engine = _ENGINES.get(url)
    if engine is None:
        engine = _ENGINES[url] = db.open_db(settings)
    with engine.connect() as conn:
        rows = db.post_rows(conn, ids)
        if probes:
            previous = db.newest_reports(conn, ids)
            for row in rows:
                seq, lexicon, used_model = previous.get(row["id"], (0, "", ""))
                if used_model == model and lexicon in probes:
                    row.update(prev_seq=seq, prev_lexicon=lexicon)
    return rows


def work(settings: Settings, stages: tuple[str, ...] | None, lexicon: str, model: str,
         ids: list[str], probes: Mapping[str, ProbeSpec]) -> list[tuple]:
    """Screen the posts ``ids`` with lexicon version ``lexicon``; a post last screened with
    ``model`` and a lexicon version that has a probe, where the probe finds nothing in its
    texts, is carried forward instead (``probes`` maps previous version -> probe). A
    long-lived worker (Dask) that still holds an older version reloads; the driver refuses any
    report made with another version than the run's."""
    screener = screener_for(settings, stages)
    _FRESH.discard((settings.model_dump_json(), stages))  # in use by this run now
    if screener.lexicon_version != lexicon or screener.model_version != model:
        screener.reload()  # a long-lived worker: another lexicon or model is in force now
    rows = _read(settings, ids, probes, model)
    with_images = stages is None or "images" in stages
    # Probe each previous version's posts in one go; an unreadable image means a full screening.
    carry: set[int] = set()
    by_spec: dict[str, list[tuple[int, list[str]]]] = {}
    for index, row in enumerate(rows):
        spec = probes.get(row.get("prev_lexicon") or "")
        if spec is None:
            continue
        texts: list[str] | None = [row["title"], row["body"]]
        images = json.loads(row["images"]) if with_images else []
        if images:
            more = _ocr_texts(settings, tuple(images))
            texts = None if more is None else texts + more
        if texts is not None:
            by_spec.setdefault(spec.digest, []).append((index, texts))
    specs = {spec.digest: spec for spec in probes.values()}
    for digest, posts in by_spec.items():
        touched = _probe(specs[digest], screener).touched([t for _, t in posts])
        carry.update(index for n, (index, _) in enumerate(posts) if n not in touched)
    results: list[tuple] = []
    for index, row in enumerate(rows):
        if index in carry:
            results.append(("c", row["id"], row["prev_seq"]))
            continue
        report = screener.screen(draft_of(row))
        results.append(("s", row["id"], report.lexicon_version, str(report.verdict),
                        json.dumps(report.to_dict(), ensure_ascii=False), report.model_version))
    return results
