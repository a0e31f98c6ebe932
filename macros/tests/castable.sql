{#- Rule "castable": every non-null value converts to the given type; returns the bad rows. -#}
{% test castable(model, column_name, to) %}
select
    {{ column_name }} as failing_value,
    'not castable to {{ to }}' as rule
from {{ model }}
where {{ column_name }} is not null
  and {{ dbt.safe_cast(column_name, to) }} is null
{% endtest %}
