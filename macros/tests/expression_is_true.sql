{#- Rule "expression_is_true": a row-level condition holds for every row. -#}
{% test expression_is_true(model, expression, column_name=none) %}
select
    *,
    'violates: {{ expression | replace("'", "''") }}' as rule
from {{ model }}
where not ({{ expression }})
{% endtest %}
