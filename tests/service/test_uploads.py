"""Multipart submissions of a .docx and a WeChat .html export with embedded pictures, end to
end through HTTP: the text is extracted, the pictures are stored and served back, and every
finding's offsets point into the extracted text the reviewer sees."""

from __future__ import annotations

import base64
import io
import json

import pytest

from screener.settings import REPO_ROOT
from tests.fixtures.images import image_bytes

AD = json.loads((REPO_ROOT / "data/samples/ad.json").read_text(encoding="utf-8"))["body"]


def _docx(picture: bytes) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("二手书交流", level=1)
    document.add_paragraph("本周六在图书馆门口交换二手书。")
    document.add_paragraph(AD)
    document.add_picture(io.BytesIO(picture))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _html(picture: bytes) -> bytes:
    inline = base64.b64encode(picture).decode()
    return (f"<html><head><title>二手书交流</title><style>p {{color: red}}</style></head><body>"
            f"<h1>二手书交流</h1><p>本周六在图书馆门口交换二手书。</p><p>{AD}</p>"
            f"<script>var tracking = 1;</script><img src='data:image/png;base64,{inline}'>"
            "</body></html>").encode()


@pytest.mark.parametrize(("name", "make", "kind"), [
    ("post.docx", _docx,
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("post.html", _html, "text/html"),
])
def test_rich_upload_end_to_end(world, photos, name, make, kind):
    picture = image_bytes(photos["flower"].resize((160, 107)))
    response = world.call("operator", "POST", "/api/drafts",
                          data={"account_id": str(world.ids["account"])},
                          files=[("file", (name, make(picture), kind))])
    assert response.status_code == 201, response.text
    draft = response.json()
    assert draft["title"] == "二手书交流"
    assert "图书馆门口" in draft["body"] and "代 孕" in draft["body"]
    assert "color" not in draft["body"] and "tracking" not in draft["body"]
    assert draft["verdict"] == "block"

    findings = [f for f in draft["report"]["findings"] if f["field"] in ("title", "body")]
    assert any(f["category"] == "illegal" for f in findings)
    for f in findings:  # offsets into the extracted text, as stored and shown
        assert draft[f["field"]][f["start"]:f["end"]] == f["text"], f

    assert [i["size"] for i in draft["images"]] == [len(picture)]
    assert "images" in draft["report"]["timings"]
    served = world.call("responsible", "GET", f"/api/drafts/{draft['id']}/images/0")
    assert served.status_code == 200 and served.content == picture

    # The reviewer's page marks the same span in the same text.
    page = world.page("responsible", "GET", f"/drafts/{draft['id']}").text
    import re

    marked = re.findall(r'<a class="mark ([^"]*)"[^>]*>([^<]*)</a>', page)
    illegal = next(f for f in findings if f["category"] == "illegal")
    assert any("cat-illegal" in classes and text in illegal["text"] for classes, text in marked)
    assert f'src="/drafts/{draft["id"]}/images/0"' in page
