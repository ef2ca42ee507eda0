"""Reference data shared by every area: education levels, provinces, booleans, booth codes.

Pure module: no Flask, no database. One home for each list so that imports,
forms, matching and exports agree on codes.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

# Ordered from lowest to highest: matching compares positions in this tuple.
EDUCATION_LEVELS: tuple[str, ...] = (
    "none",
    "primary",
    "lower_secondary",
    "upper_secondary",
    "vocational",
    "high_vocational",
    "bachelor",
    "master",
    "doctorate",
)

EDUCATION_NAMES_TH: dict[str, str] = {
    "none": "ไม่มีวุฒิการศึกษา",
    "primary": "ประถมศึกษา",
    "lower_secondary": "มัธยมศึกษาตอนต้น",
    "upper_secondary": "มัธยมศึกษาตอนปลาย",
    "vocational": "ปวช.",
    "high_vocational": "ปวส.",
    "bachelor": "ปริญญาตรี",
    "master": "ปริญญาโท",
    "doctorate": "ปริญญาเอก",
}

EDUCATION_NAMES_EN: dict[str, str] = {
    "none": "No formal education",
    "primary": "Primary school",
    "lower_secondary": "Lower secondary",
    "upper_secondary": "Upper secondary",
    "vocational": "Vocational certificate (Por Wor Chor)",
    "high_vocational": "High vocational diploma (Por Wor Sor)",
    "bachelor": "Bachelor's degree",
    "master": "Master's degree",
    "doctorate": "Doctorate",
}


def education_rank(code: str | None) -> int:
    """Position of an education code in EDUCATION_LEVELS; -1 when unknown or empty."""
    try:
        return EDUCATION_LEVELS.index(code) if code else -1
    except ValueError:
        return -1


# --------------------------------------------------------------------------
# Text keys: how free text typed by people is compared with the lists below.
# --------------------------------------------------------------------------

# Thai digits ๐..๙ appear in forms typed on Thai keyboards and in government
# documents; everything numeric in the app works on ASCII digits.
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

# Dropped when building a lookup key: spacing, dots and dashes vary from one
# writer to the next ("Chon Buri", "Chonburi", "chon-buri"; "ปวช." and "ปวช";
# "กรุงเทพฯ" and "กรุงเทพ") but never change what is meant. ฯ (paiyannoi) is
# Thai's abbreviation mark, so it goes with the dot.
_KEY_DROP = frozenset(" \t\r\n\u00a0\u200b\ufeff.,-_'’‘\"()/ฯ")


def to_ascii_digits(text: str) -> str:
    """`text` with Thai digits ๐..๙ replaced by ASCII 0..9; other characters unchanged."""
    return text.translate(_THAI_DIGITS)


def text_key(text: str) -> str:
    """A comparison key: NFKC, case-folded, ASCII digits, without spaces and punctuation.

    NFKC matters for Thai: SARA AM (ำ) can arrive precomposed or as NIKHAHIT +
    SARA AA depending on the keyboard, and both must give the same key. The
    key is only for lookups; stored text keeps what the person wrote.
    """
    folded = unicodedata.normalize("NFKC", to_ascii_digits(text)).casefold()
    return "".join(ch for ch in folded if ch not in _KEY_DROP)


# --------------------------------------------------------------------------
# Booth codes
# --------------------------------------------------------------------------

# A stand on the floor plan: one or two letters for the row, a number for the
# place in it ("A12", "AB3"). Written by organisers in files, typed in URLs and
# on the command line, so " a12 ", "A-12", "A 12", "A๑๒" and "A012" are all the
# stored "A12".
_BOOTH_CODE = re.compile(r"([A-Z]{1,2})([0-9]{1,3})")
_BOOTH_NOISE = re.compile(r"[\s\-]+")


def split_booth_code(text: str | None) -> tuple[str, int] | None:
    """(row letters, stand number) of a booth code however it is written; None when it is
    no booth code (letters then a number)."""
    if not isinstance(text, str):
        return None
    code = _BOOTH_NOISE.sub("", unicodedata.normalize("NFKC", to_ascii_digits(text))).upper()
    match = _BOOTH_CODE.fullmatch(code)
    return (match.group(1), int(match.group(2))) if match else None


def parse_booth_code(text: str | None) -> str | None:
    """The stored form of a booth code ("A12"), from any way of writing it; None when it is none."""
    parts = split_booth_code(text)
    return f"{parts[0]}{parts[1]}" if parts else None


# --------------------------------------------------------------------------
# Provinces
# --------------------------------------------------------------------------

# The six geographical regions of the National Geographical Committee (1977),
# the grouping Thai school atlases and the Department of Employment use.
REGIONS: dict[str, tuple[str, str]] = {
    "north": ("Northern", "ภาคเหนือ"),
    "northeast": ("Northeastern", "ภาคตะวันออกเฉียงเหนือ"),
    "central": ("Central", "ภาคกลาง"),
    "east": ("Eastern", "ภาคตะวันออก"),
    "west": ("Western", "ภาคตะวันตก"),
    "south": ("Southern", "ภาคใต้"),
}


@dataclass(frozen=True)
class Province:
    """One of the 77 provinces. `en` (official romanisation) is the stored code."""

    en: str
    th: str
    region: str  # a key of REGIONS
    lat: float  # provincial seat, approximate: good enough for "nearby", not for maps
    lon: float
    aliases: tuple[str, ...] = ()


# (en, th, region, lat, lon, aliases). Aliases list only what the key cannot
# already absorb: "Chonburi" needs no alias for "Chon Buri" because spaces
# are dropped from keys, but "Korat" and "กทม." do.
_PROVINCE_ROWS: tuple[tuple[str, str, str, float, float, tuple[str, ...]], ...] = (
    # Central (22, with Bangkok)
    ("Bangkok", "กรุงเทพมหานคร", "central", 13.756, 100.502,
     ("กรุงเทพฯ", "กรุงเทพ", "กทม.", "Krung Thep", "Krung Thep Maha Nakhon", "BKK",
      "Bangkok Metropolis", "Bangkok Metropolitan")),
    ("Ang Thong", "อ่างทอง", "central", 14.590, 100.455, ("Angthong",)),
    ("Phra Nakhon Si Ayutthaya", "พระนครศรีอยุธยา", "central", 14.353, 100.569,
     ("Ayutthaya", "Ayuthaya", "Ayudhya", "Phra Nakhon Sri Ayutthaya", "อยุธยา")),
    ("Chai Nat", "ชัยนาท", "central", 15.185, 100.125, ("Chainart",)),
    ("Kamphaeng Phet", "กำแพงเพชร", "central", 16.483, 99.523,
     ("Kampaeng Phet", "Kamphang Phet", "Kampheang Phet")),
    ("Lop Buri", "ลพบุรี", "central", 14.800, 100.653, ("Lobburi",)),
    ("Nakhon Nayok", "นครนายก", "central", 14.207, 101.213, ("Nakorn Nayok",)),
    ("Nakhon Pathom", "นครปฐม", "central", 13.820, 100.062, ("Nakorn Pathom",)),
    ("Nakhon Sawan", "นครสวรรค์", "central", 15.705, 100.137, ("Nakorn Sawan", "ปากน้ำโพ")),
    ("Nonthaburi", "นนทบุรี", "central", 13.862, 100.514, ("Nontaburi", "นนท์")),
    ("Pathum Thani", "ปทุมธานี", "central", 14.021, 100.525, ("Patum Thani", "Pathumtani")),
    ("Phetchabun", "เพชรบูรณ์", "central", 16.419, 101.161, ("Petchabun", "Phetchaboon")),
    ("Phichit", "พิจิตร", "central", 16.443, 100.349, ("Pichit",)),
    ("Phitsanulok", "พิษณุโลก", "central", 16.821, 100.266, ("Pitsanulok", "Phitsanuloke")),
    ("Samut Prakan", "สมุทรปราการ", "central", 13.599, 100.600,
     ("Samut Prakarn", "Samutprakarn", "ปากน้ำ")),
    ("Samut Sakhon", "สมุทรสาคร", "central", 13.548, 100.274,
     ("Samut Sakorn", "Samutsakorn", "Mahachai", "มหาชัย")),
    ("Samut Songkhram", "สมุทรสงคราม", "central", 13.410, 100.002,
     ("Samut Songkram", "Samutsongkram")),
    ("Saraburi", "สระบุรี", "central", 14.529, 100.910, ("Sara Buri",)),
    ("Sing Buri", "สิงห์บุรี", "central", 14.894, 100.397, ("Sinburi",)),
    ("Sukhothai", "สุโขทัย", "central", 17.007, 99.823, ("Sukothai",)),
    ("Suphan Buri", "สุพรรณบุรี", "central", 14.475, 100.118, ("Supanburi", "Suphanburee")),
    ("Uthai Thani", "อุทัยธานี", "central", 15.384, 100.025, ("Uthaitani", "Utaitani")),
    # North (9)
    ("Chiang Mai", "เชียงใหม่", "north", 18.788, 98.985, ("Chiengmai", "CNX")),
    ("Chiang Rai", "เชียงราย", "north", 19.911, 99.841, ("Chiengrai",)),
    ("Lampang", "ลำปาง", "north", 18.289, 99.491, ()),
    ("Lamphun", "ลำพูน", "north", 18.575, 99.009, ("Lampoon", "Lamphoon")),
    ("Mae Hong Son", "แม่ฮ่องสอน", "north", 19.302, 97.965, ("Maehongson",)),
    ("Nan", "น่าน", "north", 18.776, 100.773, ()),
    ("Phayao", "พะเยา", "north", 19.167, 99.902, ("Payao",)),
    ("Phrae", "แพร่", "north", 18.145, 100.140, ("Prae",)),
    ("Uttaradit", "อุตรดิตถ์", "north", 17.620, 100.099, ("Uttradit",)),
    # East (7)
    ("Chachoengsao", "ฉะเชิงเทรา", "east", 13.690, 101.078,
     ("Chacheongsao", "Chachengsao", "แปดริ้ว")),
    ("Chanthaburi", "จันทบุรี", "east", 12.611, 102.104, ("Chantaburi", "Chanthaburee")),
    ("Chon Buri", "ชลบุรี", "east", 13.361, 100.985, ("Cholburi", "Chonburee")),
    ("Prachin Buri", "ปราจีนบุรี", "east", 14.051, 101.372, ("Prachinburee", "Prachineburi")),
    ("Rayong", "ระยอง", "east", 12.681, 101.282, ()),
    ("Sa Kaeo", "สระแก้ว", "east", 13.824, 102.065, ("Sa Kaew", "Srakaew", "Sra Kaeo")),
    ("Trat", "ตราด", "east", 12.243, 102.518, ("Trad",)),
    # West (5)
    ("Kanchanaburi", "กาญจนบุรี", "west", 14.023, 99.533, ("Kanchana Buri", "Karnchanaburi")),
    ("Phetchaburi", "เพชรบุรี", "west", 13.112, 99.940, ("Petchaburi", "Phetburi", "เมืองเพชร")),
    ("Prachuap Khiri Khan", "ประจวบคีรีขันธ์", "west", 11.812, 99.797,
     ("Prachuap", "Prachuab Khiri Khan", "Prachuap Kiri Khan", "ประจวบฯ")),
    ("Ratchaburi", "ราชบุรี", "west", 13.528, 99.813, ("Rajaburi", "Ratburi")),
    ("Tak", "ตาก", "west", 16.884, 99.126, ()),
    # Northeast (20)
    ("Amnat Charoen", "อำนาจเจริญ", "northeast", 15.866, 104.626, ("Amnartcharoen",)),
    ("Bueng Kan", "บึงกาฬ", "northeast", 18.361, 103.647, ("Bung Kan", "Buengkarn")),
    ("Buri Ram", "บุรีรัมย์", "northeast", 14.993, 103.103, ("Burirum",)),
    ("Chaiyaphum", "ชัยภูมิ", "northeast", 15.807, 102.032, ("Chaiyapoom", "Chaiyaphoom")),
    ("Kalasin", "กาฬสินธุ์", "northeast", 16.432, 103.506, ()),
    ("Khon Kaen", "ขอนแก่น", "northeast", 16.432, 102.824, ("Khonkhaen", "Kon Kaen")),
    ("Loei", "เลย", "northeast", 17.486, 101.722, ("Loey",)),
    ("Maha Sarakham", "มหาสารคาม", "northeast", 16.185, 103.303,
     ("Mahasarakam", "Maha Sarakam", "Sarakham")),
    ("Mukdahan", "มุกดาหาร", "northeast", 16.544, 104.724, ("Mukdaharn",)),
    ("Nakhon Phanom", "นครพนม", "northeast", 17.392, 104.770, ("Nakorn Phanom", "Nakhon Panom")),
    ("Nakhon Ratchasima", "นครราชสีมา", "northeast", 14.980, 102.098,
     ("Korat", "Khorat", "Nakorn Ratchasima", "Nakhon Rachasima", "โคราช")),
    ("Nong Bua Lam Phu", "หนองบัวลำภู", "northeast", 17.222, 102.426,
     ("Nong Bua Lamphu", "Nongbualumphu")),
    ("Nong Khai", "หนองคาย", "northeast", 17.878, 102.742, ("Nongkai",)),
    ("Roi Et", "ร้อยเอ็ด", "northeast", 16.054, 103.652, ("Roiet", "Roi-Ed")),
    ("Sakon Nakhon", "สกลนคร", "northeast", 17.155, 104.135, ("Sakon Nakorn", "Sakonnakorn")),
    ("Si Sa Ket", "ศรีสะเกษ", "northeast", 15.119, 104.322, ("Sisaket", "Srisaket", "Sri Saket")),
    ("Surin", "สุรินทร์", "northeast", 14.882, 103.494, ()),
    ("Ubon Ratchathani", "อุบลราชธานี", "northeast", 15.229, 104.856,
     ("Ubon", "Ubon Rachathani", "อุบลฯ")),
    ("Udon Thani", "อุดรธานี", "northeast", 17.414, 102.787, ("Udon", "Udorn", "Udorn Thani")),
    ("Yasothon", "ยโสธร", "northeast", 15.793, 104.145, ("Yasothorn",)),
    # South (14)
    ("Chumphon", "ชุมพร", "south", 10.493, 99.180, ("Chumporn", "Chumpon")),
    ("Krabi", "กระบี่", "south", 8.086, 98.906, ()),
    ("Nakhon Si Thammarat", "นครศรีธรรมราช", "south", 8.430, 99.963,
     ("Nakhon Sri Thammarat", "Nakorn Sri Thammarat", "Nakhon Si", "นครศรีฯ")),
    ("Narathiwat", "นราธิวาส", "south", 6.426, 101.825, ("Narathiwas",)),
    ("Pattani", "ปัตตานี", "south", 6.870, 101.250, ("Patani",)),
    ("Phang Nga", "พังงา", "south", 8.451, 98.526, ("Pang Nga", "Phangnga")),
    ("Phatthalung", "พัทลุง", "south", 7.617, 100.074, ("Patthalung", "Phattalung")),
    ("Phuket", "ภูเก็ต", "south", 7.880, 98.392, ("Puket", "HKT")),
    ("Ranong", "ระนอง", "south", 9.953, 98.609, ()),
    ("Satun", "สตูล", "south", 6.624, 100.067, ("Satul",)),
    ("Songkhla", "สงขลา", "south", 7.190, 100.595, ("Songkla", "Hat Yai", "หาดใหญ่")),
    ("Surat Thani", "สุราษฎร์ธานี", "south", 9.138, 99.322, ("Suratthani", "Surat", "สุราษฎร์ฯ")),
    ("Trang", "ตรัง", "south", 7.556, 99.611, ()),
    ("Yala", "ยะลา", "south", 6.541, 101.280, ()),
)

PROVINCES: tuple[Province, ...] = tuple(Province(*row) for row in _PROVINCE_ROWS)
PROVINCES_BY_NAME: dict[str, Province] = {p.en: p for p in PROVINCES}

# Words around a province name that do not change which province is meant:
# "จังหวัดชลบุรี", "จ.ชลบุรี", "Chon Buri Province", "Changwat Chon Buri", "Province of Chon Buri".
_PROVINCE_PREFIXES = tuple(text_key(w) for w in ("จังหวัด", "จ.", "changwat", "province of"))
_PROVINCE_SUFFIXES = tuple(text_key(w) for w in ("province", "จังหวัด"))


def _build_province_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for p in PROVINCES:
        for name in (p.en, p.th, *p.aliases):
            key = text_key(name)
            # Two provinces sharing a key would silently mis-file attendees.
            assert index.get(key, p.en) == p.en, f"province key clash: {name}"
            index[key] = p.en
    return index


_PROVINCE_INDEX = _build_province_index()


def parse_province(text: str | None) -> str | None:
    """Canonical English name of the province `text` names (Thai, English, common
    spellings, with or without "จังหวัด"/"Province"); None when unrecognised or empty."""
    if not text:
        return None
    key = text_key(text)
    if key in _PROVINCE_INDEX:
        return _PROVINCE_INDEX[key]
    for prefix in _PROVINCE_PREFIXES:
        if key.startswith(prefix) and key[len(prefix):] in _PROVINCE_INDEX:
            return _PROVINCE_INDEX[key[len(prefix):]]
    for suffix in _PROVINCE_SUFFIXES:
        if key.endswith(suffix) and key[: -len(suffix)] in _PROVINCE_INDEX:
            return _PROVINCE_INDEX[key[: -len(suffix)]]
    return None


def province_name(text: str | None, lang: str) -> str | None:
    """A province as a page in `lang` shows it ("Chon Buri" -> "ชลบุรี" in Thai), from any
    spelling parse_province knows; text it does not know comes back as it was."""
    if not text:
        return text
    canonical = parse_province(text)
    if canonical is None:
        return text
    province = PROVINCES_BY_NAME[canonical]
    return province.th if lang == "th" else province.en


# --------------------------------------------------------------------------
# Places: a province, several provinces, or abroad
# --------------------------------------------------------------------------

# Stored codes beside the 77 provinces' English names. Lower case, so they can
# never clash with a province name (all start with a capital).
SEVERAL_PROVINCES = "several"  # "หลายจังหวัด": the job is in more than one place, not said which
ABROAD = "abroad"  # "ต่างประเทศ": the work is outside Thailand
PLACE_NAMES: dict[str, tuple[str, str]] = {
    SEVERAL_PROVINCES: ("Several provinces", "หลายจังหวัด"),
    ABROAD: ("Abroad", "ต่างประเทศ"),
}
# A list of places is stored in the province column joined by ";" (the
# column holds 60 characters; a longer list is stored as SEVERAL_PROVINCES).
PLACE_SEPARATOR = ";"
PLACES_MAX_LENGTH = 60

_PLACE_ALIASES: dict[str, tuple[str, ...]] = {
    SEVERAL_PROVINCES: (
        "หลายจังหวัด", "หลายพื้นที่", "หลายสาขา", "ทุกจังหวัด", "ทั่วประเทศ", "ทั่วไทย",
        "ทุกภาค", "ทุกภูมิภาค", "ทุกสาขาทั่วประเทศ", "ทุกสาขา", "ประจำสาขาทั่วประเทศ",
        "ทุกพื้นที่", "ได้ทุกจังหวัด", "ไม่จำกัดจังหวัด", "ไม่จำกัดพื้นที่",
        "several provinces", "several", "multiple provinces", "multiple locations",
        "various provinces", "various locations", "many provinces", "all provinces",
        "any province", "nationwide", "all over thailand", "anywhere in thailand",
        "across thailand", "throughout thailand", "all branches",
    ),
    ABROAD: (
        "ต่างประเทศ", "ทำงานต่างประเทศ", "งานต่างประเทศ", "เมืองนอก", "นอกประเทศ",
        "abroad", "overseas", "work abroad", "outside thailand", "foreign country",
        "international",
        # Where Thai workers are sent most (Department of Employment's overseas
        # employment figures): a country is "abroad" for matching.
        "ไต้หวัน", "taiwan", "เกาหลี", "เกาหลีใต้", "korea", "south korea", "ญี่ปุ่น", "japan",
        "อิสราเอล", "israel", "สิงคโปร์", "singapore", "มาเลเซีย", "malaysia", "ฮ่องกง",
        "hong kong", "จีน", "china", "ซาอุดีอาระเบีย", "saudi arabia", "กาตาร์", "qatar",
        "ดูไบ", "dubai", "สหรัฐอาหรับเอมิเรตส์", "uae", "สวีเดน", "sweden", "ฟินแลนด์",
        "finland", "ออสเตรเลีย", "australia", "นิวซีแลนด์", "new zealand", "สหรัฐอเมริกา",
        "อเมริกา", "usa", "united states", "อังกฤษ", "united kingdom", "uk", "เยอรมนี",
        "germany", "ลาว", "laos", "กัมพูชา", "cambodia", "เวียดนาม", "vietnam", "พม่า",
        "เมียนมา", "myanmar", "บรูไน", "brunei",
    ),
}
_PLACE_INDEX: dict[str, str] = {
    text_key(alias): code for code, aliases in _PLACE_ALIASES.items() for alias in aliases}
assert not set(_PLACE_INDEX) & set(_PROVINCE_INDEX), "a place alias is also a province name"

# "กรุงเทพฯ และปริมณฑล": Bangkok and its five neighbouring provinces (the
# Bangkok Metropolitan Region of the NESDC).
_BANGKOK_VICINITY = ("Nonthaburi", "Pathum Thani", "Samut Prakan", "Samut Sakhon", "Nakhon Pathom")
_GROUP_INDEX: dict[str, tuple[str, ...]] = {
    **{text_key(w): _BANGKOK_VICINITY for w in ("ปริมณฑล", "vicinity", "bangkok vicinity",
                                                 "bangkok metropolitan region", "bmr")},
    **{text_key(f"{th}"): tuple(p.en for p in PROVINCES if p.region == code)
       for code, (_en, th) in REGIONS.items()},
    **{text_key(f"{en} region"): tuple(p.en for p in PROVINCES if p.region == code)
       for code, (en, _th) in REGIONS.items()},
}
# The parts of a cell that name more than one place: "กรุงเทพฯ, นนทบุรี",
# "Bangkok / Nonthaburi", "ชลบุรี หรือ ระยอง", "Bangkok and vicinity".
_PLACE_SPLIT = re.compile(r"\s*(?:[,;/|、&+()\[\]\n]|และ|หรือ|\band\b|\bor\b)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Places:
    """What a province cell says: places in the order given, and what was not understood."""

    codes: tuple[str, ...]  # canonical province names, SEVERAL_PROVINCES, ABROAD
    unknown: tuple[str, ...] = ()

    def _specific(self) -> list[str]:
        codes = list(self.codes)
        if len(codes) > 1 and SEVERAL_PROVINCES in codes:
            codes.remove(SEVERAL_PROVINCES)  # "หลายจังหวัด (ชลบุรี, ระยอง)": those are the several
        return codes

    @property
    def shortened(self) -> bool:
        """True when the list is too long for the column and is stored as SEVERAL_PROVINCES."""
        return len(PLACE_SEPARATOR.join(self._specific())) > PLACES_MAX_LENGTH

    def stored(self) -> str | None:
        """The value for a province column: one code, or several joined by ";"."""
        codes = self._specific()
        if not codes:
            return None
        if self.shortened:
            return SEVERAL_PROVINCES + (PLACE_SEPARATOR + ABROAD if ABROAD in codes else "")
        return PLACE_SEPARATOR.join(codes)


def _one_place(text: str) -> tuple[str, ...] | None:
    province = parse_province(text)
    if province is not None:
        return (province,)
    key = text_key(text)
    if key in _PLACE_INDEX:
        return (_PLACE_INDEX[key],)
    if key in _GROUP_INDEX:
        return _GROUP_INDEX[key]
    for prefix in (*_PROVINCE_PREFIXES, text_key("ประจำ"), text_key("สาขา"), text_key("ที่")):
        if key.startswith(prefix) and len(key) > len(prefix):
            rest = key[len(prefix):]
            found = parse_province(rest) or _PLACE_INDEX.get(rest)
            if found:
                return (found,)
    return None


def parse_places(text: str | None) -> Places:
    """Read a province cell: one province (any spelling parse_province knows),
    a list of them, "several provinces" or "abroad" in Thai or English, or a
    mix ("กรุงเทพฯ และปริมณฑล", "Rayong, overseas"). Unrecognised parts are
    returned in `unknown`, never guessed."""
    if not text or not text.strip():
        return Places(())
    whole = _one_place(text)
    if whole is not None:
        return Places(whole)
    codes: list[str] = []
    unknown: list[str] = []
    for part in _PLACE_SPLIT.split(text):
        part = part.strip(" \t\r\n\u00a0\u200b\ufeff.-–")
        if not part:
            continue
        found = _one_place(part)
        if found is None:
            found, rest = _places_between_spaces(part)
            unknown += rest
        codes += [c for c in found if c not in codes]
    return Places(tuple(codes), tuple(unknown))


def _places_between_spaces(part: str) -> tuple[tuple[str, ...], list[str]]:
    """"ชลบุรี ระยอง" or "Chon Buri Rayong": the longest names first, left to right."""
    words = part.split()
    found: list[str] = []
    unknown: list[str] = []
    i = 0
    while i < len(words):
        for j in range(len(words), i, -1):
            codes = _one_place(" ".join(words[i:j]))
            if codes is not None:
                found += [c for c in codes if c not in found]
                i = j
                break
        else:
            unknown.append(words[i])
            i += 1
    if found and unknown == []:
        return tuple(found), []
    if not found:
        return (), [part]
    return tuple(found), unknown


def stored_places(value: str | None) -> tuple[str, ...]:
    """The codes in a stored province value ("Bangkok;Nonthaburi" -> both)."""
    if not value:
        return ()
    return tuple(v for v in value.split(PLACE_SEPARATOR) if v)


def place_name(code: str, lang: str = "en") -> str:
    """Display name of a stored place code or province; the code itself when unknown."""
    if code in PLACE_NAMES:
        en, th = PLACE_NAMES[code]
        return th if lang == "th" else en
    province = PROVINCES_BY_NAME.get(code)
    if province is None:
        return code
    return province.th if lang == "th" else province.en


def province_distance_km(a: str, b: str) -> float | None:
    """Great-circle distance between two provinces' seats (canonical names); None if unknown.

    Lets matching treat a job one province away (Samut Prakan for a Bangkok
    attendee) differently from one at the other end of the country.
    """
    pa, pb = PROVINCES_BY_NAME.get(a), PROVINCES_BY_NAME.get(b)
    if pa is None or pb is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (pa.lat, pa.lon, pb.lat, pb.lon))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def nearby_provinces(name: str, within_km: float = 100.0) -> list[str]:
    """Other provinces whose seats lie within `within_km` of `name`'s, nearest first."""
    found = []
    for other in PROVINCES:
        if other.en == name:
            continue
        distance = province_distance_km(name, other.en)
        if distance is not None and distance <= within_km:
            found.append((distance, other.en))
    return [en for _, en in sorted(found)]


