{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
    )
}}

-- Appended on every build, never overwritten: the history of every model's metrics.

with

forecasting as (

    select model_name, domain, metric_name, metric_value from {{ ref('forecast_evaluation') }}

),

nlp as (

    select model_name, domain, metric_name, metric_value from {{ ref('sentiment_evaluation') }}

),

vision as (

    select model_name, domain, metric_name, metric_value from {{ ref('image_quality_evaluation') }}

),

integrated as (

    select model_name, domain, metric_name, metric_value, mlflow_run_id
    from {{ ref('sales_model_evaluation') }}

),

build_run as (

    select max(mlflow_run_id) as mlflow_run_id from integrated

),

unioned as (

    select * from forecasting
    union all
    select * from nlp
    union all
    select * from vision
    union all
    select model_name, domain, metric_name, metric_value from integrated

),

final as (

    select
        '{{ invocation_id }}' as run_id,
        build_run.mlflow_run_id,
        unioned.model_name,
        unioned.domain,
        unioned.metric_name,
        cast(unioned.metric_value as double) as metric_value,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as timestamp

    from unioned
    cross join build_run

)

select * from final
