with

checked_sales as (

    {{ quarantine_checked('sales') }}

),

checked_feedback as (

    {{ quarantine_checked('feedback') }}

),

checked_product_images as (

    {{ quarantine_checked('product_images') }}

),

rejections as (

    {{ quarantine_rejections('sales') }}
    union all
    {{ quarantine_rejections('feedback') }}
    union all
    {{ quarantine_rejections('product_images') }}

),

final as (

    select
        source_table,
        record_key,
        column_name,
        rule,
        raw_value,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as built_at

    from rejections

)

select * from final
