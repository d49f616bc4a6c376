"""The register and the petitions book in their official layout: identities shown and audited for an allowed
reader, masked for others; the XLSX opened by LibreOffice (to PDF, then PNG) and read back cell by cell;
the national database export read back."""

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

PERIOD = {"from": "2024-06-01", "to": "2024-06-30", "unit": "947"}
ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts" / "official"


def _visits(client, board, visit_body):
    named = {
        "full_name": "Trần Thị Mười",
        "address": "Ấp Hòa Phuông, xã Đại Tâm",
        "id_number": "094187000123",
        "is_representative": True,
    }
    first = client.post(
        "/visits",
        headers=board,
        json=visit_body(
            received_at="2024-06-03T08:30:00+07:00",
            citizens=[named],
            prior_handling="UBND xã đã hòa giải",
            citizen_request="Đề nghị bồi thường theo giá thị trường",
        ),
    ).json
    second = client.post(
        "/visits",
        headers=board,
        json=visit_body(
            received_at="2024-06-04T09:00:00+07:00",
            category="denunciation",
            citizens=[{"full_name": "Người Tố Cáo", "address": "Ấp X", "is_representative": True}],
            content="Tố cáo cán bộ địa chính",
        ),
    ).json
    client.post("/visits", headers=board, json=visit_body(received_at="2024-07-04T09:00:00+07:00"))  # outside
    return first, second


def test_register_shows_identities_to_the_allowed_and_audits_each(client, board, inspector, visit_body):
    first, second = _visits(client, board, visit_body)
    masked = client.get("/official/register", headers=board, query_string=PERIOD)
    assert masked.status_code == 200, masked.json
    rows = masked.json["rows"]
    assert [r["serial"] for r in rows] == [first["serial"], second["serial"]]
    assert rows[0]["full_name"] == "T*** T*** M***" and rows[0]["identity_masked"]
    assert rows[1]["full_name"] == "***" and masked.json["identities_shown"] == 0
    assert rows[0]["kind"] == "Khiếu nại - Đất đai" and rows[0]["handling"] == "Tiếp nhận đơn, tài liệu"
    assert rows[0]["reception"] == "Tiếp thường xuyên"
    assert masked.json["heading"]["issuing_body"] == "ỦY BAN NHÂN DÂN HUYỆN MỸ XUYÊN"
    assert masked.json["heading"]["parent_body"] == "ỦY BAN NHÂN DÂN TỈNH SÓC TRĂNG"
    assert client.get("/identity-reads", headers=inspector).json["items"] == []

    shown = client.get("/official/register", headers=inspector, query_string=PERIOD).json
    assert shown["rows"][0]["full_name"] == "Trần Thị Mười" and shown["rows"][0]["id_number"] == "094187000123"
    assert shown["rows"][1]["full_name"] == "Người Tố Cáo" and shown["identities_shown"] == 2
    reads = client.get("/identity-reads", headers=inspector).json["items"]
    assert sorted(r["record_id"] for r in reads) == sorted([first["id"], second["id"]])
    assert {r["purpose"] for r in reads} == {"official register export"} and {r["reader"] for r in reads} == {"ttr-01"}


def _soffice():
    return shutil.which("soffice") or shutil.which("libreoffice")


