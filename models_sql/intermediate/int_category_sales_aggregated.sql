with

sales as (

    select * from {{ ref('stg_sales') }}

),

category_days as (

    select
        product_category,
        date,
        sum(sales_amount) as sales_amount,
        sum(marketing_spend) as marketing_spend,
        avg(weather_score) as weather_score

    from sales
    group by product_category, date

),

category_bounds as (

    select
        product_category,
        min(date) as first_sale_date,
        max(date) as last_sale_date

    from category_days
    group by product_category

),

aggregated as (

    select
        category_days.product_category,
        category_bounds.first_sale_date,
        category_bounds.last_sale_date,
        count(*) as days_observed,
        sum(category_days.sales_amount) as total_sales,
        avg(category_days.sales_amount) as avg_daily_sales,
        stddev_samp(category_days.sales_amount) as daily_sales_std,
        avg(category_days.marketing_spend) as avg_daily_marketing_spend,
        avg(category_days.weather_score) as avg_weather_score,
        corr(category_days.sales_amount, category_days.marketing_spend) as marketing_sales_correlation,
        sum(case
            when category_days.date > {{ dbt.dateadd('day', -365, 'category_bounds.last_sale_date') }}
            then category_days.sales_amount
        end) as sales_last_365_days,
        sum(case
            when category_days.date <= {{ dbt.dateadd('day', -365, 'category_bounds.last_sale_date') }}
             and category_days.date > {{ dbt.dateadd('day', -730, 'category_bounds.last_sale_date') }}
            then category_days.sales_amount
        end) as sales_prior_365_days

    from category_days
    inner join category_bounds
        on category_days.product_category = category_bounds.product_category
    group by
        category_days.product_category,
        category_bounds.first_sale_date,
        category_bounds.last_sale_date

),

final as (

    select
        product_category,
        first_sale_date,
        last_sale_date,
        days_observed,
        total_sales,
        avg_daily_sales,
        daily_sales_std,
        case when avg_daily_sales > 0 then daily_sales_std / avg_daily_sales end as sales_cv,
        avg_daily_marketing_spend,
        avg_weather_score,
        marketing_sales_correlation,
        -- Year-over-year growth needs two full years of history; otherwise it is unknown.
        case
            when {{ dbt.datediff('first_sale_date', 'last_sale_date', 'day') }} >= 729
             and sales_prior_365_days > 0
            then sales_last_365_days / sales_prior_365_days - 1
        end as sales_growth_yoy

    from aggregated

)

select * from final
