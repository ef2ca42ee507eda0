"""A believable, deterministic demo fair: employers, booths, jobs, attendees.

Pure module: no Flask, no database. Everything comes out as CSV-shaped
string rows (the DESIGN's import columns), so `fair demo` loads them through
the same checks and import path as an organiser's real files. Same seed,
same fair: screenshots, load tests and training sessions can rely on it.

All companies and people are fictional; provinces, education levels and the
shape of the numbers (wages, ages of schooling) follow Thai reality.
"""
from __future__ import annotations

import json
import random
import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from fair.loading.importing import COLUMNS, national_id_check_digit
from fair.core.reference import EDUCATION_LEVELS, EDUCATION_NAMES_TH, PROVINCES, education_rank, split_booth_code

VOCABULARY_PATH = Path(__file__).parent.parent / "matching" / "data" / "vocabulary.json"

FAIR_INFO: dict[str, str] = {
    "name": "Job Expo Thailand 2026",
    "name_th": "มหกรรมนัดพบแรงงาน 2569",  # 2026 CE is 2569 in the Buddhist Era
    "venue": "Queen Sirikit National Convention Center, Bangkok",
    "venue_th": "ศูนย์การประชุมแห่งชาติสิริกิติ์ กรุงเทพมหานคร",
    "starts_on": "2026-05-23",
    "ends_on": "2026-05-24",
    "opens": "09:00",
    "closes": "16:30",
}

# Floor plan: rows of stands A, B, C ... each numbered 1..BOOTHS_PER_ROW.
BOOTHS_PER_ROW = 12
BOOTH_ROWS = "ABCDEF"


@dataclass
class DemoData:
    fair: dict[str, str]
    employers: list[dict[str, str]] = field(default_factory=list)
    jobs: list[dict[str, str]] = field(default_factory=list)
    attendees: list[dict[str, str]] = field(default_factory=list)


def booth_position(code: str) -> tuple[int, int]:
    """(column, row) of a booth on the floor-plan grid, both from 1: "C7" -> (7, 3).

    Rows past Z continue as in a spreadsheet (AA = 27), so big halls still fit.
    """
    parts = split_booth_code(code)
    if parts is None:
        raise ValueError(f"not a booth code: {code!r}")
    letters, number = parts
    row = 0
    for letter in letters:
        row = row * 26 + (ord(letter) - ord("A") + 1)
    return number, row


def booth_code(index: int) -> str:
    """The index-th booth (from 0), filling row A left to right, then B, and so on."""
    row, column = divmod(index, BOOTHS_PER_ROW)
    letters = ""
    row += 1
    while row:
        row, rest = divmod(row - 1, 26)
        letters = string.ascii_uppercase[rest] + letters
    return f"{letters}{column + 1}"


# --------------------------------------------------------------------------
# Vocabulary: jobs and skills come from the matching area's shared list
# --------------------------------------------------------------------------

def load_vocabulary(path: Path | None = None) -> dict[str, Any]:
    """The shared skills/occupations vocabulary (fair/matching/data/vocabulary.json)."""
    with open(path or VOCABULARY_PATH, encoding="utf-8") as f:
        return json.load(f)


# --------------------------------------------------------------------------
# Employers
# --------------------------------------------------------------------------

# Sectors a Thai job fair actually sees, and the vocabulary's occupation
# "industry" labels each one hires from.
SECTORS: dict[str, tuple[str, ...]] = {
    "manufacturing": ("manufacturing", "electronics"),
    "retail": ("retail", "sales", "beauty"),
    "logistics": ("logistics", "transport"),
    "hospitality": ("hospitality", "food_beverage", "tourism"),
    "office": ("office", "finance", "call_centre", "marketing"),
    "it": ("it", "marketing"),
    "health": ("healthcare",),
    "trades": ("construction", "automotive", "property", "electronics"),
    "services": ("security", "facility", "household"),
    "education": ("education",),
    "agriculture": ("agriculture",),
}
# Every company also hires some office staff, guards and cleaners.
GENERAL_INDUSTRIES = ("office", "finance", "security", "facility")
GENERAL_SHARE = 0.2

