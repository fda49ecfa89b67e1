"""Reference lists for the ACA sample-data generator.

Counties carry their real FIPS codes and CMS rating areas (facts from the CMS county-to-rating-
area table); Los Angeles County has no county-level rating area (CMS rates it by 3-digit ZIP), as
in the published file. ZIP prefixes are 3-digit ZIP areas that lie in each county, weights are
rough population sizes in thousands. Procedure codes are CPT/HCPCS codes, diagnoses ICD-10-CM
codes with their dot; each specialty lists the codes it typically bills.
"""

from __future__ import annotations

from typing import NamedTuple


class County(NamedTuple):
    statefip: int
    state: str
    state_code: str
    countyfip: int
    county: str
    ratingarea: int | None
    zip3: tuple[int, ...]
    population_k: int


def _c(
    statefip: int, state: str, code: str, fip: int, name: str, area: int | None,
    zip3: tuple[int, ...], pop: int,
) -> County:
    return County(statefip, state, code, fip, name, area, zip3, pop)


CA, CT, DE, RI, VA, NC = (
    (6, "California", "CA"),
    (9, "Connecticut", "CT"),
    (10, "Delaware", "DE"),
    (44, "Rhode Island", "RI"),
    (51, "Virginia", "VA"),
    (37, "North Carolina", "NC"),
)

