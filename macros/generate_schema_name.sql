{#-
    Schemas are exactly the configured names (raw, staging, intermediate, marts), not dbt's
    default "<target schema>_<custom schema>": users and tests query these fixed names.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
