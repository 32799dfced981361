"""The demo's texts as children read them in each language its boards offer: every service's
name, every action's title and outcome, every partner's answer (board.wording). English is
each text as written in board.demo.data. Drafts, like every translation of the demo; the
benchmark (bench/wordings.py) checks that the demo network has them all."""

from __future__ import annotations

# A service's name by its name as entered (board.demo.data.BOARDS), in its board's languages
# (Romani for the boards that may offer it, Tirana's and Prishtina's: used where they do).
SERVICE_NAMES: dict[str, dict[str, str]] = {
    # Tirana: sq, ar
    "Blloku drop-in centre": {
        "sq": "Qendra ditore e Bllokut",
        "ar": "مركز بلوكو النهاري",
        "rom": "Dive-sko centro Blloku",
    },
    "Street team Tirana": {
        "sq": "Ekipi i rrugës, Tiranë",
        "ar": "فريق الشارع في تيرانا",
        "rom": "Grupa anda drom, Tirana",
    },
    "School no. 7 support class": {
        "sq": "Klasa mbështetëse e shkollës nr. 7",
        "ar": "صف الدعم في المدرسة رقم 7",
        "rom": "Klasa vaš žutipe, škola nr. 7",
    },
    "Health centre no. 3": {
        "sq": "Qendra shëndetësore nr. 3",
        "ar": "المركز الصحي رقم 3",
        "rom": "Centro vaš sastipe nr. 3",
    },
    "Civil registry help desk": {
        "sq": "Ndihmë për gjendjen civile",
        "ar": "مكتب المساعدة في السجل المدني",
        "rom": "Žutipe vaš lila thaj registracia",
    },
    "Night shelter": {"sq": "Strehim për natën", "ar": "مأوى ليلي", "rom": "Kher vaš e rat"},
    "Free legal clinic": {
        "sq": "Ndihmë ligjore falas",
        "ar": "عيادة قانونية مجانية",
        "rom": "Bi lovengo žutipe anda kris",
    },
    # Prishtina: sq, sr_Latn
    "Youth drop-in centre": {
        "sq": "Qendra ditore për të rinj",
        "sr_Latn": "Dnevni centar za mlade",
        "rom": "Dive-sko centro vaš terne",
    },
    "Mobile outreach team": {
        "sq": "Ekipi në terren",
        "sr_Latn": "Mobilni terenski tim",
        "rom": "Grupa so avel kaj tute",
    },
    "Catch-up classes": {
        "sq": "Mësime plotësuese",
        "sr_Latn": "Dopunska nastava",
        "rom": "Ekstra klase",
    },
    "Family health centre": {
        "sq": "Qendra e mjekësisë familjare",
        "sr_Latn": "Dom zdravlja za porodicu",
        "rom": "Centro vaš sastipe vaš e familia",
    },
    "Documents help desk": {
        "sq": "Ndihmë me dokumentet",
        "sr_Latn": "Pomoć oko dokumenata",
        "rom": "Žutipe vaš lila",
    },
    "Emergency response team": {
        "sq": "Ekipi i emergjencës",
        "sr_Latn": "Tim za hitne slučajeve",
        "rom": "Grupa vaš sigo žutipe",
    },
    # Sofia: bg, ar
    "Day centre for children": {"bg": "Дневен център за деца", "ar": "مركز نهاري للأطفال"},
    "Street work team": {"bg": "Екип за работа на улицата", "ar": "فريق العمل في الشارع"},
    "Bulgarian language classes": {"bg": "Уроци по български език", "ar": "دروس اللغة البلغارية"},
    "Refugee health point": {"bg": "Здравен пункт за бежанци", "ar": "نقطة صحية للاجئين"},
    "Asylum registration help": {
        "bg": "Помощ за регистрация за убежище",
        "ar": "المساعدة في تسجيل اللجوء",
    },
    "Safe house": {"bg": "Защитено жилище", "ar": "بيت آمن"},
    "Lawyers for children": {"bg": "Адвокати за деца", "ar": "محامون للأطفال"},
    # Warsaw: pl, ar
    "Youth club": {"pl": "Klub młodzieżowy", "ar": "نادي الشباب"},
    "Station outreach": {"pl": "Pomoc na dworcu", "ar": "المساعدة في المحطة"},
    "Preparatory class": {"pl": "Klasa przygotowawcza", "ar": "الصف التحضيري"},
    "Clinic for young people": {"pl": "Przychodnia dla młodzieży", "ar": "عيادة للشباب"},
    "Residence card help": {
        "pl": "Pomoc w sprawie karty pobytu",
        "ar": "المساعدة في بطاقة الإقامة",
    },
    "Group home": {"pl": "Placówka opiekuńcza", "ar": "دار رعاية"},
    "Guardianship and legal advice": {
        "pl": "Opiekun prawny i porady prawne",
        "ar": "الوصاية والاستشارة القانونية",
    },
    # Bucharest: ro, ar
    "Day centre": {"ro": "Centrul de zi", "ar": "المركز النهاري"},
    "Night street team": {"ro": "Echipa de noapte din stradă", "ar": "فريق الشارع الليلي"},
    "Second chance school": {"ro": "Școala „A doua șansă”", "ar": "مدرسة الفرصة الثانية"},
    "Mobile clinic": {"ro": "Clinica mobilă", "ar": "العيادة المتنقلة"},
    "Identity papers help": {
        "ro": "Ajutor pentru acte de identitate",
        "ar": "المساعدة في أوراق الهوية",
    },
    "Emergency shelter": {"ro": "Adăpost de urgență", "ar": "مأوى الطوارئ"},
    "Child protection hotline team": {
        "ro": "Echipa liniei pentru protecția copilului",
        "ar": "فريق خط حماية الطفل",
    },
}

