with

source as (

    -- The rows that break no staging rule; the others are in marts.rejected_records.
    select * from ({{ quarantine_checked('sales') }}) as checked
    where {{ quarantine_passed('sales') }}

),

renamed as (

    select
        {{ dbt.safe_cast('date', api.Column.translate_type('date')) }} as date,
        trim(product_category) as product_category,
        trim(region) as region,
        {{ dbt.safe_cast('sales_amount', api.Column.translate_type('double')) }} as sales_amount,
        {{ dbt.safe_cast('marketing_spend', api.Column.translate_type('double')) }} as marketing_spend,
        {{ dbt.safe_cast('weather_score', api.Column.translate_type('double')) }} as weather_score

    from source

)

select * from renamed