# --------------------------------------------------------------------------
# Education
# --------------------------------------------------------------------------

# Extra ways people write each level, on top of the code and the names in
# EDUCATION_NAMES_TH/EN. Thai short forms: ม.3 is the last year of lower
# secondary and ม.6 of upper secondary (มศ.3/มศ.5 in the pre-1978 system),
# ป.6 ends primary; ป.ตรี/ป.โท/ป.เอก shorten ปริญญา.
_EDUCATION_ALIASES: dict[str, tuple[str, ...]] = {
    "none": ("ไม่มี", "ไม่ได้เรียน", "ไม่มีวุฒิ", "no education", "no degree", "no schooling"),
    "primary": ("ประถม", "ป.6", "ป.4", "primary", "elementary", "elementary school", "P6",
                "Prathom", "Prathom 6"),
    "lower_secondary": ("ม.3", "ม.ต้น", "มัธยมต้น", "มศ.3", "M3", "M.3", "Mattayom 3",
                        "lower secondary school", "junior high school", "middle school",
                        "secondary 3"),
    "upper_secondary": ("ม.6", "ม.ปลาย", "มัธยมปลาย", "มศ.5", "M6", "M.6", "Mattayom 6",
                        "upper secondary school", "high school", "senior high school",
                        "secondary 6", "กศน.ม.ปลาย", "กศน."),
    "vocational": ("ปวช", "ประกาศนียบัตรวิชาชีพ", "vocational certificate", "Por Wor Chor",
                   "PWC", "Vocational Certificate (Por Wor Chor)", "vocational school"),
    "high_vocational": ("ปวส", "ประกาศนียบัตรวิชาชีพชั้นสูง", "อนุปริญญา", "high vocational",
                        "higher vocational", "high vocational certificate",
                        "Por Wor Sor", "PWS", "diploma", "associate degree"),
    "bachelor": ("ป.ตรี", "ตรี", "bachelor", "bachelors", "bachelor degree", "BA", "BSc",
                 "BEng", "BBA", "undergraduate", "university degree", "degree"),
    "master": ("ป.โท", "โท", "master", "masters", "master degree", "MA", "MSc", "MBA", "MEng"),
    "doctorate": ("ป.เอก", "เอก", "doctor", "doctoral", "doctoral degree", "PhD", "DPhil",
                  "doctor of philosophy"),
}

