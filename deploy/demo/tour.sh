#!/usr/bin/env bash
# A walk through the demo (start it first with `make demo`). Demo clients and secrets only.
set -euo pipefail
URL=${URL:-http://localhost:8000}
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(d$1)"; }
tok() { curl -sf -d grant_type=client_credentials -d client_id="$1" -d client_secret="$1-geheim" "$URL/oauth/token" | json '["access_token"]'; }
PR=$(tok demo-procesregisseur); POL=$(tok demo-politie); OM=$(tok demo-om); PRIV=$(tok demo-privacy)
GEMB=$(tok demo-gemeente-b); GGZ=$(tok demo-ggz)
H='Content-Type: application/json'
status() { curl -s -o /dev/null -w '%{http_code}\n' "$@"; }

echo "# police registers a case for the municipality of return (a partner id); the BSN goes in and never comes out"
# A second run answers 409 with the existing casus in `bestaandeCasus`: use that one.
CASUS=$(curl -s -H "Authorization: Bearer $POL" -H "X-Gebruiker: j.agent" -H "$H" \
  -d '{"bsn":"999990780","thema":"jeugd","gemeente":"gemeente-b","geboortedatum":"2005-12-31"}' "$URL/v1/casussen")
echo "$CASUS"
CASUS_ID=$(echo "$CASUS" | json '.get("id") or d["bestaandeCasus"]')

echo "# need-to-know: GGZ takes no part in the JCO and did not register it, so it does not see the case"
status -H "Authorization: Bearer $GGZ" "$URL/v1/casussen/$CASUS_ID"

echo "# the procesregisseur (a role of the house, no partner) plans a JCO for today and puts the case on its agenda (age 12-23)"
OVERLEG_ID=$(curl -sf -H "Authorization: Bearer $PR" -H "$H" -d "{\"overlegtype\":\"jco\",\"datum\":\"$(date -u +%F)\"}" "$URL/v1/overleggen" | json '["id"]')
curl -sf -H "Authorization: Bearer $PR" -H "$H" -d "{\"casusId\":\"$CASUS_ID\"}" "$URL/v1/overleggen/$OVERLEG_ID/agendapunten"; echo

echo "# preparing the agenda, the procesregie learns which partners know the person: known / not known, no details"
curl -sf -H "Authorization: Bearer $PR" -H "$H" -d "{\"overlegId\":\"$OVERLEG_ID\"}" \
  "$URL/v1/casussen/$CASUS_ID/verwijzingen/_ophalen" | python3 -m json.tool

echo "# the OM asks every source system for that meeting (within 30 days before to 7 days after its date)"
curl -sf -H "Authorization: Bearer $OM" -H "X-Gebruiker: officier.x" -X POST "$URL/v1/overleggen/$OVERLEG_ID/verwijzingen/_ophalen" | python3 -m json.tool

echo "# the OM, chairing the JCO, records an afspraak; a BSN in the text is refused in any disguise"
status -H "Authorization: Bearer $OM" -H "$H" -d "{\"uitvoerder\":\"rvdk\",\"actie\":\"bel over 999 990 780\",\"deadline\":\"2027-01-15\",\"overlegId\":\"$OVERLEG_ID\"}" "$URL/v1/casussen/$CASUS_ID/afspraken"
curl -sf -H "Authorization: Bearer $OM" -H "$H" -d "{\"uitvoerder\":\"rvdk\",\"actie\":\"Gesprek met ouders plannen\",\"deadline\":\"2027-01-15\",\"overlegId\":\"$OVERLEG_ID\"}" "$URL/v1/casussen/$CASUS_ID/afspraken"; echo

echo "# gemeente B is a schilpartner of the JCO: it sees that the case exists, not its details or the afspraak texts"
curl -sf -H "Authorization: Bearer $GEMB" "$URL/v1/casussen/$CASUS_ID"; echo
curl -s -H "Authorization: Bearer $GEMB" "$URL/v1/casussen/$CASUS_ID/afspraken"; echo

echo "# the privacy officer answers the person's access request (AVG art. 15): every exchange, with its context and rule"
curl -sf -H "Authorization: Bearer $PRIV" -H "$H" -d '{"bsn":"999990780"}' "$URL/v1/audit/_inzage" \
  | python3 -c "import json,sys; d=json.load(sys.stdin); [print(x['volgnummer'], x['handeling'], x['besluit'], x['verzoeker']['partner'] or x['verzoeker'].get('rol'), x['bron'], x['regel']) for x in d['uitwisselingen']]"