def test_register_xlsx_opens_in_libreoffice_and_reads_back_cell_by_cell(client, board, inspector, visit_body, tmp_path):
    first, second = _visits(client, board, visit_body)
    resp = client.get(
        "/official/register",
        headers=inspector,
        query_string={
            **PERIOD,
            "format": "xlsx",
            "doc_number": "15",
            "signer": "Nguyễn Văn Hai",
            "preparer": "Lê Thị Ba",
        },
    )
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("application/vnd.openxml")
    assert 'filename="so-tiep-cong-dan_2024-06-01_2024-06-30.xlsx"' in resp.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(resp.data)).active
    values = list(sheet.iter_rows(values_only=True))
    # The heading: the issuing body on the left half of the 13 columns, the nation on the right (from column 7).
    assert values[0][6] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and values[1][0] == "ỦY BAN NHÂN DÂN HUYỆN MỸ XUYÊN"
    assert values[0][0] == "ỦY BAN NHÂN DÂN TỈNH SÓC TRĂNG"
    assert values[2][0] == "Số: 15/STCD" and values[2][6].startswith("Mỹ Xuyên, ngày ")
    assert values[4][0] == "SỔ TIẾP CÔNG DÂN" and "01/06/2024" in values[5][0]
    header = values[7]
    assert header[:6] == (
        "Số thứ tự",
        "Ngày tiếp",
        "Họ và tên",
        "Địa chỉ",
        "Số CCCD/giấy tờ tùy thân",
        "Nội dung vụ việc",
    )
    assert values[10][:3] == ("(1)", "(2)", "(3)")
    body = values[11:13]
    assert body[0][0] == first["serial"] and body[0][1] == "03/06/2024 08:30"
    assert body[0][2:5] == ("Trần Thị Mười", "Ấp Hòa Phuông, xã Đại Tâm", "094187000123")
    assert body[0][6:8] == ("UBND xã đã hòa giải", "Đề nghị bồi thường theo giá thị trường")
    assert body[1][0] == second["serial"] and body[1][8] == "Tố cáo - Đất đai"
    flat = [v for row in values for v in row if v]
    assert "THỦ TRƯỞNG ĐƠN VỊ" in flat and "Nguyễn Văn Hai" in flat and "NGƯỜI LẬP BIỂU" in flat
    assert not any(first["id"] in str(v) for v in flat)  # register numbers, never UUIDs

    if not _soffice() or not shutil.which("pdftoppm"):
        pytest.skip("LibreOffice or poppler is not installed (apt-get install -y libreoffice-calc poppler-utils)")
    path = tmp_path / "so-tiep-cong-dan.xlsx"
    path.write_bytes(resp.data)
    subprocess.run(
        [
            _soffice(),
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        timeout=180,
        capture_output=True,
    )
    pdf = tmp_path / "so-tiep-cong-dan.pdf"
    assert pdf.exists() and pdf.stat().st_size > 2000
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "SỔ TIẾP CÔNG DÂN" in text and first["serial"] in text and "Trần Thị Mười" in text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", str(pdf), str(ARTIFACTS / "register")],
        check=True,
        timeout=60,
    )
    assert any(ARTIFACTS.glob("register*.png"))