# Words people put in front of a level that do not change it:
# "ระดับปริญญาตรี", "วุฒิ ปวส.", "จบ ม.6", "Degree: Bachelor".
_EDUCATION_PREFIXES = tuple(text_key(w) for w in ("ระดับ", "วุฒิ", "จบ", "การศึกษา"))


def _build_education_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for code in EDUCATION_LEVELS:
        names = (code, EDUCATION_NAMES_TH[code], EDUCATION_NAMES_EN[code],
                 *_EDUCATION_ALIASES.get(code, ()))
        for name in names:
            key = text_key(name)
            assert index.get(key, code) == code, f"education key clash: {name}"
            index[key] = code
    return index


_EDUCATION_INDEX = _build_education_index()


def parse_education(text: str | None) -> str | None:
    """Education code (see EDUCATION_LEVELS) for a code, Thai or English name or
    common short form ("ม.6", "ป.ตรี", "ปวส", "Bachelor's degree"); None when unrecognised."""
    if not text:
        return None
    key = text_key(text)
    for _ in range(2):  # "จบระดับ ปวส." carries two prefixes
        if key in _EDUCATION_INDEX:
            return _EDUCATION_INDEX[key]
        for prefix in _EDUCATION_PREFIXES:
            if key.startswith(prefix):
                key = key[len(prefix):]
                break
    return _EDUCATION_INDEX.get(key)


