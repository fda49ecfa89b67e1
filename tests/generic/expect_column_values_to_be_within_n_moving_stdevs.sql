{#-
    expect_column_values_to_be_within_n_moving_stdevs(date_column_name, group_by=None,
        period='day', lookback_periods=1, trend_periods=7, test_periods=14, sigma_threshold=3,
        sigma_threshold_upper=None, sigma_threshold_lower=None, take_diffs=True,
        take_logs=True)

    Anomaly check on a time series: the column is summed per `period` of date_column_name
    (per group_by group). Each period's metric is the natural log of that sum (take_logs;
    sums <= 0 count as 0) and, with take_diffs, its change from `lookback_periods` periods
    earlier. A period fails when its metric lies more than sigma_threshold sample standard
    deviations (of the previous `trend_periods` periods' metrics) away from their mean;
    sigma_threshold_upper / sigma_threshold_lower (a negative number) override either side.
    Only the last `test_periods` complete periods before the current one are tested.
    Returns the failing periods with their sum, metric, rolling mean, stddev and sigma.
-#}
{% test expect_column_values_to_be_within_n_moving_stdevs(
    model,
    column_name,
    date_column_name,
    group_by=none,
    period='day',
    lookback_periods=1,
    trend_periods=7,
    test_periods=14,
    sigma_threshold=3,
    sigma_threshold_upper=none,
    sigma_threshold_lower=none,
    take_diffs=true,
    take_logs=true
) %}
{%- set test_name = 'expect_column_values_to_be_within_n_moving_stdevs' -%}
{%- do warehouse.expectations_check_datepart(period, 'period', test_name) -%}
{%- do warehouse.expectations_check_integer(lookback_periods, 'lookback_periods', test_name) -%}
{%- do warehouse.expectations_check_integer(trend_periods, 'trend_periods', test_name) -%}
{%- do warehouse.expectations_check_integer(test_periods, 'test_periods', test_name) -%}
{%- set upper = sigma_threshold_upper if sigma_threshold_upper is not none else sigma_threshold -%}
{%- set lower = sigma_threshold_lower if sigma_threshold_lower is not none else -1 * sigma_threshold -%}
{%- set group_columns = warehouse.expectations_as_list(group_by) -%}
{%- set partition = 'partition by ' ~ group_columns | join(', ') if group_columns else '' -%}
{%- set now = warehouse.expectations_now() -%}
{%- set current_period = 'cast(' ~ dbt.date_trunc(period, now) ~ ' as ' ~ dbt.type_timestamp() ~ ')' -%}

{%- if take_logs -%}
    {%- set current_metric = 'coalesce(case when agg_metric_value > 0 then ln(agg_metric_value) end, 0)' -%}
    {%- set prior_metric = 'coalesce(case when prior_agg_metric_value > 0 then ln(prior_agg_metric_value) end, 0)' -%}
{%- else -%}
    {%- set current_metric = 'coalesce(agg_metric_value, 0)' -%}
    {%- set prior_metric = 'coalesce(prior_agg_metric_value, 0)' -%}
{%- endif -%}

with period_sums as (
    select
        {%- for column in group_columns %}
        {{ column }},
        {%- endfor %}
        cast({{ dbt.date_trunc(period, date_column_name) }} as {{ dbt.type_timestamp() }})
            as metric_period,
        sum({{ column_name }}) as agg_metric_value
    from {{ model }}
    group by
        {%- for column in group_columns %}
        {{ column }},
        {%- endfor %}
        cast({{ dbt.date_trunc(period, date_column_name) }} as {{ dbt.type_timestamp() }})
),

with_priors as (
    select
        *,
        lag(agg_metric_value, {{ lookback_periods }}) over (
            {{ partition }} order by metric_period
        ) as prior_agg_metric_value
    from period_sums
),

metric_values as (
    select
        *,
        {%- if take_diffs %}
        {{ current_metric }} - {{ prior_metric }}
        {%- else %}
        {{ current_metric }}
        {%- endif %} as metric_test_value
    from with_priors
),

moving_calcs as (
    select
        *,
        avg(metric_test_value) over (
            {{ partition }} order by metric_period
            rows between {{ trend_periods }} preceding and 1 preceding
        ) as metric_test_rolling_average,
        stddev_samp(metric_test_value) over (
            {{ partition }} order by metric_period
            rows between {{ trend_periods }} preceding and 1 preceding
        ) as metric_test_rolling_stddev
    from metric_values
),

sigmas as (
    select
        *,
        metric_test_value - metric_test_rolling_average as metric_test_delta,
        (metric_test_value - metric_test_rolling_average)
            / nullif(metric_test_rolling_stddev, 0) as metric_test_sigma
    from moving_calcs
)

select *
from sigmas
where metric_period >= cast({{ dbt.dateadd(period, -1 * test_periods, current_period) }} as {{ dbt.type_timestamp() }})
    and metric_period < {{ current_period }}
    and not (
        metric_test_sigma >= {{ lower }}
        and metric_test_sigma <= {{ upper }}
    )
{% endtest %}
