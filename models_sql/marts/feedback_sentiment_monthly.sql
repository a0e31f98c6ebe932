with

sentiment as (

    select * from {{ ref('feedback_sentiment') }}

),

monthly as (

    select
        product_category,
        cast({{ dbt.date_trunc('month', 'cast(feedback_date as date)') }} as date) as month,
        count(*) as feedback_count,
        count(compound) as scored_count,
        avg(compound) as avg_compound,
        avg(supervised_score) as avg_supervised_score,
        avg(case when rating between 1 and 5 then rating end) as avg_rating,
        avg(case when sentiment_label = 'Positive' then 1.0 when sentiment_label is not null then 0.0 end) as share_positive,
        avg(case when sentiment_label = 'Neutral' then 1.0 when sentiment_label is not null then 0.0 end) as share_neutral,
        avg(case when sentiment_label = 'Negative' then 1.0 when sentiment_label is not null then 0.0 end) as share_negative

    from sentiment
    group by 1, 2

),

final as (

    select
        product_category,
        month,
        cast(feedback_count as bigint) as feedback_count,
        cast(scored_count as bigint) as scored_count,
        cast(avg_compound as double) as avg_compound,
        cast(avg_supervised_score as double) as avg_supervised_score,
        cast(avg_rating as double) as avg_rating,
        cast(share_positive as double) as share_positive,
        cast(share_neutral as double) as share_neutral,
        cast(share_negative as double) as share_negative

    from monthly

)

select * from final