# --------------------------------------------------------------------------
# Booleans, lists, languages
# --------------------------------------------------------------------------

_TRUE_WORDS = ("yes", "y", "true", "t", "1", "on", "ใช่", "จริง", "ยินยอม", "ตกลง", "มี")
_FALSE_WORDS = ("no", "n", "false", "f", "0", "off", "ไม่", "ไม่ใช่", "เท็จ", "ไม่ยินยอม", "ไม่มี")
_BOOL_INDEX = {text_key(w): True for w in _TRUE_WORDS} | {text_key(w): False for w in _FALSE_WORDS}


def parse_bool(text: str | None) -> bool | None:
    """True/False for yes/no, true/false, 1/0, y/n, ใช่/ไม่/ไม่ใช่ (any case); None otherwise.

    None (not False) for an unknown word, so that a typo in a consent column
    is reported instead of being read as "no".
    """
    if text is None:
        return None
    return _BOOL_INDEX.get(text_key(text))


# Lists inside a CSV cell use ";" because "," already separates the cells and
# Thai writing has no other common list mark.
LIST_SEPARATOR = ";"


def split_list(cell: str | None) -> list[str]:
    """Items of a ";"-separated cell: stripped, empties dropped, order kept,
    duplicates (ignoring case) dropped after their first appearance."""
    if not cell:
        return []
    seen: set[str] = set()
    items: list[str] = []
    for raw in cell.split(LIST_SEPARATOR):
        item = raw.strip(" \t\r\n\u00a0\u200b\ufeff")
        if item and (folded := item.casefold()) not in seen:
            seen.add(folded)
            items.append(item)
    return items


