{#- Rule "unique_combination": no two rows share the same values of the listed columns. -#}
{% test unique_combination(model, combination) %}
select
    {{ combination | join(', ') }},
    count(*) as duplicate_rows,
    'duplicate ({{ combination | join(", ") }})' as rule
from {{ model }}
group by {{ combination | join(', ') }}
having count(*) > 1
{% endtest %}
