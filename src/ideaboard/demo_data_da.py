"""The Danish sample company behind `ideaboard demo --language da`: a logistics firm in
Jylland, its departments, people, ideas and comments, written as Danish colleagues write."""

ORGANISATION = "Nordvind Logistik"

DEPARTMENTS = (
    "Drift",
    "Kundeservice",
    "Salg",
    "Marketing",
    "IT",
    "Økonomi",
    "HR",
    "Produkt",
)
# The department the demo's manager triages (the English company's "Operations").
OPERATIONS = "Drift"
# The fixed sign-ins' departments, in this company's words.
ACCOUNT_DEPARTMENTS = {
    "admin@example.com": "IT",
    "manager@example.com": "Drift",
    "member@example.com": "Kundeservice",
    "moderator@example.com": "HR",
}
FIXED_NAMES = {
    "admin@example.com": "Anders Admin",
    "manager@example.com": "Mette Leder",
    "member@example.com": "Maja Medarbejder",
    "moderator@example.com": "Rasmus Moderator",
}

FIRST_NAMES = [
    "Anne", "Bo", "Camilla", "Dorte", "Emil", "Freja", "Gustav", "Hanne", "Ida", "Jens",
    "Karen", "Lars", "Mads", "Nanna", "Ole", "Pernille", "Rikke", "Søren", "Tine", "Ulrik",
    "Vibeke", "William", "Yasmin", "Zainab", "Ahmed", "Birgitte", "Christian", "Ditte",
    "Esben", "Frederik", "Gitte", "Henrik", "Ingrid", "Jakob", "Kasper", "Lone", "Mikkel",
    "Nikolaj", "Oliver", "Pia", "Sara", "Thomas", "Louise", "Mathias", "Sofie", "Ali",
]  # fmt: skip
LAST_NAMES = [
    "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
    "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen",
    "Poulsen", "Johansen", "Møller", "Mortensen", "Karimi", "Özdemir", "Nowak", "Holm",
    "Østergaard", "Dahl", "Lund", "Bach", "Vestergaard",
]  # fmt: skip

