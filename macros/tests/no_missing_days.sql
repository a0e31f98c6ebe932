{#-
    Rule "no_missing_days": each series (the partition_by columns) has exactly one row for
    every day between its first and last date. Returns each series with its gap count.
-#}
{% test no_missing_days(model, column_name, partition_by) %}
with series as (
    select
        {{ partition_by | join(', ') }},
        count(distinct {{ column_name }}) as days_present,
        count(*) as rows_present,
        {{ dbt.datediff('min(' ~ column_name ~ ')', 'max(' ~ column_name ~ ')', 'day') }} + 1 as days_spanned
    from {{ model }}
    group by {{ partition_by | join(', ') }}
)
select
    *,
    days_spanned - days_present as missing_days,
    'gaps or duplicate days in the series' as rule
from series
where days_present <> days_spanned or rows_present <> days_present
{% endtest %}
