{#-
    Rule "value_between": values lie in [min_value, max_value] (either bound optional);
    nulls pass here and are the not_null test's job. Compares after a safe cast so raw text
    columns can be range-checked too (a non-numeric value is the castable test's job).
-#}
{% test value_between(model, column_name, min_value=none, max_value=none, cast_to=none) %}
{%- set value = dbt.safe_cast(column_name, cast_to) if cast_to else column_name -%}
select
    {{ column_name }} as failing_value,
    'outside [{{ min_value }}, {{ max_value }}]' as rule
from {{ model }}
where {{ value }} is not null
  and (
    {%- if min_value is not none %} {{ value }} < {{ min_value }}{% endif %}
    {%- if min_value is not none and max_value is not none %} or{% endif %}
    {%- if max_value is not none %} {{ value }} > {{ max_value }}{% endif %}
  )
{% endtest %}
