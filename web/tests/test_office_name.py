"""The header names the signed-in officer's People's Committee from the unit data, never a constant."""


def test_the_header_names_the_committee_of_the_officer_s_unit(signed_in, fake_gateway):
    client, _csrf = signed_in  # an officer of unit 947
    fake_gateway.on(
        "GET",
        "/intake/units",
        200,
        [
            {
                "code": "947",
                "name": "Phường Thử Nghiệm",
                "level": "commune",
                "valid_from": "2025-07-01",
                "valid_to": None,
            }
        ],
    )
    html = client.get("/inbox").get_data(as_text=True)
    assert "<small>UBND phường Thử Nghiệm</small>" in html
    assert "UBND huyện Mỹ Xuyên" not in html


def test_no_committee_is_named_when_the_units_are_unknown(signed_in, fake_gateway):
    client, _csrf = signed_in
    fake_gateway.on("GET", "/intake/units", 503, {"status": 503})
    html = client.get("/inbox").get_data(as_text=True)
    assert "UBND huyện" not in html and "<small>UBND" not in html
