with

image_quality as (

    select * from {{ ref('int_image_quality_aggregated_to_category') }}

),

category_sales as (

    select * from {{ ref('int_category_sales_aggregated') }}

),

joined as (

    select
        image_quality.product_category,
        image_quality.images_total,
        image_quality.images_scored,
        image_quality.avg_image_quality,
        image_quality.median_image_quality,
        image_quality.avg_sharpness,
        image_quality.avg_brightness,
        image_quality.avg_noise_level,
        coalesce(category_sales.total_sales, 0) as total_sales,
        category_sales.avg_daily_sales

    from image_quality
    left join category_sales
        on image_quality.product_category = category_sales.product_category

),

ranked as (

    select
        *,
        -- Both ranks run over the categories that have a quality and sales, so they pair up.
        case when avg_image_quality is not null and avg_daily_sales is not null
            then rank() over (partition by avg_image_quality is null or avg_daily_sales is null order by avg_image_quality desc)
        end as quality_rank,
        case when avg_image_quality is not null and avg_daily_sales is not null
            then rank() over (partition by avg_image_quality is null or avg_daily_sales is null order by avg_daily_sales desc)
        end as sales_rank

    from joined

),

final as (

    select
        product_category,
        images_total,
        images_scored,
        avg_image_quality,
        median_image_quality,
        avg_sharpness,
        avg_brightness,
        avg_noise_level,
        total_sales,
        avg_daily_sales,
        quality_rank,
        sales_rank,
        -- Across categories (the seed's analysis): one value, repeated on every row.
        count(quality_rank * sales_rank) over () as categories_correlated,
        corr(avg_image_quality, avg_daily_sales) over () as quality_sales_correlation,
        corr(quality_rank, sales_rank) over () as quality_sales_rank_correlation

    from ranked

)

select * from final