# ISO 639-1 codes of the languages a Thai job fair meets most: Thai, English,
# the languages of neighbouring countries' workers, and investors' languages.
LANGUAGES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "th": ("Thai", "ไทย", ("ภาษาไทย", "tha")),
    "en": ("English", "อังกฤษ", ("ภาษาอังกฤษ", "eng")),
    "my": ("Burmese", "พม่า", ("ภาษาพม่า", "Myanmar", "mya", "bur")),
    "km": ("Khmer", "เขมร", ("ภาษาเขมร", "กัมพูชา", "Cambodian", "khm")),
    "lo": ("Lao", "ลาว", ("ภาษาลาว", "Laotian", "lao")),
    "vi": ("Vietnamese", "เวียดนาม", ("ภาษาเวียดนาม", "vie")),
    "zh": ("Chinese", "จีน", ("ภาษาจีน", "Mandarin", "จีนกลาง", "zho", "chi")),
    "ja": ("Japanese", "ญี่ปุ่น", ("ภาษาญี่ปุ่น", "jpn")),
    "ko": ("Korean", "เกาหลี", ("ภาษาเกาหลี", "kor")),
    "ms": ("Malay", "มลายู", ("ภาษามลายู", "มาเลย์", "msa", "may")),
    "fr": ("French", "ฝรั่งเศส", ("ภาษาฝรั่งเศส", "fra", "fre")),
    "de": ("German", "เยอรมัน", ("ภาษาเยอรมัน", "deu", "ger")),
    "ar": ("Arabic", "อาหรับ", ("ภาษาอาหรับ", "ara")),
    "hi": ("Hindi", "ฮินดี", ("ภาษาฮินดี", "hin")),
    "ru": ("Russian", "รัสเซีย", ("ภาษารัสเซีย", "rus")),
}
_LANGUAGE_INDEX = {
    text_key(name): code
    for code, (en, th, aliases) in LANGUAGES.items()
    for name in (code, en, th, *aliases)
}