# (Thai name, English name, sector, province): fictional companies.
EMPLOYERS: tuple[tuple[str, str, str, str], ...] = (
    ("บริษัท สยามแพ็คกิ้ง จำกัด", "Siam Packing Co., Ltd.", "manufacturing", "Chon Buri"),
    ("บริษัท ไทยออโต้พาร์ทส์ อินดัสทรี จำกัด", "Thai Auto Parts Industry Co., Ltd.",
     "manufacturing", "Rayong"),
    ("บริษัท อีสเทิร์นอิเล็กทรอนิกส์ จำกัด", "Eastern Electronics Co., Ltd.", "manufacturing",
     "Chachoengsao"),
    ("บริษัท เจ้าพระยาฟู้ดโปรดักส์ จำกัด", "Chao Phraya Food Products Co., Ltd.",
     "manufacturing", "Samut Sakhon"),
    ("บริษัท รุ่งเรืองพลาสติก จำกัด", "Rungruang Plastic Co., Ltd.", "manufacturing",
     "Samut Prakan"),
    ("บริษัท บางปูสตีล จำกัด", "Bang Pu Steel Co., Ltd.", "manufacturing", "Samut Prakan"),
    ("บริษัท นวนครการ์เมนต์ จำกัด", "Nava Nakorn Garment Co., Ltd.", "manufacturing",
     "Pathum Thani"),
    ("บริษัท ทองพูนเคมีภัณฑ์ จำกัด", "Thongpoon Chemicals Co., Ltd.", "manufacturing", "Rayong"),
    ("บริษัท สุวรรณภูมิเฟอร์นิเจอร์ จำกัด", "Suvarnabhumi Furniture Co., Ltd.",
     "manufacturing", "Chachoengsao"),
    ("บริษัท โคราชซีเมนต์โปรดักส์ จำกัด", "Korat Cement Products Co., Ltd.", "manufacturing",
     "Nakhon Ratchasima"),
    ("บริษัท ศรีราชาเมทัลเวิร์คส์ จำกัด", "Sriracha Metal Works Co., Ltd.", "manufacturing",
     "Chon Buri"),
    ("บริษัท อยุธยาพรีซิชั่น จำกัด", "Ayutthaya Precision Co., Ltd.", "manufacturing",
     "Phra Nakhon Si Ayutthaya"),
    ("บริษัท นครปฐมเบเกอรี่ จำกัด", "Nakhon Pathom Bakery Co., Ltd.", "manufacturing",
     "Nakhon Pathom"),
    ("บริษัท ดีดีมาร์ท รีเทล จำกัด", "DD Mart Retail Co., Ltd.", "retail", "Bangkok"),
    ("บริษัท มินิช็อป 24 จำกัด", "MiniShop 24 Co., Ltd.", "retail", "Bangkok"),
    ("บริษัท บ้านสุข โฮมมาร์ท จำกัด", "Baansuk Home Mart Co., Ltd.", "retail", "Nonthaburi"),
    ("บริษัท แฟชั่นซิตี้ จำกัด", "Fashion City Co., Ltd.", "retail", "Bangkok"),
    ("บริษัท ฟาร์มสด ซูเปอร์มาร์เก็ต จำกัด", "Farm Sod Supermarket Co., Ltd.", "retail",
     "Bangkok"),
    ("บริษัท ไอทีเวิลด์ ช็อป จำกัด", "IT World Shop Co., Ltd.", "retail", "Bangkok"),
    ("บริษัท อุดรมอเตอร์ จำกัด", "Udon Motor Co., Ltd.", "retail", "Udon Thani"),
    ("บริษัท เจ้าพระยาโลจิสติกส์ จำกัด", "Chao Phraya Logistics Co., Ltd.", "logistics",
     "Samut Prakan"),
    ("บริษัท แหลมฉบังคอนเทนเนอร์ เซอร์วิส จำกัด", "Laem Chabang Container Service Co., Ltd.",
     "logistics", "Chon Buri"),
    ("บริษัท ด่วนทันใจ เอ็กซ์เพรส จำกัด", "Duan Thanjai Express Co., Ltd.", "logistics",
     "Bangkok"),
    ("บริษัท บางนาคลังสินค้า จำกัด", "Bang Na Warehouse Co., Ltd.", "logistics",
     "Samut Prakan"),
    ("บริษัท สยามโคลด์เชน จำกัด", "Siam Cold Chain Co., Ltd.", "logistics", "Pathum Thani"),
    ("บริษัท อีสานขนส่ง จำกัด", "Isan Transport Co., Ltd.", "logistics", "Khon Kaen"),
    ("บริษัท โรงแรมริมน้ำ กรุงเทพ จำกัด", "Riverside Hotel Bangkok Co., Ltd.", "hospitality",
     "Bangkok"),
    ("บริษัท พัทยาบีช รีสอร์ท จำกัด", "Pattaya Beach Resort Co., Ltd.", "hospitality",
     "Chon Buri"),
    ("บริษัท อันดามัน ฮอสพิทาลิตี้ จำกัด", "Andaman Hospitality Co., Ltd.", "hospitality",
     "Phuket"),
    ("บริษัท ครัวคุณยาย จำกัด", "Khrua Khun Yai Restaurants Co., Ltd.", "hospitality",
     "Bangkok"),
    ("บริษัท กาแฟดอย จำกัด", "Kafae Doi Coffee Co., Ltd.", "hospitality", "Chiang Mai"),
    ("บริษัท สุขุมวิท เซอร์วิส อพาร์ทเมนท์ จำกัด", "Sukhumvit Serviced Apartments Co., Ltd.",
     "hospitality", "Bangkok"),
    ("บริษัท หัวหินซีวิว รีสอร์ท จำกัด", "Hua Hin Seaview Resort Co., Ltd.", "hospitality",
     "Prachuap Khiri Khan"),
    ("บริษัท เกาะสมุย ทราเวล จำกัด", "Koh Samui Travel Co., Ltd.", "hospitality",
     "Surat Thani"),
    ("บริษัท ไทยประกันสุข จำกัด (มหาชน)", "Thai Prakan Suk Insurance PCL", "office", "Bangkok"),
    ("บริษัท สาทร แอคเคาน์ติ้ง จำกัด", "Sathorn Accounting Co., Ltd.", "office", "Bangkok"),
    ("บริษัท ซิตี้ คอลเซ็นเตอร์ จำกัด", "City Call Center Co., Ltd.", "office", "Bangkok"),
    ("บริษัท รัตนา พร็อพเพอร์ตี้ จำกัด", "Rattana Property Co., Ltd.", "office", "Bangkok"),
    ("บริษัท สีลม ลีสซิ่ง จำกัด", "Silom Leasing Co., Ltd.", "office", "Bangkok"),
    ("บริษัท วิภาวดี เอชอาร์ โซลูชั่นส์ จำกัด", "Vibhavadi HR Solutions Co., Ltd.", "office",
     "Bangkok"),
    ("บริษัท ลานนาซอฟต์แวร์ จำกัด", "Lanna Software Co., Ltd.", "it", "Chiang Mai"),
    ("บริษัท ไทยคลาวด์ เทคโนโลยี จำกัด", "Thai Cloud Technology Co., Ltd.", "it", "Bangkok"),
    ("บริษัท บางกอก ดิจิทัล เอเจนซี่ จำกัด", "Bangkok Digital Agency Co., Ltd.", "it",
     "Bangkok"),
    ("บริษัท สมาร์ทเพย์ ฟินเทค จำกัด", "SmartPay Fintech Co., Ltd.", "it", "Bangkok"),
    ("บริษัท ไซเบอร์การ์ด ไทยแลนด์ จำกัด", "CyberGuard Thailand Co., Ltd.", "it", "Nonthaburi"),
    ("บริษัท ช้อปไทย ออนไลน์ จำกัด", "ShopThai Online Co., Ltd.", "it", "Bangkok"),
    ("บริษัท โรงพยาบาลสุขใจ จำกัด", "Sukjai Hospital Co., Ltd.", "health", "Bangkok"),
    ("บริษัท เวชการ คลินิก จำกัด", "Wetchakan Clinic Co., Ltd.", "health", "Bangkok"),
    ("บริษัท บ้านอบอุ่น เนอร์สซิ่งโฮม จำกัด", "Baan Op-un Nursing Home Co., Ltd.", "health",
     "Nonthaburi"),
    ("บริษัท โรงพยาบาลศรีนคร จำกัด", "Srinakorn Hospital Co., Ltd.", "health", "Nakhon Pathom"),
    ("บริษัท ฟันสวย เดนทัล คลินิก จำกัด", "Fansuay Dental Clinic Co., Ltd.", "health",
     "Bangkok"),
    ("ห้างหุ้นส่วนจำกัด ร้านยาสุขภาพดี", "Sukkhaphap Dee Pharmacy Ltd., Part.", "health",
     "Pathum Thani"),
    ("บริษัท ช่างไทย คอนสตรัคชั่น จำกัด", "Chang Thai Construction Co., Ltd.", "trades",
     "Bangkok"),
    ("บริษัท แสงไฟ อีเลคทริค จำกัด", "Saengfai Electric Co., Ltd.", "trades", "Nonthaburi"),
    ("บริษัท เย็นฉ่ำ แอร์ เซอร์วิส จำกัด", "Yen Cham Air Service Co., Ltd.", "trades",
     "Bangkok"),
    ("บริษัท ปากน้ำ ออโต้ เซอร์วิส จำกัด", "Paknam Auto Service Co., Ltd.", "trades",
     "Samut Prakan"),
    ("บริษัท ศิลาทอง เอ็นจิเนียริ่ง จำกัด", "Silathong Engineering Co., Ltd.", "trades",
     "Rayong"),
    ("บริษัท ประปาดี ซิสเต็มส์ จำกัด", "Prapa Dee Systems Co., Ltd.", "trades", "Pathum Thani"),
    ("บริษัท พิทักษ์ไทย รักษาความปลอดภัย จำกัด", "Phithak Thai Security Co., Ltd.",
     "services", "Bangkok"),
    ("บริษัท สะอาดใส คลีนนิ่ง จำกัด", "Sa-at Sai Cleaning Co., Ltd.", "services", "Bangkok"),
    ("บริษัท เชียงรายฟาร์มสด จำกัด", "Chiang Rai Fresh Farm Co., Ltd.", "agriculture",
     "Chiang Rai"),
    ("บริษัท สวนยางทักษิณ จำกัด", "Thaksin Rubber Plantation Co., Ltd.", "agriculture",
     "Surat Thani"),
    ("โรงเรียนสอนภาษา อิงลิชเฮาส์", "English House Language School", "education", "Bangkok"),
    ("บริษัท ติวเตอร์โปร จำกัด", "TutorPro Co., Ltd.", "education", "Bangkok"),
    ("บริษัท แม่บ้านมืออาชีพ จำกัด", "Pro Maid Service Co., Ltd.", "services", "Nonthaburi"),
    ("บริษัท สงขลา ซีฟู้ด จำกัด", "Songkhla Seafood Co., Ltd.", "manufacturing", "Songkhla"),
)

