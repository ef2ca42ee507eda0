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
