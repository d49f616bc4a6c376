"""Printed by `make run`: where the gateway is and the demo credentials to try it with."""

import json
import os
from pathlib import Path

demo_file = Path(os.environ.get("TIEPDAN_DEMO_FILE") or Path(__file__).resolve().parents[1] / "demo" / "demo.json")
demo = json.loads(demo_file.read_text("utf-8"))
gateway = "http://" + os.environ.get("GATEWAY_BIND", "127.0.0.1:8000")
web = "http://" + os.environ.get("WEB_BIND", "127.0.0.1:8080")
standins = f"http://127.0.0.1:{demo['standins']['port']}"
print(f"""
tiepdan is starting ({
    "the 2024 plan: Mỹ Xuyên district, clocks set to 10 June 2024"
    if os.environ.get("DEMO") == "2024"
    else "today's structure: Cần Thơ's reception office and its communes; make run DEMO=2024 for the 2024 plan"
}).
  Dashboard (Vietnamese first): {web}   sign in as an officer below, e.g. btcd-01 / demo-btcd-01
  Gateway:                      {gateway}   (health: {gateway}/api/v1/health)

Where notify's messages land (nothing leaves this machine):
  Everything received, on one page: {standins}/   (e-mail, SMS, webhooks; newest first)
  E-mail:   var/mail/new, one file per mail (Maildir: mutt -f var/mail); SMTP sink on 127.0.0.1:1025
  SMS:      var/sms.jsonl (stand-in provider at {demo["standins"]["sms"]})
  Webhooks: var/webhooks.jsonl (police: {demo["standins"]["webhooks"]["police"]},
            province: {demo["standins"]["webhooks"]["province"]}, communes: .../webhooks/commune-<unit>)

Demo clients (grant_type=client_credentials):""")
for c in demo["clients"]:
    if c["kind"] != "service":
        print(f"  {c['client_id']:<16} {c['client_secret']:<26} {c['kind']:<9} {c['name']}")
print("\nDemo officers (grant_type=password, username = code):")
for o in demo["officers"]:
    print(f"  {o['username']:<10} {o['password']:<15} {o['role']:<11} {o['full_name']}")
print(f"""
Try it:
  TOKEN=$(curl -s {gateway}/api/v1/auth/token -H 'Content-Type: application/json' \\
    -d '{{"grant_type":"client_credentials","client_id":"commune-31684","client_secret":"demo-secret-31684"}}' \\
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  curl -s {gateway}/api/v1/intake/visits -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
    -d '{{"category":"complaint","field":"land","group_size":12,"content":"Khiếu nại thu hồi đất",
         "citizens":[{{"full_name":"Nguyễn Văn Tư","id_number":"094080001234","is_representative":true}}],"outcome":{{"type":"documents_taken"}}}}'
""")
