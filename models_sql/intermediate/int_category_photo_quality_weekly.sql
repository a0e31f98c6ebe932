with

weeks as (

    select distinct week_start, product_category from {{ ref('int_sales_weekly') }}

),

scores as (

    select * from {{ ref('product_image_scores') }}

),

images as (

    select * from {{ ref('stg_product_images') }}

),

scored_photos as (

    select
        scores.product_category,
        scores.quality_score,
        images.uploaded_at

    from scores
    inner join images
        on scores.image_id = images.image_id
    where scores.status = 'ok'

),

recent_quality as (

    -- The category's current photography: photos uploaded in the 13 weeks before the week
    -- starts (known in advance). Photos without an upload date cannot be placed in time.
    select
        weeks.week_start,
        weeks.product_category,
        avg(scored_photos.quality_score) as photo_quality,
        count(scored_photos.quality_score) as recent_photos

    from weeks
    left join scored_photos
        on scored_photos.product_category = weeks.product_category
        and scored_photos.uploaded_at >= {{ dbt.dateadd('day', -91, 'weeks.week_start') }}
        and scored_photos.uploaded_at < weeks.week_start
    group by weeks.week_start, weeks.product_category

)

select * from recent_quality
