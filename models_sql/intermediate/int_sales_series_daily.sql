{#-
    Every sales series the forecasting models use, one row per series and day, with no gaps.
    A day missing from a category x region series is filled with the mean of the same weekday
    over the four weeks either side (else of that weekday over the whole series, else
    of the whole series) and counted in filled_rows,
    so a gap is visible rather than silently interpolated away.
-#}

with

sales as (

    select * from {{ ref('fct_daily_sales') }}

),

leaf_bounds as (

    select
        product_category,
        region,
        min(date) as first_date,
        max(date) as last_date

    from sales
    group by product_category, region

),

leaf_calendar as (

    select
        leaf_bounds.product_category,
        leaf_bounds.region,
        cast(calendar.day as date) as date

    from leaf_bounds,
        unnest(generate_series(
            cast(leaf_bounds.first_date as timestamp),
            cast(leaf_bounds.last_date as timestamp),
            interval 1 day
        )) as calendar(day)

),

leaf_days as (

    select
        leaf_calendar.product_category,
        leaf_calendar.region,
        leaf_calendar.date,
        sales.sales_amount,
        sales.marketing_spend,
        sales.weather_score,
        sales.date is null as is_filled

    from leaf_calendar
    left join sales
        on leaf_calendar.product_category = sales.product_category
        and leaf_calendar.region = sales.region
        and leaf_calendar.date = sales.date

),

leaf_filled as (

    select
        product_category,
        region,
        date,
        is_filled,
        coalesce(sales_amount, avg(sales_amount) over nearby_weekdays, avg(sales_amount) over same_weekday, avg(sales_amount) over whole_series) as sales_amount,
        coalesce(marketing_spend, avg(marketing_spend) over nearby_weekdays, avg(marketing_spend) over same_weekday, avg(marketing_spend) over whole_series) as marketing_spend,
        coalesce(weather_score, avg(weather_score) over nearby_weekdays, avg(weather_score) over same_weekday, avg(weather_score) over whole_series) as weather_score

    from leaf_days
    window
        nearby_weekdays as (
            partition by product_category, region, dayofweek(date)
            order by date
            range between interval 28 days preceding and interval 28 days following
        ),
        same_weekday as (partition by product_category, region, dayofweek(date)),
        whole_series as (partition by product_category, region)

),

series_rows as (

    select 'total' as series_id, 'total' as series_level, null as product_category, null as region, *
        exclude (product_category, region)
    from leaf_filled

    union all

    select 'category:' || product_category, 'category', product_category, null, *
        exclude (product_category, region)
    from leaf_filled

    union all

    select 'category:' || product_category || '|region:' || region, 'category_region', product_category, region, *
        exclude (product_category, region)
    from leaf_filled

),

final as (

    select
        series_id,
        series_level,
        product_category,
        region,
        date,
        sum(sales_amount) as sales_amount,
        sum(marketing_spend) as marketing_spend,
        avg(weather_score) as weather_score,
        count(*) as source_rows,
        count(*) filter (where is_filled) as filled_rows

    from series_rows
    group by series_id, series_level, product_category, region, date

)

select * from final
