{#-
    Argument helpers shared by the expect_* generic tests in tests/generic/.
    Each one validates what a schema file passed and fails at compile time with a message
    that names the argument, instead of producing broken SQL.
-#}

{#- None -> [], 'col' -> ['col'], ['a', 'b'] -> ['a', 'b'] -#}
{% macro expectations_as_list(value) %}
    {%- if value is none -%}
        {{ return([]) }}
    {%- elif value is string -%}
        {{ return([value]) }}
    {%- else -%}
        {{ return(value | list) }}
    {%- endif -%}
{% endmacro %}


{#- The column list of a multi-column test, quoted with the adapter's quote when asked. -#}
{% macro expectations_columns(column_list, quote_columns=false, test_name='') %}
    {%- set names = warehouse.expectations_as_list(column_list) -%}
    {%- if names | length == 0 -%}
        {{ exceptions.raise_compiler_error(test_name ~ ": column_list must name at least one column") }}
    {%- endif -%}
    {%- if quote_columns not in [true, false] -%}
        {{ exceptions.raise_compiler_error(
            test_name ~ ": quote_columns must be true or false, got '" ~ quote_columns ~ "'") }}
    {%- endif -%}
    {%- set columns = [] -%}
    {%- for name in names -%}
        {%- do columns.append(adapter.quote(name) if quote_columns else name) -%}
    {%- endfor -%}
    {{ return(columns) }}
{% endmacro %}


{#-
    Predicate that keeps the rows a multi-column test should look at:
    all_values_are_missing skips rows where every listed column is null,
    any_value_is_missing skips rows where at least one listed column is null.
-#}
{% macro expectations_rows_to_check(columns, ignore_row_if, test_name='') %}
    {%- if ignore_row_if == 'all_values_are_missing' -%}
        {%- set joiner = ' and ' -%}
    {%- elif ignore_row_if == 'any_value_is_missing' -%}
        {%- set joiner = ' or ' -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            test_name ~ ": ignore_row_if must be 'all_values_are_missing' or "
            ~ "'any_value_is_missing', got '" ~ ignore_row_if ~ "'") }}
    {%- endif -%}
    {%- set checks = [] -%}
    {%- for column in columns -%}
        {%- do checks.append(column ~ ' is null') -%}
    {%- endfor -%}
    {{ return('not (' ~ checks | join(joiner) ~ ')') }}
{% endmacro %}


{#-
    SQL list "(v1, v2, ...)" for the *_in_set tests. quote_values=true makes every value a
    string literal (single quotes escaped); false inserts the values as written (numbers,
    SQL expressions).
-#}
{% macro expectations_value_list(value_set, quote_values=true, test_name='') %}
    {%- if value_set is none or value_set is string or value_set | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            test_name ~ ": value_set must be a non-empty list of values") }}
    {%- endif -%}
    {{ return('(' ~ warehouse.expectations_literals(value_set, quote_values) | join(', ') ~ ')') }}
{% endmacro %}


{% macro expectations_literals(value_set, quote_values=true) %}
    {%- set literals = [] -%}
    {%- for value in value_set -%}
        {%- if quote_values -%}
            {%- do literals.append("'" ~ (value | string | replace("'", "''")) ~ "'") -%}
        {%- else -%}
            {%- do literals.append(value | string) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(literals) }}
{% endmacro %}


{#-
    "min_value <= expression <= max_value" (strict comparisons when strictly=true); either bound
    may be omitted, not both. A null expression makes the predicate null, so it never fails.
-#}
{% macro expectations_between_predicate(expression, min_value=none, max_value=none, strictly=false, test_name='') %}
    {%- if min_value is none and max_value is none -%}
        {{ exceptions.raise_compiler_error(
            test_name ~ ": give min_value, max_value or both (both are missing)") }}
    {%- endif -%}
    {%- set lower_op = '>' if strictly else '>=' -%}
    {%- set upper_op = '<' if strictly else '<=' -%}
    {%- set checks = [] -%}
    {%- if min_value is not none -%}
        {%- do checks.append(expression ~ ' ' ~ lower_op ~ ' ' ~ min_value) -%}
    {%- endif -%}
    {%- if max_value is not none -%}
        {%- do checks.append(expression ~ ' ' ~ upper_op ~ ' ' ~ max_value) -%}
    {%- endif -%}
    {{ return('(' ~ checks | join(' and ') ~ ')') }}
{% endmacro %}


{#- A date part name (day, week, month, ...) and a whole number, checked before they reach SQL. -#}
{% macro expectations_check_datepart(datepart, argument, test_name='') %}
    {%- if datepart is not string or not modules.re.match('^[A-Za-z_]+$', datepart) -%}
        {{ exceptions.raise_compiler_error(
            test_name ~ ": " ~ argument ~ " must be a date part such as 'day' or 'hour', got '"
            ~ datepart ~ "'") }}
    {%- endif -%}
{% endmacro %}


{% macro expectations_check_integer(value, argument, test_name='') %}
    {%- if value is not number or (value | int) != value -%}
        {{ exceptions.raise_compiler_error(
            test_name ~ ": " ~ argument ~ " must be a whole number, got '" ~ value ~ "'") }}
    {%- endif -%}
{% endmacro %}
