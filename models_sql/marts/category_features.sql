with

categories as (

    select * from {{ ref('dim_product_category') }}

),

category_sales as (

    select * from {{ ref('int_category_sales_aggregated') }}

),

feedback as (

    select * from {{ ref('int_feedback_aggregated_to_category') }}

),

photos as (

    select * from {{ ref('int_image_quality_aggregated_to_category') }}

),

total as (

    select sum(total_sales) as all_sales from category_sales

),

final as (

    select
        categories.product_category,
        categories.department,
        coalesce(category_sales.days_observed, 0) as days_observed,
        coalesce(category_sales.total_sales, 0) as total_sales,
        case
            when total.all_sales > 0 then coalesce(category_sales.total_sales, 0) / total.all_sales
        end as share_of_total_sales,
        category_sales.avg_daily_sales,
        category_sales.daily_sales_std,
        category_sales.sales_cv,
        category_sales.avg_daily_marketing_spend,
        category_sales.avg_weather_score,
        category_sales.marketing_sales_correlation,
        category_sales.sales_growth_yoy,
        feedback.avg_sentiment,
        feedback.avg_rating,
        coalesce(feedback.feedback_count, 0) as feedback_count,
        photos.avg_image_quality

    from categories
    cross join total
    left join category_sales
        on categories.product_category = category_sales.product_category
    left join feedback
        on categories.product_category = feedback.product_category
    left join photos
        on categories.product_category = photos.product_category

)

select * from final