# department | title | what hurts today (the body is built around it)
IDEAS = """
Drift|Fælles bookingkalender til læsseramperne|Chaufførerne venter op til to timer ved porten, fordi ingen ved, hvilken rampe der er ledig.
Drift|Stregkodescanning ved varemodtagelsen i stedet for papirlister|Hver levering tjekkes mod en udskrevet liste og tastes ind igen senere.
Drift|Ruteplanlægning der tager højde for vejarbejde|Bilerne holder i det samme vejarbejde i ugevis, før nogen retter planen.
Drift|Reservedelshylde ved sorteringsbåndet|Et fastkørt bånd venter 40 minutter på en del, der ligger i den anden bygning.
Drift|Tjekliste til overlevering fra natholdet|Fejl, natholdet finder, er glemt, når dagholdet møder ind.
Drift|Genbrugskasser i stedet for pap ved interne flytninger|Vi smider hundredvis af papkasser ud hver uge bare for at flytte varer mellem lagrene.
Drift|Solceller på lagerets tag|Taget er enormt og tomt, og elregningen bliver ved med at stige.
Drift|Ladestandere til el-truckene ved hver gang|Truckene kører tværs gennem hallen for at lade og spærrer hovedgangen.
Drift|Foto af alle beskadigede pakker ved afsendelse|Vi kan ikke bevise, at en pakke var hel, når en kunde klager over skader.
Drift|Stille pauserum til natholdet|Det eneste pauserum ligger ved læsserampen og er aldrig stille.
Drift|Ti minutters morgenmøde ved hvert vagtskifte|Holdlederne hører om problemer fra forrige vagt helt tilfældigt.
Drift|Få varmen til at virke i hal B|Hal B er under 12 grader om morgenen om vinteren, og folk arbejder i jakke.
Drift|Digital temperaturlog til kølerummet|Nogen skriver temperaturen på papir to gange om dagen, og arkene bliver våde.
Drift|Tydelig skiltning for udefrakommende chauffører|Chauffører farer vild på pladsen og ender ved den forkerte port.
Drift|Lad chauffører booke en rampetid online|Lastbilerne holder i kø ved porten, fordi ingen ved, hvornår der er en rampe fri.
Drift|Strækfilm der kan genbruges|Vi bruger masser af plastfilm, der ryger direkte i restaffaldet.
Drift|Makkerordning for nye kolleger på lageret|Nye kolleger lærer af den, der lige har tid, så alle lærer noget forskelligt.
Drift|Automatisk genbestilling af emballage|Vi løber tør for tape og kasser på travle dage, fordi ingen opdagede det.
Kundeservice|Kunderne kan selv booke et leveringstidspunkt online|En tredjedel af vores opkald er kunder, der vil flytte en levering.
Kundeservice|Skabeloner til de ti mest almindelige svar|Alle skriver de samme forklaringer fra bunden hele dagen.
Kundeservice|Opringning i stedet for at vente i kø|Kunderne venter op til 20 minutter i telefonkø mandag morgen.
Kundeservice|Se ordrehistorikken direkte i telefonsystemet|Vi skifter mellem tre systemer for at svare på et simpelt spørgsmål.
Kundeservice|Chat på hjemmesiden i åbningstiden|Yngre kunder ringer ikke; de går, når de ikke kan chatte.
Kundeservice|Sms til kunden når en levering bliver forsinket|Kunderne ringer for at høre, hvor pakken er, når vi allerede ved, den er forsinket.
Kundeservice|Refusion under 400 kroner uden godkendelse fra en leder|Små refusioner venter et døgn på godkendelse og irriterer trofaste kunder.
Kundeservice|En vidensbase som hele firmaet kan rette i|Svarene findes i hovedet på nogle få erfarne kolleger.
Kundeservice|Følg en chauffør en hel dag|Vi lover kunderne ting om leveringer uden at vide, hvordan de foregår.
Salg|Fælles oversigt over tilbud i pipeline|Tilbuddene ligger i hver sælgers egne regneark, så ingen har overblikket.
Salg|Prisberegner til små virksomheder|Små kunder venter to dage på en pris, de kunne have fået på fem minutter.
Salg|Kundebesøg sammen med driften|Vi sælger løsninger, som lageret bagefter ikke kan levere.
Salg|Fast kontaktperson til de 50 største kunder|De største kunder taler med en ny kollega, hver gang de ringer.
Salg|Kort introduktion til nye produkter hver måned|Vi hører om nye produkter fra kunderne, før vi selv kender dem.
Salg|Bedre opfølgning på tabte tilbud|Vi ved sjældent, hvorfor vi taber et tilbud, og gentager de samme fejl.
Marketing|Kundecases fra vores egne chauffører|Vores bedste historier bliver aldrig fortalt, fordi ingen samler dem op.
Marketing|Én side med overblik over alle vores ydelser|Kunderne ved ikke, at vi også tilbyder lager og returhåndtering.
Marketing|Fælles billedbank med rigtige billeder fra lageret|Vi bruger stockfotos, der slet ikke ligner vores virksomhed.
Marketing|Nyhedsbrev til kunderne hvert kvartal|Kunderne hører kun fra os, når der er en faktura eller et problem.
Marketing|Åbent hus for lokale virksomheder|Naboerne ved ikke, hvad vi laver, selvom mange af dem kunne bruge os.
IT|Adgangskodeboks til hele firmaet|Fælles adgangskoder deles på sedler og i mails.
IT|Én knap til at melde IT-fejl fra alle skærme|Fejl bliver meldt i gangen og glemt, før nogen når at skrive dem ned.
IT|Skærme på lageret der viser dagens ordrer|Holdlederne printer ordrelisten hver time for at se, hvad der mangler.
IT|Single sign-on til alle interne systemer|Vi har syv forskellige logins, og folk glemmer halvdelen.
IT|Bærbare scannere der kan lades i bilerne|Scannerne løber tør for strøm midt på ruten.
IT|Automatisk backup af de lokale filservere|Filserveren på det andet lager har ikke haft backup i et år.
Økonomi|Digitale kvitteringer i stedet for papir|Kvitteringer forsvinder i lommer og handskerum og når aldrig frem til bogholderiet.
Økonomi|Hurtigere godkendelse af leverandørfakturaer|Fakturaer ligger i en indbakke i ugevis, og vi betaler rykkergebyrer.
Økonomi|Månedligt overblik over omkostninger pr. afdeling|Afdelingerne ser først deres forbrug, når året er omme.
Økonomi|Fælles kørselsregnskab i en app|Kørebøger udfyldes i hånden og tastes ind igen af bogholderiet.
Økonomi|Indkøbsaftaler for kontorartikler|Hver afdeling køber selv ind og betaler forskellige priser for det samme.
HR|Introforløb for nye kolleger på alle afdelinger|Nye kolleger bruger den første uge på at finde ud af, hvem de skal spørge.
HR|Fleksible vagter hvor man kan bytte i en app|Vagtbytte foregår via sms og opslagstavlen, og nogen bliver altid glemt.
HR|Kurser i dansk for kolleger med andet modersmål|Sikkerhedsinstrukser bliver misforstået, fordi de kun findes på dansk.
HR|Fælles morgenmad en fredag om måneden|Drift og kontor ser næsten aldrig hinanden.
HR|Anonym trivselsmåling to gange om året|Vi hører først om dårlig trivsel, når nogen siger op.
HR|Mentorordning for nye holdledere|Nye holdledere står alene med svære samtaler.
HR|Cykelordning for medarbejderne|Mange bor tæt på, men parkeringspladsen er fuld hver morgen.
Produkt|Afhentningssteder i lokale butikker|Kunder på landet kører langt til vores depot efter pakker, de ikke var hjemme til.
Produkt|Levering om lørdagen i december|Butikkerne spørger efter lørdagslevering i julehandlen.
Produkt|Testmiljø til kundernes udviklere|Kunderne tester mod vores rigtige system, fordi der ikke er et testmiljø.
Produkt|Fragtberegner på hjemmesiden|Nye kunder kan ikke finde ud af, hvad det koster at sende en pakke.
Produkt|Grøn leveringsmulighed ved checkout|Butikkerne efterspørger en grøn løsning, de kan tilbyde deres kunder.
Produkt|Returlabel direkte i bekræftelsesmailen|Kunderne ringer for at få en returlabel, de kunne have fået automatisk.
""".strip()

