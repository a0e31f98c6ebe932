{#-
    Rule "accepted_values_from": the accepted values are whatever the dimension lists, so no
    category or region is hard-coded. Returns each unknown value with how many rows carry it.
-#}
{% test accepted_values_from(model, column_name, to, field) %}
select
    source_rows.{{ column_name }} as failing_value,
    count(*) as failing_rows,
    'not in {{ to.identifier }}.{{ field }}' as rule
from {{ model }} as source_rows
left join {{ to }} as accepted
    on source_rows.{{ column_name }} = accepted.{{ field }}
where source_rows.{{ column_name }} is not null
  and accepted.{{ field }} is null
group by 1
{% endtest %}
