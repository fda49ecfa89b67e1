"""The ACA sample's parameters (scale, days, seed, dirty mode), the file layout, the rates of
every daily change, and the seeded random streams."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
RATING_AREAS = "rating_areas.csv"
DAY_ENTITIES = ("plans", "members", "providers", "enrollments", "claim_lines")
HEADERS: dict[str, tuple[str, ...]] = {
    "rating_areas": ("statefip", "state", "countyfip", "county", "ratingarea"),
    "plans": ("plan_id", "issuer_name", "plan_name", "metal_tier", "state_code", "rating_area",
              "monthly_premium_usd", "deductible_usd", "oop_max_usd", "updated_at"),
    "members": ("member_id", "first_name", "last_name", "birth_date", "gender",
                "street_address", "zip_code", "county_fips", "updated_at"),
    "providers": ("npi", "provider_name", "specialty", "county_fips", "updated_at"),
    "enrollments": ("enrollment_id", "member_id", "plan_id", "start_date", "end_date",
                    "monthly_premium_usd", "updated_at"),
    "claim_lines": ("claim_id", "line_number", "member_id", "provider_npi", "plan_id",
                    "service_date", "procedure_code", "diagnosis_code", "billed_amount_usd",
                    "allowed_amount_usd", "paid_amount_usd", "claim_status"),
}
CLAIM_DEFECTS = ("unparseable_date", "unparseable_amount", "negative_amount", "blank_key",
                 "duplicate_line", "unknown_member")
MEMBER_DEFECTS = ("unparseable_date", "blank_key")

MEMBERS_PER_SCALE = 10_000
CLAIM_LINES_PER_SCALE_YEAR = 500_000
MAX_SCALE = 1000.0  # keeps the reserved id ranges (M98..., M99...) clear of real members
STREAMS = {name: i for i, name in enumerate((
    "plans", "providers", "members", "enrollments", "claims", "claims_dirty", "members_dirty",
))}
OPEN_END = np.iinfo(np.int64).max
DAY_SECONDS = 86_400
LINES_PER_CLAIM_P = np.array([0.45, 0.25, 0.15, 0.10, 0.05])
# daily event rates
PLAN_CHANGE_RATE = 0.001        # about 3 % of plans a month
PROVIDER_NEW_RATE = 0.0003
PROVIDER_MOVE_RATE = 0.0002
MEMBER_MOVE_RATE = 0.002
MEMBER_RENAME_RATE = 0.0002
MEMBER_NEW_RATE = 0.0003
PLAN_SWITCH_RATE = 0.0006
LATE_CLAIM_SHARE = 0.22
STATUSES = ("paid", "denied", "pending")
STATUS_P = (0.87, 0.08, 0.05)


class GenerationError(ValueError):
    """The request cannot be carried out; the message says why and what to do."""


@dataclass(frozen=True)
class Params:
    seed: int
    scale: float
    start_date: date
    days: int
    dirty: bool
    dirty_share: float

    def as_dict(self) -> dict:
        return {
            "seed": self.seed, "scale": self.scale, "start_date": self.start_date.isoformat(),
            "days": self.days, "dirty": self.dirty, "dirty_share": self.dirty_share,
        }

    @property
    def start_epoch(self) -> int:
        return (self.start_date - date(1970, 1, 1)).days

    @property
    def n_members(self) -> int:
        return max(1, round(self.scale * MEMBERS_PER_SCALE))

    @property
    def n_plans(self) -> int:
        return max(12, round(self.scale * 60))

    @property
    def n_providers(self) -> int:
        return max(20, round(self.scale * 1500))

    @property
    def lines_per_day(self) -> float:
        return self.scale * CLAIM_LINES_PER_SCALE_YEAR / 365


def make_params(
    scale: float, start_date: date, days: int, seed: int, dirty: bool, dirty_share: float
) -> Params:
    if not 0.0001 <= scale <= MAX_SCALE:
        raise GenerationError(f"--scale {scale}: expected a number from 0.0001 to {MAX_SCALE:g}")
    if days < 1:
        raise GenerationError(f"--days {days}: expected at least 1")
    if seed < 0:
        raise GenerationError(f"--seed {seed}: expected a non-negative integer")
    if not 0.0 <= dirty_share <= 0.5:
        raise GenerationError(f"--dirty-share {dirty_share}: expected a share from 0 to 0.5")
    # Without --dirty the share changes nothing, so it is not part of the parameters.
    return Params(int(seed), float(scale), start_date, int(days), bool(dirty),
                  float(dirty_share) if dirty else 0.0)


def _rng(params: Params, day: int, stream: str) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([params.seed, day, STREAMS[stream]]))