# For halls bigger than the list above: more names built from common Thai
# company-name words (prosperity, stability, gold ...) and a sector word.
_EXTRA_PREFIXES = (("เจริญ", "Charoen"), ("มั่นคง", "Mankhong"), ("รุ่งโรจน์", "Rungroj"),
                   ("ศรีสยาม", "Sri Siam"), ("ทองคำ", "Thongkham"), ("พูนผล", "Poonphon"),
                   ("วัฒนา", "Watthana"), ("เอกชัย", "Ekachai"))
_EXTRA_SECTOR_WORDS: dict[str, tuple[str, str]] = {
    "manufacturing": ("อุตสาหกรรม", "Industry"), "retail": ("เทรดดิ้ง", "Trading"),
    "logistics": ("ขนส่ง", "Transport"), "hospitality": ("โฮเทล", "Hotel"),
    "office": ("บิสซิเนส", "Business"), "it": ("เทค", "Tech"),
    "health": ("เฮลท์แคร์", "Healthcare"),
    "trades": ("วิศวกรรม", "Engineering"), "services": ("เซอร์วิส", "Service"),
    "education": ("เอดูเคชั่น", "Education"), "agriculture": ("อะกริ", "Agri"),
}

# Regional hiring: where an employer in each region draws from; also where
# attendees come from. Bangkok and its five neighbours (the Bangkok
# Metropolitan Region) and the Eastern Seaboard dominate a Bangkok fair.
_PROVINCE_WEIGHTS: dict[str, float] = {
    "Bangkok": 34, "Nonthaburi": 6, "Samut Prakan": 6, "Pathum Thani": 5, "Samut Sakhon": 3,
    "Nakhon Pathom": 3, "Chon Buri": 4, "Rayong": 2, "Chachoengsao": 2,
    "Phra Nakhon Si Ayutthaya": 2, "Nakhon Ratchasima": 2, "Khon Kaen": 1.5,
    "Udon Thani": 1, "Ubon Ratchathani": 1, "Chiang Mai": 1, "Nakhon Si Thammarat": 0.7,
}
_REGION_WEIGHTS = {"central": 0.6, "east": 0.6, "northeast": 0.45, "west": 0.3, "north": 0.25,
                   "south": 0.2}

