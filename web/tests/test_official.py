"""The official registers and reports pages: printable in the official layout (checked in a real browser's
print to PDF), every figure opening to its records, files passed through from the services. Just over 300
lines because the official form's sample answer (heading, columns, figures) is most of it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "official"
HEADING = {
    "parent_body": "ỦY BAN NHÂN DÂN TỈNH SÓC TRĂNG",
    "issuing_body": "ỦY BAN NHÂN DÂN HUYỆN MỸ XUYÊN",
    "number": "Số: 15/BC-UBND",
    "nation": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "motto": "Độc lập - Tự do - Hạnh phúc",
    "place_date": "Mỹ Xuyên, ngày 07 tháng 12 năm 2026",
    "unit": "947",
    "unit_name": "Huyện Mỹ Xuyên",
}
SIGNATURE = {
    "left": {"title": "NGƯỜI LẬP BIỂU", "note": "(Ký, ghi rõ họ tên)", "name": "Lê Thị Ba"},
    "right": {"title": "CHỦ TỊCH", "note": "(Ký, ghi rõ họ tên, đóng dấu)", "name": "Nguyễn Văn Hai"},
}
PERIOD = {
    "kind": "year",
    "start": "2023-12-15",
    "end": "2024-12-14",
    "label": "Năm năm 2024",
    "basis": "x",
    "confirmed": False,
    "note": None,
}


def _columns():
    return [
        {"key": "regular.visits", "group": "Tiếp thường xuyên", "subgroup": "", "name": "Lượt", "number": 1},
        {"key": "regular.people", "group": "Tiếp thường xuyên", "subgroup": "", "name": "Người", "number": 2},
        {
            "key": "regular.groups",
            "group": "Tiếp thường xuyên",
            "subgroup": "Đoàn đông người",
            "name": "Số đoàn",
            "number": 3,
        },
        {
            "key": "content.complaint",
            "group": "Nội dung tiếp (vụ việc)",
            "subgroup": "",
            "name": "Khiếu nại",
            "number": 4,
        },
    ]


def _report():
    visits = [{"number": "947/2024/000001", "id": "v-1"}, {"number": "947/2024/000002", "id": "v-2"}]
    cells = [
        {"column": "regular.visits", "value": 2, "records": visits},
        {"column": "regular.people", "value": 8, "records": visits},
        {"column": "regular.groups", "value": 1, "records": visits[1:]},
        {"column": "content.complaint", "value": 0, "records": []},
    ]
    return {
        "form": "reception",
        "code": "Biểu số 01/TCD",
        "title": "TỔNG HỢP KẾT QUẢ TIẾP CÔNG DÂN",
        "record_type": "visit",
        "columns": _columns(),
        "heading": HEADING,
        "signature": SIGNATURE,
        "period": PERIOD,
        "period_text": "Kỳ báo cáo: Năm năm 2024 (từ ngày 15/12/2023 đến ngày 14/12/2024)",
        "unit": "947",
        "units_included": ["947"],
        "rows": [
            {"unit": "947", "unit_name": "Huyện Mỹ Xuyên", "total": False, "cells": cells},
            {"unit": None, "unit_name": "Tổng cộng", "total": True, "cells": cells},
        ],
    }


def _register():
    columns = [
        ("serial", "Số thứ tự"),
        ("date", "Ngày tiếp"),
        ("full_name", "Họ và tên"),
        ("content", "Nội dung vụ việc"),
        ("people", "Số người"),
        ("handling", "Kết quả tiếp nhận, xử lý"),
    ]
    return {
        "title": "SỔ TIẾP CÔNG DÂN",
        "heading": HEADING,
        "signature": SIGNATURE,
        "period": PERIOD,
        "period_text": "Kỳ báo cáo: từ ngày 01/06/2024 đến ngày 30/06/2024",
        "identities_shown": 1,
        "columns": [{"key": k, "name": n, "number": i + 1} for i, (k, n) in enumerate(columns)],
        "rows": [
            {
                "id": "v-1",
                "serial": "947/2024/000001",
                "date": "03/06/2024 08:30",
                "full_name": "Trần Thị Mười",
                "content": "Khiếu nại thu hồi đất",
                "people": 1,
                "handling": "Tiếp nhận đơn, tài liệu",
                "identity_masked": False,
            }
        ],
    }


def test_the_report_page_is_the_official_form_and_each_figure_opens(signed_in, fake_gateway):
    client, _csrf = signed_in
    fake_gateway.on("GET", "/intake/official/reports/reception", 200, _report())
    page = client.get("/official/reports/reception?period=year&year=2024&unit=947&signer=Nguyễn Văn Hai")
    html = page.data.decode()
    assert page.status_code == 200
    for text in (
        "ỦY BAN NHÂN DÂN HUYỆN MỸ XUYÊN",
        "Số: 15/BC-UBND",
        "Mỹ Xuyên, ngày 07 tháng 12 năm 2026",
        "TỔNG HỢP KẾT QUẢ TIẾP CÔNG DÂN",
        "Biểu số 01/TCD",
        "Đoàn đông người",
        "Tổng cộng",
        "CHỦ TỊCH",
        "Nguyễn Văn Hai",
        "@media print",
    ):
        assert text in html, text
    asked = fake_gateway.sent("GET", "/intake/official/reports/reception")[-1]["query"]
    assert asked["period"] == ["year"] and asked["year"] == ["2024"] and asked["signer"] == ["Nguyễn Văn Hai"]
    assert asked["records"] == ["false"]  # the page shows figures; a figure's records are asked when opened
    assert 'colspan="3">Tiếp thường xuyên' in html  # the group heading spans its columns
    assert 'id="report-charts"' in html and "Đoàn đông người · Số đoàn" in html  # a chart of the totals
    records = client.get(
        "/official/reports/reception/records?period=year&year=2024&unit=947&column=regular.groups&row=947"
    )
    body = records.data.decode()
    assert records.status_code == 200 and "947/2024/000002" in body and "947/2024/000001" not in body
    assert "/register/v-2" in body and 'id="figure">1<' in body
    assert client.get("/official/reports/nothing?period=year&year=2024").status_code == 404
    assert client.get("/official/reports/reception/records?period=year&year=2024&column=x&row=947").status_code == 404


def test_a_refused_period_is_explained_not_a_crash(signed_in, fake_gateway):
    client, _csrf = signed_in
    fake_gateway.on(
        "GET",
        "/intake/official/reports/handling",
        422,
        {"status": 422, "code": "validation_failed", "errors": [{"field": "number", "message": "1 to 4"}]},
    )
    page = client.get("/official/reports/handling?period=quarter&year=2024&number=9")
    assert page.status_code == 200 and "(number)" in page.data.decode()


def test_downloads_pass_the_services_files_through(signed_in, fake_gateway):
    client, _csrf = signed_in
    fake_gateway.on("GET", "/intake/official/register", 200, b"PK\x03\x04 xlsx bytes")
    resp = client.get("/official/download/register?from=2024-06-01&to=2024-06-30&unit=947")
    assert resp.status_code == 200 and resp.data.startswith(b"PK") and resp.mimetype.endswith("sheet")
    assert fake_gateway.sent("GET", "/intake/official/register")[-1]["query"]["format"] == ["xlsx"]
    fake_gateway.on("GET", "/escalation/cases/plan363", 200, b"PK\x03\x04 plan")
    assert client.get("/official/download/plan363").data.startswith(b"PK")
    assert client.get("/official/download/unknown").status_code == 404


def test_the_plan363_page_lists_what_the_plan_tracks(signed_in, fake_gateway):
    client, _csrf = signed_in
    fake_gateway.on(
        "GET",
        "/escalation/cases/plan363",
        200,
        [
            {
                "case_id": "c-1",
                "number": "VV-2026-0001",
                "title": "Tranh chấp đất đai",
                "category_name": "Khiếu nại",
                "on_central_list": True,
                "review_result": "Đã rà soát",
                "plan_agreed": True,
                "plan_agreed_on": "2026-10-05",
                "plan_summary": "Đo đạc lại",
                "agreed_deadline": "2026-11-30",
                "lead_agency": "Phòng TN&MT",
                "progress": "in_progress",
                "progress_name": "Đang giải quyết",
                "overdue": True,
            }
        ],
    )
    html = client.get("/official/plan363").data.decode()
    for text in (
        "VV-2026-0001",
        "Đã thống nhất ngày 05/10/2026",
        "30/11/2026",
        "Đang giải quyết",
        "quá hạn",
        "Kế hoạch số 363/KH-TTCP",
    ):
        assert text in html, text
    assert "c-1</" not in html  # the case's number is shown, its id only in the link


def test_the_index_offers_every_document_with_the_official_periods(signed_in, fake_gateway):
    client, _csrf = signed_in
    fake_gateway.on(
        "GET",
        "/intake/official/periods",
        200,
        {
            "items": [
                {
                    **PERIOD,
                    "label": "Quý I năm 2026",
                    "start": "2025-12-15",
                    "end": "2026-03-14",
                    "basis": "Nghị định 09/2019/NĐ-CP",
                }
            ]
        },
    )
    html = client.get("/official").data.decode()
    for text in (
        "Sổ tiếp công dân",
        "Sổ theo dõi đơn",
        "Biểu 02/XLĐ",
        "Biểu 04/KQGQ",
        "CSDL quốc gia",
        "Quý I năm 2026",
        "2025/12/15",
        "Kế hoạch 363",
    ):
        assert text in html, text


def test_the_register_prints_in_a_real_browser(signed_in, fake_gateway, tmp_path):
    client, _csrf = signed_in
    fake_gateway.on("GET", "/intake/official/register", 200, _register())
    html = client.get("/official/documents/register?from=2024-06-01&to=2024-06-30").data.decode()
    assert "Trần Thị Mười" in html and "nhật ký truy cập" in html and "/register/v-1" in html
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium or not shutil.which("pdftotext"):
        pytest.skip("chromium or poppler-utils is not installed")
    page = tmp_path / "register.html"
    page.write_text(html, encoding="utf-8")
    pdf = tmp_path / "register.pdf"
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'c'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        check=True,
        timeout=120,
        capture_output=True,
    )
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    # Printed: the official document, not the dashboard around it.
    assert "SỔ TIẾP CÔNG DÂN" in text and "947/2024/000001" in text and "NGƯỜI LẬP BIỂU" in text
    assert "Đăng xuất" not in text and "Chọn tài liệu khác" not in text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(ARTIFACTS / "register-print")],
        check=True,
        timeout=60,
    )


def test_a_case_is_put_on_the_plan363_list_from_the_dashboard(signed_in, fake_gateway):
    client, csrf = signed_in
    case = {"id": "c-7", "number": "VV-2026-0007", "title": "Tranh chấp đất đai kéo dài", "complex": True}
    fake_gateway.on("GET", "/escalation/cases/c-7", 200, case)
    fake_gateway.on("GET", "/escalation/cases/c-7/plan363", 404, {"status": 404, "code": "not_found"})
    fake_gateway.on("GET", "/escalation/cases/plan363", 200, [])
    fake_gateway.on("GET", "/escalation/cases", 200, [case])
    listing = client.get("/official/plan363").data.decode()
    assert "VV-2026-0007 · Tranh chấp đất đai kéo dài (phức tạp)" in listing
    chosen = client.get("/official/plan363/_?case=c-7")
    assert chosen.status_code == 302 and chosen.headers["Location"].endswith("/official/plan363/c-7")
    form = client.get("/official/plan363/c-7").data.decode()
    assert "Đưa vào danh sách" in form and "VV-2026-0007" in form
    fake_gateway.on(
        "PUT",
        "/escalation/cases/c-7/plan363",
        422,
        {"status": 422, "code": "validation_failed", "errors": [{"field": "version", "message": "changed"}]},
    )
    refused = client.post(
        "/official/plan363/c-7",
        data={
            "csrf_token": csrf,
            "source": "central",
            "on_central_list": "true",
            "plan_agreed_on": "2026-10-05",
            "agreed_deadline": "2026-11-30",
            "progress": "in_progress",
            "version": "1",
        },
    )
    assert refused.status_code == 200 and "<code>version</code>" in refused.data.decode()
    sent = fake_gateway.sent("PUT", "/escalation/cases/c-7/plan363")[-1]["json"]
    assert sent["on_central_list"] is True and sent["plan_agreed"] is True and sent["version"] == 1
    assert sent["agreed_deadline"] == "2026-11-30" and sent["review_result"] is None
    assert 'value="2026-11-30"' in refused.data.decode()  # what was typed is kept
