"""The Plan 363/KH-TTCP list: what the plan tracks for each case, its status history, the province's form."""

import csv
import io
import shutil
import subprocess

from openpyxl import load_workbook


def _case(client, admin, title="Tranh chấp đất đai kéo dài ở ấp Hòa Tú", unit="31690"):
    resp = client.post("/cases", headers=admin, json={"title": title, "unit": unit, "field": "land", "complex": True})
    assert resp.status_code == 201, resp.json
    return resp.json


def test_an_entry_keeps_what_the_plan_tracks_and_its_history(client, officer, admin, checked_events):
    case = _case(client, admin)
    url = f"/cases/{case['id']}/plan363"
    assert client.get(url, headers=officer).status_code == 404
    first = client.put(
        url,
        headers=officer,
        json={
            "source": "central",
            "on_central_list": True,
            "review_result": "Đã giải quyết đúng lần 2, công dân vẫn khiếu nại",
        },
    )
    assert first.status_code == 200, first.json
    assert first.json["progress"] == "not_started" and first.json["progress_name"] == "Chưa giải quyết"
    assert first.json["source_name"].startswith("Danh sách Trung ương") and first.json["version"] == 1
    agreed = client.put(
        url,
        headers=officer,
        json={
            "plan_agreed": True,
            "plan_agreed_on": "2026-10-05",
            "plan_summary": "Đo đạc lại, hỗ trợ thêm",
            "agreed_deadline": "2026-11-30",
            "lead_agency": "Phòng TN&MT",
            "progress": "in_progress",
            "version": 1,
        },
    )
    assert agreed.status_code == 200, agreed.json
    assert agreed.json["agreed_deadline"] == "2026-11-30" and agreed.json["version"] == 2
    stale = client.put(url, headers=officer, json={"progress": "resolved", "version": 1})
    assert stale.status_code == 409 and stale.json["errors"][0]["field"] == "version"
    missing_day = client.put(url, headers=officer, json={"plan_agreed_on": None})
    assert missing_day.status_code == 422 and missing_day.json["errors"][0]["field"] == "plan_agreed_on"
    bad = client.put(url, headers=officer, json={"progress": "done"})
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "progress"
    done = client.put(url, headers=officer, json={"progress": "resolved"}).json
    history = client.get(url, headers=officer).json["history"]
    assert [h["progress_name"] for h in history] == ["Chưa giải quyết", "Đang giải quyết", "Đã giải quyết dứt điểm"]
    assert history[1]["changes"]["agreed_deadline"] == [None, "2026-11-30"]
    assert history[2]["changes"] == {"progress": ["in_progress", "resolved"]} and done["version"] == 3
    kinds = [t["kind"] for t in client.get(f"/cases/{case['id']}", headers=officer).json["timeline"]]
    assert kinds.count("plan363") == 3
    assert client.put("/cases/nope/plan363", headers=officer, json={"progress": "in_progress"}).status_code == 404
    events = [e["data"] for e in checked_events("escalation.plan363.updated")]
    assert [(e["version"], e["progress"]) for e in events] == [(1, "not_started"), (2, "in_progress"), (3, "resolved")]
    assert events[1]["agreed_deadline"] == "2026-11-30" and events[1]["case_number"] == case["number"]
    assert "plan_summary" in events[1]["changed_fields"]
    assert all("Đo đạc" not in str(e) for e in events)  # the plan's text stays in escalation


