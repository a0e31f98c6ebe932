with

weeks as (

    select distinct week_start, product_category from {{ ref('int_sales_weekly') }}

),

feedback as (

    select * from {{ ref('feedback_sentiment') }}

),

trailing_feedback as (

    -- Only feedback written in the four weeks before the week starts: known in advance.
    select
        weeks.week_start,
        weeks.product_category,
        avg(feedback.compound) as sentiment_compound_4w,
        -- Out-of-range ratings are kept in feedback_sentiment (flagged in status), not averaged.
        avg(case when feedback.rating between 1 and 5 then feedback.rating end) as rating_4w,
        count(feedback.compound) as feedback_count_4w

    from weeks
    left join feedback
        on feedback.product_category = weeks.product_category
        and feedback.feedback_date >= {{ dbt.dateadd('day', -28, 'weeks.week_start') }}
        and feedback.feedback_date < weeks.week_start
    group by weeks.week_start, weeks.product_category

)

select * from trailing_feedback
