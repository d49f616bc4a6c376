"""End to end in headless Chromium against the whole running system: the board clerk's day in one scenario.

Longer than 300 lines because each test is a story whose steps depend on the ones before it.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.skipif(
    not (Path("/usr/bin/chromium").exists() and Path("/usr/bin/chromedriver").exists()),
    reason="headless browser tests need Debian's chromium and chromium-driver packages",
)

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
    # The page replaces the element while it loads (a new page, or htmx swapping it): look again, do not fail.
    WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException, WebDriverException)).until(
        EC.text_to_be_present_in_element((By.CSS_SELECTOR, css), text)
    )


def no_horizontal_overflow(driver):
    return driver.execute_script(
        "return document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
    )


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
    system, web_url, browser, screenshots, board_token
):
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
    choose(clerk, "origin_unit", "31684")  # a ward in force today (Mỹ Xuyên's communes merged on 1 July 2025)
    clerk.find_element(By.ID, "content").send_keys(CONTENT)
    clerk.find_element(By.ID, "citizens-0-full_name").send_keys("Nguyễn Văn Tư")
    clerk.find_element(By.ID, "citizens-0-address").send_keys("Ấp Phước Hòa, xã Đại Tâm")
    clerk.find_element(By.ID, "citizens-0-id_number").send_keys("094070001234")  # needed from 1 July 2026
    clerk.find_element(By.ID, "citizens-1-full_name").send_keys("Trần Thị Năm")
    clerk.find_element(By.ID, "citizens-1-id_number").send_keys("094170005678")
    clerk.find_element(By.ID, "group_size").send_keys("12", Keys.ENTER)  # Enter moves on, it does not save
    assert clerk.switch_to.active_element.get_attribute("id") == "citizens-0-full_name"
    assert "Đã ghi sổ" not in clerk.page_source
    clerk.find_element(By.ID, "group_size").send_keys(Keys.CONTROL, Keys.ENTER)  # Ctrl+Enter saves
    WebDriverWait(clerk, 15).until(EC.presence_of_element_located((By.ID, "error-summary")))
    screenshots(clerk, "02-desk-error-1366")
    error = clerk.find_element(By.ID, "err-citizens").text
    assert "phải cử ít nhất" in error and "Đoàn 12 người" in error
    assert clerk.find_element(By.ID, "content").get_attribute("value") == CONTENT  # nothing typed is lost

    clerk.find_element(By.ID, "citizens-0-is_representative").send_keys(Keys.SPACE)
    clerk.find_element(By.ID, "citizens-1-is_representative").send_keys(Keys.SPACE)
    clerk.find_element(By.ID, "save").click()
    wait_text(clerk, ".flash-success", "Đã ghi sổ lượt tiếp số")
    serial = clerk.find_element(By.CSS_SELECTOR, ".flash-success").text.rsplit(" ", 1)[-1].rstrip(".")
    assert "đoàn đông người" in clerk.page_source and "lãnh đạo trực sẽ được báo ngay" not in clerk.page_source
    wait_text(clerk, "#desk-case", "VV-", timeout=30)  # the case the policy runs, asked of escalation
    screenshots(clerk, "03-desk-saved-1366")

    # The situation board shows the case without a reload.
    clerk.get(f"{web_url}/board")
    wait_text(clerk, "#cases-table tbody", "VV-", timeout=30)
    row = clerk.find_element(By.CSS_SELECTOR, "#cases-table tbody tr")
    assert "Phường Mỹ Xuyên" in row.text or "31684" in row.text
    assert "12 người" in row.text and "Mới mở" in row.text
    case_number = row.find_element(By.TAG_NAME, "strong").text
    screenshots(clerk, "04-board-1366")

    # An officer on duty finds the message in the inbox and acknowledges it in one click.
    officer_code = on_duty_codes(system, board_token)[0]
    officer = browser(1366, 768)
    sign_in(officer, web_url, officer_code)
    officer.get(f"{web_url}/inbox")
    wait_text(officer, "#inbox", f"Vụ việc mới {case_number}", timeout=30)
    message = next(
        m
        for m in officer.find_elements(By.CSS_SELECTOR, "li.message.unacked")
        if m.find_element(By.CSS_SELECTOR, ".m-title").text.startswith(f"Vụ việc mới {case_number}")
    )
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
    for path, name in (
        ("/desk", "03-desk"),
        ("/board", "04-board"),
        ("/inbox", "05-inbox"),
        ("/register", "07-register"),
        ("/today", "09-today"),
        ("/reports", "10-reports"),
        (case_path, "11-case"),
    ):
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


def open_case(system, board_token, unit, field, title):
    """A case opened by hand through the gateway (the board's client)."""
    resp = system.call(
        "POST",
        "/api/v1/escalation/cases",
        board_token,
        json={
            "title": title,
            "unit": unit,
            "field": field,
            "category": "complaint",
            "severity": "high",
            "group_size": 8,
        },
    )
    assert resp.status_code in (200, 201), resp.text
    return resp.json()


def close_form(driver, web_url, case):
    """The case's page with its close form open; the reasons offered."""
    driver.get(f"{web_url}/board/cases/{case['id']}")
    wait_text(driver, "h1", case["number"])
    assert driver.find_elements(By.ID, "acknowledge-case")  # the escalation waits for someone
    driver.find_element(By.CSS_SELECTOR, "#close summary").click()
    assert driver.find_element(By.ID, "close-form").is_displayed()
    reasons = Select(driver.find_element(By.ID, "close-reason"))
    labels = [o.text for o in reasons.options]
    assert "Công dân đã về địa phương, tình hình ổn định" in labels and "Gộp vào vụ việc khác" not in labels
    return reasons


def test_a_case_is_closed_with_a_reason_chosen_from_the_list(system, web_url, browser, screenshots, board_token):
    for (width, height), unit in (((1366, 768), "31711"), (PHONE, "31714")):
        case = open_case(system, board_token, unit, "environment", "Ô nhiễm nguồn nước ấp Hòa Lời")
        driver = browser(width, height)
        sign_in(driver, web_url, "btcd-01")
        reasons = close_form(driver, web_url, case)
        reasons.select_by_value("citizens_returned")
        driver.find_element(By.ID, "close-outcome").send_keys("Các hộ dân đã về, UBND xã tiếp tục đối thoại")
        screenshots(driver, f"12-case-close-{width}")
        assert no_horizontal_overflow(driver)
        driver.find_element(By.ID, "close-submit").click()
        wait_text(driver, ".flash-success", "Đã đóng vụ việc.")
        assert "Đã đóng" in driver.find_element(By.ID, "case-status").text
        assert "Công dân đã về địa phương" in driver.find_element(By.ID, "case-closed").text
        assert driver.find_elements(By.ID, "reopen-form") and not driver.find_elements(By.ID, "close-form")
        screenshots(driver, f"13-case-closed-{width}")
        closed = system.call("GET", f"/api/v1/escalation/cases/{case['id']}", board_token).json()
        assert closed["status"] == "closed" and closed["close_reason"] == "citizens_returned"


def test_a_petition_is_registered_and_decided(system, web_url, browser, screenshots, board_token):
    for width, height in ((1366, 768), PHONE):
        driver = browser(width, height)
        sign_in(driver, web_url, "btcd-01")
        driver.get(f"{web_url}/petitions/new")
        driver.find_element(By.ID, "channel-forwarded").click()
        driver.find_element(By.ID, "forwarded_by").send_keys("Ban Tiếp công dân tỉnh Sóc Trăng")
        driver.find_element(By.ID, "letter_number").send_keys("45/BTCD-TCD")
        driver.find_element(By.ID, "letter_date").send_keys("20/11/2026")
        choose(driver, "category", "complaint")
        choose(driver, "field", "land")
        choose(driver, "origin_unit", "31717")
        driver.find_element(By.ID, "subject").send_keys(f"Cấp giấy chứng nhận đất ấp Tham Đôn {width}")
        driver.find_element(By.ID, "content").send_keys("Khiếu nại việc chậm cấp giấy chứng nhận quyền sử dụng đất")
        driver.find_element(By.ID, "senders-0-full_name").send_keys("Thạch Thị Sa Rươne")
        driver.find_element(By.ID, "senders-0-id_number").send_keys("094180001122")
        driver.find_element(By.ID, "senders-0-address").send_keys("Ấp Tham Đôn, xã Tham Đôn", Keys.ENTER)
        assert "Đã ghi đơn" not in driver.page_source  # Enter moved on
        screenshots(driver, f"14-petition-new-{width}")
        assert no_horizontal_overflow(driver)
        driver.find_element(By.ID, "save-petition").click()
        WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".flash-success, .alert"))
        alerts = [a.text for a in driver.find_elements(By.CSS_SELECTOR, ".alert")]
        if alerts:
            screenshots(driver, f"14-petition-refused-{width}")
        assert not alerts, alerts
        wait_text(driver, ".flash-success", "Đã ghi đơn số")
        number = driver.find_element(By.CSS_SELECTOR, "h1").text.split()[-1]
        assert "mới nhận" in driver.find_element(By.ID, "petition-status").text.lower()
        assert "45/BTCD-TCD" in driver.page_source
        screenshots(driver, f"15-petition-{width}")
        assert no_horizontal_overflow(driver)
        # Accept it (thụ lý), then resolve it.
        driver.find_element(By.CSS_SELECTOR, "#step-accept summary").click()
        driver.find_element(By.ID, "submit-accept").click()
        wait_text(driver, ".flash-success", "Đã ghi bước: Thụ lý.")
        assert "đã thụ lý" in driver.find_element(By.ID, "petition-status").text.lower()
        driver.find_element(By.CSS_SELECTOR, "#step-resolve summary").click()
        Select(driver.find_element(By.ID, "resolve-outcome")).select_by_value("partly_upheld")
        driver.find_element(By.ID, "resolve-resolution").send_keys("Chỉ đạo UBND xã cấp giấy trong 30 ngày")
        screenshots(driver, f"16-petition-resolve-{width}")
        driver.find_element(By.ID, "submit-resolve").click()
        wait_text(driver, ".flash-success", "Đã ghi bước: Giải quyết.")
        assert "đã giải quyết" in driver.find_element(By.ID, "petition-status").text.lower()
        steps = driver.find_element(By.ID, "petition-steps").text
        assert "Tiếp nhận đơn" in steps and "Thụ lý" in steps
        screenshots(driver, f"17-petition-resolved-{width}")
        # The book finds it; the due list and the home page show.
        driver.get(f"{web_url}/petitions?q=tham+don+{width}")
        wait_text(driver, "#petitions-table", number)
        screenshots(driver, f"18-petitions-{width}")
        for path, name in (("/petitions/due", "19-petitions-due"), ("/", "20-home")):
            driver.get(web_url + path)
            screenshots(driver, f"{name}-{width}")
            assert no_horizontal_overflow(driver), path
