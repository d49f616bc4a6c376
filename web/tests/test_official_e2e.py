"""End to end: visits recorded through the gateway, the reception report computed by intake, shown and printed
by the dashboard in a real browser; a figure opens to the visits behind it."""

from __future__ import annotations

import base64
import shutil
import subprocess
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.skipif(
    not (Path("/usr/bin/chromium").exists() and Path("/usr/bin/chromedriver").exists()),
    reason="headless browser tests need Debian's chromium and chromium-driver packages",
)

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "official"
DAY = "2026-03-05"  # a day no other test records on: the report holds only this test's visits


def test_the_reception_report_through_the_gateway_matches_a_hand_count(system, web_url, browser, tmp_path):
    token = system.login("btcd-01", "demo-btcd-01")
    sizes = [1, 6, 2]
    serials = []
    for i, size in enumerate(sizes):
        resp = system.call(
            "POST",
            "/api/v1/intake/visits",
            token,
            json={
                "category": "complaint",
                "field": "land",
                "origin_unit": "31684",
                "received_at": f"{DAY}T{8 + i:02d}:00:00+07:00",
                "content": "Khiếu nại về bồi thường đất",
                "group_size": size,
                "citizens": [{"full_name": f"Công dân {i}", "is_representative": size >= 5}],
                "outcome": {"type": "documents_taken"},
            },
        )
        assert resp.status_code == 201, resp.text
        serials.append(resp.json()["serial"])
    query = {"from": DAY, "to": DAY, "unit": "92"}  # the officer's unit in the demo of today's structure
    report = system.call("GET", "/api/v1/intake/official/reports/reception", token, params=query)
    assert report.status_code == 200, report.text
    total = {c["column"]: c for c in report.json()["rows"][-1]["cells"]}
    assert total["regular.visits"]["value"] == len(sizes) and total["regular.people"]["value"] == sum(sizes)
    assert total["regular.groups"]["value"] == 1 and total["regular.group_people"]["value"] == 6
    assert sorted(r["number"] for r in total["regular.visits"]["records"]) == sorted(serials)

    driver = browser(1366, 900)
    driver.get(f"{web_url}/login")
    driver.find_element(By.ID, "username").send_keys("btcd-01")
    driver.find_element(By.ID, "password").send_keys("demo-btcd-01\n")
    WebDriverWait(driver, 15).until(EC.presence_of_element_located((By.ID, "logout")))
    driver.get(f"{web_url}/official/reports/reception?from={DAY}&to={DAY}&unit=92&signer=Nguyễn Văn Hai")
    WebDriverWait(driver, 20).until(EC.presence_of_element_located((By.ID, "official-report")))
    text = driver.find_element(By.ID, "official-report").text
    assert "TỔNG HỢP KẾT QUẢ TIẾP CÔNG DÂN" in text and "ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ" in text
    assert "Cần Thơ, ngày" in text  # the heading from the unit data, not a constant
    row = driver.find_element(By.CSS_SELECTOR, "#official-report tr.total").text.split()
    assert row[:4] == ["Tổng", "cộng", "3", "9"]  # visits, people: the hand count
    pdf = base64.b64decode(driver.print_page())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (tmp_path / "report.pdf").write_bytes(pdf)
    if shutil.which("pdftotext"):
        printed = subprocess.run(
            ["pdftotext", "-layout", str(tmp_path / "report.pdf"), "-"], check=True, capture_output=True, text=True
        ).stdout
        assert "TỔNG HỢP KẾT QUẢ TIẾP CÔNG DÂN" in printed and "Đăng xuất" not in printed
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "1",
                str(tmp_path / "report.pdf"),
                str(ARTIFACTS / "report-e2e"),
            ],
            check=True,
            timeout=60,
        )
    driver.find_element(By.CSS_SELECTOR, "#official-report tr.total td:nth-child(2) a").click()
    WebDriverWait(driver, 20).until(EC.presence_of_element_located((By.ID, "figure-records")))
    listed = driver.find_element(By.ID, "figure-records").text
    assert all(serial in listed for serial in serials)
