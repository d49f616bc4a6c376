"""End to end in headless Chromium against the whole running system: the board clerk's day in one scenario."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from selenium.common.exceptions import NoSuchElementException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.skipif(
    not (Path("/usr/bin/chromium").exists() and Path("/usr/bin/chromedriver").exists()),
    reason="headless browser tests need Debian's chromium and chromium-driver packages")

PHONE = (390, 844)
CONTENT = "Khiếu nại việc bồi thường khi thu hồi đất mở rộng đường tỉnh 940, ấp Phước Hòa"


def sign_in(driver, web_url, username):
    driver.get(f"{web_url}/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(f"demo-{username}", Keys.ENTER)
    WebDriverWait(driver, 15).until(EC.presence_of_element_located((By.ID, "logout")))


def choose(driver, element_id, value):
    """Pick ``value`` in a list, or type it when the reference list could not be loaded."""
    element = driver.find_element(By.ID, element_id)
    if element.tag_name == "select":
        Select(element).select_by_value(value)
    else:
        element.clear()
        element.send_keys(value)


def wait_text(driver, css, text, timeout=20):
    WebDriverWait(driver, timeout).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, css), text))


def no_horizontal_overflow(driver):
    return driver.execute_script(
        "return document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")


# Who notify tells when roster cannot answer (NOTIFY_FALLBACK_RECIPIENTS' default).
NOTIFY_FALLBACK = ["btcd-01", "btcd-02", "btcd-03"]


def on_duty_codes(system, token):
    """Who is on duty now, as roster says; notify's fallback audience when roster cannot say."""
    for _attempt in range(5):
        resp = system.call("GET", "/api/v1/roster/on-duty", token)
        if resp.status_code == 200 and resp.json()["officers"]:
            return [o["code"] for o in resp.json()["officers"]]
        time.sleep(1)
    print(f"roster/on-duty answered {resp.status_code}: using notify's fallback audience")
    return NOTIFY_FALLBACK


@pytest.fixture(scope="session")
def board_token(system):
    return system.token("district-board", "demo-secret-board")