COUNTIES: tuple[County, ...] = (
    _c(*CA, 6001, "Alameda", 6, (945, 946), 1650),
    _c(*CA, 6013, "Contra Costa", 5, (945,), 1160),
    _c(*CA, 6019, "Fresno", 11, (936, 937), 1010),
    _c(*CA, 6029, "Kern", 14, (932, 933), 910),
    _c(*CA, 6037, "Los Angeles", None, (900, 906, 910, 913, 917), 9700),
    _c(*CA, 6053, "Monterey", 9, (939,), 430),
    _c(*CA, 6059, "Orange", 18, (926, 927, 928), 3150),
    _c(*CA, 6065, "Riverside", 17, (922, 925), 2470),
    _c(*CA, 6067, "Sacramento", 3, (956, 958), 1580),
    _c(*CA, 6071, "San Bernardino", 17, (923, 924), 2190),
    _c(*CA, 6073, "San Diego", 19, (919, 920, 921), 3280),
    _c(*CA, 6075, "San Francisco", 4, (941,), 810),
    _c(*CA, 6081, "San Mateo", 8, (940, 944), 730),
    _c(*CA, 6085, "Santa Clara", 7, (950, 951), 1880),
    _c(*CA, 6097, "Sonoma", 2, (954,), 480),
    _c(*CA, 6111, "Ventura", 12, (930,), 830),
    _c(*CT, 9001, "Fairfield", 1, (66, 68, 69), 960),
    _c(*CT, 9003, "Hartford", 2, (60, 61), 900),
    _c(*CT, 9005, "Litchfield", 3, (67,), 185),
    _c(*CT, 9007, "Middlesex", 4, (64,), 165),
    _c(*CT, 9009, "New Haven", 5, (64, 65, 67), 865),
    _c(*CT, 9011, "New London", 6, (63,), 270),
    _c(*CT, 9013, "Tolland", 7, (60, 62), 150),
    _c(*CT, 9015, "Windham", 8, (62,), 117),
    _c(*DE, 10001, "Kent", 1, (199,), 185),
    _c(*DE, 10003, "New Castle", 1, (197, 198), 575),
    _c(*DE, 10005, "Sussex", 1, (199,), 250),
    _c(*RI, 44001, "Bristol", 1, (28,), 50),
    _c(*RI, 44003, "Kent", 1, (28,), 170),
    _c(*RI, 44005, "Newport", 1, (28,), 85),
    _c(*RI, 44007, "Providence", 1, (29,), 660),
    _c(*RI, 44009, "Washington", 1, (28,), 130),
    _c(*VA, 51003, "Albemarle", 2, (229,), 115),
    _c(*VA, 51510, "Alexandria city", 10, (223,), 155),
    _c(*VA, 51013, "Arlington", 10, (222,), 235),
    _c(*VA, 51540, "Charlottesville city", 2, (229,), 46),
    _c(*VA, 51550, "Chesapeake city", 9, (233,), 250),
    _c(*VA, 51041, "Chesterfield", 7, (238, 231), 370),
    _c(*VA, 51590, "Danville city", 3, (245,), 42),
    _c(*VA, 51059, "Fairfax", 10, (220, 221), 1150),
    _c(*VA, 51069, "Frederick", 11, (226,), 93),
    _c(*VA, 51660, "Harrisonburg city", 4, (228,), 51),
    _c(*VA, 51087, "Henrico", 7, (230, 232), 335),
    _c(*VA, 51107, "Loudoun", 10, (201,), 430),
    _c(*VA, 51680, "Lynchburg city", 6, (245,), 79),
    _c(*VA, 51121, "Montgomery", 1, (240,), 100),
    _c(*VA, 51700, "Newport News city", 9, (236,), 185),
    _c(*VA, 51710, "Norfolk city", 9, (235,), 235),
    _c(*VA, 51153, "Prince William", 10, (201, 221), 485),
    _c(*VA, 51760, "Richmond city", 7, (232,), 230),
    _c(*VA, 51770, "Roanoke city", 8, (240,), 100),
    _c(*VA, 51810, "Virginia Beach city", 9, (234,), 455),
    _c(*VA, 51191, "Washington", 5, (242,), 54),
    _c(*VA, 51195, "Wise", 12, (242,), 36),
    _c(*NC, 37001, "Alamance", 11, (272,), 175),
    _c(*NC, 37021, "Buncombe", 1, (287, 288), 270),
    _c(*NC, 37025, "Cabarrus", 4, (280,), 235),
    _c(*NC, 37035, "Catawba", 2, (286,), 165),
    _c(*NC, 37049, "Craven", 16, (285,), 100),
    _c(*NC, 37051, "Cumberland", 9, (283,), 335),
    _c(*NC, 37057, "Davidson", 6, (272,), 170),
    _c(*NC, 37063, "Durham", 11, (277,), 330),
    _c(*NC, 37067, "Forsyth", 6, (271,), 390),
    _c(*NC, 37071, "Gaston", 5, (280,), 235),
    _c(*NC, 37077, "Granville", 10, (275,), 61),
    _c(*NC, 37081, "Guilford", 7, (273, 274), 545),
    _c(*NC, 37097, "Iredell", 2, (286,), 195),
    _c(*NC, 37101, "Johnston", 13, (275,), 230),
    _c(*NC, 37119, "Mecklenburg", 4, (282,), 1150),
    _c(*NC, 37125, "Moore", 8, (283,), 105),
    _c(*NC, 37129, "New Hanover", 15, (284,), 235),
    _c(*NC, 37133, "Onslow", 15, (285,), 205),
    _c(*NC, 37135, "Orange", 11, (275,), 150),
    _c(*NC, 37147, "Pitt", 14, (278,), 175),
    _c(*NC, 37179, "Union", 4, (281,), 250),
    _c(*NC, 37183, "Wake", 13, (275, 276), 1180),
    _c(*NC, 37189, "Watauga", 3, (286,), 55),
)

# Share of members living in each state (the county weights apply within a state).
STATE_WEIGHTS: dict[str, float] = {
    "CA": 0.32, "NC": 0.22, "VA": 0.20, "CT": 0.12, "RI": 0.07, "DE": 0.07,
}

METAL_TIERS: tuple[str, ...] = ("bronze", "silver", "gold", "platinum", "catastrophic")
METAL_WEIGHTS: tuple[float, ...] = (0.30, 0.36, 0.20, 0.07, 0.07)
# Reference monthly premium for a 21-year-old, USD, by tier (before area and issuer factors).
METAL_BASE_PREMIUM: tuple[float, ...] = (330.0, 430.0, 510.0, 620.0, 270.0)
# Deductible range (USD) and out-of-pocket maximum range by tier.
METAL_DEDUCTIBLE: tuple[tuple[int, int], ...] = (
    (6000, 9000), (3000, 6500), (500, 2500), (0, 750), (9200, 9200),
)
METAL_OOP_MAX: tuple[tuple[int, int], ...] = (
    (9200, 9200), (7000, 9200), (4500, 8500), (2000, 4500), (9200, 9200),
)
# Share of the allowed amount the plan pays, by tier (actuarial value, roughly).
METAL_PAID_SHARE: tuple[float, ...] = (0.60, 0.70, 0.80, 0.90, 0.55)
NETWORK_TYPES: tuple[str, ...] = ("HMO", "PPO", "EPO")

