with

daily_sales as (

    select * from {{ ref('fct_daily_sales') }}

),

weekly as (

    select
        cast({{ dbt.date_trunc('week', 'date') }} as date) as week_start,
        product_category,
        region,
        count(*) as days_in_week,
        sum(sales_amount) as sales,
        avg(marketing_spend) as marketing_spend_per_day,
        avg(weather_score) as weather_score

    from daily_sales
    group by 1, 2, 3

),

complete_weeks as (

    -- A partial first or last week would look like a sales drop: keep whole weeks only.
    select * from weekly
    where days_in_week = 7

)

select * from complete_weeks
