"""Generated case titles read naturally: "lĩnh vực khác", never "lĩnh vực lĩnh vực khác"."""

import datetime as dt

from tiepdan_common.testing import identity_headers


def police():
    return identity_headers(
        subject="police-947", kind="police", unit="947", permissions=("incidents:read", "incidents:write", "cases:read")
    )


def test_an_incident_without_a_field_opens_a_case_titled_once_with_lĩnh_vực(client, officer, clock):
    made = client.post(
        "/incidents",
        headers=police(),
        json={
            "unit": "31690",
            "place": "Trước trụ sở UBND xã",
            "crowd_estimate": 25,
            "public_order": False,
            "occurred_at": (clock() - dt.timedelta(minutes=10)).isoformat(),
            "summary": "Tụ tập trước cổng",
        },
    )
    assert made.status_code == 201, made.json
    title = client.get(f"/cases/{made.json['case_id']}", headers=officer).json["title"]
    assert "lĩnh vực khác" in title and "lĩnh vực lĩnh vực" not in title, title