# Issuers per state: (5-digit HIOS issuer id, name). Fictional names.
ISSUERS: dict[str, tuple[tuple[int, str], ...]] = {
    "CA": ((20523, "Pacific Crest Health"), (27603, "Golden Valley Health Plan"),
           (40513, "Harborline Insurance")),
    "CT": ((76962, "Nutmeg Mutual Health"), (86545, "Charter Oak Health")),
    "DE": ((29497, "First State Health"), (67190, "Brandywine Health Plan")),
    "RI": ((15287, "Ocean State Health"), (77514, "Narragansett Health Cooperative")),
    "VA": ((10207, "Old Dominion Health"), (20507, "Blue Ridge Health Plan"),
           (88380, "Tidewater Health")),
    "NC": ((11512, "Piedmont Health"), (54332, "Carolina Mutual Health"),
           (73943, "Blue Heron Health Plan")),
}

# code -> typical billed amount in USD
PROCEDURES: dict[str, float] = {
    "99202": 120.0, "99203": 200.0, "99204": 300.0, "99212": 100.0, "99213": 150.0,
    "99214": 220.0, "99215": 300.0, "99283": 700.0, "99284": 1200.0, "99285": 2000.0,
    "99385": 280.0, "99392": 200.0, "99393": 200.0, "99394": 220.0, "99395": 250.0,
    "99396": 270.0, "36415": 20.0, "80053": 60.0, "80061": 70.0, "81001": 25.0,
    "83036": 50.0, "84443": 70.0, "85025": 40.0, "87635": 100.0, "87880": 45.0,
    "70450": 1200.0, "71046": 180.0, "73721": 1800.0, "74177": 2800.0, "76700": 600.0,
    "76801": 450.0, "77067": 300.0, "93000": 90.0, "93306": 1500.0, "90471": 40.0,
    "90686": 45.0, "90715": 70.0, "96372": 50.0, "97110": 120.0, "97140": 110.0,
    "97161": 200.0, "45378": 2500.0, "66984": 4500.0, "29881": 7000.0, "59400": 5500.0,
    "90791": 300.0, "90834": 160.0, "90837": 220.0, "11102": 250.0, "17110": 180.0,
    "20610": 250.0, "92004": 250.0, "92014": 180.0, "J1100": 30.0, "J3301": 40.0,
}

DIAGNOSES: tuple[str, ...] = (
    "B07.9", "D22.9", "E03.9", "E05.90", "E11.65", "E11.9", "E66.9", "E78.5", "F32.9",
    "F33.1", "F41.1", "F41.9", "F43.10", "F90.0", "G40.909", "G43.909", "G47.33", "H25.9",
    "H40.9", "H52.4", "H66.90", "I10", "I25.10", "I48.91", "I50.9", "J02.9", "J06.9",
    "J20.9", "J45.909", "K21.9", "K57.30", "K59.00", "L20.9", "L30.9", "L57.0", "L70.0",
    "M17.11", "M25.561", "M54.50", "M75.101", "N18.30", "N39.0", "N92.0", "R05.9", "R07.9",
    "R10.9", "R50.9", "R51.9", "S83.241A", "S93.401A", "U07.1", "Z00.00", "Z00.01",
    "Z00.129", "Z01.419", "Z12.11", "Z12.31", "Z12.4", "Z13.220", "Z23", "Z30.09",
    "Z34.90", "Z79.4",
)


