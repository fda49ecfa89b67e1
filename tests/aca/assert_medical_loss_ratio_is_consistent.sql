-- The medical loss ratio agrees with its parts: the ratio is paid over premiums (to its
-- rounding to 4 places, plus the 6th-place rounding of an engine's decimal division: Spark),
-- the flag is the ratio against the threshold, the shortfall is what the
-- threshold asks beyond the claims paid where it is missed, 0 where it is met.
with ratios as (
    select * from {{ ref('mart_medical_loss_ratio') }}
)

select *
from ratios
where
    (premium_usd > 0 and (
        medical_loss_ratio is null
        or abs(medical_loss_ratio - paid_amount_usd / premium_usd) > 0.000051
        or meets_mlr_threshold is null
        or meets_mlr_threshold <> (medical_loss_ratio >= mlr_threshold)
        or (meets_mlr_threshold and mlr_rebate_shortfall_usd <> 0)
        or (
            not meets_mlr_threshold
            and abs(mlr_rebate_shortfall_usd - (mlr_threshold * premium_usd - paid_amount_usd)) > 0.005
        )
        or (not meets_mlr_threshold and mlr_rebate_shortfall_usd <= 0)
    ))
    or (premium_usd = 0 and (
        medical_loss_ratio is not null
        or meets_mlr_threshold is not null
        or mlr_rebate_shortfall_usd is not null
    ))