def test_report_xlsx_reads_back_the_figures(client, board, visit_body, tmp_path):
    for day, size in ((3, 1), (4, 6), (5, 2)):
        assert (
            client.post(
                "/visits", headers=board, json=visit_body(size=size, received_at=f"2024-06-0{day}T08:00:00+07:00")
            ).status_code
            == 201
        )
    query = {**PERIOD, "signer_title": "Chủ tịch"}
    data = client.get("/official/reports/reception", headers=board, query_string=query).json
    resp = client.get("/official/reports/reception", headers=board, query_string={**query, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(resp.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[4][0] == "TỔNG HỢP KẾT QUẢ TIẾP CÔNG DÂN"
    assert values[7][0] == "Đơn vị" and values[7][1] == "Tiếp thường xuyên" and values[8][1] == "Lượt"  # merged down
    numbers = values[10]
    assert numbers[:3] == ("(A)", "(1)", "(2)")
    total = next(row for row in values if row[0] == "Tổng cộng")
    assert list(total[1 : 1 + len(data["columns"])]) == [c["value"] for c in data["rows"][-1]["cells"]]
    assert total[1:3] == (3, 9)  # three visits, nine people: the hand count
    assert "CHỦ TỊCH" in [v for row in values for v in row]
    if _soffice():
        path = tmp_path / "bao-cao.xlsx"
        path.write_bytes(resp.data)
        subprocess.run(
            [
                _soffice(),
                "--headless",
                f"-env:UserInstallation=file://{tmp_path}/lo",
                "--convert-to",
                "pdf",
                "--outdir",
                str(tmp_path),
                str(path),
            ],
            check=True,
            timeout=180,
            capture_output=True,
        )
        assert (tmp_path / "bao-cao.pdf").stat().st_size > 2000
        if shutil.which("pdftoppm"):
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "70",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    str(tmp_path / "bao-cao.pdf"),
                    str(ARTIFACTS / "report-reception"),
                ],
                check=True,
                timeout=60,
            )


def test_petitions_book_hides_a_denouncer_from_non_handlers(client, board, inspector, petition_body):
    made = client.post("/petitions", headers=board, json=petition_body()).json
    denunciation = client.post(
        "/petitions",
        headers=board,
        json=petition_body(category="denunciation", received_at="2026-08-28T10:00:00+07:00"),
    ).json
    query = {"from": "2026-08-01", "to": "2026-08-31", "unit": "92"}  # received by the city in 2026
    rows = client.get("/official/petitions-book", headers=inspector, query_string=query).json["rows"]
    assert [r["number"] for r in rows] == [made["number"], denunciation["number"]]
    assert rows[0]["full_name"] == "Lê Văn Bảy" and rows[0]["channel"] == "Qua bưu chính"
    assert rows[1]["full_name"] == "***" and rows[1]["content"] == "(nội dung tố cáo được bảo mật)"
    assert rows[0]["handling"] == "Chưa xử lý" and rows[0]["eligible"] == "Đủ điều kiện"
    mine = client.get("/official/petitions-book", headers=board, query_string=query).json["rows"]
    assert mine[0]["full_name"] == "L*** V*** B***" and mine[1]["content"].startswith("Khiếu nại")  # its handler
    reads = client.get("/identity-reads", headers=inspector).json["items"]
    assert [r["record_id"] for r in reads] == [made["id"]]


def test_national_export_reads_back_as_json_and_csv(client, board, visit_body, petition_body):
    person = {"full_name": "A", "id_number": "094100000001", "is_representative": False}
    visit = client.post("/visits", headers=board, json=visit_body(citizens=[person])).json
    petition = client.post(
        "/petitions", headers=board, json=petition_body(received_at="2024-06-10T09:00:00+07:00")
    ).json
    accepted = client.post(
        f"/petitions/{petition['id']}/steps",
        headers=board,
        json={"step": "accept", "taken_on": "2024-06-12", "complexity": "normal"},
    )
    assert accepted.status_code == 201, accepted.json
    both = PERIOD
    board_all = board
    data = client.get("/official/national-export", headers=board_all, query_string=both)
    assert data.status_code == 200, data.json
    records = data.json["records"]
    assert [r["number"] for r in records] == [visit["serial"], petition["number"]]
    assert records[1]["competent"] is True and records[1]["handling_name"] == "Thụ lý"
    assert records[1]["eligible"] is True and records[1]["category_name"] == "Khiếu nại"
    assert records[0]["form_name"] == "Tiếp thường xuyên" and records[0]["record_type"] == "reception"
    documented = {f["name"] for f in data.json["fields"]}
    assert all(set(r) == documented for r in records)
    as_csv = client.get("/official/national-export", headers=board_all, query_string={**both, "format": "csv"})
    text = as_csv.data.decode("utf-8-sig")
    read = list(csv.DictReader(io.StringIO(text)))
    assert [r["Số hiệu"] for r in read] == [visit["serial"], petition["number"]]
    assert read[1]["Thuộc thẩm quyền"] == "Có" and read[1]["Loại"] == "Khiếu nại"
    assert "094100000001" not in text and visit["id"] not in text


def test_the_register_export_names_a_repeat_by_its_register_number(client, board, visit_body):
    person = {"full_name": "Nguyễn Văn Tư", "address": "Ấp Phước Hòa", "is_representative": True}
    first = client.post("/visits", headers=board, json=visit_body(citizens=[person])).json
    again = client.post(
        "/visits", headers=board, json=visit_body(citizens=[person], received_at="2024-06-05T09:00:00+07:00")
    ).json
    assert again["repeat_of"] == first["id"]
    resp = client.get(
        "/visits/export",
        headers=board,
        query_string={"from": "2024-06-01T00:00:00+07:00", "to": "2024-06-08T00:00:00+07:00", "format": "csv"},
    )
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert rows[0][-1] == "Tiếp lặp lại của" and rows[2][-1] == first["serial"]
    assert first["id"] not in resp.data.decode("utf-8-sig")


def test_the_register_hides_a_denouncer_handed_in_at_a_visit_but_to_the_handlers(
    client, board, inspector, visit_body, petition_body
):
    person = {"full_name": "Đỗ Văn Kín", "address": "Ấp Y", "is_representative": True}
    visit = client.post("/visits", headers=board, json=visit_body(citizens=[person])).json
    handed = client.post(
        "/petitions",
        headers=board,
        json=petition_body(
            channel="visit", visit_id=visit["id"], category="denunciation", received_at="2024-06-03T09:30:00+07:00"
        ),
    )
    assert handed.status_code == 201, handed.json
    rows = client.get("/official/register", headers=inspector, query_string=PERIOD).json["rows"]
    assert rows[0]["full_name"] == "***" and rows[0]["identity_masked"]
    assert client.get("/identity-reads", headers=inspector).json["items"] == []
    assigned = client.post(f"/petitions/{handed.json['id']}/handlers", headers=board, json={"officer": "ttr-01"})
    assert assigned.status_code in (200, 201), assigned.json
    rows = client.get("/official/register", headers=inspector, query_string=PERIOD).json["rows"]
    assert rows[0]["full_name"] == "Đỗ Văn Kín"
