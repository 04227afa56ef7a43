"""The basic measures of the 2021 letter and Kennisnet, and the sector ambitions.

Deadlines: universities 2023 and hogescholen 2024 (the ambition set after the 2019 attack on a
university); MBO 2026 (assumed: the sector has not fixed one); PO, VO and SO 2030 (moved from
2027 in the letter of November 2025); research institutes follow the universities. Coordinators
can change them.
"""

from datetime import date

from django.db import migrations

MEASURES = [
    ("MFA", "letter_2021", "Meervoudige authenticatie (MFA)", "Multi-factor authentication (MFA)",
     "Inloggen op e-mail, cloudomgevingen en beheeraccounts vraagt meer dan alleen een wachtwoord.",
     "Sign-in to e-mail, cloud environments and admin accounts needs more than a password."),
    ("SEGMENTATION", "letter_2021", "Netwerksegmentatie", "Network segmentation",
     "Het netwerk is opgedeeld, zodat een besmetting niet zomaar van leerlingnetwerk naar administratie overspringt.",
     "The network is divided so an infection cannot simply spread from the pupil network to administration."),
    ("BACKUPS", "letter_2021", "Back-ups, regelmatig en getest", "Regular and tested backups",
     "Belangrijke gegevens worden regelmatig en los van het netwerk geback-upt, en terugzetten is geoefend.",
     "Important data is backed up regularly and offline, and restoring has been practised."),
    ("PENTEST", "letter_2021", "Tests door ethische hackers", "Tests by ethical hackers",
     "Systemen worden periodiek getest door ethische hackers (pentest) en bevindingen worden opgelost.",
     "Systems are tested periodically by ethical hackers (penetration test) and findings are fixed."),
    ("ACCESS", "letter_2021", "Toegangsrechten op orde", "Access rights in order",
     "Iedereen heeft alleen toegang tot wat nodig is voor het werk, en rechten worden regelmatig nagelopen.",
     "Everyone only has access to what their work needs, and rights are reviewed regularly."),
    ("KN_INVENTORY", "kennisnet", "Overzicht van applicaties en verantwoordelijken", "Overview of applications and owners",
     "Er is een overzicht van applicaties en omgevingen, vooral die met persoonsgegevens, met een verantwoordelijke per applicatie en een proces voor als het misgaat.",
     "There is an overview of applications and environments, especially those with personal data, with an owner for each and a process for when things go wrong."),
    ("KN_SUPPLIERS", "kennisnet", "Afspraken met leveranciers", "Agreements with suppliers",
     "Met leveranciers zijn afspraken gemaakt over beveiliging, privacy en melden van incidenten.",
     "Agreements with suppliers cover security, privacy and reporting incidents."),
    ("KN_RISK", "kennisnet", "Risicomanagement ingericht", "Risk management in place",
     "Risico's worden in kaart gebracht, afgewogen en het bestuur besluit over de aanpak.",
     "Risks are mapped and weighed, and the board decides how to treat them."),
    ("KN_ATTACK_SURFACE", "kennisnet", "Aanvalsoppervlak verkleind", "Attack surface reduced",
     "Onnodige diensten, accounts en koppelingen zijn uitgezet; wat openstaat naar internet is bekend.",
     "Unneeded services, accounts and connections are switched off; what is exposed to the internet is known."),
    ("KN_ENCRYPTION", "kennisnet", "Versleutelde opslag", "Encrypted storage",
     "Laptops, USB-sticks en andere opslag met gevoelige gegevens zijn versleuteld.",
     "Laptops, USB sticks and other storage holding sensitive data are encrypted."),
]

AMBITIONS = [
    ("WO", date(2023, 12, 31), "Ambitie UNL na de aanval op een universiteit in 2019"),
    ("HBO", date(2024, 12, 31), "Ambitie Vereniging Hogescholen"),
    ("RESEARCH", date(2024, 12, 31), "Volgt de ambitie van de universiteiten"),
    ("MBO", date(2026, 12, 31), "Aangenomen; door de sector vast te stellen"),
    ("PO", date(2030, 12, 31), "Kamerbrief november 2025: naleving vanaf 2030"),
    ("VO", date(2030, 12, 31), "Kamerbrief november 2025: naleving vanaf 2030"),
    ("SO", date(2030, 12, 31), "Kamerbrief november 2025: naleving vanaf 2030"),
]


def add(apps, schema_editor):
    BasicMeasure = apps.get_model("monitor", "BasicMeasure")
    Ambition = apps.get_model("monitor", "Ambition")
    Sector = apps.get_model("organisations", "Sector")
    for position, (code, source, title_nl, title_en, desc_nl, desc_en) in enumerate(MEASURES):
        BasicMeasure.objects.get_or_create(
            code=code,
            defaults={
                "source": source, "title_nl": title_nl, "title_en": title_en,
                "description_nl": desc_nl, "description_en": desc_en, "position": position,
            },
        )
    for code, deadline, note in AMBITIONS:
        sector = Sector.objects.filter(code=code).first()
        if sector:
            Ambition.objects.get_or_create(sector=sector, defaults={"target": 3.0, "deadline": deadline, "note": note})


class Migration(migrations.Migration):
    dependencies = [("monitor", "0001_initial"), ("organisations", "0002_sectors")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