COMMENTS = (
    "Ja tak! Det ville spare vores team for flere timer hver uge.",
    "Vi prøvede noget lignende på min gamle arbejdsplads, og det virkede godt.",
    "Hvordan skal det fungere for natholdet?",
    "God idé. Kan vi starte med et lille forsøg på ét hold?",
    "Jeg tror, det er pengene værd, men vi bør måle effekten.",
    "Det rammer også os i Kundeservice, så vi hjælper gerne med at teste.",
    "Er der allerede afsat budget til det?",
    "+1, det kommer op på næsten hvert eneste teammøde.",
    "Vi skal lige have det forbi samarbejdsudvalget først.",
    "Kan IT understøtte det med de værktøjer, vi allerede har?",
    "Vores kunder spørger ofte om det her.",
    "Super idé. Hvem skal eje den?",
    "Husk at det også skal virke på telefonen, ikke kun på computeren.",
    "Vi har en nødløsning, men den går i stykker med få måneders mellemrum.",
    "Lidt tal fra vores side: det sker omkring 30 gange om måneden.",
    "Lad os ikke glemme kollegerne på det andet lager.",
    "Simpelt og effektivt. Hvorfor har vi ikke gjort det for længe siden?",
    "Jeg er ikke sikker på, det er det største problem, men det er en nem gevinst.",
)

# How an idea's description goes on after its problem.
CLOSINGS = (
    "Jeg hjælper gerne med et forsøg.",
    "Jeg fortæller gerne mere til den, der tager den op.",
    "Det ville gøre en stor forskel i vores hverdag.",
    "Jeg er spændt på, hvad I andre tænker.",
)
BODY = "**Sådan er det i dag:** {problem}\n\n{closing}"

STATUS_MESSAGES = {
    "under_review": "Tak! Vi undersøger, hvad det vil kræve.",
    "planned": "Planlagt til næste kvartal; vi skriver her, når arbejdet går i gang.",
    "in_progress": "Arbejdet er gået i gang. De første resultater kommer om et par uger.",
    "done": "Gennemført og rullet ud. Tak til alle for stemmerne og idéerne!",
    "declined": "Ikke lige nu: det koster mere, end det giver i år. Vi gemmer den til senere.",
}

FLAG_REASONS = (
    "Det her handler i virkeligheden om én holdleder, ikke om processen.",
    "Ved siden af emnet og lidt uhøfligt over for natholdet.",
)

# Billeder på idéer (ideaboard.demo_pictures): en titel, og hvad der er vedhæftet.
PICTURES = {
    "Fælles bookingkalender til læsseramperne": ("gate", "chart", "pdf"),
    "Lad chauffører booke en rampetid online": ("chart",),
    "Stille pauserum til natholdet": ("plan",),
}
PICTURE_WORDS = {
    "gate": "port-2-i-skumringen.jpg", "chart": "ventetider.png", "plan": "pauserum-plan.png",
    "pdf": "forslag.pdf", "chart_title": "Minutters ventetid ved port 2",
    "rooms": ("Læsserampe", "Omklædning", "Kantine", "Stille rum"),
    "proposal": "Forslag: book ramperne i en fælles kalender",
}  # fmt: skip