# An action's title and outcome (board.demo.data.ACTIONS), in every language of the demo's
# boards but English (the language they are written in).
ACTION_TITLES: dict[str, dict[str, str]] = {
    "Open the drop-in centre on Sundays": {
        "sq": "Qendra ditore e hapur edhe të dielën",
        "sr_Latn": "Dnevni centar otvoren i nedeljom",
        "bg": "Дневният център да работи и в неделя",
        "pl": "Klub otwarty także w niedziele",
        "ro": "Centrul de zi deschis și duminica",
        "ar": "فتح المركز النهاري يوم الأحد",
        "rom": "O centro putardo vi kurke",
    },
    "Interpreters at the health centre": {
        "sq": "Përkthyes në qendrën shëndetësore",
        "sr_Latn": "Prevodioci u domu zdravlja",
        "bg": "Преводачи в здравния център",
        "pl": "Tłumacze w przychodni",
        "ro": "Traducători la centrul de sănătate",
        "ar": "مترجمون في المركز الصحي",
        "rom": "Tolmačura ando centro vaš sastipe",
    },
    "Free bus tickets for school": {
        "sq": "Bileta autobusi falas për në shkollë",
        "sr_Latn": "Besplatne autobuske karte za školu",
        "bg": "Безплатни билети за автобус до училище",
        "pl": "Darmowe bilety autobusowe do szkoły",
        "ro": "Bilete de autobuz gratuite pentru școală",
        "ar": "تذاكر حافلة مجانية للمدرسة",
        "rom": "Bileturi bi lovengo vaš o autobuso kaj e škola",
    },
    "A quiet room for homework": {
        "sq": "Një dhomë e qetë për detyrat",
        "sr_Latn": "Mirna soba za domaći",
        "bg": "Тиха стая за домашните",
        "pl": "Ciche miejsce do odrabiania lekcji",
        "ro": "O cameră liniștită pentru teme",
        "ar": "غرفة هادئة للواجبات",
        "rom": "Jekh smirno kamera vaš e školaki buti",
    },
    "Help with documents in our languages": {
        "sq": "Ndihmë me dokumentet në gjuhët tona",
        "sr_Latn": "Pomoć oko dokumenata na našim jezicima",
        "bg": "Помощ с документите на нашите езици",
        "pl": "Pomoc z dokumentami w naszych językach",
        "ro": "Ajutor cu actele în limbile noastre",
        "ar": "المساعدة في الوثائق بلغاتنا",
        "rom": "Žutipe vaš lila ande amare čhiba",
    },
    "Sports on Saturdays": {
        "sq": "Sport të shtunave",
        "sr_Latn": "Sport subotom",
        "bg": "Спорт в събота",
        "pl": "Sport w soboty",
        "ro": "Sport sâmbăta",
        "ar": "رياضة يوم السبت",
        "rom": "Sporto savatone",
    },
}
ACTION_OUTCOMES: dict[str, dict[str, str]] = {
    "The centre is now open on Sunday afternoons.": {
        "sq": "Qendra tani është e hapur të dielën pasdite.",
        "sr_Latn": "Centar je sada otvoren nedeljom popodne.",
        "bg": "Центърът вече работи в неделя следобед.",
        "pl": "Klub jest teraz otwarty w niedzielne popołudnia.",
        "ro": "Centrul este acum deschis duminica după-amiaza.",
        "ar": "المركز مفتوح الآن بعد ظهر يوم الأحد.",
        "rom": "O centro akana si putardo kurke, pala o mizmeri.",
    },
    "Partners are looking for interpreters.": {
        "sq": "Partnerët po kërkojnë përkthyes.",
        "sr_Latn": "Partneri traže prevodioce.",
        "bg": "Партньорите търсят преводачи.",
        "pl": "Partnerzy szukają tłumaczy.",
        "ro": "Partenerii caută traducători.",
        "ar": "الشركاء يبحثون عن مترجمين.",
        "rom": "E partnera roden tolmačura.",
    },
    "Children chose other ideas this time.": {
        "sq": "Këtë herë fëmijët zgjodhën ide të tjera.",
        "sr_Latn": "Ovog puta deca su izabrala druge ideje.",
        "bg": "Този път децата избраха други идеи.",
        "pl": "Tym razem dzieci wybrały inne pomysły.",
        "ro": "De data aceasta copiii au ales alte idei.",
        "ar": "اختار الأطفال أفكارًا أخرى هذه المرة.",
        "rom": "Akana e čhavore alosarde aver ideje.",
    },
}