def parse_language(text: str | None) -> str | None:
    """ISO 639-1 code for a language code or its English/Thai name; None when unknown."""
    if not text:
        return None
    return _LANGUAGE_INDEX.get(text_key(text))


# --------------------------------------------------------------------------
# Amounts people write: salaries, headcounts, years of experience
# --------------------------------------------------------------------------

def _amount_key(text: str) -> str:
    """Lower case, ASCII digits, NFKC, single spaces (spaces kept: "15 000" is not "15000" here)."""
    folded = unicodedata.normalize("NFKC", to_ascii_digits(text)).casefold()
    return " ".join(folded.split())


# An amount: "15,000", "15000", "15000.50", "1.5 หมื่น", "20k"; the multiplier words are
# what Thai and English job boards use.
_AMOUNT = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*(k(?![a-z])|พัน|หมื่น|แสน)?")
_MULTIPLIERS = {"k": 1_000, "พัน": 1_000, "หมื่น": 10_000, "แสน": 100_000}
_RANGE_JOIN = re.compile(r"\s*(?:-|–|—|~|ถึง|จนถึง|to)\s*")
_OPEN_ABOVE_AFTER = re.compile(r"\s*(?:\+|ขึ้นไป|เป็นต้นไป|or more|and above|or above|plus|up\b)")
_FROM_BEFORE = ("ตั้งแต่", "เริ่มต้น", "เริ่มที่", "เริ่ม", "อย่างน้อย", "ขั้นต่ำ", "ไม่ต่ำกว่า",
                "ไม่น้อยกว่า", "from", "at least", "min", "starting", "start", "over", "above",
                "more than")
