{#-
    Rule "quarantine_share": the share of a source's rows in rejected_records stays at or
    below max_share. Returns one row (the source, its rejected and total rows) when it does
    not, so the build stops: beyond that share the data is more broken than quarantine can fix.
-#}
{% test quarantine_share(model, source_table, raw_relation, max_share) %}
with

rejected as (

    select count(distinct record_key) as rejected_rows
    from {{ model }}
    where source_table = '{{ source_table }}'

),

total as (

    select count(*) as total_rows from {{ raw_relation }}

)

select
    '{{ source_table }}' as source_table,
    rejected.rejected_rows,
    total.total_rows,
    {{ max_share }} as max_share
from rejected
cross join total
where rejected.rejected_rows > {{ max_share }} * total.total_rows

{% endtest %}