# Education of job seekers at a general fair: mostly secondary and vocational,
# a quarter with a degree (roughly the National Statistical Office's mix for
# the unemployed).
_EDUCATION_WEIGHTS: dict[str, float] = {
    "none": 1, "primary": 8, "lower_secondary": 14, "upper_secondary": 24, "vocational": 10,
    "high_vocational": 14, "bachelor": 26, "master": 2.7, "doctorate": 0.3,
}

# (Thai, romanised) pairs; romanised names make believable email addresses.
_FIRST_NAMES_MALE = (
    ("สมชาย", "Somchai"), ("สมศักดิ์", "Somsak"), ("ประเสริฐ", "Prasert"), ("วิชัย", "Wichai"),
    ("สุรชัย", "Surachai"), ("อนุชา", "Anucha"), ("ธนากร", "Thanakorn"), ("ณัฐพล", "Nattapon"),
    ("กิตติพงษ์", "Kittipong"), ("ศุภชัย", "Supachai"), ("วีรพงษ์", "Weerapong"),
    ("จักรพันธ์", "Jakkaphan"), ("พงศกร", "Pongsakorn"), ("ธีรวัฒน์", "Teerawat"),
    ("อภิชาติ", "Apichat"), ("ชัยวัฒน์", "Chaiwat"), ("สุริยา", "Suriya"), ("บุญมี", "Bunmi"),
    ("ทองดี", "Thongdee"), ("ปิยะ", "Piya"), ("ภานุวัฒน์", "Panuwat"), ("วรวุฒิ", "Worawut"),
    ("ธนพล", "Thanapon"), ("เกียรติศักดิ์", "Kiattisak"), ("นพดล", "Noppadon"),
    ("อดิศร", "Adisorn"), ("ณัฐวุฒิ", "Nattawut"), ("สิทธิชัย", "Sittichai"),
    ("พีรพัฒน์", "Peerapat"), ("ภูมิพัฒน์", "Poomipat"), ("ธนวัฒน์", "Thanawat"),
    ("กฤษดา", "Kritsada"), ("ยุทธนา", "Yutthana"), ("ชาญวิทย์", "Chanwit"),
    ("มานพ", "Manop"), ("สมบัติ", "Sombat"), ("วันชัย", "Wanchai"), ("อำนาจ", "Amnat"),
    ("ศักดิ์ชัย", "Sakchai"), ("ปกรณ์", "Pakorn"), ("รัฐพล", "Rattapon"), ("ต่อพงษ์", "Torpong"),
    ("ณรงค์", "Narong"), ("สุทธิพงษ์", "Sutthipong"), ("ธวัชชัย", "Thawatchai"),
    ("วิโรจน์", "Wiroj"), ("ชยพล", "Chayapon"), ("กันต์", "Kan"), ("ภาคิน", "Pakin"),
    ("ปัณณวิชญ์", "Pannawit"),
)
_FIRST_NAMES_FEMALE = (
    ("สมหญิง", "Somying"), ("สุดา", "Suda"), ("มาลี", "Malee"), ("วิภาวรรณ", "Wipawan"),
    ("นภัสสร", "Napatsorn"), ("กาญจนา", "Kanchana"), ("ศิริพร", "Siriporn"),
    ("อรุณี", "Arunee"), ("พรทิพย์", "Pornthip"), ("จันทร์เพ็ญ", "Janpen"),
    ("สุภาพร", "Supaporn"), ("รัตนา", "Rattana"), ("ปิยะนุช", "Piyanuch"),
    ("ณัฐธิดา", "Natthida"), ("ชนิดา", "Chanida"), ("ธิดารัตน์", "Thidarat"),
    ("อัญชลี", "Anchalee"), ("วันเพ็ญ", "Wanpen"), ("ลัดดา", "Ladda"), ("บุษบา", "Butsaba"),
    ("ปวีณา", "Paweena"), ("เบญจวรรณ", "Benjawan"), ("กัลยา", "Kanlaya"), ("สุนิสา", "Sunisa"),
    ("พิมพ์ชนก", "Pimchanok"), ("ณัฐชา", "Nattacha"), ("ธัญญารัตน์", "Thanyarat"),
    ("อรอุมา", "Onuma"), ("จิราพร", "Jiraporn"), ("วราภรณ์", "Waraporn"),
    ("ศศิธร", "Sasithorn"), ("ชุติมา", "Chutima"), ("นิภาพร", "Nipaporn"),
    ("ยุพิน", "Yupin"), ("สายสุนีย์", "Saisunee"), ("ดวงใจ", "Duangjai"), ("มณี", "Manee"),
    ("ทิพวรรณ", "Thippawan"), ("เพ็ญศรี", "Pensri"), ("กมลชนก", "Kamonchanok"),
    ("ปาริชาติ", "Parichat"), ("ภัทรา", "Pattra"), ("อภิญญา", "Apinya"), ("รุ่งนภา", "Rungnapa"),
    ("สิริกร", "Sirikorn"), ("ขวัญใจ", "Khwanjai"), ("น้ำฝน", "Namfon"), ("ฐิติมา", "Thitima"),
    ("ปภาวดี", "Paphawadee"), ("ไพลิน", "Pailin"),
)
_LAST_NAMES = (
    ("ใจดี", "Jaidee"), ("รักงาน", "Rakngan"), ("ศรีสุข", "Srisuk"), ("แก้วมณี", "Kaewmanee"),
    ("สุขสวัสดิ์", "Suksawat"), ("ทองมา", "Thongma"), ("บุญมา", "Bunma"), ("วงศ์ใหญ่", "Wongyai"),
    ("จันทร์แก้ว", "Jankaew"), ("ศรีวงศ์", "Sriwong"), ("พรหมมา", "Prommma"),
    ("สายทอง", "Saithong"), ("แสงทอง", "Saengthong"), ("มีสุข", "Meesuk"), ("ทองคำ", "Thongkham"),
    ("เพชรรัตน์", "Petcharat"), ("ชัยมงคล", "Chaimongkol"), ("ประเสริฐสุข", "Prasertsuk"),
    ("รุ่งเรือง", "Rungruang"), ("อินทร์แก้ว", "Inkaew"), ("บุญเรือง", "Bunruang"),
    ("นาคสวัสดิ์", "Naksawat"), ("สมบูรณ์", "Somboon"), ("ศรีประเสริฐ", "Sriprasert"),
    ("พูลสวัสดิ์", "Poonsawat"), ("กิตติวงศ์", "Kittiwong"), ("ธนสาร", "Thanasan"),
    ("วิเศษสุข", "Wisetsuk"), ("หอมจันทร์", "Homjan"), ("คำแก้ว", "Khamkaew"),
    ("ภูมิสวัสดิ์", "Phumsawat"), ("ปัญญาดี", "Panyadee"), ("จันทร์เพ็ญ", "Janpen"),
    ("เจริญผล", "Charoenphon"), ("สุวรรณรัตน์", "Suwannarat"), ("ทองสุข", "Thongsuk"),
    ("แก้วประเสริฐ", "Kaewprasert"), ("มั่นคง", "Mankhong"), ("ศักดิ์สิทธิ์", "Saksit"),
    ("พิทักษ์ไทย", "Phithakthai"), ("วงศ์สวัสดิ์", "Wongsawat"), ("บุญประเสริฐ", "Bunprasert"),
    ("สีดา", "Seeda"), ("คงสุข", "Khongsuk"), ("ดีมาก", "Deemak"), ("นิลสุวรรณ", "Ninsuwan"),
    ("อ่อนศรี", "Onsri"), ("ทรัพย์มาก", "Sapmak"), ("เย็นใจ", "Yenjai"), ("ศรีจันทร์", "Srijan"),
    ("ปานทอง", "Panthong"), ("อุดมสุข", "Udomsuk"), ("เกษมสุข", "Kasemsuk"),
    ("แสงอรุณ", "Saeng-arun"), ("บัวทอง", "Buathong"), ("ชาวนา", "Chaona"),
    ("ทองประเสริฐ", "Thongprasert"), ("สิงห์ทอง", "Singthong"), ("พึ่งบุญ", "Phungbun"),
    ("ราชสีห์", "Ratchasi"),
)
# Neighbouring countries' workers (Myanmar, Cambodia, Laos) are a real share
# of fair visitors, and some expatriates look for office work.
_FOREIGN_NAMES: tuple[tuple[str, str, str], ...] = (
    ("Aung", "Kyaw", "my"), ("Thandar", "Win", "my"), ("Zaw", "Min", "my"), ("Hnin", "Aye", "my"),
    ("Kyaw", "Zin", "my"), ("Su", "Myat", "my"), ("Sokha", "Chan", "km"), ("Dara", "Sok", "km"),
    ("Srey", "Mom", "km"), ("Vannak", "Heng", "km"), ("Bounmy", "Phommachanh", "lo"),
    ("Khamla", "Sisavath", "lo"), ("John", "Smith", "en"), ("Emily", "Brown", "en"),
    ("Daniel", "Miller", "en"), ("Sarah", "Wilson", "en"), ("Nguyen", "Thi Lan", "vi"),
    ("Tran", "Van Minh", "vi"), ("Li", "Wei", "zh"), ("Yuki", "Tanaka", "ja"),
)


