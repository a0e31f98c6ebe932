{#-
    dbt-duckdb's incremental Python models leave their `<model>__dbt_tmp<timestamp>` staging
    tables in the target schema (main). Dropped at the end of every run, so the warehouse holds
    exactly the four documented schemas.
-#}
{% macro drop_temp_relations() %}
    {% if execute %}
        {% set leftovers = run_query(
            "select table_schema, table_name from information_schema.tables "
            ~ "where table_name like '%\\_\\_dbt\\_tmp%' escape '\\'"
        ) %}
        {% for schema_name, table_name in leftovers.rows %}
            {% do run_query('drop table if exists "' ~ schema_name ~ '"."' ~ table_name ~ '"') %}
        {% endfor %}
    {% endif %}
{% endmacro %}
