"""End to end on a phone: an administrator signs in to the dashboard, adds a day off, sees the API's
error beside the field, and roster (another service) follows the day within seconds (issue 22)."""

from __future__ import annotations

import time

import pytest

pytest.importorskip("selenium")

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from test_e2e import PHONE, no_horizontal_overflow, sign_in, wait_text

DAY, SHOWN = "2027-11-10", "10/11/2027"  # a Wednesday no other test uses, in a year the calendar knows


@pytest.fixture(scope="module")
def administrator(system):
    from harness import BIN

    system._run(
        [
            str(BIN / "python"),
            "-m",
            "gateway",
            "create-user",
            "qtv-e2e",
            "--full-name",
            "Quản trị viên (kiểm thử)",
            "--kind",
            "admin",
            "--password",
            "demo-qtv-e2e",
        ],
        "gateway",
    )
    return "qtv-e2e"


def roster_lists(system, token) -> bool:
    resp = system.call("GET", "/api/v1/roster/holidays", token, params={"year": 2027})
    return resp.status_code == 200 and any(h["date"] == DAY and h["kind"] == "day_off" for h in resp.json())


def test_an_administrator_adds_a_day_off_on_a_phone(system, web_url, browser, screenshots, administrator):
    driver = browser(*PHONE)
    sign_in(driver, web_url, administrator)
    driver.get(f"{web_url}/admin")
    wait_text(driver, "h1", "Quản trị danh mục")
    driver.get(f"{web_url}/admin/units")
    wait_text(driver, "#units", "Cấp xã")
    assert no_horizontal_overflow(driver)
    screenshots(driver, "admin-units-390")

    driver.get(f"{web_url}/admin/holidays")
    driver.find_element(By.ID, "h-date").send_keys("31/02/2027")
    driver.find_element(By.ID, "h-name").send_keys("Ngày nghỉ thử")
    driver.find_element(By.ID, "h-source").send_keys("Thông báo thử")
    driver.find_element(By.ID, "save-holiday").click()
    wait_text(driver, "#err-date", "ngày/tháng/năm")

    # A make-up working day on a Wednesday: intake refuses, and says so beside the kind.
    date = driver.find_element(By.ID, "h-date")
    date.clear()
    date.send_keys(SHOWN)
    Select(driver.find_element(By.ID, "h-kind")).select_by_value("working_day")
    driver.find_element(By.ID, "save-holiday").click()
    wait_text(driver, "#err-kind", "")
    assert driver.find_element(By.ID, "err-kind").text

    Select(driver.find_element(By.ID, "h-kind")).select_by_value("holiday")
    driver.find_element(By.ID, "save-holiday").click()
    wait_text(driver, ".flash-success", f"Đã lưu ngày {SHOWN}")
    assert SHOWN in driver.find_element(By.ID, "holidays").text
    assert no_horizontal_overflow(driver)
    screenshots(driver, "admin-holidays-390")
    try:
        board = system.token("district-board", "demo-secret-board")
        deadline = time.monotonic() + 10
        while not roster_lists(system, board):
            assert time.monotonic() < deadline, "roster did not follow the administrator's day off"
            time.sleep(0.2)
    finally:
        driver.find_element(By.CSS_SELECTOR, f"form[action$='/admin/holidays/{DAY}/delete'] button").click()
        wait_text(driver, ".flash-success", "Đã xóa")
    assert SHOWN not in driver.find_element(By.ID, "holidays").text