def test_the_list_filters_and_exports_in_the_provinces_form(client, officer, admin, clock, tmp_path):
    late = _case(client, admin)
    other = _case(client, admin, title="Chính sách người có công", unit="31693")
    client.put(
        f"/cases/{late['id']}/plan363",
        headers=officer,
        json={
            "source": "central",
            "on_central_list": True,
            "plan_agreed": True,
            "plan_agreed_on": "2020-01-10",
            "agreed_deadline": "2020-06-30",
            "progress": "in_progress",
            "lead_agency": "Phòng TN&MT",
        },
    )
    client.put(f"/cases/{other['id']}/plan363", headers=officer, json={"progress": "resolved"})
    everything = client.get("/cases/plan363", headers=officer).json
    assert [e["number"] for e in everything] == [late["number"], other["number"]]
    overdue = client.get("/cases/plan363", headers=officer, query_string={"overdue": "true"}).json
    assert [e["number"] for e in overdue] == [late["number"]] and overdue[0]["overdue"] is True
    central = client.get("/cases/plan363", headers=officer, query_string={"on_central_list": "false"}).json
    assert [e["number"] for e in central] == [other["number"]]

    as_csv = client.get("/cases/plan363", headers=officer, query_string={"format": "csv"})
    read = list(csv.DictReader(io.StringIO(as_csv.data.decode("utf-8-sig"))))
    assert read[0]["Số vụ việc"] == late["number"] and read[0]["Nơi phát sinh"] == "Xã Đại Tâm"
    assert read[0]["Lĩnh vực"] == "Đất đai" and read[0]["Thuộc danh sách Trung ương"] == "Có"
    assert (
        read[0]["Thời hạn đã thống nhất"] == "30/06/2020" and read[0]["Tiến độ, kết quả"] == "Đang giải quyết (quá hạn)"
    )
    assert read[0]["Phương án giải quyết đã thống nhất"].startswith("Đã thống nhất ngày 10/01/2020")
    assert late["id"] not in as_csv.data.decode("utf-8-sig")  # numbers, never UUIDs

    resp = client.get(
        "/cases/plan363",
        headers=officer,
        query_string={"format": "xlsx", "unit": "947", "signer": "Trần Văn Một", "doc_number": "27"},
    )
    assert resp.status_code == 200 and resp.mimetype.startswith("application/vnd.openxml")
    values = list(load_workbook(io.BytesIO(resp.data)).active.iter_rows(values_only=True))
    assert values[1][0] == "ỦY BAN NHÂN DÂN HUYỆN MỸ XUYÊN" and values[0][0] == "ỦY BAN NHÂN DÂN TỈNH SÓC TRĂNG"
    assert values[2][0] == "Số: 27/BC-UBND" and values[4][0].startswith("DANH SÁCH VỤ VIỆC")
    assert values[7][:3] == ("STT", "Số vụ việc", "Nội dung vụ việc") and values[8][0] == "(1)"
    assert values[9][:2] == (1, late["number"]) and values[10][:2] == (2, other["number"])
    assert "Trần Văn Một" in [v for row in values for v in row]
    soffice = shutil.which("soffice")
    if soffice:
        path = tmp_path / "plan363.xlsx"
        path.write_bytes(resp.data)
        subprocess.run(
            [
                soffice,
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
        assert (tmp_path / "plan363.pdf").stat().st_size > 2000


def test_police_and_province_do_not_read_the_list(client, police):
    assert client.get("/cases/plan363", headers=police).status_code == 403


def test_the_complex_cases_report_speaks_vietnamese(client, officer, admin):
    case = _case(client, admin)
    client.post(f"/cases/{case['id']}/progress", headers=officer, json={"status": "in_progress"})
    rows = list(
        csv.reader(io.StringIO(client.get("/cases/report?format=csv", headers=officer).data.decode("utf-8-sig")))
    )
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["Đơn vị"], row["Lĩnh vực"], row["Cấp"]) == ("Xã Đại Tâm", "Đất đai", "Cấp huyện")
    assert row["Mức độ"] in ("Thấp", "Trung bình", "Cao", "Khẩn cấp")
    assert "Mở vụ việc" in row["Quá trình xử lý"] and "Cập nhật tiến độ" in row["Quá trình xử lý"]
    assert "opened" not in row["Quá trình xử lý"] and "progress" not in row["Quá trình xử lý"]
