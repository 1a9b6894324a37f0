#!/usr/bin/env bash
# Fills a demo database with FICTITIOUS signals (no real persons, organisations or addresses)
# and walks them through the meldroute, using only the mhtool commands an officer would type.
# Usage: bash examples/demo.sh [PAD]   (default: ./demo.db; an existing file is refused)
set -euo pipefail
db="${1:-demo.db}"
if [ -e "$db" ]; then
  echo "Fout: $db bestaat al; kies een nieuw bestand voor de demo." >&2
  exit 1
fi
m() { mhtool --db "$db" --gebruiker demo "$@"; }
id() { python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])'; }

a=$(m signaal nieuw --datum 06-01-2026 --gemeente "Dijk en Waard" --melder "Balie Publiekszaken" \
  --afdeling Burgerzaken --kanaal persoonlijk --vorm arbeid \
  --omschrijving "Acht arbeidsmigranten ingeschreven op één adres; melder zag busjes om 5 uur." \
  --persoon "naam=Testpersoon Alfa; rol=slachtoffer; geboren=1998; nationaliteit=Pools" \
  --adres "straat=Voorbeeldstraat; nummer=12a; postcode=1700 AA; plaats=Heerhugowaard" \
  --organisatie "naam=Voorbeeld Uitzend BV; kvk=00000001; sector=uitzendbureau" --json | id)
m signaal stap "$a" --datum 07-01-2026 --controle "adres niet eerder bekend" >/dev/null
m signaal stap "$a" --datum 12-01-2026 --partner oe-wijk --partner zorgcoordinator \
  --notitie "OE wijk neemt contact op met NLA" >/dev/null
m signaal stap "$a" --datum 20-01-2026 --partner riec >/dev/null
m signaal stap "$a" --datum 02-02-2026 --conclusie verder-onderzoek --terugkoppeling \
  --maatregel bibob >/dev/null

b=$(m signaal nieuw --datum 14-02-2026 --gemeente Koggenland --melder "BOA team Oost" \
  --kanaal telefoon --vorm seksueel --acuut --avim-geinformeerd "14-02-2026 22:10" \
  --omschrijving "Minderjarige wordt 's nachts opgehaald bij het station door wisselende auto's." \
  --persoon "naam=Testpersoon Beta; rol=slachtoffer; geboren=01-05-2009" --json | id)
m signaal stap "$b" --datum 15-02-2026 --controle "geen eerdere registraties" >/dev/null
m signaal notitie "$b" "Veilig Thuis geïnformeerd" --datum 16-02-2026 >/dev/null

c=$(m signaal nieuw --datum 03-03-2026 --gemeente "Hollands Kroon" --melder "Toezicht" \
  --kanaal mail --vorm crimineel \
  --omschrijving "Jongeren knippen hennep in een loods, lijken niet vrij te kunnen vertrekken." \
  --adres "straat=Testweg; nummer=3; postcode=1760 ZZ; plaats=Anna Paulowna" --json | id)
m signaal stap "$c" --datum 04-03-2026 --controle "geen eerdere registraties" >/dev/null
m signaal stap "$c" --datum 06-03-2026 --naar 5 --reden "politie had het al in onderzoek" \
  --conclusie duiding --geen-terugkoppeling --strafrechtelijk >/dev/null

m signaal nieuw --gemeente Texel --melder "Sociaal team" --kanaal ketenpartner \
  --omschrijving "Signaal over gedwongen werk in de horeca, nog weinig bekend." --vorm onbekend \
  --niet-acuut >/dev/null

echo "Demo-database klaar: $db"
m signaal lijst
