{{
    config(
        materialized='incremental',
        unique_key=['date', 'product_category', 'region'],
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
    )
}}

with

sales as (

    select * from {{ ref('stg_sales') }}

    {% if is_incremental() %}
    -- Daily runs: only the new days, plus a few before them to take late corrections.
    where date > (
        select {{ dbt.dateadd('day', -var('incremental_lookback_days'), 'max(date)') }} from {{ this }}
    )
    {% endif %}

),

final as (

    select
        date,
        product_category,
        region,
        sales_amount,
        marketing_spend,
        weather_score

    from sales

)

select * from final
