"""The official registers and reports, and the administrators' screens, are reachable from the menu."""


def test_the_menu_leads_to_the_official_registers(signed_in):
    client, _csrf = signed_in
    html = client.get("/inbox").get_data(as_text=True)
    assert 'href="/official"' in html and "Sổ sách, biểu mẫu" in html
    assert 'href="/admin"' not in html  # only an administrator's sign-in sees it