_UPTO_BEFORE = ("ไม่เกิน", "สูงสุด", "up to", "upto", "max", "not more than", "at most", "under",
                "ถึง")
_PER_DAY = ("/วัน", "ต่อวัน", "วันละ", "per day", "/day", "a day", "daily", "/d")
_PER_HOUR = ("/ชม", "/ชั่วโมง", "ต่อชั่วโมง", "ชั่วโมงละ", "ชม.ละ", "per hour", "/hr", "/hour",
             "an hour", "hourly", "/h")
# Words around a monthly figure that do not change it: "15,000 บาท/เดือน", "฿15,000 per month".
_CURRENCY = re.compile(r"บาท|baht|thb|฿|ต่อเดือน|/\s*เดือน|เดือนละ|per month|a month|/\s*month|monthly")
# What a salary cell says when it gives no figure: the pay is agreed at the interview.
SALARY_NOT_STATED_WORDS = (
    "ตามตกลง", "ตกลงกันได้", "ตกลงกัน", "ต่อรองได้", "สามารถต่อรองได้", "ต่อรอง",
    "ตามโครงสร้างบริษัท", "ตามโครงสร้าง", "ตามโครงสร้างของบริษัท", "ตามประสบการณ์",
    "ตามความสามารถ", "ตามวุฒิ", "ตามวุฒิการศึกษา", "ตามอัตราบริษัท", "ตามระเบียบบริษัท",
    "ตามที่บริษัทกำหนด", "ไม่ระบุ", "ไม่ได้ระบุ", "แล้วแต่ตกลง", "สัมภาษณ์",
    "negotiable", "nego", "to be discussed", "to be negotiated", "tbd", "tba", "tbc",
    "depends on experience", "doe", "competitive", "according to company structure",
    "company structure", "based on experience", "based on qualifications", "not stated",
    "not specified", "n/a", "na", "-", "--", "—",
)
_NOT_STATED_KEYS = tuple(_amount_key(w) for w in SALARY_NOT_STATED_WORDS)


@dataclass(frozen=True)
class Salary:
    """A salary cell read: `kind` says how the figures were written.

    "exact" (15000), "range" (18,000 - 23,000), "from" (15000+, ตั้งแต่ 15,000),
    "upto" (ไม่เกิน 20,000), or "not_stated" (ตามตกลง, negotiable). `per` is
    "month" unless the cell says per day or per hour.
    """

    kind: str
    low: int | None = None
    high: int | None = None
    per: str = "month"
    negative: bool = False


def _amount_value(match: re.Match) -> float:
    whole, fraction, multiplier = match.group(1), match.group(2), match.group(3)
    value = float(whole.replace(",", "") + (f".{fraction}" if fraction else ""))
    return value * _MULTIPLIERS.get(multiplier or "", 1)


def parse_salary(text: str | None) -> Salary | None:
    """Read a salary as people write it ("18,000 - 23,000 บาท", "15000+", "20k-25k",
    "ตามตกลง", "negotiable"); None when no figure and no "not stated" word is there."""
    if not text or not text.strip():
        return None
    key = _amount_key(text)
    per = ("day" if any(w in key for w in _PER_DAY)
           else "hour" if any(w in key for w in _PER_HOUR) else "month")
    key = " ".join(_CURRENCY.sub(" ", key).split())
    first = _AMOUNT.search(key)
    if first is None:
        compact = key.strip(" .()")
        if any(compact == w or (len(w) > 2 and w in compact) for w in _NOT_STATED_KEYS):
            return Salary("not_stated")
        return None
    before, after = key[: first.start()], key[first.end():]
    negative = before.rstrip().endswith(("-", "−")) and not before.strip(" -−")
    low = _amount_value(first)
    joined = _RANGE_JOIN.match(after)
    second = _AMOUNT.match(after, joined.end()) if joined else None
    if second is not None:
        high = _amount_value(second)
        # "12-15k": the multiplier written once applies to both ends.
        if second.group(3) and not first.group(3) and low < 1000 <= high:
            low *= _MULTIPLIERS[second.group(3)]
        low, high = sorted((low, high))
        return Salary("range", int(low), int(high), per, negative)
    if _OPEN_ABOVE_AFTER.match(after) or any(w in before for w in _FROM_BEFORE):
        return Salary("from", int(low), None, per, negative)
    if any(w in before for w in _UPTO_BEFORE):
        return Salary("upto", None, int(low), per, negative)
    return Salary("exact", int(low), int(low), per, negative)


