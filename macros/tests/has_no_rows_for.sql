{#-
    Rule "has_no_rows_for": lists the rows where column = value. Used with severity warn on
    rejected_records, so a build reports how many rows of each source were quarantined.
-#}
{% test has_no_rows_for(model, column_name, value) %}
select * from {{ model }} where {{ column_name }} = '{{ value }}'
{% endtest %}
