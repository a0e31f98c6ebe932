with

regions as (

    select * from {{ ref('stg_regions') }}

),

sales as (

    select * from {{ ref('stg_sales') }}

),

region_sales as (

    select
        region,
        min(date) as first_sale_date,
        max(date) as last_sale_date,
        count(distinct product_category) as categories_sold,
        sum(sales_amount) as lifetime_sales

    from sales
    group by region

),

final as (

    select
        regions.region,
        region_sales.first_sale_date,
        region_sales.last_sale_date,
        coalesce(region_sales.categories_sold, 0) as categories_sold,
        coalesce(region_sales.lifetime_sales, 0) as lifetime_sales

    from regions
    left join region_sales
        on regions.region = region_sales.region

)

select * from final