def test_a_clerk_records_a_mass_visit_and_the_on_duty_officer_acknowledges_it(
        system, web_url, browser, screenshots, board_token):
    clerk = browser(1366, 768)
    clerk.get(f"{web_url}/login")
    assert "Đăng nhập" in clerk.page_source
    screenshots(clerk, "01-login-1366")
    sign_in(clerk, web_url, "btcd-01")
    who = clerk.find_element(By.ID, "who").text
    assert "Nguyễn Văn An" in who and "Ban Tiếp công dân" in who

    # The desk, keyboard first: a group of 12 without representatives is refused next to the field, in Vietnamese.
    clerk.get(f"{web_url}/desk")
    choose(clerk, "category", "complaint")
    choose(clerk, "field", "compensation")
    choose(clerk, "origin_unit", "31690")
    clerk.find_element(By.ID, "content").send_keys(CONTENT)
    clerk.find_element(By.ID, "citizens-0-full_name").send_keys("Nguyễn Văn Tư")
    clerk.find_element(By.ID, "citizens-0-address").send_keys("Ấp Phước Hòa, xã Đại Tâm")
    clerk.find_element(By.ID, "citizens-1-full_name").send_keys("Trần Thị Năm")
    clerk.find_element(By.ID, "group_size").send_keys("12", Keys.ENTER)
    WebDriverWait(clerk, 15).until(EC.presence_of_element_located((By.ID, "error-summary")))
    error = clerk.find_element(By.ID, "err-citizens").text
    assert "phải cử ít nhất" in error and "Đoàn 12 người" in error
    assert clerk.find_element(By.ID, "content").get_attribute("value") == CONTENT  # nothing typed is lost
    screenshots(clerk, "02-desk-error-1366")

    clerk.find_element(By.ID, "citizens-0-is_representative").send_keys(Keys.SPACE)
    clerk.find_element(By.ID, "citizens-1-is_representative").send_keys(Keys.SPACE)
    clerk.find_element(By.ID, "group_size").send_keys(Keys.ENTER)
    wait_text(clerk, ".flash-success", "Đã ghi sổ lượt tiếp số")
    serial = clerk.find_element(By.CSS_SELECTOR, ".flash-success").text.rsplit(" ", 1)[-1].rstrip(".")
    assert "đoàn đông người" in clerk.page_source
    screenshots(clerk, "03-desk-saved-1366")

    # The situation board shows the case without a reload.
    clerk.get(f"{web_url}/board")
    wait_text(clerk, "#cases-table tbody", "VV-", timeout=30)
    row = clerk.find_element(By.CSS_SELECTOR, "#cases-table tbody tr")
    assert "Xã Đại Tâm" in row.text or "31690" in row.text
    assert "12 người" in row.text and "Mới mở" in row.text
    case_number = row.find_element(By.TAG_NAME, "strong").text
    screenshots(clerk, "04-board-1366")

    # An officer on duty finds the message in the inbox and acknowledges it in one click.
    officer_code = on_duty_codes(system, board_token)[0]
    officer = browser(1366, 768)
    sign_in(officer, web_url, officer_code)
    officer.get(f"{web_url}/inbox")
    wait_text(officer, "#inbox", f"Vụ việc mới {case_number}", timeout=30)
    message = next(m for m in officer.find_elements(By.CSS_SELECTOR, "li.message.unacked")
                   if m.find_element(By.CSS_SELECTOR, ".m-title").text.startswith(f"Vụ việc mới {case_number}"))
    message_id = message.get_attribute("id")
    screenshots(officer, "05-inbox-1366")
    message.find_element(By.CSS_SELECTOR, "button.ack").click()
    wait_text(officer, f"#{message_id}", "Đã xác nhận lúc")
    assert "unacked" not in officer.find_element(By.ID, message_id).get_attribute("class")
    token = system.login(officer_code, f"demo-{officer_code}")
    acked = [m for m in system.call("GET", "/api/v1/notify/inbox", token).json() if f"msg-{m['id']}" == message_id]
    assert acked and acked[0]["acknowledged_at"] and acked[0]["title"].startswith("Vụ việc mới")
    screenshots(officer, "06-inbox-acknowledged-1366")

    # The register finds the visit; its record shows the case it opened.
    clerk.get(f"{web_url}/register")
    Select(clerk.find_element(By.ID, "f-mass")).select_by_value("true")
    clerk.find_element(By.ID, "search").click()
    wait_text(clerk, "#register-table", serial)
    screenshots(clerk, "07-register-1366")
    clerk.find_element(By.LINK_TEXT, serial).click()
    wait_text(clerk, "h1", serial)
    wait_text(clerk, "#history", case_number)
    screenshots(clerk, "08-visit-1366")

    # The case page: the inbox acknowledgement stopped the escalation; the board reports progress.
    clerk.find_element(By.LINK_TEXT, case_number).click()
    wait_text(clerk, "h1", case_number)
    Select(clerk.find_element(By.ID, "progress-status")).select_by_value("in_progress")
    clerk.find_element(By.ID, "progress-note").send_keys("Đã mời các hộ dân đối thoại tại UBND xã")
    clerk.find_element(By.CSS_SELECTOR, "#progress-form button[type=submit]").click()
    wait_text(clerk, ".flash-success", "Đã ghi tiến độ.")
    assert "Đang xử lý" in clerk.find_element(By.ID, "case-status").text
    assert "Đã mời các hộ dân đối thoại tại UBND xã" in clerk.find_element(By.ID, "case-timeline").text
    screenshots(clerk, "11-case-1366")
    case_path = clerk.current_url.split(web_url, 1)[1]

    for path, name in (("/today", "09-today"), ("/reports", "10-reports")):
        clerk.get(web_url + path)
        screenshots(clerk, f"{name}-1366")
        assert no_horizontal_overflow(clerk), path

    # The same screens on a phone (the same signed-in window, narrowed): nothing overflows sideways.
    clerk.set_window_size(*PHONE)
    for path, name in (("/desk", "03-desk"), ("/board", "04-board"), ("/inbox", "05-inbox"),
                       ("/register", "07-register"), ("/today", "09-today"), ("/reports", "10-reports"),
                       (case_path, "11-case")):
        clerk.get(web_url + path)
        screenshots(clerk, f"{name}-390")
        assert no_horizontal_overflow(clerk), path
    officer.set_window_size(*PHONE)
    officer.get(f"{web_url}/inbox")
    screenshots(officer, "06-inbox-acknowledged-390")
    officer.find_element(By.ID, "logout").click()
    WebDriverWait(officer, 10).until(EC.presence_of_element_located((By.ID, "login-submit")))
    screenshots(officer, "01-login-390")
    assert "Bạn đã đăng xuất." in officer.page_source


def test_signing_in_with_a_wrong_password_says_so_in_vietnamese(web_url, browser):
    driver = browser(1366, 768)
    driver.get(f"{web_url}/login")
    driver.find_element(By.ID, "username").send_keys("btcd-02")
    driver.find_element(By.ID, "password").send_keys("wrong", Keys.ENTER)
    wait_text(driver, "#login-error", "Tên đăng nhập hoặc mật khẩu không đúng")
    with pytest.raises(NoSuchElementException):
        driver.find_element(By.ID, "logout")
