with

source as (

    -- The rows that break no staging rule; the others are in marts.rejected_records.
    select * from ({{ quarantine_checked('feedback') }}) as checked
    where {{ quarantine_passed('feedback') }}

),

renamed as (

    select
        {{ dbt.safe_cast('feedback_id', api.Column.translate_type('bigint')) }} as feedback_id,
        {{ dbt.safe_cast('date', api.Column.translate_type('date')) }} as feedback_date,
        trim(product_category) as product_category,
        feedback_text,
        {{ dbt.safe_cast('rating', api.Column.translate_type('integer')) }} as rating

    from source

)

select * from renamed
