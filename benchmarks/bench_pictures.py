"""Drafts with many pictures through ``screener screen``: the pool of picture workers against
one process checking the pictures one at a time, in the same run.

Pictures: real photographs shipped with scikit-image and scikit-learn (``pip install -e
".[bench]"``), most with five lines of Chinese caption drawn in by Pillow with the Noto CJK font
(one line in five names something the lexicon flags), some without text. Drafts of 1, 10 and 20
pictures. The bank holds 16 assets (six other photographs, ten generated emblems), so matching
runs as it would in a college's bank.

Every run is a fresh ``screener screen --format json`` process on a fresh copy of a prepared
state folder: lexicon cache built, asset bank filled, OCR cache empty (uncached). Rounds
alternate the two ways so that the load of a shared machine falls on both alike:

* pool: the default (``images.workers`` empty: one worker process per CPU);
* one process: ``SCREENER_IMAGES__WORKERS=0``, the pictures checked one at a time in the
  screening process itself (the baseline).

Printed: CLI wall time and the report's time per stage (medians over ``--rounds``), the
ratio pool / one process, and the image stage of N pictures against one picture. Then the same
image stage in a long-running process whose models are loaded (as in the review service), and
where the time of a picture goes (decode, hashing, lookup, verification, QR, text detection,
angle classification, recognition), measured in this process on the same pictures, uncached.

    python benchmarks/bench_pictures.py [--rounds 3] [--sizes 1,10,20]
                                        [--parts cli,warm,service,split]

Through the service (``measure_service``): the 10- and 20-picture drafts submitted over HTTP
to a real ``screener serve`` with its picture workers, time to the 201 (the text findings) and
to the complete report, against a second server that screens the pictures within the request,
submissions alternating in the same run. ``--parts service`` runs only that.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screener.images.bank import AssetBank  # noqa: E402
from screener.images.config import ImageConfig  # noqa: E402
from screener.images.picture import CheckerSetup, PictureChecker, PictureTask  # noqa: E402

CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field",
          "immunohistochemistry", "retina", "camera", "coins", "moon", "brick", "grass",
          "gravel", "motorcycle_left", "motorcycle_right", "cell", "clock", "china", "flower",
          "page")
# Registered in the bank; none of them is in a draft.
BANK_PHOTOS = ("colorwheel", "horse", "logo", "text", "microaneurysms", "shepp_logan_phantom")
# Written for this benchmark: lines of a college's picture captions.
CAPTIONS = (
    ("工学院秋季运动会圆满落幕", "时间：十月十八日上午九点", "地点：五四体育场东侧看台",
     "欢迎全院师生踊跃报名参加", "扫码购买优惠课程 加微信咨询"),
    ("材料科学系学术报告会", "报告人：来自兄弟院校的青年学者", "题目：新型储能材料的界面问题",
     "时间：本周四下午两点", "地点：工学院一号楼报告厅"),
    ("研究生新生入学教育", "请各位同学按时到场签到", "携带学生证与入学材料",
     "会后参观实验室与图书馆", "如有疑问请联系研究生办公室"),
)
WITHOUT_TEXT = 3  # every third picture, starting with the third, carries no caption


def photo(name: str) -> Image.Image:
    import skimage.data

    if name in ("china", "flower"):
        from sklearn.datasets import load_sample_image

        array = load_sample_image(f"{name}.jpg")
    elif name.startswith("motorcycle_"):
        array = skimage.data.stereo_motorcycle()[0 if name.endswith("left") else 1]
    else:
        array = getattr(skimage.data, name)()
    image = Image.fromarray(np.asarray(array)).convert("RGB")
    if max(image.size) > 1024:
        image.thumbnail((1024, 1024))
    return image


def captioned(image: Image.Image, lines: tuple[str, ...]) -> Image.Image:
    out = image.copy()
    w, h = out.size
    size = max(14, w // 26)
    font = ImageFont.truetype(CJK_FONT, size)
    draw = ImageDraw.Draw(out)
    top = h - len(lines) * int(size * 1.5) - 10
    draw.rectangle((0, top - 5, w, h), fill=(255, 255, 255))
    for number, line in enumerate(lines):
        draw.text((10, top + number * int(size * 1.5)), line, font=font, fill=(10, 10, 10))
    return out


def make_pictures(folder: Path) -> list[Path]:
    paths = []
    for number, name in enumerate(PHOTOS):
        image = photo(name)
        if (number + 1) % WITHOUT_TEXT:
            image = captioned(image, CAPTIONS[number % len(CAPTIONS)])
        path = folder / f"{number:02d}_{name}.jpg"
        image.save(path, quality=90)
        paths.append(path)
    return paths


def make_draft(folder: Path, pictures: list[Path]) -> Path:
    path = folder / f"draft_{len(pictures)}.json"
    path.write_text(json.dumps({"title": "学院图片新闻", "body": "本周学院举办了多场活动，"
                                "以下是活动现场的照片。", "images": [str(p) for p in pictures]},
                               ensure_ascii=False), encoding="utf-8")
    return path


def seed_home(folder: Path) -> Path:
    """A state folder with its caches built and a bank of 16 assets; no OCR cache."""
    sys.path.insert(0, str(ROOT / "tests" / "images"))
    import flat_graphics

    home = folder / "seed-home"
    bank = AssetBank(f"sqlite:///{home / 'assets.db'}", ImageConfig())
    for name in BANK_PHOTOS:
        path = folder / f"asset_{name}.png"
        photo(name).save(path)
        bank.add(path, kind="copyright", title=name)
    specs, _ = flat_graphics.collection(10, 0)
    for number, spec in enumerate(specs):
        path = folder / f"emblem_{number}.png"
        flat_graphics.draw(spec).save(path)
        bank.add(path, kind="emblem", title=f"emblem {number}")
    text_only = folder / "text.json"
    text_only.write_text(json.dumps({"title": "通知", "body": "本周学院举办讲座。"},
                                    ensure_ascii=False), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "screener.cli", "screen", str(text_only), "--home",
                    str(home)], capture_output=True, check=False)
    shutil.rmtree(home / "cache" / "ocr", ignore_errors=True)
    return home


def cli_run(draft: Path, seed: Path, workers: int | None, scratch: Path) -> dict:
    """One fresh ``screener screen`` of ``draft``: wall time, stage times, findings."""
    home = scratch / f"home-{time.monotonic_ns()}"
    shutil.copytree(seed, home)
    env = dict(os.environ)
    env.pop("SCREENER_IMAGES__WORKERS", None)
    if workers is not None:
        env["SCREENER_IMAGES__WORKERS"] = str(workers)
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "screener.cli", "screen", str(draft),
                           "--format", "json", "--home", str(home)], capture_output=True,
                          text=True, env=env, check=False)
    wall = time.perf_counter() - began
    shutil.rmtree(home, ignore_errors=True)
    if done.returncode not in (0, 10, 20):
        raise SystemExit(f"screener screen failed ({done.returncode}): {done.stderr}")
    report = json.loads(done.stdout.splitlines()[0])
    errors = [f for f in report["findings"] if f["category"] == "stage_error"]
    if errors:
        raise SystemExit(f"a picture could not be checked: {errors[0]['explanation']}")
    return {"wall": wall, "findings": len(report["findings"]), **report["timings"]}


class _Server:
    """``screener serve`` on a copy of the seed state folder, on a free loopback port."""

    def __init__(self, seed: Path, scratch: Path, picture_workers: int) -> None:
        import socket

        import httpx

        self.home = scratch / f"serve-home-{picture_workers}-{time.monotonic_ns()}"
        shutil.copytree(seed, self.home)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "SCREENER_SERVICE__PICTURE_WORKERS": str(picture_workers)}
        env.pop("SCREENER_DATABASE_URL", None)
        self.log = open(scratch / f"serve-{port}.log", "w+", encoding="utf-8")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "screener_service.cli", "serve", "--home", str(self.home),
             "--port", str(port)], stdout=subprocess.PIPE, stderr=self.log, text=True, env=env,
            start_new_session=True)
        admin = self.process.stdout.readline().strip()
        while not admin.startswith("scr_"):
            if self.process.poll() is not None:
                raise SystemExit(f"screener serve failed: {self._log()}")
            admin = self.process.stdout.readline().strip()
        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise SystemExit(f"screener serve did not start: {self._log()}") from None
                time.sleep(0.2)
        self.admin = httpx.Client(base_url=self.base, timeout=600,
                                  headers={"Authorization": f"Bearer {admin}"})
        post = self._post
        unit = post("/api/units", {"name": "力学与工程科学系"})["id"]
        operator = post("/api/people", {"name": "张同学", "kind": "student", "unit_id": unit})
        account = post("/api/accounts", {"platform": "wechat", "name": "力学系学生会",
                                         "unit_id": unit, "opened_on": "2019-09-01"})["id"]
        post(f"/api/accounts/{account}/roles", {"person_id": operator["id"],
                                                 "role": "operator"})
        token = post("/api/tokens", {"role": "operator", "person_id": operator["id"]})["token"]
        self.account = account
        self.operator = httpx.Client(base_url=self.base, timeout=600,
                                     headers={"Authorization": f"Bearer {token}"})

    def _log(self) -> str:
        self.log.seek(0)
        return self.log.read()[-3000:]

    def _post(self, url: str, payload: dict) -> dict:
        response = self.admin.post(url, json=payload)
        if response.status_code not in (200, 201):
            raise SystemExit(f"{url}: {response.status_code} {response.text}")
        return response.json()

    def submit(self, draft: Path) -> tuple[float, float, dict]:
        """Seconds to the 201 (with the text findings) and to the complete report, OCR cache
        emptied first (uncached); the complete draft."""
        shutil.rmtree(self.home / "cache" / "ocr", ignore_errors=True)
        data = json.loads(draft.read_text(encoding="utf-8"))
        files = [("images", (Path(p).name, Path(p).read_bytes(), "image/jpeg"))
                 for p in data["images"]]
        began = time.perf_counter()
        response = self.operator.post("/api/drafts", files=files, data={
            "account_id": str(self.account), "title": data["title"], "body": data["body"]})
        answered = time.perf_counter() - began
        if response.status_code != 201:
            raise SystemExit(f"submission refused: {response.status_code} {response.text}")
        shown = response.json()
        while shown["picture_screening"] and not shown["picture_screening"]["complete"]:
            time.sleep(0.05)
            shown = self.admin.get(f"/api/drafts/{shown['id']}").json()
        complete = time.perf_counter() - began
        errors = [f for f in shown["report"]["findings"] if f["category"] == "stage_error"]
        if errors:
            raise SystemExit(f"a picture could not be checked: {errors[0]['explanation']}")
        return answered, complete, shown

    def stop(self) -> None:
        import signal

        self.admin.close()
        self.operator.close()
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()


def measure_service(drafts: dict[int, Path], seed: Path, scratch: Path,
                    rounds: int) -> dict[tuple[int, str], list[tuple[float, float]]]:
    """The same drafts submitted over HTTP to a real ``screener serve``: seconds to the 201
    and to the complete report. Two servers run side by side, submissions alternating: one
    with its picture workers (default ``service.picture_workers``: 2; the 201 carries the text
    findings and the pictures follow), and the baseline with ``picture_workers=0`` (the
    pictures screened within the request: the 201 is the complete report)."""
    servers = {"background": _Server(seed, scratch, 2), "in request": _Server(seed, scratch, 0)}
    times: dict[tuple[int, str], list[tuple[float, float]]] = {}
    try:
        warm = drafts[min(drafts)]
        for server in servers.values():  # models loaded, workers started
            server.submit(warm)
        for round_number in range(rounds):
            order = list(servers) if round_number % 2 == 0 else list(servers)[::-1]
            for n in sorted(drafts):
                for label in order:
                    answered, complete, _ = servers[label].submit(drafts[n])
                    times.setdefault((n, label), []).append((answered, complete))
            print(f"service round {round_number + 1} of {rounds} done", file=sys.stderr)
    finally:
        for server in servers.values():
            server.stop()
    return times


def report_service(times: dict[tuple[int, str], list[tuple[float, float]]]) -> None:
    print("\nthrough the service (screener serve over HTTP, OCR cache emptied before each "
          "submission), medians:")
    print(f"{'draft':<12} {'pictures':<12} {'to the 201 s':>12} {'to complete s':>13}")
    for n, label in sorted(times):
        rows = times[(n, label)]
        print(f"{n:>2} pictures  {label:<12} {_median([a for a, _ in rows]):>12.2f} "
              f"{_median([c for _, c in rows]):>13.2f}")
    for n in sorted({n for n, _ in times}):
        if (n, "background") in times and (n, "in request") in times:
            answer = _median([a for a, _ in times[(n, "background")]])
            before = _median([a for a, _ in times[(n, "in request")]])
            complete = _median([c for _, c in times[(n, "background")]])
            print(f"{n:>2} pictures: the 201 in the background / in the request "
                  f"{answer / before:.3f}; complete in the background / in the request "
                  f"{complete / before:.2f}")


def warm_runs(pictures: list[Path], sizes: list[int], seed: Path, scratch: Path,
              rounds: int) -> dict[tuple[int, str], list[float]]:
    """The image stage in a long-running process (models loaded, as in the review service):
    ``screen_pictures`` on the same drafts, through the pool and in this process, each run
    with an empty OCR cache; seconds."""
    from screener.images.pool import InProcess, PicturePool
    from screener.model import Draft
    from screener.pipeline import build_resources
    from screener.settings import load_settings
    from screener.stages.images import screen_pictures

    home = scratch / "warm-home"
    shutil.copytree(seed, home)
    resources = build_resources(load_settings(home=home))
    runners = {"pool": PicturePool(), "one process": InProcess()}
    warm = Draft(title="t", body="b", images=(str(pictures[-1]),))
    for runner in runners.values():  # load the models, start the workers
        screen_pictures(warm, resources, runner=runner)
    times: dict[tuple[int, str], list[float]] = {}
    try:
        for round_number in range(rounds):
            order = list(runners) if round_number % 2 == 0 else list(runners)[::-1]
            for n in sizes:
                for label in order:
                    shutil.rmtree(home / "cache" / "ocr", ignore_errors=True)
                    draft = Draft(title="t", body="b", images=tuple(str(p) for p in
                                                                     pictures[:n]))
                    began = time.perf_counter()
                    screen_pictures(draft, resources, runner=runners[label])
                    times.setdefault((n, label), []).append(time.perf_counter() - began)
    finally:
        runners["pool"].close()
    return times


def split_per_picture(pictures: list[Path], seed: Path, scratch: Path) -> dict[str, float]:
    """Milliseconds per picture for each part, in this process, uncached, one ONNX thread."""
    home = scratch / "split-home"
    shutil.copytree(seed, home)
    setup = CheckerSetup(ImageConfig(), f"sqlite:///{home / 'assets.db'}",
                         str(home / "cache" / "ocr"))
    checker = PictureChecker(setup, threads=1)
    checker.warm_up()
    totals: dict[str, float] = {}
    for path in pictures:
        result = checker.check(PictureTask(str(path), str(path), str(path)))
        for part, seconds in result.timings.items():
            totals[part] = totals.get(part, 0.0) + seconds
    shutil.rmtree(home, ignore_errors=True)
    return {part: seconds * 1000 / len(pictures) for part, seconds in totals.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", default="1,10,20")
    parser.add_argument("--parts", default="cli,warm,service,split",
                        help="which measurements to run (comma-separated)")
    parser.add_argument("--service-sizes", default="10,20",
                        help="draft sizes submitted through the service")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    parts = set(args.parts.split(","))
    service_sizes = [int(s) for s in args.service_sizes.split(",")]
    ways = {"pool": None, "one process": 0}
    split: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        pictures = make_pictures(folder)
        drafts = {n: make_draft(folder, pictures[:n]) for n in {*sizes, *service_sizes}}
        seed = seed_home(folder)
        if "cli" in parts:
            runs: dict[tuple[int, str], list[dict]] = {}
            for round_number in range(args.rounds):
                order = (list(ways.items()) if round_number % 2 == 0
                         else list(ways.items())[::-1])
                for n in sizes:
                    for label, workers in order:
                        runs.setdefault((n, label), []).append(
                            cli_run(drafts[n], seed, workers, folder))
                print(f"round {round_number + 1} of {args.rounds} done", file=sys.stderr)
            report(runs, sizes, ways)
        if "warm" in parts:
            warm = warm_runs(pictures, sizes, seed, folder, args.rounds)
            print("\nin a long-running process (models loaded, OCR cache empty), image stage:")
            for n in sizes:
                pool, alone = (_median(warm[(n, w)]) * 1000 for w in ("pool", "one process"))
                line = (f"{n:>2} picture{'s' if n > 1 else ' '}  pool {pool:7.0f} ms  one "
                        f"process {alone:7.0f} ms  ratio {pool / alone:.2f}")
                if 1 in sizes and n > 1:
                    line += (f"  vs 1 picture: pool "
                             f"{pool / (_median(warm[(1, 'pool')]) * 1000):.2f}x, one process "
                             f"{alone / (_median(warm[(1, 'one process')]) * 1000):.2f}x")
                print(line)
        if "service" in parts:
            report_service(measure_service({n: drafts[n] for n in service_sizes}, seed,
                                           folder, args.rounds))
        if "split" in parts:
            split = split_per_picture(pictures[:10], seed, folder)
    if split:
        print("\nwhere a picture's time goes (first 10 pictures, one process, one ONNX thread, "
              "uncached):")
        for part in ("decode", "bank", "hashing", "lookup", "verification", "qr", "detection",
                     "classification", "recognition"):
            print(f"  {part:<15} {split.get(part, 0.0):7.1f} ms")
        print(f"  {'total':<15} {sum(split.values()):7.1f} ms")


def _median(values: list[float]) -> float:
    return statistics.median(values)


def report(runs: dict, sizes: list[int], ways: dict) -> None:
    print(f"{'draft':<12} {'way':<12} {'CLI wall s':>10} {'terms ms':>9} {'classify ms':>11} "
          f"{'images ms':>10} {'findings':>8}")
    images: dict[tuple[int, str], float] = {}
    for n in sizes:
        for label in ways:
            rows = runs[(n, label)]
            images[(n, label)] = _median([r["images"] for r in rows])
            print(f"{n:>2} picture{'s' if n > 1 else ' '}  {label:<12} "
                  f"{_median([r['wall'] for r in rows]):>10.2f} "
                  f"{_median([r['terms'] for r in rows]):>9.1f} "
                  f"{_median([r['classify'] for r in rows]):>11.1f} "
                  f"{images[(n, label)]:>10.0f} {rows[0]['findings']:>8}")
    print()
    for n in sizes:
        print(f"{n:>2} pictures: image stage pool / one process "
              f"{images[(n, 'pool')] / images[(n, 'one process')]:.2f}")
    if 1 in sizes:
        for n in sizes:
            if n > 1:
                print(f"image stage of {n} pictures / of 1 picture: pool "
                      f"{images[(n, 'pool')] / images[(1, 'pool')]:.2f}x, one process "
                      f"{images[(n, 'one process')] / images[(1, 'one process')]:.2f}x")


if __name__ == "__main__":
    main()
