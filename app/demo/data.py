"""Content of the demo wijk: a realistic Utrecht neighbourhood with Dutch proposals."""

from __future__ import annotations

WIJK = {
    "name": "Lombok",
    "municipality": "Utrecht",
    "buurten": ["Lombok-Oost", "Lombok-West", "Leidseweg en omgeving"],
    "postcodes": ["3531", "3532"],
}

CATEGORIES = ["Groen", "Spelen en sporten", "Ontmoeten", "Verkeer en veiligheid"]

OUT_OF_SCOPE = (
    "Gewoon onderhoud dat de gemeente al doet (zoals straten vegen en lantaarnpalen repareren), "
    "projecten van één bedrijf of vereniging waar niet iedereen gebruik van kan maken, "
    "en projecten buiten de wijk Lombok."
)

# title, description, cost in euros, category, buurt index, review: ("feasible", reason) / ("infeasible", reason),
# optional new cost with reason.
PROPOSALS: list[dict[str, object]] = [
    {
        "title": "Geveltuintjes in de Kanaalstraat",
        "description": "Samen met bewoners leggen we dertig geveltuintjes aan, met plantjes die bijen en vlinders trekken. "
        "De gemeente haalt de tegels weg, bewoners zorgen voor het onderhoud.",
        "cost": 6_500,
        "category": "Groen",
        "buurt": 0,
        "review": ("feasible", "Past binnen het beleid voor geveltuinen; de gemeente levert de tegelwipper."),
    },
    {
        "title": "Speeltoestellen Cornelisstraat vernieuwen",
        "description": "Het klimrek op het pleintje aan de Cornelisstraat is oud en onveilig. Wij willen een nieuw "
        "klim- en glijtoestel voor kinderen van 4 tot 12 jaar.",
        "cost": 18_000,
        "category": "Spelen en sporten",
        "buurt": 1,
        "review": ("feasible", "Haalbaar. De kosten zijn verhoogd omdat een valondergrond verplicht is."),
        "new_cost": 21_500,
        "cost_reason": "Een veilige valondergrond (rubbertegels) is wettelijk verplicht en kost € 3.500 extra.",
    },
    {
        "title": "Buurtkamer met koffieochtenden",
        "description": "Twee ochtenden per week een open buurtkamer in het wijkcentrum, met koffie, thee en een "
        "vrijwilliger die mensen wegwijs maakt. Tegen eenzaamheid, voor jong en oud.",
        "cost": 9_800,
        "category": "Ontmoeten",
        "buurt": 2,
        "review": ("feasible", "Haalbaar; het wijkcentrum heeft ruimte op dinsdag- en donderdagochtend."),
    },
    {
        "title": "Veilige oversteek bij de Vleutenseweg",
        "description": "Een zebrapad met middeneiland bij de bakker, waar veel schoolkinderen oversteken.",
        "cost": 15_000,
        "category": "Verkeer en veiligheid",
        "buurt": 0,
        "review": (
            "infeasible",
            "De Vleutenseweg is een hoofdroute; een oversteek moet daar in het verkeersplan van de gemeente. "
            "Wij nemen het voorstel mee in de herinrichting van 2027.",
        ),
    },
    {
        "title": "Moestuin voor de Damstraat",
        "description": "Een gezamenlijke moestuin op het braakliggende stuk grond achter de Damstraat, met "
        "bakken op hoogte zodat ook mensen in een rolstoel kunnen tuinieren.",
        "cost": 7_200,
        "category": "Groen",
        "buurt": 1,
        "review": ("feasible", "Haalbaar; de grond is van de gemeente en mag vijf jaar gebruikt worden."),
    },
    {
        "title": "Pannakooi bij de Bankaplein",
        "description": "Een kleine voetbalkooi voor tieners, met een bank ernaast.",
        "cost": 24_000,
        "category": "Spelen en sporten",
        "buurt": 2,
        "review": ("feasible", "Haalbaar; de plek ligt ver genoeg van woningen."),
    },
    {
        "title": "Boomspiegels beplanten langs de Kanaalweg",
        "description": "De kale grond rond de bomen langs de Kanaalweg beplanten met vaste planten en een laag hekje.",
        "cost": 4_500,
        "category": "Groen",
        "buurt": 0,
        "review": ("feasible", "Haalbaar."),
    },
    {
        "title": "Straatfeest Lombok Proeft",
        "description": "Een jaarlijks straatfeest met eten uit alle keukens van de wijk, muziek en activiteiten "
        "voor kinderen.",
        "cost": 5_000,
        "category": "Ontmoeten",
        "buurt": 2,
        "review": ("feasible", "Haalbaar voor één editie; een vergunning is aangevraagd."),
    },
    {
        "title": "Extra verlichting in het Majellapark",
        "description": "Meer lantaarns langs het pad door het park, zodat het 's avonds veiliger voelt.",
        "cost": 12_000,
        "category": "Verkeer en veiligheid",
        "buurt": 1,
        "review": ("feasible", "Haalbaar met zuinige ledlampen die dieren weinig storen."),
    },
    {
        "title": "Overdekte fietsenstalling bij de moskee",
        "description": "Een overdekte stalling voor vijftig fietsen zodat de stoep vrij blijft.",
        "cost": 22_000,
        "category": "Verkeer en veiligheid",
        "buurt": 0,
        "review": (
            "infeasible",
            "De stoep is te smal voor een stalling van deze maat, en de grond naast de moskee is particulier bezit.",
        ),
    },
    {
        "title": "Schaaktafels op het Moskeeplein",
        "description": "Twee stenen schaaktafels met krukjes; de buurtvereniging leent stukken uit.",
        "cost": 3_200,
        "category": "Ontmoeten",
        "buurt": 0,
        "review": ("feasible", "Haalbaar."),
    },
    {
        "title": "Waterspeelplek voor peuters",
        "description": "Een kleine waterspeelplek met pomp en goot op het speelveld aan de Jan Pieterszoon Coenstraat.",
        "cost": 19_500,
        "category": "Spelen en sporten",
        "buurt": 1,
        "review": ("feasible", "Haalbaar; het water wordt hergebruikt."),
    },
    {
        "title": "Zwembad in het Lombokplein",
        "description": "Een openluchtzwembad voor de hele wijk.",
        "cost": 25_000,
        "category": "Spelen en sporten",
        "buurt": 2,
        "review": (
            "infeasible",
            "Een zwembad kost jaarlijks veel meer aan onderhoud en toezicht dan dit budget toelaat, en het plein is "
            "daarvoor te klein.",
        ),
    },
]

# Rough support per feasible proposal (share of voters who pick it), so the demo result looks like a real vote.
SUPPORT = [0.55, 0.48, 0.42, 0.0, 0.37, 0.30, 0.45, 0.33, 0.28, 0.0, 0.25, 0.35, 0.0]