# A partner's answer as the facilitator approved it for children (board.demo.data.*_ANSWER).
ANSWERS: dict[str, dict[str, str]] = {
    "An interpreter will come two days a week, starting next month.": {
        "sq": "Një përkthyes do të vijë dy ditë në javë, nga muaji tjetër.",
        "sr_Latn": "Prevodilac će dolaziti dva dana nedeljno, od sledećeg meseca.",
        "bg": "Преводач ще идва два дни в седмицата от следващия месец.",
        "pl": "Od przyszłego miesiąca tłumacz będzie przychodził dwa dni w tygodniu.",
        "ro": "Un traducător va veni două zile pe săptămână, de luna viitoare.",
        "ar": "سيأتي مترجم يومين في الأسبوع، ابتداءً من الشهر القادم.",
        "rom": "Jekh tolmačo avela duj dives ando kurko, katar o avutno čhon.",
    },
    "Your top idea goes to the city council. We will tell you what they say.": {
        "sq": "Ideja juaj e parë shkon te këshilli bashkiak. Do t'ju tregojmë çfarë thonë.",
        "sr_Latn": "Vaša prva ideja ide gradskom veću. Reći ćemo vam šta kažu.",
        "bg": "Вашата първа идея отива в общинския съвет. Ще ви кажем какво решат.",
        "pl": "Wasz najlepszy pomysł trafi do rady miasta. Powiemy wam, co odpowie.",
        "ro": "Prima voastră idee merge la consiliul orașului. Vă spunem ce răspund.",
        "ar": "فكرتكم الأولى تذهب إلى مجلس المدينة. سنخبركم بما يقولون.",
        "rom": "Tumari angluni ideja džal ko konsilo e forosko. Phenasa tumenge so von phenen.",
    },
    "Two new helpers who speak Arabic and Dari start this winter.": {
        "sq": "Dy ndihmës të rinj që flasin arabisht dhe dari fillojnë këtë dimër.",
        "sr_Latn": "Dva nova pomoćnika koji govore arapski i dari počinju ove zime.",
        "bg": "Двама нови помощници, които говорят арабски и дари, започват тази зима.",
        "pl": "Tej zimy zaczyna pracę dwoje nowych pomocników, którzy mówią po arabsku i w dari.",
        "ro": "Doi lucrători noi care vorbesc araba și dari încep iarna aceasta.",
        "ar": "يبدأ هذا الشتاء مساعدان جديدان يتحدثان العربية والدارية.",
        "rom": "Duj neve manuša vaš žutipe, so vakeren arabikane thaj dari, astaren akava ivend.",
    },
}


def in_languages(english: str, words: dict[str, dict[str, str]], languages: list[str]) -> dict:
    """``english``'s wordings in ``languages`` (English as written)."""
    every = {"en": english, **words.get(english, {})}
    return {lang: every[lang] for lang in languages if lang in every}


def action_texts(title: str, outcome: str, languages: list[str]) -> dict:
    """An action's wordings for children, as ``board.actions.services.save_action`` takes
    them."""
    titles = in_languages(title, ACTION_TITLES, languages)
    outcomes = in_languages(outcome, ACTION_OUTCOMES, languages) if outcome else {}
    return {
        lang: {"title": titles.get(lang, ""), "outcome": outcomes.get(lang, "")}
        for lang in languages
    }
