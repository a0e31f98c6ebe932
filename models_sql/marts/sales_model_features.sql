with

weekly as (

    select * from {{ ref('int_sales_weekly') }}

),

sentiment as (

    select * from {{ ref('int_category_sentiment_weekly') }}

),

photos as (

    select * from {{ ref('int_category_photo_quality_weekly') }}

),

lagged as (

    select
        week_start,
        product_category,
        region,
        sales,
        marketing_spend_per_day,
        weather_score,
        {%- for weeks in [1, 2, 4, 52] %}
        case
            when lag(week_start, {{ weeks }}) over series = {{ dbt.dateadd('day', -7 * weeks, 'week_start') }}
            then lag(sales, {{ weeks }}) over series
        end as sales_lag_{{ weeks }}w,
        {%- endfor %}
        case
            when lag(week_start, 56) over series = {{ dbt.dateadd('day', -7 * 56, 'week_start') }}
            then avg(sales) over (series rows between 56 preceding and 53 preceding)
        end as last_year_prior_4w_mean,
        case
            when lag(week_start, 4) over series = {{ dbt.dateadd('day', -28, 'week_start') }}
            then avg(sales) over (series rows between 4 preceding and 1 preceding)
        end as sales_rolling_mean_4w,
        case
            when lag(week_start, 13) over series = {{ dbt.dateadd('day', -91, 'week_start') }}
            then avg(sales) over (series rows between 13 preceding and 1 preceding)
        end as sales_rolling_mean_13w,
        -- The level above carries the lift of past spend and weather; the model compares.
        avg(marketing_spend_per_day) over (series rows between 4 preceding and 1 preceding)
            as marketing_spend_rolling_4w,
        avg(weather_score) over (series rows between 4 preceding and 1 preceding)
            as weather_score_rolling_4w

    from weekly
    window series as (partition by product_category, region order by week_start)

),

final as (

    select
        lagged.week_start,
        lagged.product_category,
        lagged.region,
        lagged.sales,
        lagged.sales_lag_1w,
        lagged.sales_lag_2w,
        lagged.sales_lag_4w,
        lagged.sales_lag_52w,
        lagged.sales_rolling_mean_4w,
        lagged.sales_rolling_mean_13w,
        case
            when lagged.last_year_prior_4w_mean > 0 then lagged.sales_lag_52w / lagged.last_year_prior_4w_mean
        end as last_year_seasonal_ratio,
        lagged.marketing_spend_per_day,
        lagged.marketing_spend_rolling_4w,
        lagged.weather_score,
        lagged.weather_score_rolling_4w,
        extract(week from lagged.week_start) as week_of_year,
        sin(2 * pi() * extract(week from lagged.week_start) / 52.18) as week_of_year_sin,
        cos(2 * pi() * extract(week from lagged.week_start) / 52.18) as week_of_year_cos,
        sentiment.sentiment_compound_4w,
        sentiment.rating_4w,
        sentiment.feedback_count_4w,
        photos.photo_quality

    from lagged
    left join sentiment
        on lagged.week_start = sentiment.week_start
        and lagged.product_category = sentiment.product_category
    left join photos
        on lagged.week_start = photos.week_start
        and lagged.product_category = photos.product_category

)

select * from final
