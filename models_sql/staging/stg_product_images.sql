with

source as (

    -- The rows that break no staging rule; the others are in marts.rejected_records.
    select * from ({{ quarantine_checked('product_images') }}) as checked
    where {{ quarantine_passed('product_images') }}

),

renamed as (

    select
        {{ dbt.safe_cast('image_id', api.Column.translate_type('bigint')) }} as image_id,
        trim(product_category) as product_category,
        trim(image_path) as image_path,
        {{ dbt.safe_cast('uploaded_at', api.Column.translate_type('date')) }} as uploaded_at

    from source

)

select * from renamed