class Specialty(NamedTuple):
    name: str
    title: str
    credentials: tuple[str, ...]  # empty: organisations only
    weight: float
    procedures: tuple[str, ...]
    diagnoses: tuple[str, ...]


SPECIALTIES: tuple[Specialty, ...] = (
    Specialty("family_medicine", "Family Medicine", ("MD", "DO", "NP", "PA"), 0.20,
              ("99212", "99213", "99214", "99215", "99203", "99204", "99385", "99395", "99396",
               "36415", "80053", "80061", "85025", "83036", "90471", "90686", "96372", "87880",
               "81001", "J1100", "93000"),
              ("I10", "E11.9", "E78.5", "J06.9", "Z00.00", "Z00.01", "Z23", "J02.9", "M54.50",
               "F41.1", "E66.9", "R05.9", "N39.0", "K21.9")),
    Specialty("internal_medicine", "Internal Medicine", ("MD", "DO", "NP"), 0.14,
              ("99213", "99214", "99215", "99204", "99396", "36415", "80053", "80061", "83036",
               "84443", "85025", "93000", "90686"),
              ("I10", "E11.9", "E11.65", "E78.5", "E03.9", "I25.10", "I48.91", "N18.30",
               "Z79.4", "Z00.00", "K21.9")),
    Specialty("pediatrics", "Pediatrics", ("MD", "DO", "NP"), 0.09,
              ("99392", "99393", "99394", "99213", "99214", "90471", "90686", "90715", "87880",
               "87635"),
              ("Z00.129", "Z23", "J06.9", "J02.9", "H66.90", "J45.909", "R50.9", "L20.9",
               "F90.0")),
    Specialty("obstetrics_gynecology", "Obstetrics and Gynecology", ("MD", "DO"), 0.06,
              ("59400", "76801", "99213", "99214", "99395", "81001", "85025"),
              ("Z34.90", "Z30.09", "N92.0", "Z01.419", "Z12.4")),
    Specialty("cardiology", "Cardiology", ("MD", "DO"), 0.05,
              ("99214", "99215", "99204", "93000", "93306", "80061"),
              ("I10", "I25.10", "I48.91", "R07.9", "E78.5", "I50.9")),
    Specialty("dermatology", "Dermatology", ("MD", "DO", "PA"), 0.04,
              ("11102", "17110", "99213", "99203", "96372", "J3301"),
              ("L70.0", "B07.9", "L57.0", "L30.9", "D22.9")),
    Specialty("orthopedic_surgery", "Orthopedic Surgery", ("MD", "DO"), 0.05,
              ("29881", "20610", "73721", "99213", "99204", "J3301"),
              ("M17.11", "M25.561", "S83.241A", "M54.50", "S93.401A", "M75.101")),
    Specialty("psychiatry", "Psychiatry", ("MD", "DO", "NP"), 0.06,
              ("90791", "90834", "90837", "99214"),
              ("F32.9", "F33.1", "F41.1", "F41.9", "F43.10", "F90.0")),
    Specialty("radiology", "Radiology", ("MD",), 0.04,
              ("71046", "70450", "74177", "76700", "77067", "73721"),
              ("R10.9", "R07.9", "Z12.31", "R51.9", "M25.561", "R05.9")),
    Specialty("emergency_medicine", "Emergency Medicine", ("MD", "DO", "PA"), 0.06,
              ("99283", "99284", "99285", "96372", "71046", "70450", "85025", "80053", "93000",
               "J1100"),
              ("R07.9", "R10.9", "S93.401A", "J20.9", "R51.9", "N39.0", "R50.9", "U07.1")),
    Specialty("gastroenterology", "Gastroenterology", ("MD", "DO"), 0.03,
              ("45378", "99204", "99214", "76700"),
              ("K21.9", "K59.00", "Z12.11", "K57.30", "R10.9")),
    Specialty("endocrinology", "Endocrinology", ("MD", "DO"), 0.03,
              ("99214", "99215", "83036", "84443", "80053"),
              ("E11.9", "E11.65", "E03.9", "E05.90", "E66.9", "Z79.4")),
    Specialty("ophthalmology", "Ophthalmology", ("MD", "DO"), 0.03,
              ("66984", "92014", "92004", "99213"),
              ("H25.9", "H52.4", "H40.9", "E11.9")),
    Specialty("neurology", "Neurology", ("MD", "DO"), 0.03,
              ("99204", "99214", "99215", "70450"),
              ("G43.909", "R51.9", "G47.33", "G40.909")),
    Specialty("physical_therapy", "Physical Therapy", ("PT", "DPT"), 0.05,
              ("97161", "97110", "97140"),
              ("M54.50", "M25.561", "M17.11", "S93.401A", "M75.101")),
    Specialty("clinical_laboratory", "Laboratory", (), 0.04,
              ("36415", "80053", "80061", "85025", "83036", "84443", "81001", "87635", "87880"),
              ("Z00.00", "E11.9", "E78.5", "I10", "U07.1", "Z13.220", "R50.9")),
)

