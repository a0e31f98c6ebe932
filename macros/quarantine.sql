{#-
    The staging rules, declared once. Staging keeps the rows that break none of them;
    marts.rejected_records lists every broken rule with the row's key and raw value. A rule
    is (column, rule name, condition true for a bad row) over the raw columns read as text,
    so it works for CSV (all text) and Parquet (typed) alike.
-#}

{% macro raw_text(column) -%}
    nullif(trim(cast({{ column }} as varchar)), '')
{%- endmacro %}

{% macro quarantine_keys(entity) -%}
    {{ return({
        'sales': ['date', 'product_category', 'region'],
        'feedback': ['feedback_id'],
        'product_images': ['image_id'],
    }[entity]) }}
{%- endmacro %}

{% macro quarantine_rules(entity) -%}
    {%- set t = raw_text -%}
    {%- set double = api.Column.translate_type('double') -%}
    {%- set categories -%}
        (select {{ t('product_category') }} from {{ source('raw', 'product_categories') }})
    {%- endset -%}
    {#- Only the asked entity's rules are built: each source() call is a dependency. -#}
    {%- if entity == 'sales' -%}
        {%- set rules = [
            ('date', 'missing_value', t('date') ~ ' is null'),
            ('date', 'not_a_date', t('date') ~ ' is not null and ' ~ dbt.safe_cast(t('date'), 'date') ~ ' is null'),
            ('date', 'date_in_future', dbt.safe_cast(t('date'), 'date') ~ ' > current_date'),
            ('product_category', 'missing_value', t('product_category') ~ ' is null'),
            ('product_category', 'unknown_value', t('product_category') ~ ' not in ' ~ categories),
            ('region', 'missing_value', t('region') ~ ' is null'),
            ('region', 'unknown_value', t('region') ~ ' not in (select ' ~ t('region') ~ ' from ' ~ source('raw', 'regions') ~ ')'),
            ('sales_amount', 'missing_value', t('sales_amount') ~ ' is null'),
            ('sales_amount', 'not_a_number', t('sales_amount') ~ ' is not null and ' ~ dbt.safe_cast(t('sales_amount'), double) ~ ' is null'),
            ('sales_amount', 'negative', dbt.safe_cast(t('sales_amount'), double) ~ ' < 0'),
            ('marketing_spend', 'not_a_number', t('marketing_spend') ~ ' is not null and ' ~ dbt.safe_cast(t('marketing_spend'), double) ~ ' is null'),
            ('marketing_spend', 'negative', dbt.safe_cast(t('marketing_spend'), double) ~ ' < 0'),
            ('weather_score', 'not_a_number', t('weather_score') ~ ' is not null and ' ~ dbt.safe_cast(t('weather_score'), double) ~ ' is null'),
            ('weather_score', 'out_of_range', dbt.safe_cast(t('weather_score'), double) ~ ' not between 0 and 1'),
        ] -%}
    {%- elif entity == 'feedback' -%}
        {%- set rules = [
            ('feedback_id', 'missing_value', t('feedback_id') ~ ' is null'),
            ('feedback_id', 'not_an_integer', t('feedback_id') ~ ' is not null and ' ~ dbt.safe_cast(t('feedback_id'), 'bigint') ~ ' is null'),
            ('date', 'missing_value', t('date') ~ ' is null'),
            ('date', 'not_a_date', t('date') ~ ' is not null and ' ~ dbt.safe_cast(t('date'), 'date') ~ ' is null'),
            ('date', 'date_in_future', dbt.safe_cast(t('date'), 'date') ~ ' > current_date'),
            ('product_category', 'missing_value', t('product_category') ~ ' is null'),
            ('product_category', 'unknown_value', t('product_category') ~ ' not in ' ~ categories),
        ] -%}
    {%- else -%}
        {%- set rules = [
            ('image_id', 'missing_value', t('image_id') ~ ' is null'),
            ('image_id', 'not_an_integer', t('image_id') ~ ' is not null and ' ~ dbt.safe_cast(t('image_id'), 'bigint') ~ ' is null'),
            ('image_path', 'missing_value', t('image_path') ~ ' is null'),
            ('product_category', 'missing_value', t('product_category') ~ ' is null'),
            ('product_category', 'unknown_value', t('product_category') ~ ' not in ' ~ categories),
        ] -%}
    {%- endif -%}
    {{ return(rules) }}
{%- endmacro %}

{#- The raw rows with a flag per rule and one for a duplicated key (every copy is rejected). -#}
{% macro quarantine_checked(entity) -%}
    {%- set keys = quarantine_keys(entity) -%}
    select
        raw_rows.*,
        {%- for column, rule, condition in quarantine_rules(entity) %}
        coalesce({{ condition }}, false) as "{{ column }}__{{ rule }}",
        {%- endfor %}
        count(*) over (partition by {% for key in keys %}{{ raw_text(key) }}{{ ', ' if not loop.last }}{% endfor %}) > 1
            as "{{ keys | join('+') }}__duplicate_key"
    from {{ source('raw', entity) }} as raw_rows
{%- endmacro %}

{#- Keep only the rows that break no rule (staging's filter). -#}
{% macro quarantine_passed(entity) -%}
    {%- set keys = quarantine_keys(entity) -%}
    not (
        {%- for column, rule, condition in quarantine_rules(entity) %}
        "{{ column }}__{{ rule }}" or
        {%- endfor %}
        "{{ keys | join('+') }}__duplicate_key"
    )
{%- endmacro %}

{#- One row per broken rule: source, key, column, rule, raw value. -#}
{% macro quarantine_rejections(entity) -%}
    {%- set keys = quarantine_keys(entity) -%}
    {%- set checks = quarantine_rules(entity) | list + [(keys | join('+'), 'duplicate_key', none)] -%}
    {%- set key_expression -%}
        {% for key in keys %}coalesce({{ raw_text(key) }}, '(null)'){{ " || '|' || " if not loop.last }}{% endfor %}
    {%- endset -%}
    {%- for column, rule, condition in checks %}
    select
        'raw.{{ entity }}' as source_table,
        {{ key_expression }} as record_key,
        '{{ column }}' as column_name,
        '{{ rule }}' as rule,
        {% if rule == 'duplicate_key' %}{{ key_expression }}{% else %}cast({{ column }} as varchar){% endif %} as raw_value
    from checked_{{ entity }}
    where "{{ column }}__{{ rule }}"
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}
