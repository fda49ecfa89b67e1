{#-
    ctl_record_run(results): on-run-end hook. Appends one `ctl.etl_run` row for this dbt
    invocation and one `ctl.data_quality_result` row per test (and per source freshness
    check) it ran, so test history accumulates across invocations. Portable SQL: plain
    inserts of literal values, on every engine.
-#}
{% macro ctl_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is number -%}
        {{ value }}
    {%- else -%}
        {{ warehouse.ctl_quote((value | string)[:4000]) }}
    {%- endif -%}
{%- endmacro %}

{#- A text as an SQL string literal: quotes doubled; Spark escapes with backslashes instead. -#}
{% macro ctl_quote(text) -%}
    {{ return(adapter.dispatch('ctl_quote', 'warehouse')(text)) }}
{%- endmacro %}

{% macro default__ctl_quote(text) -%}
    {{ return("'" ~ text | replace("'", "''") ~ "'") }}
{%- endmacro %}

{% macro spark__ctl_quote(text) -%}
    {{ return("'" ~ text | replace('\\', '\\\\') | replace("'", "\\'") ~ "'") }}
{%- endmacro %}

{#- Hook statements: one SQL text on most engines; Spark runs one statement at a time. -#}
{% macro hook_statements(statements) -%}
    {{ return(adapter.dispatch('hook_statements', 'warehouse')(statements)) }}
{%- endmacro %}

{% macro default__hook_statements(statements) -%}
    {{ return(statements | join(';\n') ~ ';') }}
{%- endmacro %}

{% macro spark__hook_statements(statements) -%}
    {%- for statement in statements -%}
        {%- do run_query(statement) -%}
    {%- endfor -%}
    {{ return('select 1 as hook_statements_run') }}
{%- endmacro %}

{% macro ctl_record_run(results) -%}
    {%- if not execute or flags.WHICH not in ('build', 'run', 'test', 'seed', 'snapshot', 'freshness') -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- set now = modules.datetime.datetime.now(modules.pytz.utc) -%}
    {%- set checked_at = now.isoformat() -%}
    {%- set counts = {} -%}
    {%- set problems = [] -%}
    {%- set rows = [] -%}
    {%- for res in results -%}
        {%- set status = res.status | string | lower -%}
        {%- do counts.update({status: counts.get(status, 0) + 1}) -%}
        {%- if status in ('error', 'fail', 'runtime error') -%}
            {%- do problems.append(res.node.unique_id ~ ': ' ~ (((res.message or status) | string).split() | join(' '))[:300]) -%}
        {%- endif -%}
        {%- set kind = res.node.resource_type | string -%}
        {%- if kind == 'test' -%}
            {%- set attached = res.node.attached_node or (res.node.depends_on.nodes | join(',')) -%}
            {%- do rows.append([
                res.node.name,
                res.node.unique_id,
                attached,
                res.node.column_name,
                res.node.config.severity | lower,
                status,
                res.failures,
                res.execution_time | round(3),
                res.message,
            ]) -%}
        {%- elif kind == 'source' -%}
            {%- set age = res.age if res.age is defined else none -%}
            {%- set loaded = res.max_loaded_at if res.max_loaded_at is defined else none -%}
            {%- do rows.append([
                'source_freshness',
                'freshness.' ~ res.node.unique_id,
                res.node.unique_id,
                res.node.loaded_at_field,
                'warn' if status == 'warn' else 'error',
                status,
                none,
                res.execution_time | round(3),
                ('max loaded at ' ~ loaded ~ ', age ' ~ (age | round(0) | int) ~ ' s') if age is not none else res.message,
            ]) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set failed = counts.get('error', 0) + counts.get('fail', 0) + counts.get('runtime error', 0) -%}
    {%- set parts = [] -%}
    {%- for key in counts | sort -%}
        {%- do parts.append(counts[key] ~ ' ' ~ key) -%}
    {%- endfor -%}
    {%- set message = (parts | join(', ') or 'nothing ran') ~ ('; ' ~ (problems | join('; ')) if problems else '') -%}
    {%- set args = invocation_args_dict -%}
    {%- set command = ['dbt', 'source freshness' if flags.WHICH == 'freshness' else flags.WHICH] -%}
    {%- for opt in ('select', 'exclude', 'selector') -%}
        {%- if args.get(opt) -%}
            {%- set value = args.get(opt) -%}
            {%- do command.append('--' ~ opt ~ ' ' ~ (value | join(' ') if value is iterable and value is not string else value)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set seconds = (now - run_started_at).total_seconds() | round(3) -%}
    {%- set ts = warehouse.ctl_timestamp_type() -%}
    {%- set statements = [] -%}
    {%- set etl_run_insert -%}
    insert into ctl.etl_run (run_id, run_kind, command, target_name, status, started_at, finished_at, duration_seconds, message)
    values (
        {{ ctl_literal(invocation_id) }}, 'dbt', {{ ctl_literal(command | join(' ')) }},
        {{ ctl_literal(target.name) }}, {{ ctl_literal('failure' if failed else 'success') }},
        cast({{ ctl_literal(run_started_at.isoformat()) }} as {{ ts }}),
        cast({{ ctl_literal(checked_at) }} as {{ ts }}),
        {{ seconds }}, {{ ctl_literal(message) }}
    )
    {%- endset -%}
    {%- do statements.append(etl_run_insert) -%}
    {%- if rows -%}
    {%- set results_insert %}
    insert into ctl.data_quality_result (run_id, test_name, test_unique_id, model, column_name, severity, status, failing_rows, execution_seconds, message, checked_at)
    values
    {%- for row in rows %}
        ({{ ctl_literal(invocation_id) }}
        {%- for value in row %}, {{ ctl_literal(value) }}{% endfor -%}
        , cast({{ ctl_literal(checked_at) }} as {{ ts }})){{ ',' if not loop.last }}
    {%- endfor %}
    {%- endset -%}
    {%- do statements.append(results_insert) -%}
    {%- endif -%}
    {{ return(warehouse.hook_statements(statements)) }}
{%- endmacro %}