ORG_SUFFIXES: tuple[str, ...] = ("Associates", "Group", "Clinic", "Partners", "Center")

FIRST_NAMES_F: tuple[str, ...] = (
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica",
    "Sarah", "Karen", "Lisa", "Nancy", "Betty", "Sandra", "Margaret", "Ashley", "Kimberly",
    "Emily", "Donna", "Michelle", "Carol", "Amanda", "Melissa", "Deborah", "Stephanie",
    "Rebecca", "Sharon", "Laura", "Cynthia", "Amy", "Angela", "Anna", "Brenda", "Emma",
    "Olivia", "Sophia", "Isabella", "Mia", "Ava", "Camila", "Maria", "Guadalupe", "Ana",
    "Priya", "Mei", "Aaliyah", "Keisha", "Fatima", "Hannah", "Grace", "Chloe", "Zoe",
    "Lucia", "Valentina", "Nicole", "Megan", "Rachel", "Julia", "Natalie", "Leah",
)
FIRST_NAMES_M: tuple[str, ...] = (
    "James", "Robert", "John", "Michael", "David", "William", "Richard", "Joseph", "Thomas",
    "Christopher", "Charles", "Daniel", "Matthew", "Anthony", "Mark", "Donald", "Steven",
    "Andrew", "Paul", "Joshua", "Kenneth", "Kevin", "Brian", "George", "Timothy", "Ronald",
    "Jason", "Edward", "Jeffrey", "Ryan", "Jacob", "Gary", "Nicholas", "Eric", "Jonathan",
    "Liam", "Noah", "Oliver", "Elijah", "Lucas", "Mateo", "Santiago", "Jose", "Luis",
    "Carlos", "Juan", "Wei", "Raj", "Arjun", "Hiroshi", "Malik", "Darnell", "Omar",
    "Ethan", "Aiden", "Caleb", "Dylan", "Gabriel", "Isaac", "Samuel",
)
LAST_NAMES: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas",
    "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris",
    "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King",
    "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson",
    "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez",
    "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes",
    "Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz",
    "Morgan", "Cooper", "Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim",
    "Cox", "Ward", "Richardson", "Watson", "Brooks", "Chavez", "Wood", "James", "Bennett",
    "Gray", "Mendoza", "Ruiz", "Hughes", "Price", "Alvarez", "Castillo", "Sanders", "Patel",
    "Myers", "Long", "Ross", "Foster", "Chen", "O'Brien", "Tran", "Singh", "Wang", "Okafor",
)
STREET_NAMES: tuple[str, ...] = (
    "Main", "Oak", "Pine", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park",
    "Walnut", "Spring", "North", "Ridge", "Church", "Willow", "Mill", "Sunset", "Jackson",
    "Highland", "Cherry", "Franklin", "Jefferson", "Lincoln", "Madison", "Chestnut", "River",
    "Forest", "Meadow", "Valley", "Dogwood", "Magnolia", "Harbor", "Bay", "Laurel",
    "Hickory", "Birch", "Center", "Market", "Union",
)
STREET_SUFFIXES: tuple[str, ...] = ("St", "Ave", "Rd", "Dr", "Ln", "Ct", "Blvd", "Way", "Pl")