# A headcount written in words: the job has more than one opening, not said how many.
POSITIONS_SEVERAL = 2  # the smallest number "หลายอัตรา" can mean; report totals stay lower bounds
_SEVERAL_POSITIONS_WORDS = tuple(_amount_key(w) for w in (
    "หลายอัตรา", "หลายตำแหน่ง", "หลายคน", "หลายที่", "ไม่จำกัด", "ไม่จำกัดจำนวน", "ไม่จำกัดอัตรา",
    "จำนวนมาก", "รับจำนวนมาก", "รับหลายอัตรา", "หลาย", "several", "many", "multiple",
    "unlimited", "various", "open", "lots", "numerous", "mass hiring",
))


def parse_positions(text: str | None) -> int | None:
    """Openings from "2 อัตรา", "๕ คน", "10+", "5 positions", "หลายอัตรา" (POSITIONS_SEVERAL),
    "ไม่จำกัด"; a range gives its lower end. None when the cell says no number."""
    if not text or not text.strip():
        return None
    key = _amount_key(text)
    match = _AMOUNT.search(key)
    if match is not None:
        return int(_amount_value(match))
    compact = key.strip(" .()")
    if any(w in compact for w in _SEVERAL_POSITIONS_WORDS):
        return POSITIONS_SEVERAL
    return None


_NO_EXPERIENCE = tuple(_amount_key(w) for w in (
    "ไม่ต้องมีประสบการณ์", "ไม่จำเป็นต้องมีประสบการณ์", "ไม่มีประสบการณ์", "ไม่จำเป็น",
    "ไม่ต้องมี", "ไม่มี", "ไม่จำกัด", "ไม่จำกัดประสบการณ์", "ไม่ต้องการประสบการณ์",
    "ไม่มีประสบการณ์ก็ได้", "จบใหม่", "นักศึกษาจบใหม่", "ยินดีรับนักศึกษาจบใหม่", "ไม่เคยทำงาน",
    "no experience", "none", "no", "not required", "not needed", "not necessary",
    "fresh graduate", "fresh graduates", "new graduate", "new graduates", "entry level",
    "no experience required", "no experience needed", "nil",
))
_SOME_EXPERIENCE = tuple(_amount_key(w) for w in (
    "มีประสบการณ์", "ต้องมีประสบการณ์", "มีประสบการณ์จะพิจารณาเป็นพิเศษ", "เคยทำงาน",
    "experienced", "experience required", "with experience", "some experience", "yes",
))
_MONTHS = ("เดือน", "month", "mo")


def parse_years(text: str | None) -> int | None:
    """Whole years from "2 ปี", "2 ปีขึ้นไป", "1-2 years", "3+", "18 เดือน" (1),
    "ไม่ต้องมีประสบการณ์" (0), "มีประสบการณ์" (1: the least it can mean).
    A range gives its lower end. None when nothing is recognised; negative
    numbers are returned as they are for the caller to refuse."""
    if not text or not text.strip():
        return None
    key = _amount_key(text)
    match = _AMOUNT.search(key)
    if match is not None:
        value = _amount_value(match)
        if key[: match.start()].strip() in ("-", "−"):
            value = -value
        after = key[match.end():].strip()
        if after.startswith(_MONTHS) or (_RANGE_JOIN.match(key[match.end():]) and any(
                m in after for m in _MONTHS) and "ปี" not in after and "year" not in after):
            value = value / 12
        return int(value) if value >= 0 else -max(1, int(-value))
    compact = key.strip(" .()")
    # Negative phrases first: "ไม่ต้องมีประสบการณ์" contains "มีประสบการณ์".
    if any(compact == w or (len(w) > 3 and w in compact) for w in _NO_EXPERIENCE):
        return 0
    if any(compact == w or (len(w) > 3 and w in compact) for w in _SOME_EXPERIENCE):
        return 1
    return None


_NO_MINIMUM_EDUCATION = tuple(text_key(w) for w in (
    "ไม่จำกัด", "ไม่จำกัดวุฒิ", "ไม่จำกัดวุฒิการศึกษา", "ไม่จำกัดการศึกษา", "ไม่กำหนด",
    "ไม่กำหนดวุฒิ", "ไม่ระบุ", "วุฒิใดก็ได้", "any", "any level", "not required",
    "no requirement", "no minimum", "all levels", "n/a",
))
_AT_LEAST = re.compile(r"ขึ้นไป|เป็นต้นไป|อย่างน้อย|ขั้นต่ำ|ไม่ต่ำกว่า|\+|\b(?:or|and) (?:above|higher)\b"
                       r"|\b(?:minimum|at least|min)\b", re.IGNORECASE)
_EDUCATION_SPLIT = re.compile(r"\s*(?:[,;/|]|หรือ|\bor\b)\s*", re.IGNORECASE)


def parse_education_min(text: str | None) -> tuple[bool, str | None]:
    """A job's minimum education: (understood, code). "ม.3 ขึ้นไป", "Bachelor or above",
    "ปวช./ปวส." (the lowest of those), "ไม่จำกัดวุฒิ" (understood, no minimum: None)."""
    if not text or not text.strip():
        return True, None
    if text_key(text) in _NO_MINIMUM_EDUCATION:
        return True, None
    levels: list[str] = []
    for part in _EDUCATION_SPLIT.split(_AT_LEAST.sub(" ", " ".join(text.split()))):
        key = text_key(part)
        if not key:
            continue
        code = parse_education(key)
        if code is None:
            return False, None
        levels.append(code)
    if not levels:
        return False, None
    return True, min(levels, key=education_rank)
