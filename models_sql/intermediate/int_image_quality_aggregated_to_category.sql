with

categories as (

    select * from {{ ref('stg_product_categories') }}

),

scores as (

    select * from {{ ref('product_image_scores') }}

),

aggregated as (

    select
        product_category,
        count(*) as images_total,
        count(case when status = 'ok' then 1 end) as images_scored,
        avg(case when status = 'ok' then quality_score end) as avg_image_quality,
        median(case when status = 'ok' then quality_score end) as median_image_quality,
        stddev_samp(case when status = 'ok' then quality_score end) as image_quality_std,
        avg(case when status = 'ok' then sharpness end) as avg_sharpness,
        avg(case when status = 'ok' then brightness end) as avg_brightness,
        avg(case when status = 'ok' then contrast end) as avg_contrast,
        avg(case when status = 'ok' then colorfulness end) as avg_colorfulness,
        avg(case when status = 'ok' then noise_level end) as avg_noise_level

    from scores
    group by product_category

),

final as (

    select
        categories.product_category,
        coalesce(aggregated.images_total, 0) as images_total,
        coalesce(aggregated.images_scored, 0) as images_scored,
        case
            when aggregated.images_total > 0 then aggregated.images_scored / aggregated.images_total
        end as share_scored,
        aggregated.avg_image_quality,
        aggregated.median_image_quality,
        aggregated.image_quality_std,
        aggregated.avg_sharpness,
        aggregated.avg_brightness,
        aggregated.avg_contrast,
        aggregated.avg_colorfulness,
        aggregated.avg_noise_level

    from categories
    left join aggregated
        on categories.product_category = aggregated.product_category

)

select * from final
