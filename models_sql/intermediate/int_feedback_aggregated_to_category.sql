with

sentiment as (

    select * from {{ ref('feedback_sentiment') }}

),

aggregated as (

    select
        product_category,
        cast(avg(compound) as double) as avg_sentiment,
        cast(avg(case when rating between 1 and 5 then rating end) as double) as avg_rating,
        cast(count(*) as bigint) as feedback_count

    from sentiment
    group by product_category

)

select * from aggregated
