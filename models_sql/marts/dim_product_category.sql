with

categories as (

    select * from {{ ref('stg_product_categories') }}

),

sales as (

    select * from {{ ref('stg_sales') }}

),

category_sales as (

    select
        product_category,
        min(date) as first_sale_date,
        max(date) as last_sale_date,
        count(distinct region) as regions_sold_in,
        sum(sales_amount) as lifetime_sales

    from sales
    group by product_category

),

final as (

    select
        categories.product_category,
        categories.department,
        category_sales.first_sale_date,
        category_sales.last_sale_date,
        coalesce(category_sales.regions_sold_in, 0) as regions_sold_in,
        coalesce(category_sales.lifetime_sales, 0) as lifetime_sales

    from categories
    left join category_sales
        on categories.product_category = category_sales.product_category

)

select * from final
