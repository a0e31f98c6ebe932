with

sales as (

    select * from {{ ref('stg_sales') }}

),

final as (

    select
        date,
        product_category,
        region,
        sales_amount,
        marketing_spend,
        weather_score

    from sales

)

select * from final
