{#-
    dbt's safe_cast falls back to a plain cast on DuckDB, which aborts the whole query on the
    first bad value. try_cast yields null instead, so staging can flag the row and go on.
-#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
