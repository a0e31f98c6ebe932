with

source as (

    select * from {{ source('raw', 'product_categories') }}

),

renamed as (

    select
        trim(product_category) as product_category,
        trim(department) as department

    from source

)

select * from renamed