def _weighted_provinces() -> tuple[list[str], list[float]]:
    names, weights = [], []
    for p in PROVINCES:
        names.append(p.en)
        weights.append(_PROVINCE_WEIGHTS.get(p.en, _REGION_WEIGHTS[p.region]))
    return names, weights


# --------------------------------------------------------------------------
# Writing values the way people write them
# --------------------------------------------------------------------------

def _skill_name(rng: random.Random, skill: dict[str, Any]) -> str:
    """A skill as a person might type it: English, Thai or an alias."""
    choices = [skill.get("en"), skill.get("th"), *(skill.get("aliases") or [])]
    choices = [c for c in choices if c and ";" not in c]
    aliases = max(1, len(choices) - 2)
    weights = [4.0, 4.0, *([3.0 / aliases] * aliases)][: len(choices)]
    return rng.choices(choices, weights)[0] if choices else skill["id"]


def _cell_list(names: Sequence[str]) -> str:
    # split_list dedupes ignoring case; drop repeats here too so the cell is tidy.
    seen, kept = set(), []
    for n in names:
        if n.casefold() not in seen:
            seen.add(n.casefold())
            kept.append(n)
    return ";".join(kept)


def _money(rng: random.Random, amount: int) -> str:
    return f"{amount:,}" if rng.random() < 0.4 else str(amount)


