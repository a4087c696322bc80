#!/usr/bin/env bash
# A walk through the demo (start it first with `make demo`). Demo clients and secrets only.
set -euo pipefail
URL=${URL:-http://localhost:8000}
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(d$1)"; }
tok() { curl -sf -d grant_type=client_credentials -d client_id="$1" -d client_secret="$1-geheim" "$URL/oauth/token" | json '["access_token"]'; }
PR=$(tok demo-procesregisseur); POL=$(tok demo-politie); OM=$(tok demo-om); PRIV=$(tok demo-privacy)
H='Content-Type: application/json'

echo "# police registers a case; the BSN goes in and never comes out"
# A second run answers 409 with the existing casus in `bestaandeCasus`: use that one.
CASUS=$(curl -s -H "Authorization: Bearer $POL" -H "X-Gebruiker: j.agent" -H "$H" \
  -d '{"bsn":"999990780","thema":"jeugd","gemeente":"Gemeente B","geboortedatum":"2005-12-31"}' "$URL/v1/casussen")
echo "$CASUS"
CASUS_ID=$(echo "$CASUS" | json '.get("id") or d["bestaandeCasus"]')

echo "# the procesregisseur plans a justice case meeting for youth and puts the case on its agenda"
OVERLEG_ID=$(curl -sf -H "Authorization: Bearer $PR" -H "$H" -d '{"overlegtype":"jco","datum":"2026-12-01"}' "$URL/v1/overleggen" | json '["id"]')
curl -sf -H "Authorization: Bearer $PR" -H "$H" -d "{\"casusId\":\"$CASUS_ID\"}" "$URL/v1/overleggen/$OVERLEG_ID/agendapunten"; echo

echo "# the OM asks every source system for that meeting"
curl -sf -H "Authorization: Bearer $OM" -H "X-Gebruiker: officier.x" -X POST "$URL/v1/overleggen/$OVERLEG_ID/verwijzingen/_ophalen" | python3 -m json.tool

echo "# the privacy officer answers the person's access request (AVG art. 15): every exchange, with its context"
curl -sf -H "Authorization: Bearer $PRIV" -H "$H" -d '{"bsn":"999990780"}' "$URL/v1/audit/_inzage" \
  | python3 -c "import json,sys; d=json.load(sys.stdin); [print(x['volgnummer'], x['handeling'], x['besluit'], x['verzoeker']['partner'], x['bron'], x['regel']) for x in d['uitwisselingen']]"