def _education_cell(rng: random.Random, code: str) -> str:
    # Codes and Thai names both occur in real files; both must import.
    return EDUCATION_NAMES_TH[code] if rng.random() < 0.5 else code


def _round_to(value: float, step: int) -> int:
    return int(round(value / step) * step)


def _national_id(rng: random.Random, used: set[str]) -> str:
    while True:
        # First digit 1: Thai citizens born (and registered) since 1984; 3: earlier.
        first = rng.choice("1111113")
        body = first + "".join(rng.choice(string.digits) for _ in range(11))
        number = body + str(national_id_check_digit(body))
        if number not in used:
            used.add(number)
            return number


def _phone(rng: random.Random) -> str:
    number = rng.choice("689") + "".join(rng.choice(string.digits) for _ in range(8))
    style = rng.random()
    if style < 0.45:
        return f"0{number}"
    if style < 0.85:
        return f"0{number[:2]}-{number[2:5]}-{number[5:]}"
    return f"+66 {number[:2]} {number[2:5]} {number[5:]}"


# --------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------

def _occupations_of(occupations: list[dict[str, Any]],
                    industries: Sequence[str]) -> list[dict[str, Any]]:
    # Any occupation when the vocabulary has none of these labels, so that a
    # change of labels there degrades the demo instead of breaking it.
    return [o for o in occupations if o.get("industry") in industries] or list(occupations)


def _employers(rng: random.Random, booths: int) -> list[dict[str, Any]]:
    templates = list(EMPLOYERS)
    extra = 0
    while len(templates) < booths:
        prefix = _EXTRA_PREFIXES[extra % len(_EXTRA_PREFIXES)]
        sector = list(_EXTRA_SECTOR_WORDS)[(extra // len(_EXTRA_PREFIXES)) % len(SECTORS)]
        word = _EXTRA_SECTOR_WORDS[sector]
        number = extra // (len(_EXTRA_PREFIXES) * len(SECTORS))
        suffix = f" {number + 2}" if number else ""
        templates.append((f"บริษัท {prefix[0]}{word[0]}{suffix} จำกัด",
                          f"{prefix[1]} {word[1]}{suffix} Co., Ltd.", sector, "Bangkok"))
        extra += 1
    chosen = rng.sample(templates, booths) if booths < len(templates) else templates
    # Stands of one sector sit together on the floor, as organisers lay them out.
    sector_order = list(SECTORS)
    chosen.sort(key=lambda t: (sector_order.index(t[2]), t[1]))
    # A hall of rows A-F x 12 rarely sells out: leave the unsold stands as gaps
    # across the plan rather than an empty last row.
    hall = len(BOOTH_ROWS) * BOOTHS_PER_ROW
    slots = sorted(rng.sample(range(hall), booths)) if booths <= hall else list(range(booths))
    employers = []
    for index, (name_th, name_en, sector, province) in enumerate(chosen):
        words = re.sub(r"[^a-z ]+", "", name_en.lower().split(" co., ")[0]).split()
        slug = "".join(words[:3]) or "company"
        domain = f"{slug}.example.co.th" if rng.random() < 0.7 else f"{slug}.example.com"
        employers.append({
            "employer_ref": f"E{index + 1:03d}",
            # Most Thai companies are listed by their Thai name; foreign-facing ones in English.
            "name": name_en if sector == "it" or rng.random() < 0.25 else name_th,
            "booth": booth_code(slots[index]),
            "industry": sector,
            "province": province if rng.random() < 0.8 else _province_th_or_en(rng, province),
            "contact_email": rng.choice(("hr", "jobs", "recruit", "career")) + "@" + domain,
        })
    return employers


def _province_th_or_en(rng: random.Random, name: str) -> str:
    """The province as a Thai file would often have it: its Thai name (or กทม. for Bangkok)."""
    if name == "Bangkok":
        return rng.choice(("กรุงเทพมหานคร", "กรุงเทพฯ", "กทม."))
    for p in PROVINCES:
        if p.en == name:
            return p.th
    return name


def _jobs(rng: random.Random, employers: list[dict[str, Any]], vocabulary: dict[str, Any],
          per_booth: float) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    skills = {s["id"]: s for s in vocabulary["skills"]}
    occupations = [o for o in vocabulary["occupations"] if o.get("skills_required")]
    by_sector = {sector: _occupations_of(occupations, labels)
                 for sector, labels in SECTORS.items()}
    general = _occupations_of(occupations, GENERAL_INDUSTRIES)
    jobs: list[dict[str, str]] = []
    offered: list[dict[str, Any]] = []  # the occupations behind the jobs, for attendees
    for employer in employers:
        pool = by_sector[employer["industry"]]
        count = max(1, round(rng.gauss(per_booth, 0.9)))
        chosen: dict[str, dict[str, Any]] = {}
        for _ in range(count * 4):
            if len(chosen) == count:
                break
            occupation = rng.choice(general if rng.random() < GENERAL_SHARE else pool)
            chosen.setdefault(occupation["id"], occupation)
        for occupation in chosen.values():
            offered.append(occupation)
            jobs.append(_job_row(rng, len(jobs) + 1, employer, occupation, skills))
    return jobs, offered


def _job_row(rng: random.Random, number: int, employer: dict[str, Any],
             occupation: dict[str, Any], skills: dict[str, dict[str, Any]]) -> dict[str, str]:
    title = occupation["th"] if rng.random() < 0.6 else occupation["en"]
    required = [_skill_name(rng, skills[s]) for s in occupation["skills_required"] if s in skills]
    optional = [_skill_name(rng, skills[s]) for s in occupation.get("skills_optional") or []
                if s in skills and rng.random() < 0.7]
    low = int(occupation.get("salary_min") or 12000)
    high = max(low, int(occupation.get("salary_max") or low + 5000))
    salary_min = _round_to(low * rng.uniform(0.95, 1.1), 500)
    salary_max = max(salary_min, _round_to(high * rng.uniform(0.9, 1.1), 500))
    education = occupation.get("education_min")
    province = employer["province"]
    return {
        "job_ref": f"J{number:04d}",
        "employer_ref": employer["employer_ref"],
        "title": title,
        "skills_required": _cell_list(required),
        "skills_optional": _cell_list(optional),
        "description": rng.choice((
            f"{occupation['th']} ประจำ{province if not province.isascii() else 'สาขา'} "
            "มีสวัสดิการประกันสังคม",
            f"{occupation['en']}, full time. Social security and annual bonus.",
            f"รับสมัคร{occupation['th']} หลายอัตรา เริ่มงานได้ทันที",
            "",
        )),
        "education_min": _education_cell(rng, education) if education in EDUCATION_LEVELS else "",
        "experience_min_years": str(int(occupation.get("experience_min_years") or 0)),
        "salary_min": _money(rng, salary_min),
        "salary_max": _money(rng, salary_max) if rng.random() < 0.85 else "",
        "province": province,
        "positions": str(rng.choice((1, 1, 2, 2, 3, 5, 10, 20))),
        "disability_friendly": rng.choice(("yes", "ใช่")) if rng.random() < 0.15
        else rng.choice(("no", "ไม่", "")),
    }


def _pick_distinct(rng: random.Random, pool: list[dict[str, Any]], k: int) -> list[dict[str, Any]]:
    """Up to k occupations with distinct ids; pool repeats make an occupation likelier."""
    picked: dict[str, dict[str, Any]] = {}
    for _ in range(k * 4):
        occupation = rng.choice(pool)
        picked.setdefault(occupation["id"], occupation)
        if len(picked) == k:
            break
    return list(picked.values())


def _attendee_row(rng: random.Random, number: int, width: int,
                  occupations: list[dict[str, Any]], all_skills: list[dict[str, Any]],
                  skills: dict[str, dict[str, Any]], provinces: tuple[list[str], list[float]],
                  used_ids: set[str], used_emails: set[str]) -> dict[str, str]:
    foreign = rng.random() < 0.06
    if foreign:
        first, last, language = rng.choice(_FOREIGN_NAMES)
        first_roman, last_roman = first, last
        languages = _cell_list([language, "th"] if rng.random() < 0.7 else [language])
    else:
        pool = _FIRST_NAMES_MALE if rng.random() < 0.5 else _FIRST_NAMES_FEMALE
        first, first_roman = rng.choice(pool)
        last, last_roman = rng.choice(_LAST_NAMES)
        extra = rng.random()
        languages = rng.choice(("th", "ไทย", "")) if extra < 0.6 else rng.choice(
            ("th;en", "ไทย;อังกฤษ", "Thai;English", "th;en;zh", "ไทย;อังกฤษ;จีน", "th;ja"))

    education = rng.choices(list(_EDUCATION_WEIGHTS), list(_EDUCATION_WEIGHTS.values()))[0]
    if foreign and education_rank(education) > education_rank("upper_secondary") \
            and rng.random() < 0.6:
        education = rng.choice(("primary", "lower_secondary"))
    rank = education_rank(education)
    # People aim at jobs their schooling opens, mostly near their own level.
    suitable = [o for o in occupations
                if education_rank(o.get("education_min")) <= rank] or occupations
    near = [o for o in suitable if rank - education_rank(o.get("education_min")) <= 2]
    desired = _pick_distinct(rng, near or suitable, rng.choice((1, 1, 2, 2, 3)))

    experience = max(0, int(rng.expovariate(1 / 4)))
    skill_ids: list[str] = []
    for occupation in desired:
        required = list(occupation.get("skills_required") or [])
        # Most people have most of what their target job asks for, not all of it.
        skill_ids += [s for s in required if rng.random() < 0.75]
        skill_ids += [s for s in occupation.get("skills_optional") or [] if rng.random() < 0.35]
    if not skill_ids and desired[0].get("skills_required"):
        skill_ids.append(desired[0]["skills_required"][0])  # everyone lists something
    skill_ids += [rng.choice(all_skills)["id"] for _ in range(rng.choice((0, 0, 1, 1, 2)))]
    skill_names = [_skill_name(rng, skills[s]) for s in dict.fromkeys(skill_ids) if s in skills]

    target = desired[0]
    low = int(target.get("salary_min") or 12000)
    salary = _round_to(low * rng.uniform(0.9, 1.3) + experience * 500, 500)

    email = ""
    if rng.random() < 0.8:
        local = f"{first_roman}.{last_roman[:1]}{rng.randint(1, 9999)}".lower().replace(" ", "")
        local = re.sub(r"[^a-z0-9.]", "", local)
        domain = rng.choice(("example.com", "example.co.th", "example.com"))
        if f"{local}@{domain}" not in used_emails:
            email = f"{local}@{domain}"
            used_emails.add(email)

    province_names, province_weights = provinces
    province = rng.choices(province_names, province_weights)[0]
    return {
        "attendee_ref": f"A{number:0{width}d}",
        "first_name": first,
        "last_name": last,
        "phone": _phone(rng) if rng.random() < 0.95 else "",
        "email": email,
        "national_id": _national_id(rng, used_ids) if not foreign and rng.random() < 0.4 else "",
        "education": _education_cell(rng, education),
        "experience_years": str(experience),
        "skills": _cell_list(skill_names),
        "desired_positions": _cell_list(
            [o["th"] if not foreign and rng.random() < 0.6 else o["en"] for o in desired]),
        "province": province if rng.random() < 0.6 else _province_th_or_en(rng, province),
        "salary_expected": _money(rng, salary) if rng.random() < 0.8 else "",
        "languages": languages,
        "consent_share_profile": (rng.choice(("yes", "ใช่", "Y", "1")) if rng.random() < 0.7
                                  else rng.choice(("no", "ไม่", "N", "0"))),
    }


def generate_demo(seed: int = 2026, attendees: int = 2000, booths: int = 60,
                  vocabulary: dict[str, Any] | None = None) -> DemoData:
    """A whole demo fair as CSV-shaped string rows; the same seed gives the same fair.

    `booths` employers, one stand each; about 2.5 jobs per stand; `attendees`
    job seekers. `vocabulary` defaults to the shared vocabulary file.
    """
    if booths < 1 or attendees < 0:
        raise ValueError("need at least one booth and a non-negative number of attendees")
    vocabulary = vocabulary if vocabulary is not None else load_vocabulary()
    rng = random.Random(seed)
    skills = {s["id"]: s for s in vocabulary["skills"]}

    employers = _employers(rng, booths)
    jobs, offered = _jobs(rng, employers, vocabulary, per_booth=2.7)
    # Attendees want what is on offer (the fair advertised these jobs) and, now
    # and then, something nobody here hires for.
    occupations = offered + [o for o in vocabulary["occupations"] if o.get("skills_required")]
    provinces = _weighted_provinces()
    used_ids: set[str] = set()
    used_emails: set[str] = set()
    width = max(5, len(str(attendees)))
    people = [
        _attendee_row(rng, i + 1, width, occupations, vocabulary["skills"], skills, provinces,
                      used_ids, used_emails)
        for i in range(attendees)
    ]
    # Column order as in the CSV files, so the rows can also be written out as such.
    return DemoData(
        fair=dict(FAIR_INFO),
        employers=[{c: str(e[c]) for c in COLUMNS["employers"]} for e in employers],
        jobs=[{c: j[c] for c in COLUMNS["jobs"]} for j in jobs],
        attendees=[{c: a[c] for c in COLUMNS["attendees"]} for a in people],
    )
